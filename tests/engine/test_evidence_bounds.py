"""Evidence jobs a person can start are bounded: the log has a maximum length, and statistics run off the loop."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import pytest

import bot.sms.handler as sms_handler
from bot.evidence.model import EvidenceItem, Stats
from bot.settings import Settings
from bot.texts import Texts
from bot.wiring import App, QAParts, build_app
from tests.engine.test_sms_flow import night_paste
from tests.support import say


@pytest.fixture
async def small_app(settings: Settings, qa_parts: QAParts) -> AsyncIterator[App]:
    settings.max_evidence_items = 10
    application = await build_app(settings, parts=qa_parts)
    yield application
    await application.close()


async def test_a_full_log_takes_no_more_and_says_so(small_app: App) -> None:
    answer = await say(small_app.engine, night_paste())  # 30 messages, room for 10
    assert await small_app.evidence.count("u1") == 10
    assert Texts().get("evidence_log.log_full", limit=10, refused=20) in answer
    again = await say(small_app.engine, "2026-11-04 02:00:00\n【星河阅读】您的验证码是 555111，5分钟内有效。")
    assert Texts().get("evidence_log.log_full", limit=10, refused=1) in again
    assert await small_app.evidence.count("u1") == 10


async def test_evidence_summary_computes_outside_the_event_loop(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = sms_handler.compute

    def spy(items: list[EvidenceItem]) -> Stats:
        threads.append(threading.current_thread())
        return real(items)

    monkeypatch.setattr(sms_handler, "compute", spy)
    await say(app.engine, night_paste())
    summary = await say(app.engine, "/evidence")
    assert "30" in summary and threads
    assert all(t is not threading.main_thread() for t in threads)
