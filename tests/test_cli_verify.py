"""`anning evidence verify`: an altered ciphertext names its item; an exported chain head finds a log cut short."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from bot.evidence.export import ExportMeta, export_docx
from bot.evidence.stats import compute
from bot.storage.crypto import Crypto, load_key
from bot.storage.db import Database
from bot.storage.evidence_repo import EvidenceStore, NewEvidence
from bot.texts import Texts
from bot.wiring import QAParts
from tests.support import run_cli as run

SH = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 11, 3, 2, 14, tzinfo=SH)
TEXTS = Texts()


def entry(i: int) -> NewEvidence:
    return NewEvidence(f"【平台{i}】您的验证码是{100000 + i}。", NIGHT + timedelta(minutes=i), "paste", NIGHT)


async def _log(data: Path, n: int) -> list[str]:
    db = Database(f"sqlite+aiosqlite:///{data / 'anning.sqlite3'}")
    await db.create_all()
    store = EvidenceStore(db, Crypto(load_key("", data / "secret.key")))
    await store.append("terminal:cli", [entry(i) for i in range(1, n + 1)])
    heads = [i.chain_hash for i in await store.items("terminal:cli")]
    await db.close()
    return heads


@pytest.fixture
def data(index_dir: Path, qa_parts: QAParts, tmp_path: Path) -> Path:
    folder = tmp_path / "var"
    folder.mkdir()
    (folder / "chroma").symlink_to(index_dir / "chroma")  # reuse the session's index
    return folder


def test_a_flipped_ciphertext_byte_names_its_item(data: Path) -> None:
    asyncio.run(_log(data, 3))
    with sqlite3.connect(data / "anning.sqlite3") as db:
        (blob,) = db.execute("SELECT payload FROM evidence WHERE seq = 2").fetchone()
        flipped = bytes(blob[:20]) + bytes([blob[20] ^ 0x01]) + bytes(blob[21:])
        db.execute("UPDATE evidence SET payload = ? WHERE seq = 2", (flipped,))
    out = run(["evidence", "verify", "--user", "cli"], data)
    assert out.returncode == 1
    assert "BROKEN at item 2" in out.stdout and TEXTS.get("evidence_log.verify_unreadable", seq=2) in out.stdout
    assert "Traceback" not in out.stderr and "InvalidTag" not in out.stderr


def test_the_exported_head_finds_a_deleted_last_item(data: Path) -> None:
    heads = asyncio.run(_log(data, 3))
    assert run(["evidence", "verify", "--user", "cli", "--head", heads[2]], data).returncode == 0
    grown = run(["evidence", "verify", "--user", "cli", "--head", heads[1]], data)  # exported at 2, one added since
    assert grown.returncode == 0 and TEXTS.get("evidence_log.verify_head_found", seq=2, added=1) in grown.stdout
    with sqlite3.connect(data / "anning.sqlite3") as db:
        db.execute("DELETE FROM evidence WHERE seq = 3")
    assert run(["evidence", "verify", "--user", "cli"], data).returncode == 0  # the chain alone cannot tell
    cut = run(["evidence", "verify", "--user", "cli", "--head", heads[2]], data)
    assert cut.returncode == 1 and TEXTS.get("evidence_log.verify_head_missing") in cut.stdout


async def test_the_exported_list_carries_the_head_and_the_count(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'e.sqlite3'}")
    await db.create_all()
    store = EvidenceStore(db, Crypto(bytes(32)))
    await store.append("u", [entry(i) for i in range(1, 4)])
    items = await store.items("u")
    await db.close()
    document = Document(io.BytesIO(export_docx(items, compute(items), TEXTS, ExportMeta())))
    text = "\n".join(p.text for p in document.paragraphs)
    assert TEXTS.get("evidence.verify_head", count=3) in text and items[-1].chain_hash in text
    assert "--head" in text
