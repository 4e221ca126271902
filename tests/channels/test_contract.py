"""Every registered channel honours the contract: standard replies render within its limits, buttons survive."""

from __future__ import annotations

import os

import pytest

from bot import channels
from bot.channels.base import Channel
from bot.contract.messages import Button, FileOut, Reply
from bot.settings import Settings
from bot.texts import Texts

TEXTS = Texts()
LONG = "请按以下步骤保存证据：截图、录音、记下时间。" * 300  # far over every platform's limit
EMOJI = "😭" * 3000  # astral characters: 4 UTF-8 bytes, 2 UTF-16 units each
STANDARD = [
    Reply("你好，我是「安宁」。"),
    Reply("确定要删除你的全部数据吗？", buttons=(Button("确认删除", "forget:yes"), Button("取消", "forget:no"))),
    Reply(LONG, buttons=(Button("下一步", "next"),)),
    Reply(EMOJI),
    Reply("", buttons=(Button("好", "ok"),)),
    Reply("证据清单已生成。", files=(FileOut("evidence.pdf", b"%PDF-1.7", "application/pdf"),)),
]
REGISTERED = channels.discover()


def test_every_channel_module_is_registered() -> None:
    assert {c.name for c in REGISTERED} >= {"terminal", "telegram", "wechat_mp", "wecom"}


@pytest.mark.parametrize("channel", REGISTERED, ids=lambda c: c.name)
@pytest.mark.parametrize("reply", STANDARD, ids=range(len(STANDARD)))
def test_render_respects_limits_and_buttons(channel: type[Channel], reply: Reply) -> None:
    caps = channel.capabilities
    out = channel.preview(reply, TEXTS)
    texts = [o.text for o in out if o.text]
    assert texts or reply.files, "a reply must show something"
    for text in texts:
        if caps.max_bytes:
            assert len(text.encode()) <= caps.max_bytes
        if caps.max_chars:
            assert len(text.encode("utf-16-le")) // 2 <= caps.max_chars
    shown = "\n".join(texts)
    for word in ("你好", "确定要删除", "截图", "😭", "证据清单已生成"):
        if word in reply.text:
            assert word in shown
    if reply.buttons:
        labels = [b.label for b in reply.buttons]
        if caps.buttons:
            keyboards = [o.keyboard for o in out if o.keyboard]
            assert keyboards == [tuple(labels)]
        else:
            assert not any(o.keyboard for o in out)
            numbered = "\n".join(f"{i}. {label}" for i, label in enumerate(labels, 1))
            assert f"{TEXTS.get('channels.choose_number')}\n{numbered}" in shown
    for f in reply.files:
        if caps.files:
            assert any(o.file == f.name for o in out)
        else:
            assert f.name in shown  # named, to be fetched another way


@pytest.mark.parametrize("channel", REGISTERED, ids=lambda c: c.name)
def test_enabled_only_by_settings_except_the_terminal(channel: type[Channel], monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("ANNING_")]:
        monkeypatch.delenv(key)
    settings = Settings(_env_file=None)
    assert channel.enabled(settings) is (channel.name == "terminal")
    assert channel.section is None or hasattr(settings, channel.section)
    assert channel.webhook is (channel.name != "terminal") and (channel.requirement != "") is channel.webhook
