"""Choices on the WeChat Official Account, end to end in plain and safe mode: numbered choices picked by number and
by their words, the menu's click events, the journey forward and back, a document with two fields filled, /mydata and
/forget, over real signed (and encrypted) callbacks into the web app."""

from __future__ import annotations

import re

import pytest

from bot.wiring import App
from tests.channels import test_wechat_mp_e2e as mp
from tests.channels.test_wechat_mp_e2e import OPENID, RigFactory
from tests.wechat_support import event_xml, reply_content

fake = mp.fake  # the fixtures of the Official Account's end-to-end tests
make_rig = mp.make_rig

THREAT = "【速借钱包】你已逾期，今天不还款就联系你的家人和单位，后果自负。"


@pytest.mark.slow
@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
async def test_every_choice_works_by_number_words_and_menu(make_rig: RigFactory, app: App, safe: bool) -> None:
    rig = await make_rig(safe=safe, customer_service=False, reply_budget_seconds=60)

    async def say(text: str) -> str:
        content = await rig.say(text, timeout=60)
        assert content is not None, text
        assert "没有覆盖" not in content, (text, content)  # no offered choice falls through to "not covered"
        return content

    analysis = await say(THREAT)
    assert "回复数字选择" in analysis and "1. 查看证据汇总\n2. 导出证据清单 PDF" in analysis
    assert re.search(r"https://bot\.example\.org/hooks/files/\S+", await say("2"))  # by number: the PDF, as a link
    assert "你的证据记录：共 1 条" in await say("证据汇总")  # by its words
    assert "CSV" in await say("导出表格 CSV")

    clicked = reply_content(rig.signer, await rig.send(event_xml("CLICK", "cmd:steps")))  # the menu's button
    assert clicked is not None and "步骤 1/7" in clicked and "1. 下一步 ▶" in clicked
    assert "步骤 2/7" in await say("1")
    assert "步骤 3/7" in await say("下一步")
    step2 = await say("上一步")
    assert "步骤 2/7" in step2 and "1. 下一步 ▶\n2. 生成文书：证据清单（简要说明）" in step2

    opened = await say("2")
    assert "证据清单（简要说明）" in opened or "姓名是什么" in opened
    noted = await say("姓名：王小明")
    assert "记下了：姓名 王小明" in noted and len(noted.encode()) < 600  # one short confirmation, no new links
    assert "/hooks/files/" not in noted
    done = await say("手机号：13800138000")
    assert "/hooks/files/" in done  # nothing missing now: the files
    assert "步骤 3/7" in await say("1")  # typing 1 keeps moving after the document

    mydata = await say("/mydata")
    assert "证据记录：1 条短信" in mydata and "姓名、被骚扰的手机号码" in mydata and "{" not in mydata
    assert "/hooks/files/" in mydata  # the machine-readable copy, as a link
    assert "1. 确认删除\n2. 取消" in await say("/forget")
    assert "已删除" in await say("1")
    assert "没有保存" in await say("/mydata")
    assert await app.evidence.count(f"wechat_mp:{OPENID}") == 0
