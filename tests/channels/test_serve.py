"""`anning serve` wiring: every configured channel mounted under one prefix, plus /healthz and /files."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from bot.settings import PROJECT_ROOT, Settings
from bot.web import build_web_app
from bot.wiring import App, start_webhooks
from tests.fake_wechat import FakeWeChat
from tests.support import run_cli
from tests.wechat_support import Signer


async def test_serve_mounts_wechat_and_wecom_under_one_prefix(app: App, settings: Settings) -> None:
    fake = FakeWeChat()
    await fake.start()
    settings.wechat_mp.token = SecretStr("mpToken")
    settings.wechat_mp.app_id = fake.app_id
    settings.wechat_mp.app_secret = SecretStr(fake.secret)
    settings.wechat_mp.api_base_url = fake.base_url
    settings.wecom.token = SecretStr("workToken")
    settings.wecom.corp_id = fake.corp_id
    settings.wecom.corp_secret = SecretStr(fake.corp_secret)
    settings.wecom.encoding_aes_key = SecretStr("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
    settings.wecom.api_base_url = fake.base_url
    settings.web.public_url = "https://bot.example.org"
    async with ClientSession() as http:
        hooks = await start_webhooks(settings, app, http)
        assert hooks.names == ["wechat_mp", "wecom"]  # Telegram is off: no token
        runner = web.AppRunner(build_web_app(settings, hooks.routes), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
        try:
            async with http.get(f"{base}/healthz") as r:
                assert (r.status, await r.text()) == (200, "ok")
            async with http.get(f"{base}/wechat/mp", params={**Signer("mpToken").query(), "echostr": "42"}) as r:
                assert (r.status, await r.text()) == (200, "42")
            async with http.get(f"{base}/wechat/work", params={"echostr": "x"}) as r:
                assert r.status == 403
            async with http.get(f"{base}/files/not-a-token") as r:
                assert r.status == 404
        finally:
            await runner.cleanup()
            await hooks.stop()
    await fake.close()


@pytest.mark.slow
def test_serve_without_any_channel_says_what_to_set(tmp_path: Path) -> None:
    result = run_cli(["serve"], tmp_path)
    assert result.returncode == 2
    assert "ANNING_WECHAT_MP__TOKEN" in result.stderr and "ANNING_TELEGRAM__TOKEN" in result.stderr


@pytest.mark.slow
def test_wechat_menu_is_shown_without_credentials(tmp_path: Path) -> None:
    result = run_cli(["wechat-menu", "--show"], tmp_path)
    assert result.returncode == 0 and "cmd:steps" in result.stdout and "七步应对" in result.stdout
    result = run_cli(["wechat-menu"], tmp_path)
    assert result.returncode == 2 and "APP_SECRET" in result.stderr


@pytest.mark.slow
async def test_wechat_menu_installs_the_menu_with_the_servers_shared_token(tmp_path: Path) -> None:
    fake = FakeWeChat()
    await fake.start()
    fake.latest_only = True  # a second token would knock out the running server's one
    env = {
        **os.environ,
        "ANNING_DATA_DIR": str(tmp_path),
        "ANNING_WECHAT_MP__APP_ID": fake.app_id,
        "ANNING_WECHAT_MP__APP_SECRET": fake.secret,
        "ANNING_WECHAT_MP__API_BASE_URL": fake.base_url,
    }
    try:
        for _ in range(2):  # the command twice: the second run uses the token the first one stored
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "wechat-menu",
                cwd=PROJECT_ROOT,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), 120)
            assert proc.returncode == 0, err.decode()
            assert "menu installed" in out.decode()
        assert len(fake.menus) == 2 and fake.token_fetches == 1
    finally:
        await fake.close()
