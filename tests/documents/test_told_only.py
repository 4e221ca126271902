"""A document states only what the person said or their log shows: no denial, attachment or contact list assumed."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.documents import fill, load_templates
from bot.documents.facts import conduct, slots_from_evidence
from bot.documents.templates import Template
from bot.evidence.model import EvidenceItem
from bot.evidence.stats import compute
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.settings import PROJECT_ROOT
from bot.texts import Texts

TEXTS = Texts()
CN = timezone(timedelta(hours=8))
TODAY = date(2026, 12, 5)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="module")
def templates(kb: KnowledgeBase) -> dict[str, Template]:
    return load_templates(PROJECT_ROOT / "knowledge" / "templates", kb)


def _codes(source: str = "paste") -> list[EvidenceItem]:
    start = datetime(2026, 11, 3, 1, 0, tzinfo=CN)
    return [
        EvidenceItem(
            i + 1,
            start,
            start + timedelta(minutes=i),
            source,
            f"【平台{i}】验证码1234",
            "1069",
            "verification_code",
            f"平台{i}",
            (),
            (),
            "h",
            "c",
        )
        for i in range(3)
    ]


def test_the_codes_are_not_said_to_be_someone_elses_unless_the_person_said_so() -> None:
    items = _codes()
    plain = slots_from_evidence(items, compute(items), TEXTS)["what_happened"]
    assert "3个不同的平台" in plain and "并非本人注册或登录" not in plain
    told = slots_from_evidence(items, compute(items), TEXTS, ["这些平台我从来没注册过"])["what_happened"]
    assert "据本人陈述，这些平台并非本人注册或登录" in told


def test_screenshots_are_listed_only_when_the_log_has_some() -> None:
    pasted = _codes()
    assert "截图" not in slots_from_evidence(pasted, compute(pasted), TEXTS)["evidence_list"]
    shot = _codes("screenshot")
    assert "骚扰短信的手机截图" in slots_from_evidence(shot, compute(shot), TEXTS)["evidence_list"]


def test_family_named_is_not_turned_into_colleagues() -> None:
    said = conduct(None, ["他们还打给我妈和我老婆"], TEXTS)
    assert said == "骚扰家人" and "同事" not in said
    assert conduct(None, ["他们找到我领导那里去了"], TEXTS) == "骚扰单位同事"


def test_templates_assume_no_complaint_made_and_no_contact_list_taken(
    templates: dict[str, Template], kb: KnowledgeBase
) -> None:
    nfra = fill(templates["nfra_12378_complaint"], {"name": "赵敏"}, kb, TEXTS, TODAY).text
    assert "本人已于" not in nfra and "向被投诉机构投诉的日期：【待填写" in nfra
    pboc = fill(templates["pboc_12363_complaint"], {"name": "赵敏"}, kb, TEXTS, TODAY).text
    assert "本人已于" not in pboc
    civil = fill(templates["civil_complaint"], {"name": "刘芳"}, kb, TEXTS, TODAY).text
    assert "通讯录" not in civil
    notice = fill(templates["cease_notice"], {"name": "李建国"}, kb, TEXTS, TODAY).text
    assert "同事" not in notice


def test_the_notice_goes_to_the_lender_else_the_collector_else_asks_for_the_lender(
    templates: dict[str, Template], kb: KnowledgeBase
) -> None:
    cease = templates["cease_notice"]
    both = fill(cease, {"lender": "借呗", "collectors": "速借花"}, kb, TEXTS, TODAY).text
    assert "致：借呗及其委托的催收机构" in both
    only_collector = fill(cease, {"collectors": "速借花"}, kb, TEXTS, TODAY)
    assert "致：速借花" in only_collector.text and "借款平台或放款机构" not in only_collector.missing
    neither = fill(cease, {}, kb, TEXTS, TODAY)
    assert "致：【待填写：借款平台或放款机构】" in neither.text and "借款平台或放款机构" in neither.missing
