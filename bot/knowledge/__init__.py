"""Knowledge stage (lowest, beside office/ and storage/): the typed model of knowledge/, its YAML loader, citations.

numerals.py   Chinese article labels and numbers (第一千零三十三条之一 -> 1033, "之一")
yaml_io.py    read YAML keeping line numbers; validate with pydantic; KnowledgeError "<file>:<line>: ..."
model.py      Instrument, Article, Contact, Topic, KnowledgeBase, ArticleRef
loader.py     load_knowledge(root) and friends: every file validated, every cross-reference checked
citations.py  Citation (what a reply shows of a cited article) and the one function that builds it

Every stage above (sms, legal_qa, documents, …) imports from here; this package imports no other stage.
"""

from __future__ import annotations

from bot.knowledge.citations import Citation, cite
from bot.knowledge.loader import load_instrument, load_jsonl_instruments, load_knowledge
from bot.knowledge.model import (
    Article,
    ArticleRef,
    Contact,
    Instrument,
    KnowledgeBase,
    LawMention,
    NotFound,
    Source,
    Status,
    Topic,
)
from bot.knowledge.numerals import ARTICLE_REF, article_key, chinese_number, chinese_numeral, parse_label
from bot.knowledge.yaml_io import KnowledgeError, line_of, read_yaml, validate

__all__ = [
    "ARTICLE_REF",
    "Article",
    "ArticleRef",
    "Citation",
    "Contact",
    "Instrument",
    "KnowledgeBase",
    "KnowledgeError",
    "LawMention",
    "NotFound",
    "Source",
    "Status",
    "Topic",
    "article_key",
    "chinese_number",
    "chinese_numeral",
    "cite",
    "line_of",
    "load_instrument",
    "load_jsonl_instruments",
    "load_knowledge",
    "parse_label",
    "read_yaml",
    "validate",
]
