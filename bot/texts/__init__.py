"""Texts: every sentence the bot says to users, loaded by key from texts/<locale>.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

_DIR = Path(__file__).resolve().parent


class Texts:
    """Keyed user-facing texts; a missing key is an error at load time of the caller's test, never a silent blank."""

    def __init__(self, locale: str = "zh_CN") -> None:
        self._data: dict[str, Any] = {}
        # <locale>.toml plus per-area files such as <locale>.sms.toml; a section may live in one file only.
        for path in sorted(_DIR.glob(f"{locale}*.toml")):
            with path.open("rb") as fh:
                for section, values in tomllib.load(fh).items():
                    if section in self._data:
                        raise ValueError(f"text section [{section}] is defined twice ({path.name})")
                    self._data[section] = values

    def get(self, key: str, **values: object) -> str:
        """The text under a dotted key, with {placeholders} filled from values."""
        node: Any = self._data
        for part in key.split("."):
            node = node[part]
        if not isinstance(node, str):
            raise KeyError(key)
        return node.format(**values) if values else node

    def has(self, key: str) -> bool:
        """True when the key exists."""
        try:
            self.get(key)
        except KeyError:
            return False
        return True
