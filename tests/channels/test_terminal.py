"""The terminal chat end to end: `python -m bot chat` with piped stdin, as a user scripts it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.wiring import QAParts
from tests.support import run_cli

TRANSCRIPT = "\n".join(
    [
        "/start",
        "催收天天用验证码轰炸我手机，犯法吗？",
        "",
        "😭😭",
        "明天广州下不下雨",
        "/forget",
        "2",
        "/mydata",
        "/forget",
        "1",
        "/mydata",
    ]
)


def _chat(data_dir: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["chat", "--user", "tester"], data_dir, stdin)


@pytest.mark.slow
def test_piped_transcript(index_dir: Path, qa_parts: QAParts) -> None:
    result = _chat(index_dir, TRANSCRIPT + "\n")
    assert result.returncode == 0, result.stderr
    replies = [r for r in result.stdout.split("\n\n") if r.strip()]
    out = result.stdout
    assert "我是「安宁」" in replies[0]
    assert "《民法典》第一千零三十三条" in out and "12378" in out
    assert "没有收到内容" in out and "表情" in out and "没有覆盖" in out
    assert "回复数字选择：\n1. 确认删除\n2. 取消" in out
    assert "没有删除任何数据" in out and "已删除我保存的关于你的全部数据" in out
    assert out.rstrip().endswith("我目前没有保存关于你的任何数据。")


@pytest.mark.slow
def test_session_survives_process_restart(index_dir: Path, qa_parts: QAParts) -> None:
    first = _chat(index_dir, "/forget\n")
    assert "确定要删除" in first.stdout
    second = _chat(index_dir, "1\n")
    assert "已删除" in second.stdout


@pytest.mark.slow
def test_saved_files_are_each_persons_own_and_forget_deletes_them(index_dir: Path, qa_parts: QAParts) -> None:
    # every user's exports went into one folder under the same names, and stayed there after /forget
    sms = "【速借花】你已逾期，今天不还款就联系你的家人"
    for user in ("anna", "bo"):
        result = run_cli(["chat", "--user", user], index_dir, f"{sms}\n/evidence word\n")
        assert result.returncode == 0, result.stderr
    folders = sorted(p for p in (index_dir / "files").iterdir() if p.is_dir())
    anna = next(p for p in folders if p.name.startswith("terminal_anna"))
    bo = next(p for p in folders if p.name.startswith("terminal_bo"))
    assert any(anna.glob("*.docx")) and any(bo.glob("*.docx"))  # "/evidence word" is the Word export
    mydata = run_cli(["chat", "--user", "anna"], index_dir, "/mydata\n").stdout
    assert "保存在这台电脑上的文件：1 个" in mydata
    run_cli(["chat", "--user", "anna"], index_dir, "/forget\n1\n")
    assert not anna.exists() and any(bo.glob("*.docx"))
