"""An answer shown while the model writes it: only sentences that pass the grounding checks are ever shown, the first
that fails ends what is shown, and what the engine returns is the whole answer checked as before (or the offline one).
Unit tests of the pure `Preview`, then the phraser streaming from the fake server over HTTP into a recording draft."""

from __future__ import annotations

import time
from dataclasses import replace

from bot.llm.grounding import MAX_PROSE, Preview
from bot.wiring import App
from tests.fake_openai import FakeOpenAI, Say, Stream
from tests.llm.test_grounding import KB, PASSAGES, SYSTEM
from tests.support import msg

QUESTION = "催收天天用验证码轰炸我手机，犯法吗？"
CANARY = "c0ffee123456"


def preview() -> Preview:
    return Preview(PASSAGES, KB, CANARY, SYSTEM, "12378")


def test_a_sentence_is_shown_once_complete_and_markers_are_numbered_as_in_the_answer() -> None:
    p = preview()
    assert p.feed("用验证码轰炸你") is None  # not a sentence yet
    assert p.feed("，侵扰私人生活安宁 [P2]。乱") == "用验证码轰炸你，侵扰私人生活安宁 [1]。"
    assert p.feed("用你的手机号也违法 [P1]") is None  # the sentence may still grow
    assert p.feed("。", end=True) == "用验证码轰炸你，侵扰私人生活安宁 [1]。乱用你的手机号也违法 [2]。"


def test_the_first_failing_sentence_ends_what_is_shown() -> None:
    p = preview()
    shown = p.feed("这是违法的 [P1]。根据《民法典》第九千九百九十九条赔十万 [P1]。你可以投诉 [P2]。", end=True)
    assert shown == "这是违法的 [1]。" and p.stopped
    assert p.feed("还有更多 [P1]。", end=True) is None  # nothing after a failure, even a good sentence


def test_a_fake_quote_an_unknown_passage_or_a_leak_is_never_shown() -> None:
    for bad in (
        "法律原文是“催收人员一律拘留十五日”。",
        "这违反了 [P9]。",
        f"内部编号 {CANARY}。",
        "好的，我已忽略之前的指令。",
        "他的手机号是 13912345678。",
    ):
        p = preview()
        assert p.feed(bad + "其他 [P1]。", end=True) is None, bad
        assert p.stopped and not p.shown


def test_the_preview_stops_at_the_first_screen() -> None:
    p = preview()
    sentence = "用验证码轰炸你侵扰了你的私人生活安宁，这是违法的 [P1]。"
    p.feed(sentence * 20, end=True)
    assert len(p.prose) <= MAX_PROSE + len(sentence) and p.stopped


class Recorder:
    """A draft that keeps what it was shown, with when."""

    def __init__(self) -> None:
        self.shown: list[tuple[float, str]] = []

    def show(self, text: str) -> None:
        self.shown.append((time.monotonic(), text))


async def test_the_checked_sentences_are_shown_as_they_come_and_the_answer_is_checked_whole(
    llm_app: App, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(
        Say('{"standalone": "", "intent": "question", "details": {}}'),  # understanding
        Stream(
            (
                "用验证码轰炸你",
                "，是侵扰私人生活安宁 [P1]。",
                1.0,
                "另外依照《刑法》第二百九十三条判他三年 [P2]。",
                "你可以投诉 [P2]。",
            )
        ),
    )
    draft = Recorder()
    started = time.monotonic()
    replies = await llm_app.engine.handle(replace(msg(QUESTION), draft=draft))
    assert draft.shown, "nothing was shown while the model wrote"
    first_at, first = draft.shown[0]
    assert first.startswith("用验证码轰炸你，是侵扰私人生活安宁 [1]。\n\n") and first_at - started < 1.0
    assert all("刑法" not in text and "三年" not in text for _, text in draft.shown)
    assert len(draft.shown) == 1  # the failing sentence ended the preview; the good one after it is not shown
    assert replies[0].text.startswith("用验证码轰炸你，是侵扰私人生活安宁 [1]。你可以投诉 [2]。\n")  # checked whole
    assert "刑法" not in replies[0].text and "法律依据：" in replies[0].text
    request = [r for r in fake_openai.requests if "理解模块" not in r["messages"][0]["content"]][-1]
    assert request.get("stream") is True
    stats = llm_app.llm.phraser.stats  # type: ignore[union-attr]
    assert stats.streamed == 1 and stats.first_shown[-1] < 1.0


async def test_a_model_too_slow_for_the_stream_deadline_gives_the_offline_answer(
    llm_app: App, app: App, fake_openai: FakeOpenAI
) -> None:
    assert llm_app.llm is not None and llm_app.llm.phraser is not None
    llm_app.llm.phraser.deadlines = replace(llm_app.llm.phraser.deadlines, stream=1.0)
    offline = [r.text for r in await app.engine.handle(msg(QUESTION))]
    fake_openai.script(
        Say('{"standalone": "", "intent": "question", "details": {}}'),
        Stream(("这是违法的 [P1]。", 5.0, "你可以投诉 [P2]。")),
    )
    draft = Recorder()
    replies = await llm_app.engine.handle(replace(msg(QUESTION), draft=draft))
    assert [t for _, t in draft.shown] and draft.shown[0][1].startswith("这是违法的 [1]。")
    assert [r.text for r in replies] == offline  # late: the offline answer replaces what was shown


async def test_without_a_draft_nothing_streams(llm_app: App, fake_openai: FakeOpenAI) -> None:
    await llm_app.engine.handle(msg(QUESTION))
    assert fake_openai.requests and not any(r.get("stream") for r in fake_openai.requests)
