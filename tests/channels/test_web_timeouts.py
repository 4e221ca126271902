"""bot/web.py against slow clients: half-sent headers get the connection closed, a half-sent body gets 408."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.settings import Settings
from bot.web import build_web_app, serve

GENEROUS = 30.0  # an upper bound for waiting on EOF, not a speed requirement


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read())


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[int]:
    settings = Settings(data_dir=tmp_path)
    settings.web.host, settings.web.port = "127.0.0.1", 0
    settings.web.header_timeout_seconds = 0.5
    settings.web.body_timeout_seconds = 0.5
    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve(settings, build_web_app(settings, [("POST", "/echo", echo)]), stop, ready.set_result)
    )
    yield await ready
    stop.set()
    await task


async def read_all(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.read(), GENEROUS)  # read() returns at EOF


async def test_half_sent_headers_get_the_connection_closed(server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    writer.write(b"POST /hooks/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/pl")  # and then nothing
    await writer.drain()
    assert await read_all(reader) == b""  # closed by the server, no answer
    writer.close()


async def test_a_connection_that_sends_nothing_is_closed(server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    assert await read_all(reader) == b""
    writer.close()


async def test_half_sent_body_gets_408(server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    writer.write(b"POST /hooks/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789")
    await writer.drain()
    answer = await read_all(reader)
    assert answer.startswith(b"HTTP/1.1 408")
    writer.close()


async def test_a_whole_request_is_answered(server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    writer.write(b"POST /hooks/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
    await writer.drain()
    answer = await read_all(reader)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"hello")
    writer.close()
