"""Fixtures for the language model tests: the fake OpenAI-compatible server on 127.0.0.1 and settings pointing at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.settings import LLMSettings
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
