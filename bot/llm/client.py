"""Language model stage, client: settings -> a langchain ChatOpenAI on any OpenAI-compatible URL, or None."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from bot.settings import LLMSettings


@dataclass
class Model:
    """The chat model and the HTTP client it owns (closed with the application)."""

    chat: BaseChatModel
    http: Any = None  # openai.DefaultAsyncHttpxClient; None for a fake chat model

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self.http is not None:
            await self.http.aclose()


def chat_model(settings: LLMSettings, environ: Mapping[str, str] | None = None) -> Model | None:
    """The configured model, or None when no model name is set (then nothing in Anning changes).

    No retries (the guard decides what a failure costs), no tokenizer: nothing here calls tiktoken, which would fetch
    its encoding files from the internet. The async HTTP client is our own, so it can be closed.
    """
    if not settings.enabled:
        return None
    import openai  # the `llm` extra; imported only when a model is configured
    from langchain_openai import ChatOpenAI

    base_url, key = settings.resolved(os.environ if environ is None else environ)
    extra: dict[str, Any] = {"max_tokens": settings.max_tokens} if settings.max_tokens > 0 else {}
    http = openai.DefaultAsyncHttpxClient(timeout=settings.timeout_seconds)
    chat = ChatOpenAI(
        model=settings.model,
        base_url=base_url,
        api_key=key,  # type: ignore[arg-type]  # accepts a str or a SecretStr
        timeout=settings.timeout_seconds,
        max_retries=0,
        temperature=settings.temperature,
        use_responses_api=False,  # chat completions: what every compatible server offers
        http_async_client=http,
        **extra,
    )
    return Model(chat, http)


async def complete(model: BaseChatModel, messages: list[BaseMessage]) -> str:
    """The model's reply text to a list of messages."""
    reply = await model.ainvoke(messages)
    return text_of(reply.content)


async def stream(model: BaseChatModel, messages: list[BaseMessage]) -> AsyncIterator[str]:
    """The model's reply text as it arrives (chat completions with `"stream": true`), piece by piece."""
    async for chunk in model.astream(messages):
        piece = text_of(chunk.content)
        if piece:
            yield piece


def text_of(content: str | list[str | dict[str, Any]]) -> str:
    """The text of a message's content (a string, or a list of parts)."""
    if isinstance(content, str):
        return content
    return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)
