"""CLI, channels: `anning chat` (terminal), `anning telegram` (long polling), `anning serve` (webhooks), `wechat-menu`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import TYPE_CHECKING

from bot.cli.common import load_settings, notice

if TYPE_CHECKING:
    from collections.abc import Callable

    from langchain_core.embeddings import Embeddings
    from prometheus_client import CollectorRegistry

    from bot.settings import Settings
    from bot.wiring import Service

log = logging.getLogger(__name__)


def _run_foreground(args: argparse.Namespace, name: str, user: str | None = None) -> int:
    """Build the application, then run one registered channel in the foreground until it ends."""
    from bot.channels.base import Foreground
    from bot.wiring import build_app, build_channel

    settings = load_settings(args)

    async def main() -> None:
        app = await build_app(settings, notice)
        try:
            channel = build_channel(settings, app, name, user=user)
            if not isinstance(channel, Foreground):
                raise TypeError(f"the {name} channel cannot run in the foreground")
            await channel.run()
        finally:
            await app.close()

    asyncio.run(main())
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Terminal chat on the embedded defaults; --jsonl: the evaluation contract instead of a chat."""
    if args.jsonl:
        return _run_jsonl(args)
    return _run_foreground(args, "terminal", user=args.user)


def _run_jsonl(args: argparse.Namespace) -> int:
    from bot.channels.jsonl import run_jsonl
    from bot.wiring import build_app

    settings = load_settings(args)

    async def main() -> int:
        app = await build_app(settings, notice)
        try:
            return await run_jsonl(app.engine)
        finally:
            await app.close()

    return asyncio.run(main())


def cmd_telegram(args: argparse.Namespace) -> int:
    """Telegram bot, long polling (webhook mode: `anning serve`); polling starts before the index is loaded."""
    settings = load_settings(args)
    if not settings.telegram.token.get_secret_value():
        print("ANNING_TELEGRAM__TOKEN is not set (see deploy/env.example)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO)
    from bot.channels.telegram.channel import TelegramChannel
    from bot.wiring import channel_deps, open_service

    async def main() -> int:
        service = await open_service(settings)
        channel = TelegramChannel.build(channel_deps(settings, service.core, engine=service.gate))
        stop = asyncio.Event()
        warm = asyncio.create_task(_warm(service, stop))
        closer = asyncio.create_task(_close_gate_on(stop, service))
        try:
            await channel.run_polling(stop)
        finally:
            service.gate.close()
            closer.cancel()
            warm.cancel()
            await asyncio.gather(warm, closer, return_exceptions=True)
            await service.close()
        return 1 if service.failed else 0

    return asyncio.run(main())


def cmd_serve(args: argparse.Namespace) -> int:
    """One web app serving every enabled channel's webhook under settings.web.prefix, plus /healthz, /readyz,
    /metrics and /files. The port opens at once; the index loads in the background (/readyz says when it is done)."""
    from bot.wiring import webhook_channels, webhook_requirements

    settings = load_settings(args)
    if args.host:
        settings.web.host = args.host
    if args.port is not None:
        settings.web.port = args.port
    if not webhook_channels(settings):
        *first, last = webhook_requirements()
        needs = f"{', '.join(first)} or {last}" if first else last
        print(f"serve needs at least one channel: {needs}; see deploy/env.example", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO)

    return asyncio.run(run_serve(settings))


async def run_serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[int], None] | None = None,
    embeddings: Embeddings | None = None,
    registry: CollectorRegistry | None = None,
) -> int:
    """`anning serve` until SIGINT/SIGTERM or `stop`: the stores open, the port opens (on_ready gets it), then the
    channels start and the index loads in the background; exit status 1 when either fails."""
    from aiohttp import ClientSession

    from bot.ops.health import READY, failed, ops_routes
    from bot.web import build_web_app, serve
    from bot.wiring import build_webhooks, open_service, start_channels

    service = await open_service(settings, registry)
    stop = stop or asyncio.Event()
    async with ClientSession() as http:
        hooks, built = await build_webhooks(settings, service.core, http, engine=service.gate)

        async def channels() -> None:
            try:
                await start_channels(hooks, built)
            except Exception as exc:
                service.readiness.mark("channels", failed(exc))
                log.exception("a channel failed to start")
                service.failed = True
                stop.set()
                return
            service.readiness.mark("channels", READY)

        background: list[asyncio.Task[None]] = []

        def listening(port: int) -> None:
            """The port is open: now start the channels and load the index (the loading thread competes for the
            interpreter, so it starts only once the socket is bound)."""
            notice(f"serving: {', '.join(hooks.names)} under {settings.web.prefix} on port {port}")
            background.append(asyncio.create_task(channels()))
            background.append(asyncio.create_task(_warm(service, stop, embeddings)))
            background.append(asyncio.create_task(_close_gate_on(stop, service)))
            if on_ready is not None:
                on_ready(port)

        routes = [*hooks.routes, *ops_routes(service.readiness, service.metrics)]
        try:
            await serve(settings, build_web_app(settings, routes), stop=stop, on_ready=listening)
        finally:
            service.gate.close()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await hooks.stop()
            await service.close()
    return 1 if service.failed else 0


async def _warm(service: Service, stop: asyncio.Event, embeddings: Embeddings | None = None) -> None:
    """Build the engine in the background; a failure (e.g. a broken knowledge file) stops the process."""
    try:
        await service.warm_up(notice, embeddings)
    except Exception:
        log.exception("loading the knowledge index failed")
        service.failed = True
        stop.set()


async def _close_gate_on(stop: asyncio.Event, service: Service) -> None:
    """On SIGINT/SIGTERM: messages still waiting for the engine are left for the next start."""
    await stop.wait()
    service.gate.close()


def cmd_wechat_menu(args: argparse.Namespace) -> int:
    """Install the Official Account's custom menu through the WeChat API."""
    from aiohttp import ClientSession

    from bot.channels.wechat.api import WeChatApiError, api_for
    from bot.channels.wechat.mp import menu
    from bot.wiring import load_texts, open_token_store

    settings = load_settings(args)
    buttons = menu(load_texts())
    if args.show:
        print(json.dumps(buttons, ensure_ascii=False, indent=2))
        return 0

    async def main() -> int:
        mp = settings.wechat_mp
        if not (mp.app_id and mp.app_secret.get_secret_value()):
            print("wechat-menu needs ANNING_WECHAT_MP__APP_ID and __APP_SECRET", file=sys.stderr)
            return 2
        tokens, db = await open_token_store(settings)  # the server's token, not a new one that would replace it
        try:
            async with ClientSession() as http:
                api = api_for(settings, http, "mp", tokens)
                if api is None:  # checked above; kept for the type checker
                    return 2
                try:
                    await api.create_menu(buttons)
                except WeChatApiError as exc:
                    print(f"WeChat refused the menu: {exc}", file=sys.stderr)
                    return 1
        finally:
            await db.close()
        print("menu installed")
        return 0

    return asyncio.run(main())
