"""Channels (① and ⑥), WeChat XML: parse and classify callback XML, render passive text replies, split long replies.

Pure functions, no I/O, shared by the Official Account (公众号) and WeCom (企业微信) channels. Parsing goes through
defusedxml with DTDs forbidden, so external entities, entity expansion ("billion laughs") and DOCTYPEs are refused
before anything is read; bodies must be UTF-8. Rendering wraps every value in CDATA made safe for any text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from defusedxml import ElementTree as SafeET

from bot.channels.base import Capabilities, numbered_buttons, split_text
from bot.contract.messages import Reply

MAX_CHILDREN = 64
MAX_VALUE_BYTES = 1024 * 1024
MAX_BODY_BYTES = 2 * MAX_VALUE_BYTES  # nothing legitimate comes close; refuse before parsing
MAX_REPLY_BYTES = 2048  # WeChat's limit for a text message (passive reply and customer-service message)
MAX_CREATE_TIME_DIGITS = 15

# Characters XML 1.0 forbids anywhere (also inside CDATA): C0 controls but \t \n \r, lone surrogates, U+FFFE/U+FFFF.
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NEWLINES = re.compile(r"\r\n?")

MENU_COMMANDS = {
    "cmd:steps": "/steps",
    "cmd:evidence": "/evidence",
    "cmd:draft": "/draft",
    "cmd:help": "/help",
    "cmd:mydata": "/mydata",
}


class BadXml(ValueError):
    """A callback body that is malformed, refused (DTD, entities), not UTF-8, not `<xml>`, or too large."""


# ---------------------------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------------------------


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The direct children of a callback's `<xml>` root as tag -> text (CDATA unwrapped, "" when empty).

    A child that itself has child elements (WeChat's SendPicsInfo, ScanCodeInfo ...) maps to "". A tag that occurs
    twice, more than MAX_CHILDREN children, a value over MAX_VALUE_BYTES, or anything the safe parser refuses raise
    BadXml.
    """
    if isinstance(body, bytes):
        if len(body) > MAX_BODY_BYTES:
            raise BadXml("body too large")
        try:
            text = body.decode("utf-8-sig")  # parse the decoded text: a declared encoding cannot override UTF-8
        except UnicodeDecodeError as exc:
            raise BadXml("body is not UTF-8") from exc
    else:
        if len(body) > MAX_BODY_BYTES:
            raise BadXml("body too large")
        text = body
    try:
        root: Any = SafeET.fromstring(text, forbid_dtd=True)
    except (SafeET.ParseError, ValueError) as exc:  # defusedxml's refusals are ValueErrors
        raise BadXml(f"cannot parse ({type(exc).__name__})") from exc
    if root.tag != "xml":
        raise BadXml("root element is not <xml>")
    if len(root) > MAX_CHILDREN:
        raise BadXml(f"more than {MAX_CHILDREN} fields")
    fields: dict[str, str] = {}
    for child in root:
        tag = child.tag
        if not isinstance(tag, str):  # pragma: no cover - fromstring drops comments and processing instructions
            continue
        if tag in fields:
            raise BadXml(f"duplicate field {tag}")
        value = "" if len(child) else (child.text or "")
        if len(value) > MAX_VALUE_BYTES // 4 and len(value.encode()) > MAX_VALUE_BYTES:
            raise BadXml(f"field {tag} too large")
        fields[tag] = value
    return fields


