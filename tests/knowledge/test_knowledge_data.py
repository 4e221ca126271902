"""The real knowledge/ folder loads, and the loader names file and line for bad data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, load_instrument, load_knowledge, parse_label
from bot.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"


def test_real_knowledge_loads_with_every_reference_resolved() -> None:
    kb = load_knowledge(KNOWLEDGE)
    assert len(kb.instruments) >= 15
    assert len(kb.articles()) >= 250
    for topic in kb.topics:
        # every card rests on law, except the two that only say where to turn (complaint channels, free legal advice)
        assert topic.articles or topic.law_mentions or topic.id in ("channels", "lawyer"), topic.id
        for cid in topic.articles:
            assert kb.get(cid) is not None, cid
    assert kb.article_text.startswith("# ")


def test_key_articles_have_exact_official_wording() -> None:
    kb = load_knowledge(KNOWLEDGE)
    art = kb.get("civil-code:1033")
    assert art is not None
    assert "（一）以电话、短信、即时通讯工具、电子邮件、传单等方式侵扰他人的私人生活安宁；" in art.article.text
    assert kb.get("criminal-law:293-1") is not None
    assert kb.get("criminal-law:293-1").article.label == "第二百九十三条之一"  # type: ignore[union-attr]
    psapl = kb.get("public-security-admin-punishments-law-2025:50")
    assert psapl is not None and psapl.instrument.status == "in_force"
    assert (
        "（五）多次发送淫秽、侮辱、恐吓等信息或者采取滋扰、纠缠、跟踪等方法，干扰他人正常生活的；" in psapl.article.text
    )
    assert "可以责令其一定期限内禁止接触被侵害人" in psapl.article.text
    assert psapl.article.source and psapl.article.source.startswith("https://")


def test_statuses_and_changes_are_recorded() -> None:
    kb = load_knowledge(KNOWLEDGE)
    old = kb.instruments["public-security-admin-punishments-law-2012"]
    new = kb.instruments["public-security-admin-punishments-law-2025"]
    assert old.status == "superseded" and old.superseded_by == new.id
    assert str(new.effective) == "2026-01-01"
    csl_old = kb.instruments["cybersecurity-law-2016"]
    csl = kb.instruments["cybersecurity-law-2025"]
    assert csl_old.status == "superseded" and csl_old.superseded_by == csl.id
    assert csl_old.numbering_note and "2016" in csl_old.numbering_note
    assert str(csl.effective) == "2026-01-01" and csl.status == "in_force"
    loans = kb.instruments["internet-loan-interim-measures"]
    assert "国家金融监督管理总局" in loans.status_note


def test_cybersecurity_law_2025_renumbering_keeps_the_2016_wording() -> None:
    """The 2025 amendment moved old 12 to 13, 40-50 to 42-52 and 76 to 78 and changed only old 40 (a second
    paragraph); old 64's personal-information fines became a reference to other laws in 71."""
    kb = load_knowledge(KNOWLEDGE)
    old = {a.number: a.text.replace(":", "：") for a in kb.instruments["cybersecurity-law-2016"].articles}
    new = {a.number: a.text for a in kb.instruments["cybersecurity-law-2025"].articles}
    moved = {12: 13, 41: 43, 42: 44, 43: 45, 44: 46, 45: 47, 46: 48, 47: 49, 48: 50, 49: 51, 50: 52, 76: 78}
    for before, after in moved.items():
        assert new[after] == old[before], (before, after)
    first, second = new[42].split("\n")
    assert first == old[40] and second.startswith("网络运营者处理个人信息")
    assert "依照有关法律、行政法规的规定处理、处罚" in new[71] and "第四十三条至第四十五条" in new[71]
    for topic in kb.topics:
        assert not any(a.startswith("cybersecurity-law-2016:") for a in topic.articles), topic.id


def test_every_instrument_has_a_source_url() -> None:
    kb = load_knowledge(KNOWLEDGE)
    for ins in kb.instruments.values():
        assert ins.sources and all(s.url.startswith(("http://", "https://")) for s in ins.sources), ins.id


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("第一千零三十三条", (1033, None)),
        ("第二百五十三条之一", (253, "之一")),
        ("第十条", (10, None)),
        ("第一百零九条", (109, None)),
    ],
)
def test_article_labels_parse(label: str, expected: tuple[int, str | None]) -> None:
    assert parse_label(label) == expected


