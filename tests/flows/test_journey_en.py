"""The seven-step journey for an English speaker: every step, button and line in English (the quoted articles and the
documents stay Chinese), started in their own words; a Chinese speaker's journey is unchanged."""

from __future__ import annotations

import re

from bot.contract.messages import Reply
from bot.evidence.model import Stats
from bot.flows.runner import FlowRunner
from bot.flows.seven_steps import SEVEN_STEPS
from bot.knowledge import load_knowledge
from bot.settings import PROJECT_ROOT
from bot.texts import Texts
from bot.wiring import App
from tests.support import msg, say

TITLES = [
    "Recognise harassment",
    "Keep the evidence",
    "Tell them to stop",
    "Complain to the lender",
    "Complain to your mobile operator",
    "Police or court",
    "Complain to the financial regulators",
]
_HAN = re.compile(r"[\u4e00-\u9fff]")


async def _labels(app: App, user: str) -> list[str]:
    session = await app.engine.store.load(user)
    assert session is not None and session.pending is not None
    return [label for label, _ in session.pending.choices]


async def _press(app: App, user: str, label_part: str) -> list[Reply]:
    session = await app.engine.store.load(user)
    assert session is not None and session.pending is not None
    payload = next(p for label, p in session.pending.choices if label_part in label)
    return await app.engine.handle(msg(user=user, button=payload))


def _words(text: str) -> str:
    """The text before the quoted articles (they stay Chinese), without the Chinese names of documents and bodies."""
    text = text.split("Legal basis (quoted in the original Chinese):")[0]
    return re.sub(r"《[^》]*》|（[^）]*）|\([^)]*[\u4e00-\u9fff][^)]*\)", "", text)


async def test_an_english_speaker_walks_the_whole_journey_in_english(app: App) -> None:
    text = await say(app.engine, "collectors flood my phone with codes. step by step please", user="en")
    assert "Step 1/7: Recognise harassment" in text and "步骤" not in text
    assert "Legal basis (quoted in the original Chinese):" in text and "《民法典》第一千零三十三条" in text
    assert not _HAN.search(_words(text))  # only the quoted articles are Chinese
    assert await _labels(app, "en") == ["Next ▶", "Skip", "Pause for now"]
    for n, title in enumerate(TITLES[1:], 2):
        replies = await _press(app, "en", "Next")
        assert f"Step {n}/7: {title}" in replies[0].text
        assert not _HAN.search(_words(replies[0].text)), replies[0].text
    assert (
        "12378, the National Financial Regulatory Administration" in replies[0].text
        and "国家金融监督管理总局" in replies[0].text
    )
    labels = await _labels(app, "en")
    assert labels[0] == "Next ▶" and "◀ Back" in labels and "Skip" in labels and "Pause for now" in labels
    assert any(label.startswith("Draft (in Chinese): ") for label in labels)  # the document itself is Chinese
    finished = "\n".join(r.text for r in await _press(app, "en", "Next"))
    assert "all seven steps" in finished and "instalments" in finished and not _HAN.search(finished)
    session = await app.engine.store.load("en")
    assert session is not None and session.flow is None and session.journey_step is None


async def test_back_skip_typed_words_and_a_question_on_the_way_stay_in_english(app: App) -> None:
    assert "Step 1/7" in await say(app.engine, "guide me through it", user="bs")
    assert "Step 2/7: Keep the evidence" in (await _press(app, "bs", "Skip"))[0].text
    text = await say(app.engine, "next", user="bs")
    assert "Step 3/7: Tell them to stop" in text
    assert "Step 2/7" in await say(app.engine, "back", user="bs")
    assert "Step 3/7" in await say(app.engine, "skip", user="bs")
    answered = await say(app.engine, "Is it legal for them to call my mum?", user="bs")
    assert 'You are at step 3/7 of the seven steps. Reply "continue"' in answered
    assert "Step 3/7" in await say(app.engine, "continue", user="bs")
    assert "Step 4/7: Complain to the lender" in await say(app.engine, "ok", user="bs")  # "ok": theirs, English


async def test_pause_and_resume_in_english(app: App) -> None:
    await say(app.engine, "walk me through what to do", user="pr")
    await _press(app, "pr", "Next")
    paused = "\n".join(r.text for r in await _press(app, "pr", "Pause"))
    assert "you are at step 2/7" in paused and "/steps" in paused and not _HAN.search(paused)
    text = await say(app.engine, "/steps", user="pr")  # a command has the language of their last words
    assert text.startswith("Welcome back.") and "Step 2/7: Keep the evidence" in text


async def test_a_stale_button_is_explained_in_english(app: App) -> None:
    await say(app.engine, "step by step please", user="st")
    session = await app.engine.store.load("st")
    assert session is not None and session.pending is not None
    old_next = next(p for label, p in session.pending.choices if "Next" in label)
    await app.engine.handle(msg(user="st", button=old_next))
    replies = await app.engine.handle(msg(user="st", button=old_next))  # pressed again on the first step's message
    assert "That button belongs to an earlier step" in replies[0].text and "Step 2/7" in replies[0].text


async def test_each_person_gets_their_own_language(app: App) -> None:
    await say(app.engine, "step by step please", user="mix")
    assert "步骤 2/7：保留证据" in await say(app.engine, "下一步", user="mix")  # they switched to Chinese
    labels = await _labels(app, "mix")
    assert labels[0] == "下一步 ▶" and "◀ 上一步" in labels
    text = await say(
        app.engine, "催收天天用验证码轰炸我的手机，还打电话给我家人骂我，我该怎么办，一步一步来", user="zh"
    )
    assert "步骤 1/7：识别骚扰" in text and "Step" not in text  # a story ending in 一步一步来 starts the journey
    assert await _labels(app, "zh") == ["下一步 ▶", "跳过", "先暂停"]


async def test_the_document_a_step_offers_is_chinese_with_the_way_on_in_english(app: App) -> None:
    await say(app.engine, "step by step please", user="doc")
    await _press(app, "doc", "Next")
    await _press(app, "doc", "Next")
    replies = await _press(app, "doc", "Draft (in Chinese)")
    assert any("It is in Chinese" in r.text for r in replies)  # said in English, the letter itself Chinese
    assert any("停止催收骚扰告知函" in r.text or "告知函" in r.text for r in replies)
    assert "Next ▶" in await _labels(app, "doc")


def test_the_evidence_line_in_english() -> None:
    runner = FlowRunner(SEVEN_STEPS, load_knowledge(PROJECT_ROOT / "knowledge"), Texts(), lambda a, _: a, {})
    stats = Stats(
        total=12,
        by_label={"verification_code": 10, "collection_threat": 2},
        per_day={},
        per_hour=[0] * 24,
        night_share=0.75,
        platforms=[],
        timed=12,
    )
    text = runner.render("recognise", stats, lang="en").text
    assert "Your evidence log holds 12 text messages so far: 10 verification codes and 2 collection threats" in text
    assert "75% came late at night" in text
    assert "你的证据记录里目前有 12 条短信" in runner.render("recognise", stats).text
