"""Declared flows: validation at declaration, pure transitions, a generated diagram that cannot go stale."""

from __future__ import annotations

import pytest

from bot.flows.base import BACK, END, NEXT, PAUSE, SKIP, Flow, FlowDefinitionError, Step, validate_texts
from bot.flows.seven_steps import SEVEN_STEPS
from bot.knowledge import load_knowledge
from bot.settings import PROJECT_ROOT
from bot.texts import Texts


def test_seven_steps_in_order_with_progress() -> None:
    assert [s.id for s in SEVEN_STEPS.steps] == [
        "recognise",
        "preserve",
        "tell_collector",
        "complain_lender",
        "complain_operator",
        "police_or_court",
        "regulators",
    ]
    assert SEVEN_STEPS.position("complain_lender") == (4, 7)


def test_transitions_are_pure_and_bounded() -> None:
    f = SEVEN_STEPS
    assert f.transition("recognise", NEXT) == "preserve"
    assert f.transition("preserve", BACK) == "recognise"
    assert f.transition("recognise", BACK) == "recognise"
    assert f.transition("preserve", SKIP) == "tell_collector"
    assert f.transition("preserve", PAUSE) == "preserve"
    assert f.transition("regulators", NEXT) == END
    assert f.transition("regulators", "jump") is None
    assert f.transition("nonexistent", NEXT) is None
    assert BACK not in f.allowed("recognise") and BACK in f.allowed("preserve")


def test_every_cited_article_exists_and_every_text_key_exists() -> None:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    assert [a for a in SEVEN_STEPS.cited() if kb.get(a) is None] == []
    assert SEVEN_STEPS.missing_texts(Texts()) == []


def test_broken_declarations_fail_at_declaration() -> None:
    with pytest.raises(FlowDefinitionError, match="no way forward"):
        Flow("f", "flows.seven.title", (Step("a", "flows.seven.recognise", events=(BACK, PAUSE)), Step("b", "x")))
    with pytest.raises(FlowDefinitionError, match="duplicate"):
        Flow("f", "t", (Step("a", "k"), Step("a", "k")))
    with pytest.raises(FlowDefinitionError, match="bad step id"):
        Flow("f", "t", (Step("3", "k"), Step("end", "k")))
    with pytest.raises(FlowDefinitionError, match="missing text keys"):
        validate_texts(Flow("f", "flows.seven.title", (Step("a", "flows.nope"),)), Texts())


def test_checked_in_diagram_matches_the_declaration() -> None:
    path = PROJECT_ROOT / "docs" / "flows" / "seven_steps.mmd"
    assert path.read_text(encoding="utf-8") == SEVEN_STEPS.mermaid(), "regenerate docs/flows/seven_steps.mmd"
