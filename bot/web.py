"""Web: one aiohttp app mounting every enabled channel's webhook under one prefix, plus /healthz.

Channels declare their routes as (method, path, handler) with paths relative to the prefix (`/telegram`), so a
reverse proxy forwards one prefix (default `/hooks`) and never changes when a channel is added. `anning serve`
builds the app with `build_web_app` and runs it with `serve` until SIGINT/SIGTERM.
Slow or half-open clients are cut off: a connection whose request headers are not complete (or that sits idle
between requests) is closed after settings.web.header_timeout_seconds, and a body not received within
settings.web.body_timeout_seconds gets 408.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Route = tuple[str, str, Handler]
MAX_BODY_BYTES = 1024 * 1024  # webhook bodies are small JSON/XML; larger ones get 413 before any handler reads them


def _prefix(settings: Settings) -> str:
    stripped = settings.web.prefix.strip("/")
    return f"/{stripped}" if stripped else ""


def build_web_app(settings: Settings, routes: list[Route], max_body_bytes: int = MAX_BODY_BYTES) -> web.Application:
    """The web app: every route under settings.web.prefix, GET {prefix}/healthz -> 200 "ok"; bodies over the limit -> 413."""
    prefix = _prefix(settings)
    deadline = _body_deadline(settings.web.body_timeout_seconds)
    app = web.Application(client_max_size=max_body_bytes, middlewares=[deadline])

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get(f"{prefix}/healthz", healthz)
    for method, path, handler in routes:
        app.router.add_route(method, f"{prefix}/{path.lstrip('/')}", handler)
    return app


def _body_deadline(seconds: float) -> Any:
    """Middleware: read the whole body (aiohttp keeps it for request.read/text/json) within `seconds`, else 408."""

    @web.middleware
    async def deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists:
            try:
                async with asyncio.timeout(seconds):
                    await request.read()
            except TimeoutError:
                return web.Response(status=408, text="request body too slow", headers={"Connection": "close"})
        return await handler(request)

    return deadline


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGINT or SIGTERM (where the event loop supports signal handlers)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)


async def serve(
    settings: Settings,
    app_obj: web.Application,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[int], None] | None = None,
) -> None:
    """Serve on settings.web.host:port until SIGINT/SIGTERM (or `stop`); in-flight requests finish first.

    on_ready receives the bound port (useful with port 0).
    """
    stop = stop or asyncio.Event()
    stop_on_signals(stop)
    # no access log: paths are harmless, but keep logs lean; aiohttp's keep-alive timer also runs while the first
    # request's headers are awaited, so it is the header read timeout too
    runner = web.AppRunner(app_obj, access_log=None, keepalive_timeout=settings.web.header_timeout_seconds)
    await runner.setup()
    site = web.TCPSite(runner, settings.web.host, settings.web.port)
    await site.start()
    addresses = runner.addresses  # the bound sockets: the real port when 0 was asked
    port = int(addresses[0][1]) if addresses else settings.web.port
    log.info("web: listening on %s:%d%s", settings.web.host, port, _prefix(settings))
    if on_ready is not None:
        on_ready(port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
