"""English article references read as their Chinese form, so "article 1033 of the civil code" finds that article."""

from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.numerals import english_refs, without_english_refs
from bot.legal_qa.bm25 import Tokenizer
from bot.legal_qa.ingest import all_chunks
from bot.legal_qa.retrieve import Retriever
from bot.settings import PROJECT_ROOT


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ("what does article 1033 of the civil code say", "民法典第1033条"),
        ("Criminal Law art. 293-1", "刑法第293条之一"),
        ("PIPL Article 44 and article 45", "个人信息保护法第44条 个人信息保护法第45条"),
        ("article 5 of my loan contract", ""),  # no law named
        ("which article of the civil code", ""),  # no number
    ],
)
def test_an_english_article_reference_gets_its_chinese_form(text: str, chinese: str) -> None:
    assert english_refs(text) == chinese


class _NoDense:
    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        return []


def test_an_english_article_question_is_answered_from_that_article_and_no_card() -> None:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    res = Retriever(kb, all_chunks(kb), _NoDense(), Tokenizer()).search("what does article 1033 of the civil code say")
    assert res.direct == ["civil-code:1033"] and not res.topics  # "code" alone picked the code-bombing card


def test_law_names_are_left_out_of_what_cards_read() -> None:
    assert "code" not in without_english_refs("is it legal? which article of the civil code").lower()
