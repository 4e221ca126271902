"""Contract, wire: replies as bytes and back, so an answer computed before a crash is sent after the restart."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from bot.contract.messages import Button, FileOut, Reply


def dump_replies(replies: Sequence[Reply]) -> bytes:
    """What a channel sends of each reply (text, buttons, files) as JSON; citations are already in the text."""
    return json.dumps([_reply(r) for r in replies], ensure_ascii=False).encode()


def load_replies(data: bytes) -> list[Reply]:
    """Inverse of dump_replies."""
    return [
        Reply(
            str(item.get("text", "")),
            buttons=tuple(Button(str(label), str(payload)) for label, payload in item.get("buttons", ())),
            files=tuple(
                FileOut(str(f["name"]), base64.b64decode(f["data"]), str(f["mime"])) for f in item.get("files", ())
            ),
        )
        for item in json.loads(data)
    ]


def dump_texts(texts: Sequence[str]) -> bytes:
    """Rendered texts (the WeChat channels keep these) as JSON."""
    return json.dumps(list(texts), ensure_ascii=False).encode()


def load_texts(data: bytes) -> list[str]:
    """Inverse of dump_texts."""
    return [str(t) for t in json.loads(data)]


def _reply(reply: Reply) -> dict[str, Any]:
    item: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        item["buttons"] = [[b.label, b.payload] for b in reply.buttons]
    if reply.files:
        item["files"] = [
            {"name": f.name, "mime": f.mime, "data": base64.b64encode(f.data).decode()} for f in reply.files
        ]
    return item
