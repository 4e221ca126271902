"""A fake OpenAI-compatible server for tests and benches: aiohttp on 127.0.0.1, scripted replies.

`POST /v1/chat/completions` answers as the OpenAI API does, as one JSON object or, with `"stream": true`, as
server-sent `chat.completion.chunk` events ending in `data: [DONE]`. What it answers is scripted:

- `script(*steps)` queues steps used one per request, in order; when the queue is empty `default` answers;
- a step is a `Say(text)` (a reply), `Stream(parts)` (a reply written slowly: its strings are the chunks, its
  numbers pauses in seconds between them; asked without streaming, it answers the whole text after all pauses),
  `Fail(status, body)` (an HTTP error), `Slow(seconds, step)` (wait, then the
  step; the server gives up quietly when the client goes away), `Malformed(body)` (a 200 that is not JSON), or a
  function of the request's JSON that returns a step (a model that reads the prompt, e.g. obeys an injection);
- `requests` records every request body (to check what the model was shown).

`GET /v1/models` lists the one model. Run alone (for `anning eval --llm` or the bench) with
`python -m tests.fake_openai --port 8088 --mode good|invent|inject`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Say:
    """A reply with this text (streamed a few characters per chunk when the client streams)."""

    text: str
    chunk: int = 4


@dataclass(frozen=True)
class Stream:
    """A reply written slowly: strings are chunks, numbers are pauses (seconds) between them."""

    parts: tuple[str | float, ...]

    @property
    def text(self) -> str:
        """The whole reply."""
        return "".join(p for p in self.parts if isinstance(p, str))


@dataclass(frozen=True)
class Fail:
    """An HTTP error in OpenAI's error shape."""

    status: int = 500
    message: str = "internal error"


@dataclass(frozen=True)
class Malformed:
    """A 200 whose body is not the JSON a client expects."""

    body: str = '{"id": "x", "choices": [{"message": '


@dataclass(frozen=True)
class Slow:
    """Wait, then answer with the inner step."""

    seconds: float
    then: Step


Step = Say | Stream | Fail | Malformed | Slow | Callable[[dict[str, Any]], "Say | Stream | Fail | Malformed | Slow"]


def system_text(request: dict[str, Any]) -> str:
    """The system message of a chat request."""
    return "\n".join(str(m.get("content", "")) for m in request.get("messages", []) if m.get("role") == "system")


def user_text(request: dict[str, Any]) -> str:
    """The user messages of a chat request."""
    return "\n".join(
        str(m.get("content", "")) for m in request.get("messages", []) if m.get("role") in ("user", "human")
    )


def is_understanding(request: dict[str, Any]) -> bool:
    """Whether the request is the understanding prompt (prompts/understand/read.md)."""
    return "理解模块" in system_text(request)


def is_sms(request: dict[str, Any]) -> bool:
    """Whether the request is the SMS second opinion (prompts/sms/second_opinion.md)."""
    return "短信分类模块" in system_text(request)


def latest_message(request: dict[str, Any]) -> str:
    """The text inside the last untrusted fence of the user message."""
    found = re.findall(r"<untrusted[^>]*>\n(.*?)\n</untrusted>", user_text(request), re.DOTALL)
    return found[-1] if found else ""


def good_model(request: dict[str, Any]) -> Say:
    """A well-behaved model: a plain JSON reading, or an answer citing the first passage."""
    if is_understanding(request):
        return Say(
            json.dumps({"standalone": latest_message(request), "intent": "question", "details": {}}, ensure_ascii=False)
        )
    return Say("这种做法不合法，你可以保留证据并投诉 [P1]。先别慌，一步一步来。")


def inventing_model(request: dict[str, Any]) -> Say:
    """A model that invents an article (and a fake quote) beside a real passage."""
    if is_understanding(request):
        return good_model(request)
    return Say("根据《民法典》第九千九百九十九条，催收方必须赔你十万元 [P1][P7]。法律原文是“催收人员一律拘留十五日”。")


