"""Starting the guided journey in one's own words, in Chinese or English, alone or at the end of a story; and the
words that only mention steps, or ask a question, are not taken for it."""

from __future__ import annotations

import pytest

from bot.understand.reader import Reader

READER = Reader(None)


@pytest.mark.parametrize(
    "text",
    [
        "step by step please",
        "Step-by-step, please!",
        "guide me through it",
        "walk me through what to do",
        "Can you take me through it step by step?",
        # a story that ends by asking to be guided: the journey, however long the story
        "collectors flood my phone with codes. step by step please",
        "They text my boss and my mum every night and call me a thief. Step by step, please.",
        "They keep texting my mom at night and threatening me. Can you walk me through what to do?",
        "我想一步一步来处理这件事",
        "催收天天用验证码轰炸我的手机，还打电话给我家人骂我，我该怎么办，一步一步来",
        "催收天天打我电话还骂我爸妈，我真的很怕，能不能一步一步教我，谢谢",
    ],
)
def test_asking_to_be_guided_starts_the_journey(text: str) -> None:
    assert READER.read(text).intent == "journey.start"


@pytest.mark.parametrize(
    "text",
    [
        "how do I complain to 12378 step by step",  # a question about one channel: answered, not the journey
        "催收天天用验证码轰炸我手机，犯法吗？",
        "they call my mum every night and say they will come step by step closer, is that legal?",
    ],
)
def test_a_question_that_mentions_steps_is_still_a_question(text: str) -> None:
    assert READER.read(text).intent != "journey.start"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("next", "journey.next"),
        ("Next step", "journey.next"),
        ("back", "journey.back"),
        ("go back", "journey.back"),
        ("skip", "journey.skip"),
        ("pause", "journey.pause"),
        ("continue", "journey.continue"),
    ],
)
def test_english_words_move_through_the_journey(text: str, intent: str) -> None:
    assert READER.read(text).intent == intent
