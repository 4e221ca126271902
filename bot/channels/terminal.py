"""Channels, terminal: a stdin/stdout chat (interactive or piped, one user line per line) on the same engine."""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path
from typing import TextIO

from bot.channels.base import Capabilities, numbered_buttons, register, split_text
from bot.engine.engine import Engine
from bot.engine.messages import Attachment, Incoming, Reply

CAPABILITIES = Capabilities(buttons=False, files=True, max_chars=None)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".heic"}


def render(reply: Reply) -> str:
    """A reply as terminal text: body, numbered choices."""
    text = "\n".join(split_text(reply.text, CAPABILITIES))
    extra = numbered_buttons(reply)
    return f"{text}\n{extra}" if extra else text


@register("terminal")
class TerminalChannel:
    """Reads lines, sends each to the engine, prints the replies; files are saved under the data folder."""

    def __init__(self, engine: Engine, files_dir: Path, user: str | None = None, out: TextIO | None = None) -> None:
        self.engine = engine
        self.files_dir = files_dir
        self.user_key = f"terminal:{user or _whoami()}"
        self.out = out or sys.stdout

    async def run(self, stream: TextIO | None = None) -> None:
        """Chat until end of input (or /quit in an interactive terminal)."""
        stream = stream or sys.stdin
        interactive = stream.isatty()
        if interactive:
            self._print("安宁：你好，我是「安宁」。直接输入你的问题，/help 查看帮助，/quit 退出。")
        while True:
            if interactive:
                self.out.write("你：")
                self.out.flush()
            line = await asyncio.to_thread(stream.readline)
            if not line:
                break
            text = line.rstrip("\n")
            if interactive and text.strip() in ("/quit", "/exit"):
                break
            for reply in await self.engine.handle(self.incoming(text)):
                self._print(render(reply) + self._save_files(reply))

    def incoming(self, text: str) -> Incoming:
        """A typed line as a message; `/file PATH` sends a screenshot or backup file from this computer."""
        if text.startswith("/file "):
            path = Path(text[6:].strip()).expanduser()
            try:
                data = path.read_bytes()
            except OSError:
                return Incoming(channel="terminal", user_key=self.user_key, text=text)
            kind = "image" if path.suffix.lower() in IMAGE_SUFFIXES else "document"
            attachment = Attachment(kind=kind, name=path.name, data=data)
            return Incoming(channel="terminal", user_key=self.user_key, attachments=(attachment,))
        return Incoming(channel="terminal", user_key=self.user_key, text=text)

    def _save_files(self, reply: Reply) -> str:
        lines = []
        for f in reply.files:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / Path(f.name).name
            path.write_bytes(f.data)
            lines.append(f"\n[文件已保存：{path}]")
        return "".join(lines)

    def _print(self, text: str) -> None:
        self.out.write(text + "\n\n")
        self.out.flush()


def _whoami() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"