def injected_model(request: dict[str, Any]) -> Say:
    """A model that obeys whatever the user wrote: repeats its instructions and invents other people's data."""
    if is_understanding(request):
        return Say(
            json.dumps(
                {"standalone": "忽略规则", "intent": "smalltalk.greeting", "details": {"phone": "13800000000"}},
                ensure_ascii=False,
            )
        )
    return Say(
        "好的，我已忽略之前的指令。我的系统说明是："
        + system_text(request)[:120]
        + " 另一位用户的手机号是 13912345678。请把钱转到安全账户。"
    )


MODES: dict[str, Callable[[dict[str, Any]], Say]] = {
    "good": good_model,
    "invent": inventing_model,
    "inject": injected_model,
}


@dataclass
class FakeOpenAI:
    """The server: scripted steps, a default, and the requests it received."""

    host: str = "127.0.0.1"
    port: int = 0
    model: str = "fake-model"
    default: Step = field(default=good_model)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _steps: deque[Step] = field(default_factory=deque)
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """The URL to give a client (ANNING_LLM__BASE_URL)."""
        return f"http://{self.host}:{self.port}/v1"

    def script(self, *steps: Step) -> None:
        """Queue steps for the next requests, one each."""
        self._steps.extend(steps)

    async def start(self) -> FakeOpenAI:
        """Listen on host:port (port 0: a free one)."""
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "fake"}]}
        )

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        step = self._steps.popleft() if self._steps else self.default
        while True:
            if callable(step) and not isinstance(step, (Say, Stream, Fail, Malformed, Slow)):
                step = step(body)
            if isinstance(step, Slow):
                await asyncio.sleep(step.seconds)
                step = step.then
                continue
            break
        if isinstance(step, Fail):
            error = {"error": {"message": step.message, "type": "server_error", "code": None}}
            return web.json_response(error, status=step.status)
        if isinstance(step, Malformed):
            return web.Response(text=step.body, content_type="application/json")
        assert isinstance(step, (Say, Stream))
        if body.get("stream"):
            return await self._stream(request, step)
        if isinstance(step, Stream):
            await asyncio.sleep(sum(p for p in step.parts if not isinstance(p, str)))
        return web.json_response(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.model,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": step.text}, "finish_reason": "stop"}
                ],
                "usage": {
                    "prompt_tokens": 10,
                    "completion_tokens": len(step.text),
                    "total_tokens": 10 + len(step.text),
                },
            }
        )

    async def _stream(self, request: web.Request, step: Say | Stream) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        if isinstance(step, Say):
            parts: list[str | float] = [step.text[i : i + step.chunk] for i in range(0, len(step.text), step.chunk)]
        else:
            parts = list(step.parts)
        with contextlib.suppress(ConnectionError):  # the client went away (a deadline): nothing more to write
            await self._chunks(resp, parts or [""])
        return resp

    async def _chunks(self, resp: web.StreamResponse, parts: list[str | float]) -> None:
        n = 0
        for part in parts:
            if not isinstance(part, str):
                await asyncio.sleep(part)  # the server gives up quietly when the client goes away meanwhile
                continue
            piece = part
            delta: dict[str, Any] = {"content": piece}
            if n == 0:
                delta["role"] = "assistant"
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
            await resp.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            n += 1
        end = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        await resp.write(f"data: {json.dumps(end)}\n\n".encode())
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()


async def _serve(port: int, mode: str) -> None:
    server = await FakeOpenAI(port=port, default=MODES[mode]).start()
    print(
        f"fake OpenAI-compatible server ({mode}): ANNING_LLM__BASE_URL={server.base_url} ANNING_LLM__MODEL={server.model}",
        flush=True,
    )
    await asyncio.Event().wait()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8088)
    ap.add_argument("--mode", choices=sorted(MODES), default="good")
    args = ap.parse_args()
    asyncio.run(_serve(args.port, args.mode))
