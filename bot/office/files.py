"""Office stage, files: FileOut, a rendered file (name, bytes, MIME type) as replies carry it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileOut:
    """A file returned with a reply."""

    name: str
    data: bytes
    mime: str
