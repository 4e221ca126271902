"""Channels (① and ⑥), WeCom (企业微信) self-built app: the encrypted callback at /wechat/work, replies by app message.

In: GET verifies the URL (the echostr is encrypted); POST carries one encrypted message. Signature (constant-time)
and timestamp are checked first: 403 and nothing processed otherwise; malformed or hostile XML gets 400. A signed
(timestamp, nonce) is good for one body (storage/nonce_repo.py): WeChat's retries pass on to message-id
de-duplication, the same pair with another body gets 403.
Out: the callback is answered at once and the answer goes through the app message API, in order per person
(Delivery.enqueue); documents are uploaded as media and sent as real files. Whatever the API refuses is held in the
outbox and handed over with the person's next message.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import ClassVar

from aiohttp import web

from bot.channels.base import Capabilities, Deps, Limiter, LocalLimiter, Outgoing, Verdict, limiter_for, register
from bot.channels.wechat.api import WeChatApi, WeChatApiError, api_for
from bot.channels.wechat.common import (
    MAX_BYTES,
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
from bot.channels.wechat.xml_codec import BadXml, WeChatMessage, dedupe_key, parse_xml, to_message
from bot.contract.messages import Reply
from bot.engine.gate import Answers
from bot.settings import Settings, WeComSettings
from bot.storage.inbox_repo import Inbox
from bot.storage.outbox_repo import Outbox
from bot.texts import Texts
from bot.web import Route

log = logging.getLogger(__name__)

CHANNEL = "wecom"
CAPABILITIES = Capabilities(buttons=False, files=True, max_bytes=MAX_BYTES)
FILE_MARK = "\x00file:"  # an outgoing item that is an uploaded file: FILE_MARK + media_id + "\x00" + name


@register
class WeComChannel:
    """The WeCom app adapter: verify, decrypt, parse, answer at once, push the replies."""

    name: ClassVar[str] = CHANNEL
    section: ClassVar[str | None] = "wecom"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    webhook: ClassVar[bool] = True
    requirement: ClassVar[str] = "WeCom (ANNING_WECOM__TOKEN, __CORP_ID, __CORP_SECRET, ...)"

    def __init__(
        self,
        engine: Answers,
        settings: WeComSettings,
        texts: Texts,
        outbox: Outbox,
        api: WeChatApi,
        *,
        max_file_bytes: int = 10 * 1024 * 1024,
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
        self.max_file_bytes = max_file_bytes
        self.clock = clock
        self.token = settings.token.get_secret_value()
        self.crypto = MessageCrypto(
            self.token, settings.encoding_aes_key.get_secret_value(), settings.corp_id, work=True
        )
        self.delivery = Delivery(
            outbox, texts, self._push, journal=inbox, channel=CHANNEL, max_backlog=settings.max_backlog
        )
        self.limiter = limiter if limiter is not None else LocalLimiter(settings.rate_limit_per_minute)

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        """On when the callback token and the app credentials (every answer goes through the API) are set."""
        work = settings.wecom
        return bool(work.token.get_secret_value() and work.corp_id and work.corp_secret.get_secret_value())

    @classmethod
    def build(cls, deps: Deps) -> WeComChannel:
        """The channel on deps.settings.wecom; it needs deps.http for the app message API."""
        api = api_for(deps.settings, deps.http, "work", deps.tokens) if deps.http is not None else None
        if api is None:
            raise ValueError("the WeCom channel needs an HTTP session and ANNING_WECOM__CORP_ID and __CORP_SECRET")
        return cls(
            deps.engine,
            deps.settings.wecom,
            deps.texts,
            deps.outbox,
            api,
            max_file_bytes=deps.settings.max_file_bytes,
            inbox=deps.inbox,
            nonces=deps.nonces,
            limiter=limiter_for(deps, deps.settings.wecom.rate_limit_per_minute),
        )

    @classmethod
    def preview(cls, reply: Reply, texts: Texts) -> list[Outgoing]:
        """The text messages of one reply, then its files (uploaded and sent as files)."""
        items = [Outgoing(text) for text in pack(texts_for([reply], texts, MAX_BYTES), MAX_BYTES)]
        return items + [Outgoing(file=f.name) for f in reply.files]

    def routes(self) -> list[Route]:
        """The callback URL, relative to the web prefix."""
        return [("GET", "/wechat/work", self.verify_url), ("POST", "/wechat/work", self.callback)]

    async def start(self) -> None:
        """Push what the last run acknowledged and did not finish (before the port opens)."""
        await resume(self.inbox, CHANNEL, self.delivery, self._compute, retried=False)

    async def stop(self) -> None:
        """Finish sending whatever is being answered."""
        await self.close()

    async def close(self) -> None:
        """Finish sending whatever is being answered."""
        await self.delivery.close()

    def _fresh_and_signed(self, query: Mapping[str, str], payload: str) -> bool:
        window = self.settings.timestamp_window_seconds
        return refusal(query, self.token, self.clock(), window, payload, field="msg_signature") is None

    async def verify_url(self, request: web.Request) -> web.StreamResponse:
        """GET: decrypt and return echostr when the signature is right."""
        echo = request.query.get("echostr", "")
        if not self._fresh_and_signed(request.query, echo):
            return web.Response(status=403, text="forbidden")
        try:
            return web.Response(text=self.crypto.decrypt_echo(echo))
        except CryptoError:
            return web.Response(status=400, text="bad request")

    async def callback(self, request: web.Request) -> web.StreamResponse:
        """POST: one encrypted message; answered with an empty 200 at once, replies pushed."""
        body = await request.read()
        try:
            outer = parse_xml(body)
        except BadXml:
            return web.Response(status=400, text="bad request")
        encrypted = outer.get("Encrypt", "")
        if not self._fresh_and_signed(request.query, encrypted):
            return web.Response(status=403, text="forbidden")
        if not await fresh_nonce(self.nonces, CHANNEL, request.query, body):
            log.info("wecom: refused (a replayed nonce with another body)")
            return web.Response(status=403, text="forbidden")
        try:
            fields = parse_xml(self.crypto.decrypt(encrypted))
            msg = to_message(fields)
        except (BadXml, CryptoError) as exc:
            log.info("wecom: unreadable callback (%s)", type(exc).__name__)
            return web.Response(status=400, text="bad request")
        try:
            await self.accept(msg, json.dumps(fields, ensure_ascii=False).encode())
        except Exception as exc:  # not recorded: no acknowledgement, so WeChat retries it
            log.error("wecom: could not record a message (%s)", type(exc).__name__)
            return web.Response(status=503, text="try again")
        return web.Response(text="")

    async def accept(self, msg: WeChatMessage, payload: bytes = b"") -> None:
        """Record and queue one message (a retry of a known one is ignored); `payload`: its fields, kept until it is
        answered so that a restart can compute it."""
        key = user_key(CHANNEL, msg.from_user)
        dedupe = dedupe_key(msg)
        if self.delivery.known(dedupe):
            return
        verdict = await self.limiter.check(key)
        if verdict is Verdict.DROP:
            return
        decision = decide(msg, CHANNEL, key)

        async def compute() -> list[str]:
            if verdict is Verdict.WARN:
                return [self.texts.get("wechat.rate_limited")]
            return await self._compute(decision, key)

        await self.delivery.enqueue(dedupe, key, compute, payload)

    async def _compute(self, decision: Decision, key: str) -> list[str]:
        prepared = await prepare(decision, key, self.outbox, self.api, self.max_file_bytes, self.texts)
        if isinstance(prepared, list):
            return prepared
        out: list[str] = []
        for reply in await self.engine.handle(prepared):
            out.extend(texts_for([reply], self.texts, MAX_BYTES))
            for file in reply.files:
                try:
                    media_id = await self.api.upload_file(file.name, file.data)
                except WeChatApiError as exc:
                    log.warning("wecom: file upload failed (errcode %s)", exc.errcode)
                    out.append(self.texts.get("wechat.file_no_link", name=file.name))
                    continue
                out.append(f"{FILE_MARK}{media_id}\x00{file.name}")
        return pack(out, MAX_BYTES)

    async def _push(self, key: str, item: str) -> None:
        to = platform_user(key)
        if item.startswith(FILE_MARK):
            media_id = item[len(FILE_MARK) :].split("\x00", 1)[0]
            await self.api.send_file(to, media_id, self.settings.agent_id)
        else:
            await self.api.send_text(to, item, self.settings.agent_id)
