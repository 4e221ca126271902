"""Fixtures for the language model tests: the fake OpenAI-compatible server on 127.0.0.1 and settings pointing at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import LLMSettings, Settings
from bot.wiring import App, QAParts, build_app
from tests.fake_openai import FakeOpenAI


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    """A fresh fake server per test (scripted steps, recorded requests)."""
    server = await FakeOpenAI().start()
    yield server
    await server.stop()


@pytest.fixture
def llm_settings(fake_openai: FakeOpenAI) -> LLMSettings:
    """Model settings aimed at the fake server, with short deadlines."""
    return LLMSettings(
        base_url=fake_openai.base_url,
        api_key=SecretStr("sk-test"),
        model=fake_openai.model,
        timeout_seconds=5,
        understand_deadline_seconds=2,
        answer_deadline_seconds=2,
    )


@pytest.fixture
async def llm_app(
    settings: Settings, qa_parts: QAParts, index_dir: Path, llm_settings: LLMSettings
) -> AsyncIterator[App]:
    """The whole application with the model at the fake server, on its own database (the offline `app` beside it
    shares the knowledge and index, not the sessions)."""
    own = settings.model_copy(deep=True)
    own.data_dir = index_dir
    own.database_url = str(settings.database_url).replace(".sqlite3", "-llm.sqlite3")
    own.llm = llm_settings
    application = await build_app(own, parts=qa_parts)
    assert application.llm is not None
    yield application
    await application.close()
