"""Texts, language: which locale a person's message is answered in."""

from __future__ import annotations

import re

BASE = "zh_CN"  # the locale that holds every text
ENGLISH = "en"

_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def is_english(text: str) -> bool:
    """True when most letters are Latin."""
    latin = len(_LATIN.findall(text))
    han = len(_HAN.findall(text))
    return latin > 3 * han and (latin >= 8 or (han == 0 and latin >= 4))


def language_of(text: str) -> str:
    """The locale to answer a message in: English when it is written in English, else zh_CN."""
    return ENGLISH if is_english(text) else BASE
