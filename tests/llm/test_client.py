"""The model client over real HTTP against the fake OpenAI-compatible server: replies, streaming, errors, slowness,
malformed JSON; settings and the standard OPENAI_* variables; no model configured means no client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from pydantic import SecretStr

from bot.llm.client import Model, chat_model, complete
from bot.llm.guard import Breaker, Guard, Limits
from bot.settings import LLMSettings, Settings
from tests.fake_openai import Fail, FakeOpenAI, Malformed, Say, Slow


async def _model(settings: LLMSettings) -> BaseChatModel:
    made = chat_model(settings)
    assert made is not None
    MADE.append(made)
    return made.chat


MADE: list[Model] = []


@pytest.fixture(autouse=True)
async def close_models() -> AsyncIterator[None]:
    yield
    while MADE:
        await MADE.pop().aclose()


def test_no_model_name_means_no_model() -> None:
    assert chat_model(LLMSettings(), environ={"OPENAI_API_KEY": "sk-x"}) is None
    assert Settings().llm.enabled is False or Settings().llm.model  # the environment here configures none


def test_standard_openai_variables_fill_the_gaps() -> None:
    s = LLMSettings(model="gpt-4o-mini")
    assert s.resolved({"OPENAI_API_KEY": "sk-a", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}) == (
        "http://127.0.0.1:9/v1",
        "sk-a",
    )
    assert s.resolved({}) == ("https://api.openai.com/v1", "not-needed")
    own = LLMSettings(model="m", base_url="http://127.0.0.1:1/v1", api_key=SecretStr("sk-own"))
    assert own.resolved({"OPENAI_API_KEY": "sk-a", "OPENAI_BASE_URL": "http://x/v1"}) == (
        "http://127.0.0.1:1/v1",
        "sk-own",
    )


def test_settings_read_the_anning_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNING_LLM__BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("ANNING_LLM__MODEL", "qwen2.5:7b")
    monkeypatch.setenv("ANNING_LLM__ANSWER_DEADLINE_SECONDS", "3")
    s = Settings().llm
    assert (s.enabled, s.base_url, s.model, s.answer_deadline_seconds) == (
        True,
        "http://127.0.0.1:11434/v1",
        "qwen2.5:7b",
        3,
    )


async def test_a_reply_over_http(fake_openai: FakeOpenAI, llm_settings: LLMSettings) -> None:
    fake_openai.script(Say("先保存好短信截图。"))
    model = await _model(llm_settings)
    assert await complete(model, [HumanMessage("怎么办")]) == "先保存好短信截图。"
    sent = fake_openai.requests[0]
    assert sent["model"] == "fake-model" and sent["messages"][-1] == {"role": "user", "content": "怎么办"}


async def test_a_streamed_reply_arrives_in_pieces(fake_openai: FakeOpenAI, llm_settings: LLMSettings) -> None:
    fake_openai.script(Say("验证码轰炸可以向运营商投诉。", chunk=3))
    model = await _model(llm_settings)
    pieces = [str(c.content) async for c in model.astream([HumanMessage("怎么办")])]
    assert "".join(pieces) == "验证码轰炸可以向运营商投诉。"
    assert len([p for p in pieces if p]) >= 4
    assert fake_openai.requests[0]["stream"] is True


@pytest.mark.parametrize("step", [Fail(500), Fail(429, "rate limited"), Fail(401, "bad key"), Malformed()])
async def test_errors_and_malformed_replies_become_none(
    fake_openai: FakeOpenAI, llm_settings: LLMSettings, step: object
) -> None:
    fake_openai.script(step)  # type: ignore[arg-type]
    model = await _model(llm_settings)
    guard = Guard(Breaker(), Limits())
    assert await guard.call("u", lambda: complete(model, [HumanMessage("hi")]), deadline=5) is None
    assert guard.stats.failed == 1
    assert len(fake_openai.requests) == 1  # no retries: the guard decides what a failure costs


async def test_a_slow_model_misses_the_deadline(fake_openai: FakeOpenAI, llm_settings: LLMSettings) -> None:
    fake_openai.script(Slow(5, Say("太晚了")))
    model = await _model(llm_settings)
    guard = Guard(Breaker(), Limits())
    assert await guard.call("u", lambda: complete(model, [HumanMessage("hi")]), deadline=0.2) is None
    assert guard.stats.late == 1
