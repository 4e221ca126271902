"""Storage, saved files: documents the terminal chat wrote to this computer, one folder per person, so /mydata counts
them and /forget deletes them."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def user_dir(root: Path, user_key: str) -> Path:
    """The person's own folder under root: a readable, file-system-safe name plus a short digest of the whole key (so
    "terminal:a/b" and "terminal:a_b" never share one)."""
    readable = _SAFE.sub("_", user_key)[:40].strip("._") or "user"
    digest = hashlib.sha256(user_key.encode()).hexdigest()[:8]
    return root / f"{readable}-{digest}"


class SavedFiles:
    """The files saved for a person under root (none for channels that send files instead of saving them)."""

    name = "saved_files"  # /mydata label

    def __init__(self, root: Path) -> None:
        self.root = root

    async def count(self, user_key: str) -> int:
        """How many files are saved for the person."""
        folder = user_dir(self.root, user_key)
        return sum(1 for p in folder.iterdir() if p.is_file()) if folder.is_dir() else 0

    async def erase(self, user_key: str) -> int:
        """Delete the person's folder; returns how many files went."""
        n = await self.count(user_key)
        shutil.rmtree(user_dir(self.root, user_key), ignore_errors=True)
        return n
