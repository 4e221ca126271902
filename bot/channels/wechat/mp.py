"""Channels (① and ⑥), WeChat Official Account (公众号): the callback at /wechat/mp, plain and safe mode.

In: GET with echostr verifies the URL; POST carries one message as XML (safe mode: AES-encrypted in an envelope).
Both are refused with 403 unless the signature matches (constant-time) and the timestamp is recent; malformed XML,
DTDs and entity tricks get 400 and nothing is processed; bodies over the web app's limit get 413.
Plain mode's signature does not cover the body, so with an EncodingAESKey configured only encrypted callbacks are
taken (safe or compatible mode, both checked by msg_signature), and a signed (timestamp, nonce) is good for one body
(storage/nonce_repo.py): WeChat's retries repeat the body and reach message-id de-duplication, a replayed URL with
another body gets 403.
Out: `Delivery` (delivery.py) decides between the passive reply, customer-service messages and the outbox.
Documents become signed download links (file_links.py), since an Official Account cannot send files.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from aiohttp import web

from bot.channels.base import Capabilities, Deps, Limiter, LocalLimiter, Outgoing, Verdict, limiter_for, register
from bot.channels.file_links import FileLinks
from bot.channels.wechat.api import WeChatApi, api_for
from bot.channels.wechat.common import (
    MAX_BYTES,
    SPLIT_BYTES,
    Decision,
    Nonces,
    decide,
    fresh_nonce,
    pack,
    platform_user,
    prepare,
    resume,
    texts_for,
    user_key,
)
from bot.channels.wechat.crypto import CryptoError, MessageCrypto, refusal
from bot.channels.wechat.delivery import Delivery
from bot.channels.wechat.xml_codec import BadXml, WeChatMessage, dedupe_key, parse_xml, render_text_reply, to_message
from bot.contract.messages import Reply
from bot.engine.gate import Answers
from bot.settings import Settings, WeChatMpSettings
from bot.storage.inbox_repo import Inbox
from bot.storage.outbox_repo import Outbox
from bot.texts import Texts
from bot.web import Route

log = logging.getLogger(__name__)

CHANNEL = "wechat_mp"
CAPABILITIES = Capabilities(buttons=False, files=False, max_bytes=MAX_BYTES)  # files become download links


def menu(texts: Texts) -> dict[str, Any]:
    """The custom menu ({"button": [...]}) named in texts; click keys map to commands (see xml_codec.menu_text)."""

    def click(command: str) -> dict[str, str]:
        return {"type": "click", "name": texts.get(f"wechat.menu.{command}"), "key": f"cmd:{command}"}

    more = {"name": texts.get("wechat.menu.more"), "sub_button": [click("draft"), click("help"), click("mydata")]}
    return {"button": [click("steps"), click("evidence"), more]}


class Rejected(Exception):
    """A callback refused before any processing: carries the HTTP status."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@register
