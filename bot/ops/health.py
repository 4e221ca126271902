"""Operations, health: what `{prefix}/readyz` reports (database, index, channels) and serves, beside /metrics.

`/healthz` (bot/web.py) says the process is alive. `/readyz` says whether it answers messages now: 200 with
`{"ready": true, ...}` once the database answers, the index is loaded and every channel has started; else 503 with
the same JSON naming what is not ready ("starting", "building", or "failed: <error type>"). A load balancer sends
traffic to ready replicas; channels still record what reaches a replica that is not ready and answer it when it is.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.ops.metrics import CONTENT_TYPE, Metrics

READY = "ready"
Ping = Callable[[], Awaitable[None]]

Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]


def verdict(states: dict[str, str]) -> tuple[bool, dict[str, object]]:
    """Pure: ready when every part is; the JSON body names each part's state."""
    ready = all(state == READY for state in states.values())
    return ready, {"ready": ready, **states}


def failed(exc: BaseException) -> str:
    """A part's state after `exc` (its type only: messages may carry paths or data)."""
    return f"failed: {type(exc).__name__}"


class Readiness:
    """The state of each part the service needs; the database is asked at each check."""

    def __init__(self, parts: tuple[str, ...], ping: Ping | None = None, ping_timeout: float = 2.0) -> None:
        self.states = dict.fromkeys(parts, "starting")
        self.ping = ping
        self.ping_timeout = ping_timeout
        self.on_change: Callable[[bool], None] | None = None

    def mark(self, part: str, state: str) -> None:
        """Set one part's state (READY, "building", or `failed(exc)`)."""
        self.states[part] = state
        if self.on_change is not None:
            self.on_change(all(s == READY for s in self.states.values()))

    async def check(self) -> tuple[bool, dict[str, object]]:
        """Ask the database now, then judge every part."""
        if self.ping is not None:
            try:
                async with asyncio.timeout(self.ping_timeout):
                    await self.ping()
                self.mark("database", READY)
            except Exception as exc:  # the database is down or too slow: not ready, whatever the reason
                self.mark("database", failed(exc))
        return verdict(self.states)


def ops_routes(readiness: Readiness, metrics: Metrics | None) -> list[Route]:
    """GET /readyz, and GET /metrics when metrics are kept (paths relative to the web prefix)."""

    async def readyz(request: web.Request) -> web.Response:
        ready, body = await readiness.check()
        return web.Response(status=200 if ready else 503, text=json.dumps(body), content_type="application/json")

    routes: list[Route] = [("GET", "/readyz", readyz)]
    if metrics is not None:

        async def scrape(request: web.Request) -> web.Response:
            body = await metrics.render()
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

        routes.append(("GET", "/metrics", scrape))
    return routes
