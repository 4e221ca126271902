"""Channels (① and ⑥), WeChat shared: what a parsed WeChat message asks for, its picture, replies as WeChat texts."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.channels.wechat.api import WeChatApi, WeChatApiError
from bot.channels.wechat.delivery import Delivery
from bot.channels.wechat.xml_codec import (
    Kind,
    WeChatMessage,
    classify,
    dedupe_key,
    menu_text,
    reply_texts,
    to_message,
)
from bot.contract.messages import Attachment, Incoming, Reply
from bot.storage.inbox_repo import ANSWERED, Inbox
from bot.storage.outbox_repo import Outbox
from bot.texts import Texts

log = logging.getLogger(__name__)

MAX_BYTES = 2048  # WeChat's limit for one text message (UTF-8 bytes)
SPLIT_BYTES = 1900  # parts are cut smaller, leaving room for the "还有 N 段" line
CONTINUE_WORDS = frozenset({"继续", "下一段", "更多", "继续看", "还有呢", "more", "next"})


def user_key(channel: str, user_id: str) -> str:
    """The engine's key for a WeChat user: the channel name and the openid (Official Account) or userid (WeCom)."""
    return f"{channel}:{user_id}"


def platform_user(key: str) -> str:
    """The openid or userid behind an engine key made by `user_key`."""
    return key.split(":", 1)[1]


class Nonces(Protocol):
    """Signed callback (timestamp, nonce) pairs already used (bot.storage.nonce_repo.CallbackNonces)."""

    async def admit(self, channel: str, timestamp: str, nonce: str, body: bytes) -> bool:
        """False when the pair was used before with another body (a replay); a same-body repeat is a retry."""
        ...


async def fresh_nonce(nonces: Nonces | None, channel: str, query: Mapping[str, str], body: bytes) -> bool:
    """False for a signed (timestamp, nonce) seen before with another body: a captured callback URL replayed."""
    if nonces is None:
        return True
    return await nonces.admit(channel, query.get("timestamp", ""), query.get("nonce", ""), body)


@dataclass(frozen=True)
class Decision:
    """What a WeChat message asks for: the engine (maybe after a download), a fixed answer, or nothing."""

    incoming: Incoming | None = None
    say: str = ""  # a text key under [wechat] to answer with directly
    media_id: str = ""  # an image to download first, then attach to `incoming`
    continue_words: bool = False  # "继续": hand over held parts if there are any


def decide(msg: WeChatMessage, channel: str, user_key: str) -> Decision:
    """Map one parsed message to a Decision (no I/O)."""
    kind = classify(msg)
    at = datetime.fromtimestamp(msg.create_time, UTC) if msg.create_time > 0 else None
    key = f"{channel}|{dedupe_key(msg)}"  # the engine applies one message once, also when replayed after a crash

    def ask(text: str) -> Decision:
        return Decision(Incoming(channel=channel, user_key=user_key, text=text, received_at=at, key=key))

    if kind is Kind.TEXT:
        decision = ask(msg.content)
        if msg.content.strip().lower() in CONTINUE_WORDS:
            return Decision(decision.incoming, continue_words=True)
        return decision
    if kind is Kind.VOICE_TEXT:
        return ask(msg.recognition)
    if kind is Kind.IMAGE:
        if not msg.media_id:
            return Decision(say="image_unavailable")
        return Decision(Incoming(channel=channel, user_key=user_key, received_at=at, key=key), media_id=msg.media_id)
    if kind is Kind.SUBSCRIBE:
        return ask("/start")
    if kind is Kind.MENU_CLICK:
        command = menu_text(msg.event_key)
        return ask(command) if command else Decision()
    if kind is Kind.VOICE:
        return Decision(say="voice_unrecognised")
    if kind is Kind.UNSUPPORTED:
        return Decision(say="unsupported")
    return Decision()  # unsubscribe, menu links, location reports, ...: nothing to say


async def prepare(
    decision: Decision, user_key: str, outbox: Outbox, api: WeChatApi | None, max_file_bytes: int, texts: Texts
) -> Incoming | list[str]:
    """The Incoming for the engine (picture downloaded and attached), or the texts to answer without the engine."""
    if decision.say:
        return [texts.get(f"wechat.{decision.say}")]
    incoming = decision.incoming
    if incoming is None:
        return []
    if decision.continue_words and await outbox.pending(user_key):
        return []  # the delivery hands over the held parts
    if not decision.media_id:
        return incoming
    if api is None:
        return [texts.get("wechat.image_unavailable")]
    try:
        data = await api.download_media(decision.media_id, max_file_bytes)
    except WeChatApiError as exc:
        log.warning("wechat: media download failed (errcode %s)", exc.errcode)
        return [texts.get("wechat.image_unavailable")]
    return with_image(incoming, decision.media_id, data)


def with_image(incoming: Incoming, media_id: str, data: bytes) -> Incoming:
    """The message with its downloaded picture attached."""
    picture = Attachment("image", f"wechat-{media_id[:16]}.jpg", data, "image/jpeg")
    return Incoming(
        channel=incoming.channel,
        user_key=incoming.user_key,
        received_at=incoming.received_at,
        attachments=(picture,),
    )


def pack(texts: Sequence[str], max_bytes: int = SPLIT_BYTES) -> list[str]:
    """Join neighbouring short texts into one message where they fit: fewer messages to page through on a phone.

    Numbered parts of a long reply ("（2/3）…") stay as they are.
    """
    out: list[str] = []
    for text in texts:
        if out and not _numbered(out[-1]) and not _numbered(text):
            joined = f"{out[-1]}\n\n{text}"
            if len(joined.encode()) <= max_bytes:
                out[-1] = joined
                continue
        out.append(text)
    return out


def _numbered(text: str) -> bool:
    """A numbered part, or a channel's own marker item (starts with NUL): never joined with a neighbour."""
    return text.startswith("\x00") or (text.startswith("（") and "/" in text[:12] and "）" in text[:12])


def texts_for(replies: Sequence[Reply], texts: Texts, max_bytes: int = SPLIT_BYTES) -> list[str]:
    """The engine's replies as WeChat text messages, in order (buttons as numbered lines)."""
    return reply_texts(replies, texts.get("channels.choose_number"), max_bytes)


async def resume(
    inbox: Inbox | None,
    channel: str,
    delivery: Delivery,
    compute: Callable[[Decision, str], Awaitable[list[str]]],
    *,
    retried: bool,
) -> int:
    """At start-up: every message of `channel` the last run recorded and did not finish becomes a job again (its
    kept texts, or computed now); `retried`: WeChat will call back for it (see Delivery.resume). How many."""
    if inbox is None:
        return 0
    unfinished = await inbox.unfinished(channel)
    for entry in unfinished:
        msg = to_message(json.loads(entry.payload))
        key = user_key(channel, msg.from_user)
        decision = decide(msg, channel, key)

        async def again(decision: Decision = decision, key: str = key) -> list[str]:
            return await compute(decision, key)

        answer = entry.answer if entry.state == ANSWERED else b""
        delivery.resume(dedupe_key(msg), key, again, entry.id, answer, retried=retried)
    if unfinished:
        log.info("%s: resuming %d message(s) left unfinished by the last run", channel, len(unfinished))
    return len(unfinished)
