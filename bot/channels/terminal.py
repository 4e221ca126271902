"""Channels, terminal: a stdin/stdout chat (interactive or piped, one user line per line) on the same engine."""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TextIO

from bot.channels.base import Capabilities, Deps, Outgoing, numbered_buttons, register, split_text
from bot.contract.messages import Attachment, Incoming, Reply
from bot.engine.gate import Answers
from bot.settings import Settings
from bot.storage.saved_files import user_dir
from bot.texts import Texts

if TYPE_CHECKING:
    from bot.web import Route

CHANNEL = "terminal"
CAPABILITIES = Capabilities(buttons=False, files=True, max_chars=None)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".heic"}


def render(reply: Reply, texts: Texts) -> str:
    """A reply as terminal text: body, numbered choices."""
    text = "\n".join(split_text(reply.text, CAPABILITIES))
    extra = numbered_buttons(reply, texts.get("channels.choose_number"))
    return f"{text}\n{extra}" if extra else text


@register
class TerminalChannel:
    """Reads lines, sends each to the engine, prints the replies; files are saved under the data folder."""

    name: ClassVar[str] = CHANNEL
    section: ClassVar[str | None] = None  # nothing to configure
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    webhook: ClassVar[bool] = False
    requirement: ClassVar[str] = ""

    def __init__(
        self, engine: Answers, files_dir: Path, texts: Texts, user: str | None = None, out: TextIO | None = None
    ) -> None:
        self.engine = engine
        self.files_dir = files_dir
        self.texts = texts
        self.user_key = f"{CHANNEL}:{user or _whoami()}"
        self.out = out or sys.stdout

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        """Always: the terminal needs nothing."""
        return True

    @classmethod
    def build(cls, deps: Deps) -> TerminalChannel:
        """The chat for the person at this computer; files go to deps.files_dir."""
        return cls(deps.engine, deps.files_dir, deps.texts, user=deps.user)

    @classmethod
    def preview(cls, reply: Reply, texts: Texts) -> list[Outgoing]:
        """One block of text per reply, then the files it saves."""
        return [Outgoing(render(reply, texts)), *(Outgoing(file=f.name) for f in reply.files)]

    def routes(self) -> list[Route]:
        """None: the terminal is not a webhook."""
        return []

    async def start(self) -> None:
        """Nothing runs in the background: `run` reads the input."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def run(self, stream: TextIO | None = None) -> None:
        """Chat until end of input (or /quit in an interactive terminal)."""
        stream = stream or sys.stdin
        interactive = stream.isatty()
        if interactive:
            self._print(self.texts.get("channels.terminal_greeting"))
        while True:
            if interactive:
                self.out.write(self.texts.get("channels.terminal_you"))
                self.out.flush()
            line = await asyncio.to_thread(stream.readline)
            if not line:
                break
            text = line.rstrip("\n")
            if interactive and text.strip() in ("/quit", "/exit"):
                break
            for reply in await self.engine.handle(self.incoming(text)):
                self._print(render(reply, self.texts) + self._save_files(reply))

    def incoming(self, text: str) -> Incoming:
        """A typed line as a message; `/file PATH` sends a screenshot or backup file from this computer."""
        if text.startswith("/file "):
            path = Path(text[6:].strip()).expanduser()
            try:
                data = path.read_bytes()
            except OSError:
                return Incoming(channel=CHANNEL, user_key=self.user_key, text=text)
            kind = "image" if path.suffix.lower() in IMAGE_SUFFIXES else "document"
            attachment = Attachment(kind=kind, name=path.name, data=data)
            return Incoming(channel=CHANNEL, user_key=self.user_key, attachments=(attachment,))
        return Incoming(channel=CHANNEL, user_key=self.user_key, text=text)

    def _save_files(self, reply: Reply) -> str:
        lines = []
        for f in reply.files:
            folder = user_dir(self.files_dir, self.user_key)  # one person's files never overwrite another's
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / Path(f.name).name
            path.write_bytes(f.data)
            lines.append("\n" + self.texts.get("channels.file_saved", path=path))
        return "".join(lines)

    def _print(self, text: str) -> None:
        self.out.write(text + "\n\n")
        self.out.flush()


def _whoami() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"
