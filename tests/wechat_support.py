"""Test helpers for WeChat: callback XML as WeChat writes it, signed query strings, and WeChat's retry pattern.

`post_like_wechat` behaves as WeChat's servers do: wait `timeout` seconds for the answer to a callback, and when
none comes, post the very same message again, up to three attempts in all.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, ClientTimeout

from bot.channels.wechat.common import user_key
from bot.channels.wechat.crypto import MessageCrypto, signature
from bot.channels.wechat.xml_codec import cdata, dedupe_key, parse_xml, to_message
from bot.contract.messages import Incoming, Reply
from bot.contract.wire import dump_texts
from bot.storage.inbox_repo import Inbox
from bot.storage.outbox_repo import Outbox

OPENID = "oAbCd1xYz2-Qw3eRt4yUi5oP6as"
ACCOUNT = "gh_3f1b2c4d5e6a"
_ids = itertools.count(24_600_000_000_000_001)


def next_msg_id() -> str:
    """A fresh MsgId."""
    return str(next(_ids))


def message_xml(msg_type: str, fields: dict[str, str], user: str = OPENID, msg_id: str | None = None) -> str:
    """One callback message (text, image, voice, video, location, link ...) with CDATA as WeChat writes it."""
    parts = [
        f"<ToUserName>{cdata(ACCOUNT)}</ToUserName>",
        f"<FromUserName>{cdata(user)}</FromUserName>",
        f"<CreateTime>{int(time.time())}</CreateTime>",
        f"<MsgType>{cdata(msg_type)}</MsgType>",
    ]
    parts += [f"<{k}>{cdata(v) if not v.isdigit() else v}</{k}>" for k, v in fields.items()]
    if msg_type != "event":
        parts.append(f"<MsgId>{msg_id or next_msg_id()}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_xml(content: str, user: str = OPENID, msg_id: str | None = None) -> str:
    """A text message."""
    return message_xml("text", {"Content": content}, user, msg_id)


def event_xml(event: str, key: str = "", user: str = OPENID) -> str:
    """An event (subscribe, CLICK, VIEW ...)."""
    fields = {"Event": event}
    if key:
        fields["EventKey"] = key
    return message_xml("event", fields, user)


def image_xml(media_id: str, user: str = OPENID) -> str:
    """A picture message."""
    return message_xml("image", {"PicUrl": "http://mmbiz.qpic.cn/fake.jpg", "MediaId": media_id}, user)


@dataclass
class Signer:
    """Signs callbacks for one account: plain mode, or safe mode when a crypto is given.

    Like WeChat, every callback gets a fresh random nonce (its retries repeat the whole request); `nonce` fixes one.
    """

    token: str
    crypto: MessageCrypto | None = None
    nonce: str | None = None

    def query(
        self, body: str = "", timestamp: int | None = None, encrypted: str | None = None, nonce: str | None = None
    ) -> dict[str, str]:
        """The query string WeChat adds to a callback."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        once = nonce or self.fresh_nonce()
        q = {"signature": signature(self.token, ts, once), "timestamp": ts, "nonce": once}
        if encrypted is not None:
            q.update(encrypt_type="aes", msg_signature=signature(self.token, ts, once, encrypted))
        return q

    def fresh_nonce(self) -> str:
        """The fixed nonce, or a new random one as WeChat sends (digits)."""
        return self.nonce or str(secrets.randbelow(10**10))

    def wrap(self, inner_xml: str, timestamp: int | None = None) -> tuple[dict[str, str], str]:
        """(query, body) for a message: as is in plain mode, in the encrypted envelope in safe mode."""
        ts = int(time.time()) if timestamp is None else timestamp
        once = self.fresh_nonce()
        if self.crypto is None:
            return self.query(inner_xml, ts, nonce=once), inner_xml
        envelope = parse_xml(self.crypto.encrypt(inner_xml, once, str(ts)))
        encrypted = envelope["Encrypt"]
        body = f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt></xml>"
        return self.query(body, ts, encrypted, nonce=once), body

    def open_reply(self, text: str) -> dict[str, str]:
        """The fields of a passive reply (decrypted and signature-checked in safe mode)."""
        fields = parse_xml(text)
        if self.crypto is None:
            return fields
        expected = signature(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
        assert fields["MsgSignature"] == expected, "the reply's signature is wrong"
        return parse_xml(self.crypto.decrypt(fields["Encrypt"]))


@dataclass
class Attempt:
    """What WeChat saw of one message: which attempt got an answer, and the answer."""

    attempts: int
    status: int | None
    text: str | None


async def post_like_wechat(
    http: ClientSession, url: str, query: dict[str, str], body: str | bytes, timeout: float = 5.0, attempts: int = 3
) -> Attempt:
    """POST a callback; on no answer within `timeout`, post the same again (WeChat retries twice)."""
    for attempt in range(1, attempts + 1):
        try:
            # ceil_threshold: aiohttp rounds timeouts of 5 s and more up to a whole second unless told otherwise
            limit = ClientTimeout(total=timeout, ceil_threshold=3600)
            async with http.post(url, params=query, data=body, timeout=limit) as response:
                return Attempt(attempt, response.status, await response.text())
        except TimeoutError:
            continue
    return Attempt(attempts, None, None)


def reply_content(signer: Signer, answer: Attempt) -> str | None:
    """The text the person sees from a passive reply (None for "success" or no answer)."""
    if answer.text is None or answer.text in ("", "success"):
        return None
    fields: dict[str, Any] = signer.open_reply(answer.text)
    return str(fields["Content"])


class SlowEngine:
    """An engine behind a delay (one for every message, or per message text): answers later than WeChat waits."""

    def __init__(self, engine: Any, delay: float = 0.0, delays: dict[str, float] | None = None) -> None:
        self.engine = engine
        self.delay = delay
        self.delays = delays or {}
        self.calls = 0
        self.calls_by_text: Counter[str] = Counter()

    async def handle(self, msg: Incoming) -> list[Reply]:
        self.calls += 1
        self.calls_by_text[msg.text] += 1
        await asyncio.sleep(self.delays.get(msg.text, self.delay))
        result: list[Reply] = await self.engine.handle(msg)
        return result


async def wait_held(outbox: Outbox, user_key: str, timeout: float) -> int:
    """Poll until something is held for the user (or `timeout` passes); how many texts are held."""
    deadline = time.monotonic() + timeout
    while not (held := await outbox.pending(user_key)) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return held


async def left_by_a_crash(inbox: Inbox, channel: str, inner_xml: str, answer: list[str] | None = None) -> None:
    """What a run killed mid-answer leaves in the inbox: the message recorded (and its texts, if computed)."""
    fields = parse_xml(inner_xml)
    msg = to_message(fields)
    key = user_key(channel, msg.from_user)
    entry = await inbox.take(channel, f"{key}|{dedupe_key(msg)}", key, json.dumps(fields).encode())
    assert entry is not None
    if answer is not None:
        await inbox.answered(entry, dump_texts(answer))
