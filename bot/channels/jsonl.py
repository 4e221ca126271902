"""Channels, JSON lines: the evaluation contract of `anning chat --jsonl` (one message in, one result out, in order)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any, TextIO

from bot.contract.messages import Incoming, Reply
from bot.engine.engine import Engine

logger = logging.getLogger(__name__)


def reply_json(reply: Reply) -> dict[str, Any]:
    """A reply as the contract's plain data: text, citations, button labels, file names."""
    return {
        "text": reply.text,
        "citations": [
            {"law": c.law, "article": c.article, "label": c.label, "status": c.status, "source": c.source}
            for c in reply.citations
        ],
        "buttons": [b.label for b in reply.buttons],
        "files": [f.name for f in reply.files],
    }


async def run_jsonl(engine: Engine, stream: TextIO | None = None, out: TextIO | None = None) -> int:
    """Read `{"user", "text"}` objects (one a line), write `{"replies": [...], "intent": ...}` for each, in order.

    A line that is not such an object gets `{"error": ...}` so the output stays aligned with the input.
    """
    stream = stream or sys.stdin
    out = out or sys.stdout
    while True:
        line = await asyncio.to_thread(stream.readline)
        if not line:
            return 0
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            user, text = str(item["user"]), item["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
        except (ValueError, KeyError, TypeError) as exc:
            out.write(json.dumps({"error": f"bad input line: {exc}"}, ensure_ascii=False) + "\n")
            out.flush()
            continue
        try:
            result = await engine.respond(Incoming(channel="terminal", user_key=f"jsonl:{user}", text=text))
        except Exception as exc:  # one failing turn must not end every other conversation in the stream
            logger.exception("turn failed")
            out.write(json.dumps({"error": f"turn failed: {type(exc).__name__}"}, ensure_ascii=False) + "\n")
            out.flush()
            continue
        data = {"replies": [reply_json(r) for r in result.replies], "intent": result.intent}
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        out.flush()