class WeChatMpChannel:
    """The Official Account adapter: verify, parse, hand to Delivery, render the passive reply."""

    name: ClassVar[str] = CHANNEL
    section: ClassVar[str | None] = "wechat_mp"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    webhook: ClassVar[bool] = True
    requirement: ClassVar[str] = "WeChat Official Account (ANNING_WECHAT_MP__TOKEN, ...)"

    def __init__(
        self,
        engine: Answers,
        settings: WeChatMpSettings,
        texts: Texts,
        outbox: Outbox,
        api: WeChatApi | None,
        links: FileLinks | None,
        *,
        max_file_bytes: int = 10 * 1024 * 1024,
        hold_seconds: float | None = None,
        retry_window: float = 20.0,
        inbox: Inbox | None = None,
        nonces: Nonces | None = None,
        clock: Callable[[], float] = time.time,
        limiter: Limiter | None = None,
    ) -> None:
        self.engine = engine
        self.inbox = inbox
        self.nonces = nonces
        self.settings = settings
        self.texts = texts
        self.outbox = outbox
        self.api = api
        self.links = links
        self.max_file_bytes = max_file_bytes
        self.clock = clock
        self.token = settings.token.get_secret_value()
        key = settings.encoding_aes_key.get_secret_value()
        self.crypto = MessageCrypto(self.token, key, settings.app_id) if key else None
        budget = settings.reply_budget_seconds
        push = self._push if (api is not None and settings.customer_service) else None
        self.delivery = Delivery(
            outbox,
            texts,
            push,
            budget=budget,
            hold=hold_seconds if hold_seconds is not None else max(1.5, 6.5 - budget),  # well past WeChat's 5 s
            retry_window=retry_window,
            journal=inbox,
            channel=CHANNEL,
            max_backlog=settings.max_backlog,
        )
        self.limiter = limiter if limiter is not None else LocalLimiter(settings.rate_limit_per_minute)

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        """On when the callback token is set (the API credentials are optional: images, pushes, the menu)."""
        return bool(settings.wechat_mp.token.get_secret_value())

    @classmethod
    def build(cls, deps: Deps) -> WeChatMpChannel:
        """The channel on deps.settings.wechat_mp; the API client only with deps.http and the app credentials."""
        api = api_for(deps.settings, deps.http, "mp", deps.tokens) if deps.http is not None else None
        return cls(
            deps.engine,
            deps.settings.wechat_mp,
            deps.texts,
            deps.outbox,
            api,
            deps.links,
            max_file_bytes=deps.settings.max_file_bytes,
            inbox=deps.inbox,
            nonces=deps.nonces,
            limiter=limiter_for(deps, deps.settings.wechat_mp.rate_limit_per_minute),
        )

    @classmethod
    def preview(cls, reply: Reply, texts: Texts) -> list[Outgoing]:
        """The text messages of one reply, without download links (files named, as when links are off)."""
        out = texts_for([reply], texts, SPLIT_BYTES)
        out.extend(texts.get("wechat.file_no_link", name=f.name) for f in reply.files)
        return [Outgoing(text) for text in pack(out)]

    def routes(self) -> list[Route]:
        """The callback URL, relative to the web prefix."""
        return [("GET", "/wechat/mp", self.verify_url), ("POST", "/wechat/mp", self.callback)]

    async def start(self) -> None:
        """Resume what the last run left unfinished (WeChat's retries then find it); warn when plain mode leaves
        message bodies unauthenticated."""
        await self.resume()
        if self.crypto is None:
            log.warning(
                "wechat_mp: plain mode: the callback signature does not cover the message body, so a leaked callback "
                "URL lets its body be replaced within the timestamp window (a replayed nonce is refused); set "
                "ANNING_WECHAT_MP__ENCODING_AES_KEY and switch the account to safe mode (安全模式)"
            )

    async def resume(self) -> None:
        """Messages recorded and not finished by the last run become jobs again (before the port opens)."""
        await resume(self.inbox, CHANNEL, self.delivery, self._compute, retried=True)

    async def stop(self) -> None:
        """Finish or hold whatever is still being answered."""
        await self.close()

    async def close(self) -> None:
        """Finish or hold whatever is still being answered."""
        await self.delivery.close()

    # -- HTTP ---------------------------------------------------------------------------------------------------

    def _check(self, query: Mapping[str, str], *extra: str, signature_field: str = "signature") -> None:
        window = self.settings.timestamp_window_seconds
        reason = refusal(query, self.token, self.clock(), window, *extra, field=signature_field)
        if reason is not None:
            raise Rejected(403, reason)

    async def _admit(self, query: Mapping[str, str], body: bytes) -> None:
        """Refuse a signed (timestamp, nonce) seen before with another body: a captured URL replayed."""
        if not await fresh_nonce(self.nonces, CHANNEL, query, body):
            raise Rejected(403, "a replayed nonce with another body")

    async def verify_url(self, request: web.Request) -> web.StreamResponse:
        """GET: WeChat's URL verification; echo echostr when the signature is right."""
        try:
            self._check(request.query)
        except Rejected as exc:
            return web.Response(status=exc.status, text="forbidden")
        return web.Response(text=request.query.get("echostr", ""))

    async def callback(self, request: web.Request) -> web.StreamResponse:
        """POST: one message; the passive reply (or "success") in the response."""
        arrived = self.delivery.clock()  # WeChat's 5 seconds run from here, not from when the message is recorded
        query = request.query
        safe = query.get("encrypt_type", "raw") == "aes"
        try:
            self._check(query)
            if self.crypto is not None and not safe:
                raise Rejected(403, "a plain callback while safe mode is configured")
            body = await request.read()
            fields = parse_xml(body)
            if safe:
                if self.crypto is None:
                    raise Rejected(400, "safe mode without ANNING_WECHAT_MP__ENCODING_AES_KEY")
                encrypted = fields.get("Encrypt", "")
                self._check(query, encrypted, signature_field="msg_signature")
                fields = parse_xml(self.crypto.decrypt(encrypted))
            msg = to_message(fields)
            await self._admit(query, body)
        except Rejected as exc:
            log.info("wechat_mp: refused (%s)", exc)
            return web.Response(status=exc.status, text="forbidden" if exc.status == 403 else "bad request")
        except (BadXml, CryptoError) as exc:
            log.info("wechat_mp: unreadable callback (%s)", type(exc).__name__)
            return web.Response(status=400, text="bad request")
        text = await self.answer(msg, json.dumps(fields, ensure_ascii=False).encode(), arrived)
        if text is None:
            return web.Response(text="success")
        xml = render_text_reply(msg.from_user, msg.to_user, text, int(self.clock()))
        if safe and self.crypto is not None:
            xml = self.crypto.encrypt(xml, secrets.token_hex(8), str(int(self.clock())))
        return web.Response(text=xml, content_type="application/xml", charset="utf-8")

    # -- one message --------------------------------------------------------------------------------------------

    async def answer(self, msg: WeChatMessage, payload: bytes = b"", arrived: float | None = None) -> str | None:
        """The passive reply text for one callback attempt (None: "success"); `payload`: the message's fields, kept
        until it is answered so that a restart can compute it; `arrived`: when the callback came in."""
        key = user_key(CHANNEL, msg.from_user)
        dedupe = dedupe_key(msg)
        if not self.delivery.known(dedupe):
            verdict = await self.limiter.check(key)
            if verdict is Verdict.DROP:
                return None
            if verdict is Verdict.WARN:
                return self.texts.get("wechat.rate_limited")
        decision = decide(msg, CHANNEL, key)

        async def compute() -> list[str]:
            return await self._compute(decision, key)

        return await self.delivery.callback(dedupe, key, compute, payload, arrived)

    async def _compute(self, decision: Decision, key: str) -> list[str]:
        prepared = await prepare(decision, key, self.outbox, self.api, self.max_file_bytes, self.texts)
        if isinstance(prepared, list):
            return prepared
        replies = await self.engine.handle(prepared)
        return await self._render(key, replies)

    async def _render(self, key: str, replies: list[Reply]) -> list[str]:
        out: list[str] = []
        for reply in replies:
            out.extend(texts_for([reply], self.texts, SPLIT_BYTES))
            for file in reply.files:
                if self.links is not None and self.links.enabled:
                    url = await self.links.link(key, file)
                    validity = self.links.validity()
                    out.append(self.texts.get("wechat.file_link", name=file.name, validity=validity, url=url))
                else:
                    out.append(self.texts.get("wechat.file_no_link", name=file.name))
        return pack(out)

    async def _push(self, key: str, text: str) -> None:
        assert self.api is not None
        await self.api.send_text(platform_user(key), text)

    async def create_menu(self) -> None:
        """Install the custom menu (click keys map to commands, see xml_codec.menu_text)."""
        if self.api is None:
            raise RuntimeError("the menu needs ANNING_WECHAT_MP__APP_ID and __APP_SECRET")
        await self.api.create_menu(menu(self.texts))
