"""Choices in the terminal chat, end to end (`python -m bot chat`, piped): numbered choices picked by number and by
their words, the journey forward and back, a document with two fields filled, /mydata and /forget."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.wiring import QAParts
from tests.support import run_cli

STEPS = [
    ("【速借钱包】你已逾期，今天不还款就联系你的家人和单位，后果自负。", "1. 查看证据汇总\n2. 导出证据清单 PDF"),
    ("2", "证据清单已生成（1 条，PDF）"),
    ("证据汇总", "你的证据记录：共 1 条"),
    ("导出表格 CSV", "证据清单已生成（1 条，CSV）"),
    ("/steps", "步骤 1/7"),
    ("1", "步骤 2/7"),
    ("下一步", "步骤 3/7"),
    ("上一步", "步骤 2/7"),
    ("2", "证据清单（简要说明）"),
    ("王小明", "记下了：姓名 王小明"),
    ("电话：13800138000", "内容已经齐了"),
    ("1", "步骤 3/7"),
    ("/mydata", "证据记录：1 条短信"),
    ("/forget", "1. 确认删除\n2. 取消"),
    ("确认删除", "已删除我保存的关于你的全部数据"),
    ("/mydata", "我目前没有保存关于你的任何数据"),
]


@pytest.mark.slow
def test_every_choice_works_by_number_and_by_words(index_dir: Path, qa_parts: QAParts, tmp_path: Path) -> None:
    result = run_cli(["chat", "--user", "chooser"], index_dir, "\n".join(text for text, _ in STEPS) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    at = 0
    for said, expected in STEPS:  # each answer appears after the one before it
        found = out.find(expected, at)
        assert found >= 0, f"after {said!r} expected {expected!r} in:\n{out[at : at + 1500]}"
        at = found + len(expected)
    assert "没有覆盖" not in out  # no offered choice fell through to "not covered"
    assert "1. 下一步 ▶\n2. 生成文书：证据清单（简要说明）\n3. ◀ 上一步" in out  # forward first, stable
