"""Texts by key and locale: English where translated, zh_CN otherwise, an error when neither has the key."""

from __future__ import annotations

import pytest

from bot.texts import BASE, ENGLISH, Texts, language_of

TEXTS = Texts()


def test_a_locale_gets_its_own_text_and_falls_back_to_zh_cn() -> None:
    assert TEXTS.get("common.disclaimer", ENGLISH).startswith("This is legal information")
    assert "12348" in TEXTS.get("common.disclaimer") and "律师" in TEXTS.get("common.disclaimer", BASE)
    assert TEXTS.get("safety.counter_attack", ENGLISH) == TEXTS.get("safety.counter_attack")  # not translated
    assert TEXTS.get("commands.unknown", ENGLISH, command="/x") == TEXTS.get("commands.unknown", command="/x")


def test_a_key_missing_everywhere_is_an_error() -> None:
    with pytest.raises(KeyError):
        TEXTS.get("common.nope", ENGLISH)
    with pytest.raises(KeyError):
        TEXTS.get("common")  # a section is not a text
    assert not TEXTS.has("common.nope", ENGLISH) and TEXTS.has("safety.fraud", ENGLISH)


def test_the_language_of_a_message() -> None:
    assert language_of("Is it legal for collectors to call my contacts?") == ENGLISH
    assert language_of("催收打我通讯录合法吗") == BASE
    assert language_of("hi") == BASE  # too short to tell
