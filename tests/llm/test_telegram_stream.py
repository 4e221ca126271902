"""Telegram shows a model's answer while it is written: the real PTB channel and engine, the fake Bot API server and
the fake OpenAI-compatible server streaming over HTTP. The first checked sentence arrives as a message at once, later
ones by edits (throttled), the final edit is the checked answer (or the offline one), nothing unchecked is ever
shown, and the final answer, kept in the inbox with the message's id, edits that message again on a replay."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.channels.telegram.channel import TelegramChannel, pack_answer, unpack_answer
from bot.contract.messages import Button, Reply
from bot.wiring import App
from tests.channels.test_telegram_e2e import make_channel
from tests.fake_openai import FakeOpenAI, Say, Step, Stream, good_model, is_understanding
from tests.fake_telegram import FakeTelegram
from tests.support import msg

QUESTION = "催收天天用验证码轰炸我手机，犯法吗？"
UID = 201
pytestmark = pytest.mark.slow  # a PTB application and a model that writes slowly: seconds per test


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.close()


@pytest.fixture
async def channel(llm_app: App, tg: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    ch = make_channel(llm_app.engine, tg, stream_edit_seconds=0.3, inbox=llm_app.inbox)
    await ch.start(polling=True)
    yield ch
    await ch.stop()


def answering(step: Step) -> Callable[[dict[str, Any]], Any]:
    """A model that reads messages well and answers with `step`."""
    return lambda request: good_model(request) if is_understanding(request) else step


def everything_shown(tg: FakeTelegram) -> list[str]:
    return [s.text for s in tg.sent_to(UID)] + [e["text"] for e in tg.edits if e["chat_id"] == UID]


async def test_the_first_checked_sentence_shows_at_once_and_the_final_edit_is_the_checked_answer(
    llm_app: App, channel: TelegramChannel, tg: FakeTelegram, fake_openai: FakeOpenAI
) -> None:
    fake_openai.default = answering(
        Stream(
            (
                "这种做法不合法，",
                "你可以保留证据 [P1]。",
                0.8,
                "用验证码轰炸侵扰你的生活安宁 [P1]。",
                1.5,
                "依照《民法典》第九千九百九十九条，他们要赔你十万元 [P1]。",
                "先别慌，一步一步来 [P2]。",
            )
        )
    )
    asked = time.monotonic()
    await tg.send_text(UID, QUESTION)
    first = (await tg.wait_for(lambda: tg.sent_to(UID)))[0]
    assert first.at - asked <= 1.5  # issue 16: first visible text within 1.5 s when the model streams at once
    assert first.text.startswith("这种做法不合法，你可以保留证据 [1]。\n\n（还在写")
    final = await tg.wait_for(
        lambda: [e for e in tg.edits if e["message_id"] == first.message_id and "法律依据：" in e["text"]]
    )
    grown = [e for e in tg.edits if e["message_id"] == first.message_id and "还在写" in e["text"]]
    assert grown and grown[0]["text"].startswith("这种做法不合法，你可以保留证据 [1]。用验证码轰炸")
    assert final[-1]["text"].startswith("这种做法不合法，你可以保留证据 [1]。用验证码轰炸侵扰你的生活安宁 [1]。先别慌")
    assert len(tg.sent_to(UID)) == 1  # one message, edited: no second copy of the answer
    assert not any("九千九百九十九" in t or "十万" in t for t in everything_shown(tg))  # never shown, even briefly
    assert await finished(llm_app)  # marked done just after the final edit's response came back


async def test_edits_are_throttled(
    llm_app: App, channel: TelegramChannel, tg: FakeTelegram, fake_openai: FakeOpenAI
) -> None:
    parts: list[str | float] = []
    for _ in range(8):
        parts += ["这种做法侵扰了你的生活安宁 [P1]。", 0.05]
    fake_openai.default = answering(Stream(tuple(parts)))
    await tg.send_text(UID, QUESTION)
    first = (await tg.wait_for(lambda: tg.sent_to(UID)))[0]
    await tg.wait_for(lambda: [e for e in tg.edits if "法律依据：" in e["text"]])
    moments = [first.at] + [e["at"] for e in tg.edits if e["message_id"] == first.message_id]
    writing = moments[:-1]  # the last one is the final answer: it goes at once
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(writing))  # stream_edit_seconds=0.3


async def test_a_model_too_slow_ends_with_the_offline_answer_in_the_same_message(
    llm_app: App, app: App, channel: TelegramChannel, tg: FakeTelegram, fake_openai: FakeOpenAI
) -> None:
    assert llm_app.llm is not None and llm_app.llm.phraser is not None
    llm_app.llm.phraser.deadlines = replace(llm_app.llm.phraser.deadlines, stream=1.5)
    offline = (await app.engine.handle(msg(QUESTION)))[0].text
    fake_openai.default = answering(Stream(("这是违法的 [P1]。", 6.0, "你可以投诉 [P2]。")))
    await tg.send_text(UID, QUESTION)
    first = (await tg.wait_for(lambda: tg.sent_to(UID)))[0]
    assert first.text.startswith("这是违法的 [1]。")
    final = await tg.wait_for(
        lambda: [e for e in tg.edits if e["message_id"] == first.message_id and "法律依据：" in e["text"]]
    )
    assert final[-1]["text"] == offline and len(tg.sent_to(UID)) == 1


async def test_a_replay_edits_the_message_again_and_a_lost_message_gets_a_new_one(
    channel: TelegramChannel, tg: FakeTelegram
) -> None:
    replies = [Reply("最终的回答。", buttons=(Button("下一步", "flow:show"),))]
    assert unpack_answer(pack_answer(replies, 7)) == (replies, 7)
    assert unpack_answer(pack_answer(replies, None)) == (replies, None)
    live = channel._live(UID)
    live.show("写到一半 [1]。")
    await tg.wait_for(lambda: tg.sent_to(UID))
    draft = await live.settle()
    assert draft is not None and len(tg.sent_to(UID)) == 1
    for _ in range(2):  # the answer, then its replay after a crash before the inbox heard it was sent
        await channel._deliver(UID, replies, None, 0, draft)
    assert len(tg.sent_to(UID)) == 1
    message = tg.sent_to(UID)[0]
    assert message.message["text"] == "最终的回答。" and message.buttons == [("下一步", "flow:show")]
    await channel._deliver(UID, replies, None, 0, 99_999)  # deleted meanwhile: sent anew
    assert [s.text for s in tg.sent_to(UID)][1:] == ["最终的回答。"]


async def test_an_answer_without_a_model_streams_nothing(app: App, tg: FakeTelegram) -> None:
    ch = make_channel(app.engine, tg, inbox=app.inbox)
    await ch.start(polling=True)
    try:
        await tg.send_text(UID, QUESTION)
        await tg.wait_for(lambda: tg.sent_to(UID))
        assert not tg.edits and "法律依据：" in tg.sent_to(UID)[0].text
    finally:
        await ch.stop()


async def test_the_understanding_is_never_streamed(
    channel: TelegramChannel, tg: FakeTelegram, fake_openai: FakeOpenAI
) -> None:
    fake_openai.default = answering(Say("这种做法不合法 [P1]。"))
    await tg.send_text(UID, QUESTION)
    await tg.wait_for(lambda: [e for e in tg.edits if "法律依据：" in e["text"]])
    assert [bool(r.get("stream")) for r in fake_openai.requests] == [
        not is_understanding(r) for r in fake_openai.requests
    ]


async def finished(app: App, seconds: float = 5.0) -> bool:
    """Whether the Telegram inbox has nothing unfinished within `seconds` (done is written after the send)."""
    for _ in range(int(seconds / 0.05)):
        if await app.inbox.unfinished("telegram") == []:
            return True
        await asyncio.sleep(0.05)
    return False