@dataclass(frozen=True)
class WeChatMessage:
    """One callback message or event, with the fields this bot reads (content is kept out of repr)."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str  # lower case: text, image, voice, event, video, ...
    msg_id: str = ""
    content: str = field(default="", repr=False)
    media_id: str = ""
    pic_url: str = field(default="", repr=False)
    recognition: str = field(default="", repr=False)
    format: str = ""
    event: str = ""  # as WeChat sends it: subscribe, CLICK, VIEW, enter_agent, ...
    event_key: str = ""
    agent_id: str = ""
    raw: dict[str, str] = field(default_factory=dict, repr=False, compare=False)


def to_message(fields: dict[str, str]) -> WeChatMessage:
    """A parsed callback as a WeChatMessage; BadXml when FromUserName or MsgType is missing or CreateTime is not a number."""
    from_user = fields.get("FromUserName", "").strip()
    msg_type = fields.get("MsgType", "").strip().lower()
    if not from_user:
        raise BadXml("FromUserName missing")
    if not msg_type:
        raise BadXml("MsgType missing")
    created = fields.get("CreateTime", "").strip()
    if created and not (len(created) <= MAX_CREATE_TIME_DIGITS and created.isascii() and created.isdigit()):
        raise BadXml("CreateTime is not a number")
    return WeChatMessage(
        to_user=fields.get("ToUserName", "").strip(),
        from_user=from_user,
        create_time=int(created) if created else 0,
        msg_type=msg_type,
        msg_id=fields.get("MsgId", "").strip(),
        content=fields.get("Content", ""),
        media_id=fields.get("MediaId", "").strip(),
        pic_url=fields.get("PicUrl", "").strip(),
        recognition=fields.get("Recognition", ""),
        format=fields.get("Format", "").strip(),
        event=fields.get("Event", "").strip(),
        event_key=fields.get("EventKey", "").strip(),
        agent_id=fields.get("AgentID", "").strip(),
        raw=dict(fields),
    )


def dedupe_key(msg: WeChatMessage) -> str:
    """WeChat's rule for spotting retries: MsgId for messages, FromUserName + CreateTime (+ event) for events.

    A MsgId is kept with its sender: ids are not unique across users, and one person's message must never be taken
    for a retry of another's.
    """
    if msg.msg_id:
        return f"{msg.from_user}:{msg.msg_id}"
    return f"{msg.from_user}:{msg.create_time}:{msg.event}:{msg.event_key}"


class Kind(Enum):
    """What the channel does with a callback."""

    TEXT = "text"
    IMAGE = "image"
    VOICE_TEXT = "voice_text"  # voice with WeChat's speech recognition result
    VOICE = "voice"  # voice without recognition
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    MENU_CLICK = "menu_click"
    IGNORED_EVENT = "ignored_event"  # VIEW, LOCATION, SCAN, TEMPLATESENDJOBFINISH, enter_agent, ...
    UNSUPPORTED = "unsupported"  # video, shortvideo, location, link, file, anything unknown


def classify(msg: WeChatMessage) -> Kind:
    """The Kind of a callback message or event."""
    if msg.msg_type == "event":
        event = msg.event.lower()
        if event == "subscribe":
            return Kind.SUBSCRIBE
        if event == "unsubscribe":
            return Kind.UNSUBSCRIBE
        if event == "click":
            return Kind.MENU_CLICK
        return Kind.IGNORED_EVENT
    if msg.msg_type == "text":
        return Kind.TEXT
    if msg.msg_type == "image":
        return Kind.IMAGE
    if msg.msg_type == "voice":
        return Kind.VOICE_TEXT if msg.recognition.strip() else Kind.VOICE
    return Kind.UNSUPPORTED


def menu_text(event_key: str) -> str | None:
    """The command a menu button stands for ("cmd:steps" -> "/steps"); None for a key we do not know."""
    return MENU_COMMANDS.get(event_key.strip())


# ---------------------------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Text as it survives XML: characters XML 1.0 forbids removed, line ends normalised to \\n (as parsers do)."""
    return _NEWLINES.sub("\n", _ILLEGAL_XML.sub("", text))


def cdata(value: str) -> str:
    """A CDATA section holding `value` (cleaned) that no text can break out of."""
    return "<![CDATA[" + clean_text(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_text_reply(to_user: str, from_user: str, content: str, create_time: int) -> str:
    """A passive text reply: to_user is the user's OpenID/UserID, from_user the account (the callback's ToUserName)."""
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def _prefix(index: int, total: int) -> str:
    return f"（{index}/{total}）\n"


def split_numbered(text: str, max_bytes: int = MAX_REPLY_BYTES) -> list[str]:
    """Split at sentence boundaries so each part, with its "（2/3）\\n" prefix, fits max_bytes of UTF-8.

    One part gets no prefix; parts are stripped of surrounding whitespace; empty text gives [].
    """
    text = text.strip()
    if not text:
        return []
    if len(text.encode()) <= max_bytes:
        return [text]
    digits = 1
    while True:
        room = len(_prefix(10**digits - 1, 10**digits - 1).encode())
        limit = max_bytes - room
        if limit < 16:
            raise ValueError(f"max_bytes={max_bytes} leaves no room for text after the part number")
        parts = [p.strip() for p in split_text(text, Capabilities(buttons=False, files=False, max_bytes=limit))]
        parts = [p for p in parts if p]
        if len(str(len(parts))) <= digits:
            break
        digits += 1  # more parts than the prefix room assumed: split again with a longer prefix reserved
    if len(parts) == 1:
        return parts
    return [_prefix(i, len(parts)) + part for i, part in enumerate(parts, 1)]


def reply_texts(
    replies: Sequence[Reply],
    heading: str,
    max_bytes: int = MAX_REPLY_BYTES,
    file_links: Sequence[str] = (),
    links_heading: str = "",
) -> list[str]:
    """The engine's replies as WeChat text messages, in order.

    Each reply is its text followed by its buttons as numbered lines under `heading`, split with split_numbered;
    then one message per file link, under `links_heading`. Files themselves are the caller's business.
    """
    texts: list[str] = []
    for reply in replies:
        body = "\n\n".join(p for p in (reply.text.strip(), numbered_buttons(reply, heading)) if p)
        texts.extend(split_numbered(body, max_bytes))
    for link in file_links:
        texts.extend(split_numbered(f"{links_heading}\n{link}" if links_heading else link, max_bytes))
    return texts
