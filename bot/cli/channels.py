"""CLI, channels: `anning chat` (terminal), `anning telegram` (long polling), `anning serve` (webhooks), `wechat-menu`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

from bot.cli.common import load_settings, notice


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
    """Telegram bot, long polling (webhook mode: `anning serve`)."""
    if not load_settings(args).telegram.token.get_secret_value():
        print("ANNING_TELEGRAM__TOKEN is not set (see deploy/env.example)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO)
    return _run_foreground(args, "telegram")


def cmd_serve(args: argparse.Namespace) -> int:
    """One web app serving every enabled channel's webhook under settings.web.prefix, plus /healthz and /files."""
    from aiohttp import ClientSession

    from bot.web import build_web_app, serve
    from bot.wiring import build_app, start_webhooks, webhook_channels, webhook_requirements

    settings = load_settings(args)
    if not webhook_channels(settings):
        *first, last = webhook_requirements()
        needs = f"{', '.join(first)} or {last}" if first else last
        print(f"serve needs at least one channel: {needs}; see deploy/env.example", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO)

    async def main() -> None:
        app = await build_app(settings, notice)
        async with ClientSession() as http:
            hooks = await start_webhooks(settings, app, http)
            notice(f"serving: {', '.join(hooks.names)} under {settings.web.prefix}")
            try:
                await serve(settings, build_web_app(settings, hooks.routes))
            finally:
                await hooks.stop()
                await app.close()

    asyncio.run(main())
    return 0


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
