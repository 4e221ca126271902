"""A fake WeChat server API for tests: Official Account (公众号) and WeCom (企业微信), aiohttp on 127.0.0.1.

Server side, as the WeChat and WeCom server-API documents specify, one app of each kind:

- `GET /cgi-bin/token?grant_type=client_credential&appid&secret` (MP) and `GET /cgi-bin/gettoken?corpid&corpsecret`
  (WeCom) issue a fresh access token on every fetch (`expires_in` 7200); wrong credentials get 40013 / 40001;
- every other call checks its `access_token` query parameter: unknown gets 40001 "invalid credential", a token
  made stale by `expire_tokens()` gets 42001 "access_token expired"; an MP token is unknown to WeCom and back;
  with `latest_only`, a new token makes the earlier ones of its kind unknown (WeChat, once its 5-minute grace for
  the previous token has passed);
- `POST /cgi-bin/message/custom/send` (MP customer-service message) and `POST /cgi-bin/message/send` (WeCom app
  message, with agentid) record what was sent; JSON bodies are read as UTF-8 and, as WeChat clients show them,
  \\uXXXX escapes stay literal (so a client that escapes non-ASCII text is caught);
- `POST /cgi-bin/media/upload?type=...` takes the multipart field "media"; `GET /cgi-bin/media/get?media_id=...`
  serves uploaded media and media added with `add_media` (Content-Length, or chunked when `chunked_media`), or
  40007 "invalid media_id" as JSON (text/plain from MP, application/json from WeCom, like the real ones);
- `POST /cgi-bin/menu/create` (MP) records the menu.

Answers are JSON `{"errcode": ..., "errmsg": ...}` (plus the method's fields). `fail()` injects an errcode (or an
HTTP status) for the next calls of one endpoint; `token_delay` slows the token endpoints (to test single-flight).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u")  # a \uXXXX escape (not an escaped backslash followed by u)
_MEDIA_TYPES = {"image", "voice", "video", "file", "thumb"}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "audio/amr": "amr", "video/mp4": "mp4"}


@dataclass
class SentMessage:
    """A message the bot pushed, as the server recorded it."""

    kind: str  # "mp" (customer-service message) | "work" (WeCom app message)
    to_user: str
    msgtype: str
    content: str  # the text, or the media_id of a file / image
    agent_id: int | None
    at: float  # time.monotonic() when received


@dataclass
class _Failure:
    errcode: int
    errmsg: str
    times: int
    status: int


class FakeWeChat:
    """The fake server (both kinds of account at once) plus what tests read."""

    def __init__(
        self,
        app_id: str = "wx_test_app",
        secret: str = "test-secret",
        corp_id: str = "ww_test_corp",
        corp_secret: str = "test-corp-secret",
    ) -> None:
        self.app_id = app_id
        self.secret = secret
        self.corp_id = corp_id
        self.corp_secret = corp_secret
        self.token_fetches = 0
        self.token_delay = 0.0
        self.latest_only = False
        self.chunked_media = False
        self.sent: list[SentMessage] = []
        self.menus: list[dict[str, Any]] = []
        self.uploads: dict[str, tuple[str, bytes]] = {}
        self.calls: list[str] = []  # every request's path, in order
        self.issued: list[str] = []  # every token handed out, in order
        self.raw_bodies: list[bytes] = []  # JSON bodies as received
        self._tokens: dict[str, str] = {}  # valid token -> kind
        self._expired: set[str] = set()
        self._media: dict[str, tuple[bytes, str]] = {}  # media_id -> (data, content type)
        self._failures: dict[str, list[_Failure]] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle and test controls ----------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on 127.0.0.1 on a free port; returns the base URL."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/message/send", self._work_send)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_post("/cgi-bin/media/upload", self._media_upload)
        app.router.add_post("/cgi-bin/menu/create", self._menu_create)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.base_url

    async def close(self) -> None:
        """Stop the server."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """For WeChatApi(base_url=...)."""
        return f"http://127.0.0.1:{self.port}"

    def add_media(self, data: bytes, content_type: str = "image/jpeg") -> str:
        """Media a user sent (a picture, a voice note, a file): returns the media_id the bot can download."""
        media_id = f"media_{next(self._ids)}_{secrets.token_hex(4)}"
        self._media[media_id] = (data, content_type)
        return media_id

    def fail(self, path_suffix: str, errcode: int, times: int = 1, errmsg: str = "injected", status: int = 200) -> None:
        """The next `times` calls of the endpoint ending in `path_suffix` ("token", "gettoken",
        "message/custom/send", ...) answer `errcode` (with HTTP `status`; 5xx answers carry no JSON)."""
        key = path_suffix.strip("/")
        self._failures.setdefault(key, []).append(_Failure(errcode, errmsg, times, status))

    def expire_tokens(self) -> None:
        """Every token issued so far becomes stale (its next use gets 42001)."""
        self._expired.update(self._tokens)
        self._tokens.clear()

    async def wait_sent(self, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Wait until at least `count` messages were sent; return them all (AssertionError after timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.sent) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s with {len(self.sent)} of {count} messages sent")
            await asyncio.sleep(0.01)
        return list(self.sent)

    def sent_to(self, to_user: str) -> list[SentMessage]:
        """Messages sent to one openid / userid."""
        return [m for m in self.sent if m.to_user == to_user]

    # -- helpers --------------------------------------------------------------------------------------------------

    def _injected(self, request: web.Request) -> web.Response | None:
        path = request.path
        self.calls.append(path)
        for key, queue in self._failures.items():
            if not path.endswith("/" + key):
                continue
            while queue:
                failure = queue[0]
                if failure.times <= 0:
                    queue.pop(0)
                    continue
                failure.times -= 1
                if failure.status >= 500:
                    return web.Response(status=failure.status, text="Bad Gateway")
                return _answer(failure.errcode, failure.errmsg, status=failure.status)
        return None

    def _check_token(self, request: web.Request, kinds: set[str]) -> tuple[str | None, web.Response | None]:
        token = request.query.get("access_token", "")
        if token in self._expired:
            return None, _answer(42001, "access_token expired")
        kind = self._tokens.get(token)
        if kind is None or kind not in kinds:
            return None, _answer(40001, "invalid credential, access_token is invalid or not latest")
        return kind, None

    async def _json_body(self, request: web.Request) -> dict[str, Any] | None:
        raw = await request.read()
        self.raw_bodies.append(raw)
        try:
            body = json.loads(_ESCAPE.sub(rb"\1\\\\u", raw).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return body if isinstance(body, dict) else None

    def _issue(self, kind: str) -> web.Response:
        token = f"{kind}_tok_{next(self._ids)}_{secrets.token_urlsafe(24)}"
        if self.latest_only:
            self._tokens = {t: k for t, k in self._tokens.items() if k != kind}
        self._tokens[token] = kind
        self.issued.append(token)
        if kind == "mp":
            return web.json_response({"access_token": token, "expires_in": 7200})
        return _answer(0, "ok", access_token=token, expires_in=7200)

    # -- endpoints --------------------------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        self.token_fetches += 1
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if (injected := self._injected(request)) is not None:
            return injected
        q = request.query
        if q.get("grant_type") != "client_credential":
            return _answer(40002, "invalid grant_type")
        if q.get("appid") != self.app_id:
            return _answer(40013, "invalid appid")
        if q.get("secret") != self.secret:
            return _answer(40001, "AppSecret error or AppSecret does not belong to this AppID")
        return self._issue("mp")

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.token_fetches += 1
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if (injected := self._injected(request)) is not None:
            return injected
        q = request.query
        if q.get("corpid") != self.corp_id:
            return _answer(40013, "invalid corpid")
        if q.get("corpsecret") != self.corp_secret:
            return _answer(40001, "invalid secret")
        return self._issue("work")

    async def _custom_send(self, request: web.Request) -> web.Response:
        if (injected := self._injected(request)) is not None:
            return injected
        _, refused = self._check_token(request, {"mp"})
        if refused is not None:
            return refused
        body = await self._json_body(request)
        if body is None:
            return _answer(47001, "data format error")
        return self._record("mp", body, None)

    async def _work_send(self, request: web.Request) -> web.Response:
        if (injected := self._injected(request)) is not None:
            return injected
        _, refused = self._check_token(request, {"work"})
        if refused is not None:
            return refused
        body = await self._json_body(request)
        if body is None:
            return _answer(40058, "json format error")
        agent_id = body.get("agentid")
        if not isinstance(agent_id, int) or isinstance(agent_id, bool):
            return _answer(40056, "invalid agentid")
        return self._record("work", body, agent_id)

    def _record(self, kind: str, body: dict[str, Any], agent_id: int | None) -> web.Response:
        to_user = body.get("touser")
        msgtype = body.get("msgtype")
        if not isinstance(to_user, str) or not to_user:
            return (
                _answer(40003, "invalid openid") if kind == "mp" else _answer(81013, "user & party & tag all invalid")
            )
        part = body.get(msgtype) if isinstance(msgtype, str) else None
        if not isinstance(part, dict):
            return _answer(40008, "invalid message type")
        if msgtype == "text":
            content = part.get("content")
            if not isinstance(content, str) or not content:
                return _answer(44003, "empty news data" if kind == "mp" else "empty content")
        else:
            content = part.get("media_id")
            if content not in self._media:
                return _answer(40007, "invalid media_id")
        self.sent.append(SentMessage(kind, to_user, msgtype, content, agent_id, time.monotonic()))
        return _answer(0, "ok")

    async def _media_get(self, request: web.Request) -> web.StreamResponse:
        if (injected := self._injected(request)) is not None:
            return injected
        kind, refused = self._check_token(request, {"mp", "work"})
        if refused is not None:
            return refused
        media_id = request.query.get("media_id", "")
        if media_id not in self._media:
            body = json.dumps({"errcode": 40007, "errmsg": "invalid media_id"})
            return web.Response(text=body, content_type="text/plain" if kind == "mp" else "application/json")
        data, content_type = self._media[media_id]
        name = f"{media_id}.{_EXTENSIONS.get(content_type, 'bin')}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if not self.chunked_media:
            return web.Response(body=data, content_type=content_type, headers=headers)
        resp = web.StreamResponse(headers={**headers, "Content-Type": content_type})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for start in range(0, len(data), 16 * 1024):
            await resp.write(data[start : start + 16 * 1024])
        await resp.write_eof()
        return resp

    async def _media_upload(self, request: web.Request) -> web.Response:
        if (injected := self._injected(request)) is not None:
            return injected
        kind, refused = self._check_token(request, {"mp", "work"})
        if refused is not None:
            return refused
        media_type = request.query.get("type", "")
        if media_type not in _MEDIA_TYPES or (kind == "mp" and media_type == "file"):
            return _answer(40004, "invalid media type")
        if not request.content_type.startswith("multipart/"):
            return _answer(41005, "media data missing")
        form = await request.post()
        field = form.get("media")
        if not isinstance(field, web.FileField):
            return _answer(41005, "media data missing")
        data = field.file.read()
        if not data:
            return _answer(40005, "invalid file size")
        media_id = f"up_{next(self._ids)}_{secrets.token_hex(8)}"
        self.uploads[media_id] = (field.filename, data)
        self._media[media_id] = (data, field.content_type or "application/octet-stream")
        created = str(int(time.time()))
        if kind == "mp":
            return web.json_response({"type": media_type, "media_id": media_id, "created_at": int(created)})
        return _answer(0, "", type=media_type, media_id=media_id, created_at=created)

    async def _menu_create(self, request: web.Request) -> web.Response:
        if (injected := self._injected(request)) is not None:
            return injected
        _, refused = self._check_token(request, {"mp"})
        if refused is not None:
            return refused
        body = await self._json_body(request)
        if body is None:
            return _answer(47001, "data format error")
        buttons = body.get("button")
        if not isinstance(buttons, list) or not buttons or len(buttons) > 3:
            return _answer(40016, "invalid button size")
        self.menus.append(body)
        return _answer(0, "ok")


def _answer(errcode: int, errmsg: str, status: int = 200, **fields: Any) -> web.Response:
    body = {"errcode": errcode, "errmsg": errmsg, **fields}
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))
