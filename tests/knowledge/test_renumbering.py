"""A superseded text's articles map to the articles they became (the 2026 renumberings), and labels read either way."""

from __future__ import annotations

from bot.knowledge import load_knowledge
from bot.knowledge.renumbering import old_namesakes, successors
from bot.legal_qa.evaluate import resolve
from bot.settings import PROJECT_ROOT

KB = load_knowledge(PROJECT_ROOT / "knowledge")


def test_old_articles_map_to_the_articles_the_revision_made_of_them() -> None:
    moved = successors(KB)
    # the numbering notes of knowledge/laws say: old 41 is now 43, old 44 now 46, old 40-50 now 42-52
    assert moved["cybersecurity-law-2016:41"] == "cybersecurity-law-2025:43"
    assert moved["cybersecurity-law-2016:44"] == "cybersecurity-law-2025:46"
    assert moved["cybersecurity-law-2016:40"] == "cybersecurity-law-2025:42"  # amended (a paragraph added), closest
    assert moved["public-security-admin-punishments-law-2012:42"] == "public-security-admin-punishments-law-2025:50"
    # old 40 of the 2012 text (forced labour, illegal restraint...) is about as close to two current articles: none
    assert "public-security-admin-punishments-law-2012:40" not in moved
    assert all(new.split(":")[0].endswith(("2025",)) for new in moved.values())


def test_a_current_number_that_an_old_page_uses_for_another_article_is_known() -> None:
    namesakes = old_namesakes(KB, successors(KB))
    assert namesakes["cybersecurity-law-2025:44"] == ("cybersecurity-law-2016:44", "cybersecurity-law-2025:46")
    assert "cybersecurity-law-2025:13" not in namesakes  # old 12 is now 13; the current 12 is not in knowledge/


def test_an_evaluation_label_in_the_old_numbering_is_met_by_the_article_in_force() -> None:
    moved = successors(KB)
    old44 = resolve("网络安全法 第44条", KB, moved)
    assert old44.ids == {"cybersecurity-law-2025:44", "cybersecurity-law-2025:46"}
    assert resolve("网络安全法 第44条", KB).ids == {"cybersecurity-law-2025:44"}
    assert resolve("网络安全法 第41条", KB, moved).ids == {"cybersecurity-law-2025:43"}
    assert resolve("民法典 第1033条", KB, moved).ids == {"civil-code:1033"}
