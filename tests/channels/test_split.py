"""Splitting long replies at sentence boundaries within a platform's limit."""

from __future__ import annotations

from bot.channels.base import Capabilities, numbered_buttons, split_text
from bot.contract.messages import Button, Reply
from bot.texts import Texts


def test_short_text_is_one_part() -> None:
    assert split_text("你好。", Capabilities(buttons=True, files=True, max_chars=4096)) == ["你好。"]


def test_splits_at_sentence_ends_within_char_limit() -> None:
    text = "第一句话很长很长。" * 600
    parts = split_text(text, Capabilities(buttons=True, files=True, max_chars=4096))
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert all(p.endswith("。") for p in parts)
    assert "".join(parts) == text


def test_splits_by_utf8_bytes_and_cuts_an_overlong_sentence() -> None:
    text = "没有句号的超长内容" * 400 + "。结尾。"
    parts = split_text(text, Capabilities(buttons=False, files=False, max_bytes=2048))
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert "".join(parts) == text


def test_buttons_become_numbered_lines() -> None:
    reply = Reply("确定吗？", buttons=(Button("确认删除", "forget:yes"), Button("取消", "forget:no")))
    assert numbered_buttons(reply, Texts().get("channels.choose_number")) == "回复数字选择：\n1. 确认删除\n2. 取消"
