"""Texts, language: which locale a person's message is answered in."""

from __future__ import annotations

import re
from collections.abc import Sequence

BASE = "zh_CN"  # the locale that holds every text
ENGLISH = "en"

_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_FINALS = (
    "iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|ia|ie|iu|ua|uo|ui|un|ue|ve|a|o|e|i|u|v"
)
_SYLLABLES = re.compile(rf"^(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:{_FINALS}))+$")
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "is",
        "are",
        "am",
        "to",
        "my",
        "i",
        "you",
        "and",
        "what",
        "how",
        "can",
        "do",
        "it",
        "of",
        "in",
        "on",
        "at",
        "for",
        "not",
        "they",
        "he",
        "she",
    ]
)


def is_pinyin(text: str) -> bool:
    """True for Chinese typed in pinyin without tones ("zen me ban a wo hao hai pa"): three or more Latin words, every
    one a run of pinyin syllables, none a common English word."""
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) < 3 or _HAN.search(text) or len("".join(words)) < 0.6 * len(re.sub(r"\s", "", text)):
        return False
    return all(_SYLLABLES.match(w) for w in words) and not any(w in _ENGLISH_WORDS for w in words)


def is_english(text: str) -> bool:
    """True when most letters are Latin (and the words are not pinyin)."""
    if is_pinyin(text):
        return False
    latin = len(_LATIN.findall(text))
    han = len(_HAN.findall(text))
    return latin > 3 * han and (latin >= 8 or (han == 0 and latin >= 4))


def language_of(text: str) -> str:
    """The locale to answer a message in: English when it is written in English, else zh_CN."""
    return ENGLISH if is_english(text) else BASE


def paste_language(own: str, earlier: Sequence[str], paste: str) -> str:
    """The locale to analyse a paste in: the person's own words beside it, else the last of their earlier turns
    (`earlier`, oldest first) whose language shows, else the paste's own; the quoted messages may be in another."""
    for words in (own, *reversed(earlier)):
        if is_english(words):
            return ENGLISH
        if _HAN.search(words) or is_pinyin(words):
            return BASE
    return language_of(paste)


_INNER = str.maketrans({"“": "‘", "”": "’"})


def nest_quotes(text: str) -> str:
    """Text to be put inside “…”: its own double quotes become single ones (“‘软暴力’是指…”), as Chinese writing
    nests quotation marks, so a quote that starts with a quoted term does not open with two marks."""
    return text.translate(_INNER)
