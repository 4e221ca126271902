"""The command line as maintainers script it: ask/retrieve JSON, sms JSON, evidence export and verify."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.wiring import QAParts
from tests.support import run_cli as run


def test_ask_json_one_object_per_stdin_line(index_dir: Path, qa_parts: QAParts) -> None:
    out = run(["ask", "--json"], index_dir, "验证码轰炸违法吗\n明天下雨吗\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["covered"] for r in rows] == [True, False]
    first = rows[0]["citations"][0]
    assert set(first) >= {"law", "article", "label", "status", "source"} and first["source"].startswith("http")


def test_retrieve_json_has_ids_and_scores(index_dir: Path, qa_parts: QAParts) -> None:
    out = run(["retrieve", "--json", "-k", "3", "民法典第一千零三十三条"], index_dir)
    row = json.loads(out.stdout)
    assert row["passages"][0]["id"] == "civil-code:1033" and len(row["passages"]) == 3


def test_sms_json_one_object_per_message(tmp_path: Path) -> None:
    paste = "2026-11-03 02:14\n【速购优选】验证码：582017，您正在注册。\n\n2026-11-03 02:20\n再不还钱明天就去你单位找你领导。"
    out = run(["sms", "--json"], tmp_path, paste)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["verification_code", "collection_threat"]
    assert rows[0]["platform"] == "速购优选" and rows[0]["sent_at"].startswith("2026-11-03T02:14")
    assert "workplace_threat" in rows[1]["signals"] and rows[1]["citations"]


def test_evidence_export_and_tamper_detection(index_dir: Path, qa_parts: QAParts, tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    (data / "chroma").symlink_to(index_dir / "chroma")  # reuse the session's index
    chat = run(["chat", "--user", "cli"], data, "【海豚钱包】验证码 628401，切勿告知他人。\n/evidence pdf\n")
    assert "新增 1 条" in chat.stdout and "[文件已保存：" in chat.stdout
    saved = next((data / "files").glob("*/*.pdf"))  # each person has a folder of their own
    assert saved.read_bytes().startswith(b"%PDF")
    out = run(["evidence", "export", "--user", "cli", "--format", "csv", "-o", str(tmp_path / "e.csv")], data)
    assert out.returncode == 0 and "海豚钱包" in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    assert run(["evidence", "verify", "--user", "cli"], data).returncode == 0
    with sqlite3.connect(data / "anning.sqlite3") as db:
        db.execute("UPDATE evidence SET item_hash = ? WHERE seq = 1", ("0" * 64,))
    broken = run(["evidence", "verify", "--user", "cli"], data)
    assert broken.returncode == 1 and "BROKEN at item 1" in broken.stdout


def test_added_corpus_is_kept_by_later_commands_until_removed(tmp_path: Path) -> None:
    corpus = tmp_path / "local.jsonl"
    row = {
        "law": "某市催收行为规范（试行）",
        "article": "第三条",
        "text": "催收人员不得在晚上十点至次日早上八点之间联系债务人。",
    }
    corpus.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    data = tmp_path / "var"
    added = run(["index", "--embedding", "hash", "--source", str(corpus)], data)
    assert added.returncode == 0, added.stderr
    assert str(corpus) in added.stdout and "--remove" in added.stdout
    query = ["retrieve", "--json", "--embedding", "hash", "--mode", "bm25", "-k", "1", "某市催收行为规范 晚上十点"]
    later = run(query, data)  # no --source: the data dir remembers the corpus, and says so
    assert json.loads(later.stdout)["passages"][0]["law"] == "某市催收行为规范（试行）"
    assert str(corpus) in later.stderr and "--remove" in later.stderr
    removed = run(["index", "--embedding", "hash", "--remove"], data)
    assert removed.returncode == 0 and str(corpus) in removed.stdout
    gone = run(query, data)
    assert (
        json.loads(gone.stdout)["passages"][0]["law"] != "某市催收行为规范（试行）" and str(corpus) not in gone.stderr
    )


def test_index_refuses_a_missing_corpus(tmp_path: Path) -> None:
    out = run(["index", "--embedding", "hash", "--source", str(tmp_path / "nope.jsonl")], tmp_path / "var")
    assert out.returncode == 1 and "no such corpus" in out.stderr
