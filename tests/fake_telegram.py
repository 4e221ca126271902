"""A fake Telegram Bot API server for end-to-end tests: aiohttp on 127.0.0.1, in the test's event loop.

Server side, as https://core.telegram.org/bots/api specifies: `POST|GET /bot<token>/<method>` with JSON,
form-urlencoded or multipart parameters (python-telegram-bot sends form data with JSON-encoded values, and
multipart when a file is uploaded); answers `{"ok": true, "result": ...}` or `{"ok": false, "error_code",
"description", "parameters"}`; dates in seconds; message ids increasing; `GET /file/bot<token>/<file_path>`
serves files. Methods: getMe, getUpdates (offset confirms, long polling with timeout, 409 while a webhook is set),
setWebhook/deleteWebhook/getWebhookInfo (updates are then POSTed to the webhook with the secret header),
sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery, sendDocument, getFile, setMyCommands, sendChatAction.

Client side, the tests play users: send_text (optionally forwarded, in a group, as a reply), send_photo,
send_document, press_button, send_update (anything else), then read what the bot did with sent_to / wait_for.
Failures can be injected per method: HTTP 502, a timeout (the answer comes too late and nothing is recorded),
or 429 with retry_after.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import ClientSession, ClientTimeout, web

T = TypeVar("T")

TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdef"
BOT_ID = 123456789
BOT_USERNAME = "AnningTestBot"

_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"}
_JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "link_preview_options", "reply_parameters", "scope"}


@dataclass
class Sent:
    """Something the bot sent (sendMessage / sendDocument), as the server recorded it."""

    method: str
    chat_id: int
    message_id: int
    message: dict[str, Any]  # the Message object returned to the bot
    text: str = ""
    reply_markup: dict[str, Any] | None = None
    file_name: str = ""
    data: bytes = b""
    at: float = 0.0  # time.monotonic() when received

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    @property
    def is_document(self) -> bool:
        """True for sendDocument."""
        return self.method == "sendDocument"


@dataclass
class Failure:
    """An injected failure for the next `times` calls of a method."""

    mode: str  # "502" | "timeout" | "429"
    times: int
    retry_after: int = 1
    delay: float = 2.0  # for "timeout": how late the answer comes


@dataclass
class StoredFile:
    """A file the fake server holds (sent by a user or by the bot)."""

    file_id: str
    unique_id: str
    path: str
    data: bytes
    declared: int | None = None  # the size getFile reports, when it should lie


@dataclass
class Served:
    """One file download as the server saw it: bytes written before the client finished or hung up."""

    path: str
    written: int = 0
    complete: bool = False
    aborted: bool = False


@dataclass
class FakeTelegram:
    """The fake Bot API server plus client helpers."""

    token: str = TOKEN
    bot_username: str = BOT_USERNAME
    webhook_lanes: int = 1  # parallel webhook deliveries (each user always on the same lane, so in order)
    port: int = 0
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    chat_actions: list[tuple[int, str]] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    served: list[Served] = field(default_factory=list)
    webhook_statuses: list[int] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    failures: dict[str, list[Failure]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._lanes: list[asyncio.Queue[dict[str, Any] | None]] = []
        self._lane_tasks: list[asyncio.Task[None]] = []
        self.on_sent: Callable[[Sent], None] | None = None  # hook for benchmarks

    # -- lifecycle --------------------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> FakeTelegram:
        """Listen on 127.0.0.1 (a free port unless one is given)."""
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        """Stop webhook delivery and the server."""
        for lane in self._lanes:
            lane.put_nowait(None)
        for task in self._lane_tasks:
            task.cancel()
        await asyncio.gather(*self._lane_tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """For Bot(base_url=...): the token and method are appended."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For Bot(base_file_url=...)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def fail(self, method: str, times: int = 1, mode: str = "502", retry_after: int = 1, delay: float = 2.0) -> None:
        """Make the next `times` calls of `method` fail: "502" (Bad Gateway), "timeout" (answer after `delay`
        seconds, nothing done), "429" (flood control with retry_after)."""
        self.failures.setdefault(method, []).append(Failure(mode, times, retry_after, delay))

    # -- server ----------------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _params(request)
        self.calls.append((method, params))
        failure = self._take_failure(method)
        if failure is not None:
            if failure.mode == "timeout":
                await asyncio.sleep(failure.delay)
                return _error(502, "Bad Gateway")
            if failure.mode == "429":
                return _error(
                    429, f"Too Many Requests: retry after {failure.retry_after}", {"retry_after": failure.retry_after}
                )
            return _error(502, "Bad Gateway")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        result = await handler(params, files)
        if isinstance(result, web.StreamResponse):
            return result
        return web.json_response({"ok": True, "result": result})

    def _take_failure(self, method: str) -> Failure | None:
        queue = self.failures.get(method)
        while queue:
            failure = queue[0]
            if failure.times > 0:
                failure.times -= 1
                return failure
            queue.pop(0)
        return None

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        stored = next((f for f in self._files.values() if f.path == path), None)
        if stored is None:
            return web.Response(status=404)
        self.downloads.append(path)
        served = Served(path)
        self.served.append(served)
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)  # no Content-Length: chunked, so only reading tells the size
        try:
            for at in range(0, len(stored.data), 64 * 1024):
                chunk = stored.data[at : at + 64 * 1024]
                await response.write(chunk)
                served.written += len(chunk)
            await response.write_eof()
            served.complete = True
        except (ConnectionError, asyncio.CancelledError):
            served.aborted = True
            raise
        return response

    def bot_user(self) -> dict[str, Any]:
        """The bot as a User object."""
        return {"id": BOT_ID, "is_bot": True, "first_name": "安宁", "username": self.bot_username}

    async def _m_getMe(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getUpdates(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        if self.webhook_url:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook")
        offset = int(p.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return self._updates[:limit]

    async def _m_setWebhook(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        self.webhook_url = str(p.get("url") or "")
        self.webhook_secret = str(p.get("secret_token") or "")
        if self.webhook_url:
            await self._start_lanes()
            pending, self._updates = self._updates, []
            for update in pending:
                self._deliver(update)
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        self.webhook_url = ""
        if str(p.get("drop_pending_updates", "")).lower() == "true":
            self._updates = []
        return True

    async def _m_getWebhookInfo(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _m_setMyCommands(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        self.commands = list(p.get("commands") or [])
        return True

    async def _m_sendChatAction(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        self.chat_actions.append((int(p["chat_id"]), str(p.get("action"))))
        return True

    async def _m_answerCallbackQuery(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        self.callback_answers.append(p)
        return True

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": "supergroup" if chat_id < -1_000_000_000_000 else "group", "title": "测试群"}

    def _record(self, method: str, chat_id: int, message: dict[str, Any], **extra: Any) -> Sent:
        sent = Sent(method, chat_id, message["message_id"], message, at=time.monotonic(), **extra)
        self.sent.append(sent)
        if self.on_sent is not None:
            self.on_sent(sent)
        return sent

    async def _m_sendMessage(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        text = str(p.get("text") or "")
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return _error(400, "Bad Request: message is too long")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user(),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            "text": text,
        }
        markup = p.get("reply_markup")
        if markup:
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data", "")
                    if len(data.encode()) > 64:
                        return _error(400, "Bad Request: BUTTON_DATA_INVALID")
            message["reply_markup"] = markup
        self._record("sendMessage", chat_id, message, text=text, reply_markup=markup or None)
        return message

    async def _m_editMessageText(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        message_id = int(p["message_id"])
        original = next((s for s in self.sent if s.chat_id == chat_id and s.message_id == message_id), None)
        if original is None:
            return _error(400, "Bad Request: message to edit not found")
        text = str(p.get("text") or "")
        if (
            text == original.message.get("text")
            and not p.get("reply_markup")
            and "reply_markup" not in original.message
        ):
            return _error(400, "Bad Request: message is not modified")
        message = {**original.message, "text": text, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        original.message = message
        original.reply_markup = p.get("reply_markup") or None  # editing the text without a keyboard removes it
        self.edits.append({"chat_id": chat_id, "message_id": message_id, "text": text, "at": time.monotonic()})
        return message

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        message_id = int(p["message_id"])
        original = next((s for s in self.sent if s.chat_id == chat_id and s.message_id == message_id), None)
        if original is None:
            return _error(400, "Bad Request: message to edit not found")
        markup = p.get("reply_markup") or None
        if markup is None and "reply_markup" not in original.message:
            return _error(400, "Bad Request: message is not modified")
        message = {**original.message, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        original.message = message
        original.reply_markup = markup
        self.edits.append({"chat_id": chat_id, "message_id": message_id, "reply_markup": markup})
        return message

    async def _m_sendDocument(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        ref = str(p.get("document") or "")
        part = f.get(ref.removeprefix("attach://")) if ref.startswith("attach://") else f.get("document")
        if part is None:
            return _error(400, "Bad Request: there is no document in the request")
        name, data = part
        stored = self._store(data, f"documents/{name}")
        message = {
            "message_id": next(self._message_ids),
            "from": self.bot_user(),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "file_name": name,
                "mime_type": "application/octet-stream",
                "file_size": len(data),
            },
        }
        if p.get("caption"):
            message["caption"] = p["caption"]
        self._record("sendDocument", chat_id, message, file_name=name, data=data, text=str(p.get("caption") or ""))
        return message

    async def _m_getFile(self, p: dict[str, Any], f: dict[str, Any]) -> Any:
        stored = self._files.get(str(p.get("file_id")))
        if stored is None:
            return _error(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": stored.declared if stored.declared is not None else len(stored.data),
            "file_path": stored.path,
        }

    def _store(self, data: bytes, path_hint: str) -> StoredFile:
        n = next(self._file_ids)
        stored = StoredFile(f"FILE{n:06d}", f"U{n:06d}", f"{path_hint}_{n}", data)
        self._files[stored.file_id] = stored
        return stored

    # -- webhook delivery -------------------------------------------------------------------------------------

    async def _start_lanes(self) -> None:
        if self._lanes:
            return
        self._client = ClientSession(timeout=ClientTimeout(total=30))
        for _ in range(max(1, self.webhook_lanes)):
            queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
            self._lanes.append(queue)
            self._lane_tasks.append(asyncio.create_task(self._lane(queue)))

    async def _lane(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        while True:
            update = await queue.get()
            if update is None:
                queue.task_done()
                return
            assert self._client is not None
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
            try:
                async with self._client.post(self.webhook_url, json=update, headers=headers) as resp:
                    self.webhook_statuses.append(resp.status)
            except OSError:
                self.webhook_statuses.append(0)
            finally:
                queue.task_done()

    async def delivered(self) -> None:
        """Wait until every update pushed to the webhook so far was posted and answered (the bot has queued it)."""
        await asyncio.gather(*(lane.join() for lane in self._lanes))

    def _deliver(self, update: dict[str, Any]) -> None:
        user = _update_user(update)
        self._lanes[user % len(self._lanes)].put_nowait(update)

    # -- client side: users ------------------------------------------------------------------------------------

    async def send_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue (or push to the webhook) an update body; the update_id is assigned here."""
        update = {"update_id": next(self._update_ids), **payload}
        if self.webhook_url:
            self._deliver(update)
        else:
            self._updates.append(update)
            self._new_update.set()
        return update

    def user(self, uid: int) -> dict[str, Any]:
        """A User object for a test user."""
        return {"id": uid, "is_bot": False, "first_name": f"User{uid}", "language_code": "zh-hans"}

    def message(
        self,
        uid: int,
        chat_id: int | None = None,
        forward_date: datetime | int | None = None,
        reply_to: Sent | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A Message object from a user (private chat unless chat_id is a group's)."""
        chat = self._chat(chat_id if chat_id is not None else uid)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.user(uid),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if forward_date is not None:
            stamp = int(forward_date.timestamp()) if isinstance(forward_date, datetime) else int(forward_date)
            message["forward_origin"] = {"type": "hidden_user", "sender_user_name": "催收", "date": stamp}
        if reply_to is not None:
            message["reply_to_message"] = reply_to.message
        return message

    async def send_text(
        self,
        uid: int,
        text: str,
        forward_date: datetime | int | None = None,
        chat_id: int | None = None,
        reply_to: Sent | None = None,
    ) -> dict[str, Any]:
        """A user types (or forwards) a text message."""
        msg = self.message(uid, chat_id, forward_date, reply_to, text=text)
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}]
        return await self.send_update({"message": msg})

    async def send_photo(self, uid: int, png: bytes, caption: str | None = None) -> dict[str, Any]:
        """A user sends a picture: Telegram offers a thumbnail and the full size (the bot must take the largest)."""
        thumb = self._store(b"thumbnail, not the picture", "photos/thumb")
        full = self._store(png, "photos/full")
        sizes = [
            {"file_id": thumb.file_id, "file_unique_id": thumb.unique_id, "width": 90, "height": 160, "file_size": 26},
            {
                "file_id": full.file_id,
                "file_unique_id": full.unique_id,
                "width": 720,
                "height": 1280,
                "file_size": len(png),
            },
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return await self.send_update({"message": self.message(uid, **content)})

    async def send_document(
        self, uid: int, name: str, data: bytes, mime: str = "application/octet-stream", declared_size: int | None = None
    ) -> dict[str, Any]:
        """A user sends a file; declared_size fakes what Telegram reports (e.g. 20 MB) without the bytes."""
        stored = self._store(data, "documents/in")
        stored.declared = declared_size
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": name,
            "mime_type": mime,
            "file_size": declared_size if declared_size is not None else len(data),
        }
        return await self.send_update({"message": self.message(uid, document=document)})

    async def press_button(self, uid: int, message: Sent, callback_data: str) -> dict[str, Any]:
        """A user presses an inline button under a message the bot sent."""
        query = {
            "id": f"cq{next(self._update_ids)}",
            "from": self.user(uid),
            "message": message.message,
            "chat_instance": f"ci{message.chat_id}",
            "data": callback_data,
        }
        return await self.send_update({"callback_query": query})

    # -- client side: what the bot did -------------------------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[Sent]:
        """Messages and documents the bot sent to a chat (a user's private chat id is the user id)."""
        return [s for s in self.sent if s.chat_id == chat_id]

    def texts_to(self, chat_id: int) -> list[str]:
        """Texts the bot sent to a chat."""
        return [s.text for s in self.sent_to(chat_id) if not s.is_document]

    def method_calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of a method."""
        return [p for m, p in self.calls if m == method]

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 15.0) -> T:
        """Wait until predicate() is truthy; return its value (AssertionError after timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s; bot sent: {[s.text[:60] for s in self.sent]}")
            await asyncio.sleep(0.01)

    async def wait_replies(self, chat_id: int, count: int, timeout: float = 15.0) -> list[Sent]:
        """Wait until the bot has sent at least `count` things to a chat; return them all."""

        def enough() -> list[Sent]:
            sent = self.sent_to(chat_id)
            return sent if len(sent) >= count else []

        return await self.wait_for(enough, timeout)


def _update_user(update: dict[str, Any]) -> int:
    for key in ("message", "edited_message", "callback_query", "channel_post"):
        body = update.get(key)
        if isinstance(body, dict):
            sender = body.get("from") or body.get("chat") or {}
            return int(sender.get("id", 0))
    return 0


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


async def _params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Parameters from the query string and a JSON, form-urlencoded or multipart body; files by field name."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
            return params, files
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = (value.filename, value.file.read())
            else:
                params[name] = value
    for name in list(params):
        value = params[name]
        if not isinstance(value, str):
            continue
        if name in _INT_FIELDS:
            with contextlib.suppress(ValueError):
                params[name] = int(value)
        elif name in _JSON_FIELDS:
            params[name] = json.loads(value)
    return params, files


async def _console(port: int) -> None:
    """Play one Telegram user from this terminal against a bot running on the fake server."""
    import sys

    server = await FakeTelegram().start(port)
    print(f"fake Bot API on 127.0.0.1:{server.port}. Run the bot in another terminal with:")
    print(f"  ANNING_TELEGRAM__TOKEN={server.token} ANNING_TELEGRAM__BASE_URL={server.base_url} \\")
    print(f"  ANNING_TELEGRAM__BASE_FILE_URL={server.base_file_url} .venv/bin/anning telegram")
    print("Then type messages here as Telegram user 1001 (Ctrl-D to stop).")

    async def printer() -> None:
        seen = 0
        while True:
            sent = server.sent_to(1001)
            for item in sent[seen:]:
                shown = item.text or f"(file {item.file_name}, {len(item.data)} bytes)"
                buttons = [b["text"] for row in (item.reply_markup or {}).get("inline_keyboard", []) for b in row]
                print(f"[bot] {shown}" + (f"\n      buttons: {buttons}" if buttons else ""), flush=True)
            seen = len(sent)
            await asyncio.sleep(0.3)

    task = asyncio.create_task(printer())
    try:
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                break
            if line.strip():
                await server.send_text(1001, line.rstrip("\n"))
    finally:
        await asyncio.sleep(1)
        task.cancel()
        await server.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="fake Telegram Bot API server with a one-user console")
    parser.add_argument("--port", type=int, default=8081)
    asyncio.run(_console(parser.parse_args().port))
