"""SMS test fixtures: the real knowledge base and the classifier on its rules, loaded once per module."""

from __future__ import annotations

import pytest

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.settings import PROJECT_ROOT
from bot.sms.classify import Classifier
from bot.sms.rules import load_rules


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="module")
def clf(kb: KnowledgeBase) -> Classifier:
    return Classifier(load_rules(kb))
