"""Telegram channel, pure half: Update -> Incoming (forwards, files, groups, unsupported kinds) and Reply -> calls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Update

from bot.channels import available, get
from bot.channels.base import RateLimiter, Verdict
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.inbound import Fetch, Refusal, ordering_key, to_incoming
from bot.channels.telegram.outbound import (
    MAX_CALLBACK_BYTES,
    MAX_MESSAGE_CHARS,
    PayloadMap,
    SendDocument,
    SendText,
    render,
    split_message,
)
from bot.contract.messages import Button, FileOut, Incoming, Reply
from bot.texts import Texts

BOT = "AnningTestBot"
NOW = 1_793_000_000
USER = {"id": 42, "is_bot": False, "first_name": "小王"}
PRIVATE = {"id": 42, "type": "private", "first_name": "小王"}
GROUP = {"id": -100, "type": "group", "title": "群"}
BOT_USER = {"id": 1, "is_bot": True, "first_name": "安宁", "username": BOT}


def update(**body: Any) -> Update:
    return Update.de_json({"update_id": 1, **body}, None)


def message(chat: dict[str, Any] | None = None, **content: Any) -> dict[str, Any]:
    return {"message_id": 7, "from": USER, "chat": chat or PRIVATE, "date": NOW, **content}


def parse(upd: Update, private_only: bool = True, **kw: Any) -> Any:
    return to_incoming(upd, BOT, private_only, **kw)


def test_registered_under_its_name() -> None:
    assert "telegram" in available() and get("telegram") is TelegramChannel


def test_text_becomes_incoming_with_user_key_and_date() -> None:
    got = parse(update(message=message(text="催收天天打电话，犯法吗？")))
    assert got == Incoming(
        channel="telegram",
        user_key="telegram:42",
        text="催收天天打电话，犯法吗？",
        received_at=datetime.fromtimestamp(NOW, UTC),
    )


def test_forward_origin_date_becomes_forwarded_at() -> None:
    sent = datetime(2026, 11, 3, 2, 14, tzinfo=UTC)
    origin = {"type": "hidden_user", "sender_user_name": "催收", "date": int(sent.timestamp())}
    got = parse(update(message=message(text="再不还钱就上门。", forward_origin=origin)))
    assert isinstance(got, Incoming) and got.forwarded_at == sent and got.text == "再不还钱就上门。"


def test_photo_fetches_the_largest_size() -> None:
    sizes = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 160, "file_size": 2_000},
        {"file_id": "big", "file_unique_id": "b", "width": 720, "height": 1280, "file_size": 90_000},
        {"file_id": "mid", "file_unique_id": "m", "width": 320, "height": 569, "file_size": 20_000},
    ]
    got = parse(update(message=message(photo=sizes)))
    assert isinstance(got, Fetch) and got.file_id == "big" and got.kind == "image"
    done = got.complete(b"png")
    assert done.attachments[0].kind == "image" and done.attachments[0].data == b"png"
    assert done.user_key == "telegram:42"


def test_document_is_a_backup_and_an_image_document_is_a_screenshot() -> None:
    doc = {"file_id": "d", "file_unique_id": "d", "file_name": "sms.xml", "mime_type": "text/xml", "file_size": 10}
    got = parse(update(message=message(document=doc)))
    assert isinstance(got, Fetch) and got.kind == "document" and got.name == "sms.xml"
    img = {**doc, "file_name": "截图.png", "mime_type": "image/png"}
    got = parse(update(message=message(document=img)))
    assert isinstance(got, Fetch) and got.kind == "image"


def test_file_over_the_limit_is_refused_before_download() -> None:
    doc = {"file_id": "d", "file_unique_id": "d", "file_name": "big.xml", "file_size": 20 * 1024 * 1024}
    got = parse(update(message=message(document=doc)), max_file_bytes=10 * 1024 * 1024)
    assert isinstance(got, Refusal) and got.key == "file_too_big"
    text = got.text(Texts())
    assert "20 MB" in text and "10 MB" in text


@pytest.mark.parametrize(
    ("content", "word"),
    [
        ({"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
                      "is_video": False, "type": "regular"}}, "贴纸"),
        ({"location": {"latitude": 31.2, "longitude": 121.5}}, "位置"),
        ({"venue": {"location": {"latitude": 31.2, "longitude": 121.5}, "title": "x", "address": "y"}}, "地点"),
        ({"poll": {"id": "p", "question": "?", "options": [], "total_voter_count": 0, "is_closed": False,
                   "is_anonymous": True, "type": "regular", "allows_multiple_answers": False, "allows_revoting": False, "members_only": False}}, "投票"),
        ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}, "语音"),
        ({"contact": {"phone_number": "10086", "first_name": "客服"}}, "联系人"),
    ],
)  # fmt: skip
def test_unsupported_kinds_get_a_polite_refusal(content: dict[str, Any], word: str) -> None:
    got = parse(update(message=message(**content)))
    assert isinstance(got, Refusal) and got.key == "unsupported"
    assert word in got.text(Texts()) and "复制粘贴" in got.text(Texts())


def test_edits_are_answered_in_private_and_ignored_elsewhere() -> None:
    got = parse(update(edited_message={**message(text="改过"), "edit_date": NOW + 5}))
    assert isinstance(got, Refusal) and got.key == "edited"
    assert parse(update(edited_message={**message(GROUP, text="改过"), "edit_date": NOW + 5})) is None


def test_channel_posts_bots_and_service_messages_are_ignored() -> None:
    channel = {"id": -1001, "type": "channel", "title": "频道"}
    assert parse(update(channel_post={"message_id": 1, "chat": channel, "date": NOW, "text": "公告"})) is None
    assert parse(update(message={**message(text="hi"), "from": BOT_USER})) is None
    assert parse(update(message=message(new_chat_members=[USER]))) is None
    assert (
        parse(update(poll_answer={"poll_id": "p", "user": USER, "option_ids": [0], "option_persistent_ids": ["a"]}))
        is None
    )


def test_groups_answer_only_when_addressed() -> None:
    assert parse(update(message=message(GROUP, text="今天天气不错")), private_only=False) is None
    assert parse(update(message=message(GROUP, text="/help@OtherBot")), private_only=False) is None
    got = parse(update(message=message(GROUP, text="@anningtestbot 催收爆通讯录犯法吗？")), private_only=False)
    assert isinstance(got, Incoming) and got.text == "催收爆通讯录犯法吗？"
    got = parse(update(message=message(GROUP, text="/help@AnningTestBot")), private_only=False)
    assert isinstance(got, Incoming) and got.text == "/help@AnningTestBot"
    ours = {"message_id": 3, "from": BOT_USER, "chat": GROUP, "date": NOW, "text": "请问有什么可以帮你？"}
    got = parse(update(message=message(GROUP, text="验证码轰炸怎么办", reply_to_message=ours)), private_only=False)
    assert isinstance(got, Incoming)


def test_groups_get_a_private_chat_hint_when_private_only() -> None:
    assert parse(update(message=message(GROUP, text="随便聊聊"))) is None  # not addressed: silence
    got = parse(update(message=message(GROUP, text=f"@{BOT} 帮我看看这条短信")))
    assert isinstance(got, Refusal) and got.key == "group_private" and "私聊" in got.text(Texts())


def test_button_press_becomes_payload() -> None:
    sent = {"message_id": 9, "from": BOT_USER, "chat": PRIVATE, "date": NOW, "text": "确定吗？"}
    query = {"id": "q", "from": USER, "message": sent, "chat_instance": "c", "data": "forget:yes"}
    got = parse(update(callback_query=query), payloads=PayloadMap())
    assert got == Incoming(channel="telegram", user_key="telegram:42", button="forget:yes")


def test_long_payloads_map_to_64_bytes_and_back() -> None:
    payloads = PayloadMap()
    long = "draft:" + "投诉书" * 20
    data = payloads.encode(long)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES and payloads.decode(data) == long
    assert payloads.encode("forget:yes") == "forget:yes"
    assert PayloadMap().decode(data) is None  # after a restart: expired
    sent = {"message_id": 9, "from": BOT_USER, "chat": PRIVATE, "date": NOW, "text": "x"}
    query = {"id": "q", "from": USER, "message": sent, "chat_instance": "c", "data": data}
    expired = parse(update(callback_query=query), payloads=PayloadMap())
    assert isinstance(expired, Refusal) and expired.key == "button_expired"


def test_long_payloads_beyond_capacity_expire_least_recently_used_first() -> None:
    payloads = PayloadMap(capacity=2)
    first, second = payloads.encode("a" * 70), payloads.encode("b" * 70)
    assert payloads.decode(first) == "a" * 70  # pressed: now the most recently used
    third = payloads.encode("c" * 70)
    assert payloads.decode(second) is None  # fell out: the button reads as expired
    assert payloads.decode(first) == "a" * 70 and payloads.decode(third) == "c" * 70


def test_render_splits_under_4096_at_sentence_ends_with_keyboard_on_the_last_part() -> None:
    text = "这是一句很长的说明，用来测试分段。" * 800
    reply = Reply(text, buttons=(Button("确认删除", "forget:yes"), Button("取消", "forget:no")))
    actions = render(reply, PayloadMap())
    assert len(actions) > 1 and all(isinstance(a, SendText) for a in actions)
    texts = [a.text for a in actions if isinstance(a, SendText)]
    assert all(len(t) <= MAX_MESSAGE_CHARS for t in texts) and "".join(texts) == text
    assert all(t.endswith("。") for t in texts)
    keyboards = [a.keyboard for a in actions if isinstance(a, SendText)]
    assert keyboards[:-1] == [None] * (len(keyboards) - 1)
    last = keyboards[-1]
    assert last is not None
    flat = [(b.text, b.callback_data) for row in last.inline_keyboard for b in row]
    assert flat == [("确认删除", "forget:yes"), ("取消", "forget:no")]


def test_split_counts_emoji_as_two_utf16_units() -> None:
    text = "😭" * 5000
    parts = split_message(text)
    assert "".join(parts) == text
    assert all(len(p.encode("utf-16-le")) // 2 <= MAX_MESSAGE_CHARS for p in parts)


def test_render_files_as_documents_and_long_button_lists_one_per_row() -> None:
    pdf = FileOut("证据清单.pdf", b"%PDF-1.7 ...", "application/pdf")
    buttons = tuple(Button(f"第{i}步：很长的按钮文字", f"flow:step{i}") for i in range(4))
    actions = render(Reply("你的证据清单：", buttons=buttons, files=(pdf,)), PayloadMap())
    assert isinstance(actions[0], SendText) and actions[0].keyboard is not None
    assert [len(row) for row in actions[0].keyboard.inline_keyboard] == [1, 1, 1, 1]
    assert actions[1] == SendDocument("证据清单.pdf", b"%PDF-1.7 ...", "application/pdf")
    only_file = render(Reply("", files=(pdf,)))
    assert only_file == [SendDocument("证据清单.pdf", b"%PDF-1.7 ...", "application/pdf")]


def test_text_is_sent_verbatim_without_markup() -> None:
    tricky = "<b>不是粗体</b> *也不是* _斜体_ [链接](http://x) & 1 < 2"
    (action,) = render(Reply(tricky))
    assert isinstance(action, SendText) and action.text == tricky


def test_rate_limiter_is_a_sliding_window_per_user() -> None:
    limiter = RateLimiter(3, window=60)
    assert [limiter.check("a", t) for t in (0, 1, 2)] == [Verdict.ALLOW] * 3
    assert limiter.check("a", 3) is Verdict.WARN
    assert limiter.check("a", 4) is Verdict.DROP
    assert limiter.check("b", 4) is Verdict.ALLOW  # other users unaffected
    assert limiter.check("a", 60.5) is Verdict.ALLOW  # the first message left the window
    assert limiter.check("a", 61) is Verdict.ALLOW  # and the second
    assert limiter.check("a", 61.5) is Verdict.WARN  # told again after a fresh allowance
    assert RateLimiter(0).check("a", 0) is Verdict.ALLOW


def test_ordering_key_is_the_user() -> None:
    a = update(message=message(text="1"))
    b = update(message=message(GROUP, text="2"))
    assert ordering_key(a) == ordering_key(b) == ("user", 42)
