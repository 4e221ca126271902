"""Choices on Telegram, end to end: one person from an SMS paste through every offered choice by number, by its
words and by button, the journey forward and back, a document with two fields filled, /mydata and /forget; and a
button pressed on an older message (the real PTB Application against the fake Bot API server)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.wiring import App
from tests.channels import test_telegram_e2e as e2e
from tests.fake_telegram import FakeTelegram, Sent

THREAT = "【速借钱包】你已逾期，今天不还款就联系你的家人和单位，后果自负。"
UID = 701


ptb_timedelta = e2e.ptb_timedelta  # the fixtures of the Telegram end-to-end tests
fake = e2e.fake
channel = e2e.channel


class Person:
    """One user: what they do, and what came back since their last action."""

    def __init__(self, fake: FakeTelegram, uid: int) -> None:
        self.fake = fake
        self.uid = uid
        self.seen = 0

    async def _until(self, done: Callable[[list[Sent]], bool]) -> list[Sent]:
        def new() -> list[Sent] | None:
            got = self.fake.sent_to(self.uid)[self.seen :]
            return got if got and done(got) else None

        got = await self.fake.wait_for(new, timeout=60)
        self.seen += len(got)
        return got

    async def says(self, text: str, done: Callable[[list[Sent]], bool]) -> list[Sent]:
        await self.fake.send_text(self.uid, text)
        return await self._until(done)

    async def presses(self, message: Sent, label: str, done: Callable[[list[Sent]], bool]) -> list[Sent]:
        data = next(d for text, d in message.buttons if label in text)
        await self.fake.press_button(self.uid, message, data)
        return await self._until(done)


def text_has(*words: str) -> Callable[[list[Sent]], bool]:
    return lambda sent: any(all(w in s.text for w in words) for s in sent)


def files_named(*ends: str) -> Callable[[list[Sent]], bool]:
    return lambda sent: all(any(s.is_document and s.file_name.endswith(e) for s in sent) for e in ends)


def last_with_buttons(sent: list[Sent]) -> Sent:
    return next(s for s in reversed(sent) if s.buttons)


@pytest.mark.slow
async def test_a_person_makes_every_choice_by_number_words_and_button(
    app: App, channel: TelegramChannel, fake: FakeTelegram
) -> None:
    me = Person(fake, UID)
    analysis = await me.says(THREAT, text_has("催收威胁"))
    labels = [label for label, _ in last_with_buttons(analysis).buttons]
    assert labels == ["查看证据汇总", "导出证据清单 PDF"]

    assert await me.says("2", files_named(".pdf"))  # by number
    summary = await me.says("查看证据汇总", text_has("你的证据记录：共 1 条"))  # by its words
    assert await me.presses(last_with_buttons(summary), "导出表格 CSV", files_named(".csv"))  # by button

    step1 = await me.says("/steps", text_has("步骤 1/7"))
    assert last_with_buttons(step1).buttons[0][0] == "下一步 ▶"  # the way forward is always 1
    step2 = await me.says("1", text_has("步骤 2/7"))
    step2_message = last_with_buttons(step2)
    assert step2_message.buttons[0][0] == "下一步 ▶"
    step3 = last_with_buttons(await me.presses(step2_message, "下一步", text_has("步骤 3/7")))
    assert step2_message.reply_markup is None  # the pressed keyboard is gone
    back = await me.says("上一步", text_has("步骤 2/7"))
    assert await fake.wait_for(lambda: step3.reply_markup is None)  # an older keyboard goes when a new one comes

    opened = await me.presses(last_with_buttons(back), "生成文书", files_named(".docx", ".pdf"))
    assert any("姓名是什么" in s.text for s in opened)
    name = await me.says("姓名：王小明", text_has("记下了：姓名 王小明", "还缺 1 项"))
    assert not any(s.is_document for s in name) and len(name) == 1 and len(name[0].text) < 300  # one short line
    done = await me.says("手机号：13800138000", files_named(".docx", ".pdf"))  # nothing missing: the files
    assert any("记下了：被骚扰的手机号码 13800138000" in s.text and "内容已经齐了" in s.text for s in done)
    assert any("当事人：王小明" in s.text for s in done)
    assert await me.says("1", text_has("步骤 3/7"))  # typing 1 keeps moving, also after a document

    mydata = await me.says("/mydata", files_named(".json"))
    listing = next(s.text for s in mydata if not s.is_document)
    assert "姓名、被骚扰的手机号码" in listing and "证据记录：1 条短信" in listing and "第 3/7 步" in listing
    assert "{" not in listing and "slots" not in listing  # plain words, not JSON
    copy = json.loads(next(s.data for s in mydata if s.is_document))
    assert copy["slots"]["name"] == "王小明"

    ask = await me.says("/forget", text_has("确定要删除"))
    assert await me.presses(last_with_buttons(ask), "确认删除", text_has("已删除"))
    assert await me.says("/mydata", text_has("没有保存"))
    assert await app.evidence.count(f"telegram:{UID}") == 0


@pytest.mark.slow
async def test_a_button_on_an_older_message_acts_on_the_step_it_was_shown_for(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    me = Person(fake, UID + 1)
    await me.says("/steps", text_has("步骤 1/7"))
    step2 = last_with_buttons(await me.says("1", text_has("步骤 2/7")))
    kept = Sent(step2.method, step2.chat_id, step2.message_id, dict(step2.message), reply_markup=step2.reply_markup)
    await me.presses(step2, "下一步", text_has("步骤 3/7"))
    # A client that still shows the step-2 keyboard (the removal raced the press): 下一步 there must not skip step 3.
    stale = await me.presses(kept, "下一步", text_has("已经过期"))
    assert any("步骤 3/7" in s.text for s in stale) and not any("步骤 4/7" in s.text for s in stale)
