"""Texts by key and locale: English where translated, zh_CN otherwise, an error when neither has the key."""

from __future__ import annotations

import pytest

from bot.texts import BASE, ENGLISH, Texts, language_of, paste_language

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


def test_the_language_of_a_paste_is_the_persons_not_the_senders() -> None:
    sms = "【XX金融】您已逾期3天，请今日还款"
    assert paste_language("is this legal?", [], sms) == ENGLISH  # their words beside it
    assert paste_language("", ["催收天天打电话", "can you help me please"], sms) == ENGLISH  # their last words
    assert paste_language("", ["can you help me please", "怎么办", "ok", "1"], sms) == BASE  # "ok", "1" tell nothing
    assert paste_language("", [], "Dear customer, your loan is overdue.") == ENGLISH  # nothing of theirs: the paste's
    assert paste_language("", [], sms) == BASE
