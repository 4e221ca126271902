"""Texts: every sentence the bot says to users, by key and locale, from texts/<locale>[.<area>].toml.

zh_CN holds every key; another locale (en) holds the keys it translates, and the rest fall back to zh_CN.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot.texts.language import BASE, ENGLISH, is_english, is_pinyin, language_of, nest_quotes, paste_language

__all__ = ["BASE", "ENGLISH", "Texts", "is_english", "is_pinyin", "language_of", "nest_quotes", "paste_language"]

_DIR = Path(__file__).resolve().parent


class Texts:
    """Keyed user-facing texts in every locale; a key missing in both the asked locale and zh_CN is an error."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, Any]] = {}
        # <locale>.toml plus per-area files such as <locale>.sms.toml; a section may live in one file only.
        for path in sorted(_DIR.glob("*.toml")):
            sections = self._data.setdefault(path.name.split(".", 1)[0], {})
            with path.open("rb") as fh:
                for section, values in tomllib.load(fh).items():
                    if section in sections:
                        raise ValueError(f"text section [{section}] is defined twice ({path.name})")
                    sections[section] = values

    def get(self, key: str, lang: str = BASE, /, **values: object) -> str:
        """The text under a dotted key in lang (zh_CN's when lang lacks it), with {placeholders} filled from values."""
        text = self._find(lang, key) if lang != BASE else None
        if text is None:
            text = self._find(BASE, key)
        if text is None:
            raise KeyError(key)
        return text.format(**values) if values else text

    def has(self, key: str, lang: str = BASE, /) -> bool:
        """True when the key exists (in lang or in zh_CN)."""
        return self._find(lang, key) is not None or self._find(BASE, key) is not None

    def _find(self, lang: str, key: str) -> str | None:
        node: Any = self._data.get(lang, {})
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node if isinstance(node, str) else None
