"""The evidence log: append-only, hash-chained, encrypted; duplicates counted once; tampering detected."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update

from bot.evidence.log import verify
from bot.evidence.stats import compute, episodes
from bot.storage.crypto import Crypto
from bot.storage.db import Database, EvidenceRow
from bot.storage.evidence_repo import EvidenceStore, NewEvidence
from bot.texts import Texts
from tests.support import stored_bytes

SH = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 11, 3, 2, 14, tzinfo=SH)


def code(i: int, platform: str, minute: float) -> NewEvidence:
    return NewEvidence(
        raw_text=f"【{platform}】您的验证码是{100000 + i}，5分钟内有效。",
        sent_at=NIGHT + timedelta(minutes=minute),
        source="paste",
        received_at=NIGHT + timedelta(hours=8),
        label="verification_code",
        platform=platform,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EvidenceStore]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'ev.sqlite3'}")
    await db.create_all()
    yield EvidenceStore(db, Crypto(os.urandom(32)))
    await db.close()


async def test_append_chain_and_verify(store: EvidenceStore) -> None:
    result = await store.append("u", [code(i, f"平台{i}", i * 0.3) for i in range(8)])
    assert (result.added, result.duplicates) == (8, 0)
    items = await store.items("u")
    assert [i.seq for i in items] == list(range(1, 9))
    check = verify(items)
    assert check.ok and check.head == result.head == items[-1].chain_hash
    assert items[0].sent_at == NIGHT and items[0].received_at.tzinfo is not None


async def test_duplicates_are_counted_once_across_appends(store: EvidenceStore) -> None:
    await store.append("u", [code(1, "甲", 0), code(2, "乙", 1)])
    again = await store.append("u", [code(1, "甲", 0), code(3, "丙", 2), code(3, "丙", 2)])
    assert (again.added, again.duplicates) == (1, 2)
    assert await store.count("u") == 3
    assert verify(await store.items("u")).ok


async def test_users_logs_are_separate_and_erasable(store: EvidenceStore) -> None:
    await store.append("a", [code(1, "甲", 0)])
    await store.append("b", [code(1, "甲", 0), code(2, "乙", 1)])
    assert await store.count("a") == 1 and await store.count("b") == 2
    assert await store.erase("b") == 2
    assert await store.items("b") == [] and await store.count("a") == 1


async def test_content_is_encrypted_at_rest(store: EvidenceStore, tmp_path: Path) -> None:
    await store.append("telegram:42", [code(1, "海豚钱包", 0)])
    raw = stored_bytes(tmp_path / "ev.sqlite3")
    assert "海豚钱包".encode() not in raw and b"telegram:42" not in raw


async def test_edited_entry_is_detected(store: EvidenceStore) -> None:
    await store.append("u", [code(i, f"平台{i}", i) for i in range(5)])
    uid = store.crypto.pseudonym("u")
    async with store.db.sessions() as s, s.begin():
        row = (await s.execute(select(EvidenceRow).where(EvidenceRow.seq == 3))).scalar_one()
        data = json.loads(store.crypto.decrypt(row.payload, f"{uid}:3".encode()))
        data["raw_text"] = data["raw_text"].replace("验证码", "验证吗")
        forged = store.crypto.encrypt(json.dumps(data, ensure_ascii=False).encode(), f"{uid}:3".encode())
        await s.execute(update(EvidenceRow).where(EvidenceRow.id == row.id).values(payload=forged))
    check = verify(await store.items("u"))
    assert not check.ok and check.broken_at == 3 and "改动" in Texts().get(check.reason_key, **check.reason_values)


async def test_deleted_entry_is_detected(store: EvidenceStore) -> None:
    await store.append("u", [code(i, f"平台{i}", i) for i in range(5)])
    async with store.db.sessions() as s, s.begin():
        await s.execute(delete(EvidenceRow).where(EvidenceRow.seq == 2))
    check = verify(await store.items("u"))
    assert not check.ok and check.broken_at == 3


async def test_stats_find_the_bombing_episode_and_night_share(store: EvidenceStore) -> None:
    burst = [code(i, f"平台{i % 6}", i * 0.4) for i in range(9)]
    later = [code(100, "单独平台", 600)]  # one code ten hours later: not an episode
    threat = NewEvidence(
        "再不还款就爆你通讯录",
        NIGHT + timedelta(hours=13),
        "paste",
        NIGHT + timedelta(hours=14),
        label="collection_threat",
    )
    await store.append("u", [*burst, *later, threat])
    stats = compute(await store.items("u"))
    assert stats.total == 11
    assert stats.by_label == {"verification_code": 10, "collection_threat": 1}
    assert len(stats.episodes) == 1
    ep = stats.episodes[0]
    assert ep.count == 9 and len(ep.platforms) == 6 and ep.start == NIGHT
    assert stats.per_hour[2] == 9 and abs(stats.night_share - 9 / 11) < 1e-9
    assert stats.per_day == {"2026-11-03": 11}


def test_slow_trickle_is_not_an_episode() -> None:
    from bot.evidence.model import EvidenceItem

    items = [
        EvidenceItem(
            i + 1,
            NIGHT,
            NIGHT + timedelta(minutes=15 * i),
            "paste",
            "x",
            None,
            "verification_code",
            f"p{i}",
            (),
            (),
            "h",
            "c",
        )
        for i in range(8)
    ]
    assert episodes(items) == []
