"""Large SMS backups imported at once: written in small batches off the event loop, bounded per person and in all."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import event

import bot.sms.handler as sms_handler
import bot.storage.evidence_repo as evidence_repo
from bot.contract.messages import Attachment, Incoming
from bot.evidence.log import verify
from bot.settings import Settings
from bot.sms.parse import SmsRecord
from bot.texts import Texts
from bot.wiring import App, QAParts, build_app
from tests.support import say

BATCH = 50
QUESTION = "催收给我的通讯录打电话合法吗？"


def backup(user: str, n: int) -> Attachment:
    """An SMS Backup & Restore file of `n` received messages (codes every 30 s from 12 platforms) for one person."""
    rows = [
        f'<sms address="1069{k % 12:04d}" date="{1762106400000 + 30_000 * k}" type="1" '
        f'body="【平台{k % 12}】{user} 的验证码是 {100000 + k}，5分钟内有效。" />'
        for k in range(n)
    ]
    data = ("<?xml version='1.0' encoding='UTF-8'?><smses>" + "".join(rows) + "</smses>").encode()
    return Attachment("document", f"{user}.xml", data, "text/xml")


async def send(app: App, user: str, attachment: Attachment) -> str:
    replies = await app.engine.handle(Incoming("test", user, attachments=(attachment,)))
    return "\n".join(r.text for r in replies)


async def batched_app(settings: Settings, qa_parts: QAParts, max_pending: int) -> App:
    """The application writing BATCH entries per transaction, one import at a time, `max_pending` admitted."""
    settings.imports.batch_size = BATCH
    settings.imports.workers = 1
    settings.imports.max_pending = max_pending
    return await build_app(settings, parts=qa_parts)


@pytest.fixture
async def roomy_app(settings: Settings, qa_parts: QAParts) -> AsyncIterator[App]:
    application = await batched_app(settings, qa_parts, max_pending=20)
    yield application
    await application.close()


@pytest.fixture
async def bounded_app(settings: Settings, qa_parts: QAParts) -> AsyncIterator[App]:
    application = await batched_app(settings, qa_parts, max_pending=2)
    yield application
    await application.close()


def largest_evidence_transaction(app: App) -> Callable[[], int]:
    """Watch the database: the most evidence rows any one transaction inserted (read with the returned function)."""
    open_rows: Counter[int] = Counter()
    largest = [0]

    def on_execute(conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EVIDENCE"):
            rows = parameters if isinstance(parameters, list | tuple) else [parameters]
            flat = bool(rows) and not isinstance(rows[0], list | tuple | dict)  # one statement of many VALUES rows
            open_rows[id(conn)] += len(rows) // 7 if flat else len(rows)  # 7 columns a row
            largest[0] = max(largest[0], open_rows[id(conn)])

    def on_end(conn: Any) -> None:
        open_rows.pop(id(conn), None)

    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_end)
    event.listen(engine, "rollback", on_end)
    return lambda: largest[0]


async def test_concurrent_imports_log_everything_once_while_others_get_answers(
    roomy_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = roomy_app
    largest = largest_evidence_transaction(app)
    sealing: list[threading.Thread] = []
    real_chain = evidence_repo.chain_hash

    def spy(previous: str, item: str) -> str:
        sealing.append(threading.current_thread())
        return real_chain(previous, item)

    monkeypatch.setattr(evidence_repo, "chain_hash", spy)
    users = [f"importer{i}" for i in range(4)]
    imports = [send(app, user, backup(user, 240)) for user in users]
    questions = [say(app.engine, QUESTION, user=f"asker{i}") for i in range(3)]
    results = await asyncio.gather(*imports, *questions, return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)]
    logged = Texts().get("evidence_log.logged", added=240, duplicates=0, total=240)
    assert all(logged in str(reply) for reply in results[: len(users)])
    assert all(str(answer).strip() for answer in results[len(users) :])
    for user in users:
        items = await app.evidence.items(user)
        assert [i.seq for i in items] == list(range(1, 241))
        assert len({i.raw_text for i in items}) == 240 and verify(items).ok
    assert 0 < largest() <= BATCH  # no transaction holds a whole import
    assert sealing and all(t is not threading.main_thread() for t in sealing)  # hashing and encryption off the loop


async def test_an_import_over_the_limit_gets_a_kind_wait_and_nothing_is_lost(
    bounded_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, texts = bounded_app, Texts()
    gate, started = threading.Event(), threading.Semaphore(0)
    real_parse = sms_handler.parse_backup

    def held_parse(data: bytes, name: str = "") -> list[SmsRecord]:
        started.release()
        gate.wait(timeout=60)
        return real_parse(data, name)

    monkeypatch.setattr(sms_handler, "parse_backup", held_parse)
    await say(app.engine, "【速借宝】您已逾期，今天不还就联系你的家人。", user="alice")  # logged before the imports
    first = asyncio.create_task(send(app, "alice", backup("alice", 120)))
    second = asyncio.create_task(send(app, "bob", backup("bob", 120)))
    try:
        await asyncio.to_thread(started.acquire, True, 60)  # alice's file is being read
        while app.sms.imports.pending() < 2:  # bob's waits its turn
            await asyncio.sleep(0.01)
        assert await send(app, "carol", backup("carol", 10)) == texts.get("sms.import_busy")
        first.cancel()  # the channel gave up waiting for alice's answer; her import goes on
        assert await send(app, "alice", backup("alice", 120)) == texts.get("sms.import_wait")
    finally:
        gate.set()
    assert "新增 120 条" in await second
    while app.sms.imports.pending():
        await asyncio.sleep(0.01)
    for user, expected in (("alice", 121), ("bob", 120), ("carol", 0)):
        items = await app.evidence.items(user)
        assert len(items) == expected and verify(items).ok, user
    with pytest.raises(asyncio.CancelledError):
        await first