def test_bad_file_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad-law.yaml"
    bad.write_text(
        "id: bad-law\ntitle: 测试法\nshort: 测试法\nkind: law\nissuer: 测试\nstatus: in_force\n"
        "sources:\n  - url: https://example.org\narticles:\n  - number: 5\n    label: 第六条\n    text: 内容\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as err:
        load_instrument(bad)
    assert "bad-law.yaml:10" in str(err.value)
    assert "does not match" in str(err.value)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"broken.yaml:\d+: YAML syntax error"):
        load_instrument(bad)


def test_topic_citing_a_missing_article_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "laws").mkdir()
    for f in (KNOWLEDGE / "laws").glob("civil-code.yaml"):
        (tmp_path / "laws" / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "topics.yaml").write_text(
        "topics:\n  - id: t\n    title: t\n    triggers: [x]\n    articles: [civil-code:99999]\n    advice: a\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=r"topics.yaml:5: topic t cites unknown article 'civil-code:99999'"):
        load_knowledge(tmp_path)


def test_import_script_check_passes_against_shared_sources() -> None:
    """The statute texts in knowledge/ still match the shared source files word for word."""
    import subprocess
    import sys

    shared = PROJECT_ROOT.parent / "shared" / "knowledge-sources"
    if not shared.exists():
        pytest.skip("shared/knowledge-sources is not beside this checkout")
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "import_sources.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_civil_code_citations_link_the_book_they_come_from() -> None:
    """A playtest found every 民法典 article linked to 人格权编.md: each book's copy is now the article's source."""
    kb = load_knowledge(KNOWLEDGE)
    books = {
        "civil-code:188": "总则.md",
        "civil-code:675": "合同编.md",
        "civil-code:1033": "人格权编.md",
        "civil-code:1064": "婚姻家庭编.md",
        "civil-code:1165": "侵权责任编.md",
    }
    for cid, book in books.items():
        ref = kb.get(cid)
        assert ref is not None and ref.article.source and ref.article.source.endswith("/民法典/" + book), cid


def test_personal_information_crime_thresholds_are_the_official_counts() -> None:
    kb = load_knowledge(KNOWLEDGE)
    art = kb.get("personal-info-crime-interpretation:5")
    assert art is not None and str(art.instrument.effective) == "2017-06-01"
    for item in (
        "财产信息五十条以上的",
        "公民个人信息五百条以上的",
        "公民个人信息五千条以上的",
        "违法所得五千元以上的",
    ):
        assert item in art.article.text
    fees = kb.get("litigation-fees-measures:44")
    assert fees is not None and "诉讼费用的免交只适用于自然人。" in fees.article.text


def test_consumer_rights_regulation_bars_forced_consent_and_unasked_marketing() -> None:
    kb = load_knowledge(KNOWLEDGE)
    forced = kb.get("consumer-rights-implementing-regulation:23")
    marketing = kb.get("consumer-rights-implementing-regulation:24")
    assert forced is not None and "不得采用一次概括授权、默认授权等方式" in forced.article.text
    assert marketing is not None and marketing.article.text.startswith(
        "未经消费者同意，经营者不得向消费者发送商业性信息"
    )
    assert str(marketing.instrument.effective) == "2024-07-01"


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ("only_when:\n      civil-code:544: 卡", r"topic t has only_when for 'civil-code:544', not among its articles"),
        (
            "first_when:\n      civil-code:544: 卡",
            r"topic t has first_when for 'civil-code:544', not among its articles",
        ),
        ("unless: 担保(", r"topics.yaml:6: topic t unless: bad pattern"),
        ("defers_to: [nowhere]", r"topic t defers to unknown topic 'nowhere'"),
    ],
)
def test_a_card_with_a_bad_condition_pattern_or_reference_is_rejected(tmp_path: Path, field: str, error: str) -> None:
    (tmp_path / "laws").mkdir()
    (tmp_path / "laws" / "civil-code.yaml").write_text(
        (KNOWLEDGE / "laws" / "civil-code.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "topics.yaml").write_text(
        "topics:\n  - id: t\n    title: t\n    triggers: [x]\n    articles: [civil-code:543]\n"
        f"    {field}\n    advice: a\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=error):
        load_knowledge(tmp_path)


def test_a_channel_with_chinese_facts_but_no_english_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "contacts.yaml").write_text(
        "channels:\n  - id: c\n    name: 测试热线\n    short: 测试\n    name_en: test line\n"
        "    handles: 管短信\n    handles_en: text messages\n    how: 直接拨打\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=r"contacts.yaml:8: channel c has how in Chinese but no how_en"):
        load_knowledge(tmp_path)


def test_a_misspelt_channel_field_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "contacts.yaml").write_text(
        "channels:\n  - id: c\n    name: test line\n    short: test\n    how_eng: call\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match=r"contacts.yaml:5"):
        load_knowledge(tmp_path)
