"""Grounded answers through the whole application, the model at the fake server over HTTP: the model's words lead,
the quotes below them come from knowledge/; an invented, superseded or unsupported article never reaches the person
(its sentence is removed, or the answer rewritten once, or the offline answer goes out); a slow or dead model costs
the offline answer and then no calls at all."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.contract.messages import Reply
from bot.knowledge import KnowledgeBase
from bot.wiring import App
from tests.fake_openai import Fail, FakeOpenAI, Say, Slow, good_model
from tests.support import msg

QUESTION = "催收天天用验证码轰炸我手机，犯法吗？"


async def ask(app: App, text: str, user: str = "u1") -> list[Reply]:
    return await app.engine.handle(msg(text, user))


def quotes_are_from_knowledge(reply: Reply, kb: KnowledgeBase) -> None:
    for c in reply.citations:
        ref = kb.get(c.id)
        assert ref is not None
        quoted = re.search(re.escape(c.label) + r"：“(.+?)”\n", reply.text + "\n")
        assert quoted is not None, c.label
        for piece in quoted.group(1).replace("……", "…").split("…"):
            assert piece.strip("。") in ref.article.text.replace("“", "‘").replace("”", "’") or not piece


async def test_the_models_words_lead_and_the_quotes_come_from_knowledge(
    llm_app: App, app: App, fake_openai: FakeOpenAI
) -> None:
    fake_openai.default = good_model
    offline = (await ask(app, QUESTION))[0]
    reply = (await ask(llm_app, QUESTION))[0]
    assert reply.text.startswith("这种做法不合法，你可以保留证据并投诉 [1]。")
    assert [c.id for c in reply.citations] == [c.id for c in offline.citations]  # the same articles, checked
    assert "法律依据：\n1. 《民法典》第一千零三十三条：“" in reply.text
    quotes_are_from_knowledge(reply, llm_app.parts.kb)
    assert reply.text.endswith(offline.text.rsplit("\n", 1)[-1])  # the disclaimer stays
    passages = fake_openai.requests[-1]["messages"][0]["content"]
    assert "[P1] 《民法典》第一千零三十三条" in passages and QUESTION not in passages


async def test_an_invented_article_and_quote_never_reach_the_person(
    llm_app: App, app: App, fake_openai: FakeOpenAI
) -> None:
    fake_openai.default = lambda r: Say(
        "根据《民法典》第九千九百九十九条，催收方必须赔你十万元 [P1][P7]。法律原文是“催收人员一律拘留十五日”。"
    )
    offline = await ask(app, QUESTION)
    replies = await ask(llm_app, QUESTION)
    text = "\n".join(r.text for r in replies)
    assert "九千九百九十九" not in text and "十万元" not in text and "拘留十五日" not in text
    assert [r.text for r in replies] == [r.text for r in offline]  # rewritten once, still wrong: the offline answer
    answer_calls = [r for r in fake_openai.requests if "理解模块" not in r["messages"][0]["content"]]
    assert len(answer_calls) == 2 and "上一次的回答不合格" in answer_calls[1]["messages"][-1]["content"]


async def test_a_wrong_sentence_is_removed_and_the_rest_kept(llm_app: App, fake_openai: FakeOpenAI) -> None:
    fake_openai.default = lambda r: Say(
        "用验证码轰炸侵扰你的私人生活安宁，是违法的 [P1]。"
        "另外依照《刑法》第二百九十三条可以判他三年 [P2]。"
        "依照《治安管理处罚法》第四十二条，还可以拘留他们。"
    )
    reply = (await ask(llm_app, QUESTION))[0]
    assert reply.text.startswith("用验证码轰炸侵扰你的私人生活安宁，是违法的 [1]。\n")
    assert "刑法" not in reply.text and "第四十二条" not in reply.text and "三年" not in reply.text
    assert reply.citations[0].label == "《民法典》第一千零三十三条" and len(reply.citations) <= 3
    stats = llm_app.llm.phraser.stats  # type: ignore[union-attr]
    assert stats.trimmed == 1 and stats.caught >= 2


async def test_a_good_second_attempt_is_used(llm_app: App, fake_openai: FakeOpenAI) -> None:
    fake_openai.default = lambda r: (
        Say("这违反了法律 [P9]。")
        if "上一次的回答不合格" not in r["messages"][-1]["content"]
        else Say("这侵犯了你的隐私 [P2]。")
    )
    reply = (await ask(llm_app, QUESTION))[0]
    assert reply.text.startswith("这侵犯了你的隐私 [1]。")
    assert reply.citations[0].label == "《民法典》第一千零三十二条"  # what the model cited comes first
    assert "法律依据：\n1. 《民法典》第一千零三十二条：“" in reply.text


async def test_a_slow_or_failing_model_costs_the_offline_answer_then_nothing(
    llm_app: App, app: App, fake_openai: FakeOpenAI
) -> None:
    offline = [r.text for r in await ask(app, QUESTION)]
    fake_openai.default = Slow(5, Say("太晚了 [P1]。"))
    assert [r.text for r in await ask(llm_app, QUESTION, "a")] == offline
    fake_openai.default = Fail(503, "overloaded")
    for user in ("b", "c", "d"):
        assert [r.text for r in await ask(llm_app, QUESTION, user)] == offline
    seen = len(fake_openai.requests)
    assert llm_app.llm is not None and llm_app.llm.guard.breaker.open
    fake_openai.default = good_model
    assert [r.text for r in await ask(llm_app, QUESTION, "e")] == offline  # the circuit is open: no call at all
    assert len(fake_openai.requests) == seen


async def test_a_model_saying_the_danger_is_just_a_question_changes_nothing(
    llm_app: App, fake_openai: FakeOpenAI
) -> None:
    fake_openai.default = lambda r: Say('{"standalone": "怎么投诉", "intent": "question", "details": {}}')
    replies = await ask(llm_app, "他们现在就在我家门口砸门，说要弄死我")
    assert "110" in replies[0].text.split("\n")[0]
    assert not [r for r in fake_openai.requests if "理解模块" in r["messages"][0]["content"]]


async def test_a_follow_up_is_answered_as_the_model_rewrote_it(llm_app: App, fake_openai: FakeOpenAI) -> None:
    standalone = "催收用验证码轰炸我，我能要求赔偿多少钱？"

    def model(request: dict[str, Any]) -> Say:
        if "理解模块" in request["messages"][0]["content"]:
            return Say(json.dumps({"standalone": standalone, "intent": "question", "details": {}}, ensure_ascii=False))
        return good_model(request)

    fake_openai.default = model
    await ask(llm_app, QUESTION)
    replies = await ask(llm_app, "那能赔多少？")
    understood = [r for r in fake_openai.requests if "理解模块" in r["messages"][0]["content"]]
    assert QUESTION in understood[-1]["messages"][-1]["content"]  # the earlier turn was shown, fenced
    answered = [r for r in fake_openai.requests if "理解模块" not in r["messages"][0]["content"]]
    assert f'<untrusted kind="用户的问题">\n{standalone}\n</untrusted>' in answered[-1]["messages"][-1]["content"]
    assert replies[0].citations and replies[0].text.startswith("这种做法不合法")


async def test_no_model_configured_builds_nothing(app: App) -> None:
    assert app.llm is None and type(app.engine.reader).__name__ == "Reader"
