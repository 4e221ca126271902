"""Documents: every template loads and cites only articles in knowledge/, renders to text, DOCX and PDF, marks what is
missing, keeps hostile input literal, trims long fields, and validates phones, dates and ID numbers."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document

from bot.documents import (
    Draft,
    Template,
    citation_texts,
    file_out,
    fill,
    load_templates,
    mask_id,
    normalise_phone,
    parse_date,
    slots_from_evidence,
    slots_from_json,
    to_docx,
    to_pdf,
    validate_slot,
)
from bot.documents.templates import load_catalogue
from bot.evidence.model import Episode, EvidenceItem, Stats
from bot.evidence.stats import compute
from bot.flows.seven_steps import SEVEN_STEPS
from bot.knowledge import ARTICLE_REF, KnowledgeBase, KnowledgeError, chinese_number, load_knowledge
from bot.settings import PROJECT_ROOT
from bot.texts import Texts, nest_quotes

KNOWLEDGE = PROJECT_ROOT / "knowledge"
TEMPLATES = KNOWLEDGE / "templates"
TODAY = date(2026, 11, 28)
TEXTS = Texts()
EXPECTED = {
    "cease_notice",
    "lender_complaint",
    "carrier_complaint",
    "miit_12300_appeal",
    "report_12321",
    "nfra_12378_complaint",
    "pboc_12363_complaint",
    "police_report",
    "civil_complaint",
    "evidence_summary",
}
FULL: dict[str, object] = {
    "name": "张某某",
    "gender": "男",
    "ethnicity": "汉族",
    "id_number": "000000199003071236",
    "address": "北京市朝阳区某某路1号院2号楼301室",
    "postal_code": "100020",
    "phone": "+86 138-1234-5678",
    "lender": "某某消费金融有限公司",
    "lender_address": "上海市浦东新区某某路100号",
    "lender_representative": "李某",
    "lender_credit_code": "91310000MA1XXXXXXX",
    "contract_no": "JK20260315000123",
    "loan_amount": "5,000元",
    "collectors": ["某某资产管理有限公司", "自称“王经理”的催收员"],
    "collector_numbers": ["13900001111", "10690000123"],
    "start_date": "2026/11/1",
    "latest_date": "2026-11-20 22:15",
    "what_happened": "2026年11月3日22时至23时，本人手机收到来自30多个平台的验证码短信120余条。\n同日收到催收短信。",
    "sms_samples": "2026-11-03 22:15，10690000123：“再不还款，明天通知你全部联系人。”",
    "demands": "书面说明本人个人信息的共享情况",
    "lender_complaint_date": "2026年11月5日",
    "lender_ticket": "TS2026110500088",
    "lender_reply": "客服称已记录，至今未书面答复。",
    "carrier": "中国移动",
    "carrier_address": "北京市西城区某某街1号",
    "carrier_complaint_date": "20261106",
    "carrier_ticket": "20261106123456",
    "carrier_reply": "投诉后超过15日未答复。",
    "evidence_list": "原始短信1000条；证据清单；短信截图12张",
    "police_station": "某某派出所",
    "court": "某某市某某区人民法院",
    "compensation": "5000",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="module")
def templates(kb: KnowledgeBase) -> dict[str, Template]:
    return load_templates(TEMPLATES, kb)


def full_slots() -> dict[str, str]:
    return slots_from_json(FULL)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(data: bytes, tmp_path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return done.stdout


# ---------------------------------------------------------------------------------------------------------------------
# Loading and citations


def test_every_template_loads_with_its_body_and_slots(templates: dict[str, Template]) -> None:
    assert set(templates) == EXPECTED
    for tpl in templates.values():
        assert tpl.body and tpl.title and tpl.when_to_use and tpl.recipient
        assert set(tpl.slot_defs) == {*tpl.required_slots, *tpl.optional_slots}
        assert {"name"} & set(tpl.required_slots) or "phone" in tpl.required_slots
        assert tpl.formats == ["txt", "docx", "pdf"]


def test_the_guided_flow_offers_only_existing_templates(templates: dict[str, Template]) -> None:
    offered = {step.document for step in SEVEN_STEPS.steps if step.document}
    assert offered <= set(templates)


def test_every_cited_article_exists_in_knowledge(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    for tpl in templates.values():
        for spec in tpl.citations:
            ref = kb.get(spec.id)
            assert ref is not None, (tpl.name, spec.id)
            assert ref.instrument.current, (tpl.name, spec.id)
        for law in tpl.law_mentions:
            assert law in kb.instruments, (tpl.name, law)
        for channel in tpl.channels:
            assert channel in kb.contacts, (tpl.name, channel)


def test_citations_quote_the_exact_article_text(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    for tpl in templates.values():
        for spec, quoted in zip(tpl.citations, citation_texts(tpl, kb, TEXTS), strict=True):
            ref = kb.get(spec.id)
            assert ref is not None
            assert quoted.startswith(f"《{ref.instrument.title}》{ref.article.label}：“")
            body = quoted.split("：“", 1)[1].removesuffix("”")
            assert not body.startswith("“"), (tpl.name, spec.id)  # nested quotes are single: “‘软暴力’是指…”
            for piece in body.split("……"):
                assert piece in nest_quotes(ref.article.text.replace("\n", "")), (tpl.name, spec.id, piece)


def _allowed_law_names(tpl: Template, kb: KnowledgeBase) -> set[str]:
    ids = {c.id.partition(":")[0] for c in tpl.citations} | set(tpl.law_mentions)
    names: set[str] = set()
    for ins_id in ids:
        ins = kb.instruments[ins_id]
        names |= {ins.title, ins.short, *ins.aliases}
    return names


def test_no_article_number_or_law_outside_the_cited_list(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    """Scan the rendered text (quoted statute texts removed) for 第…条 and 《…》 and check them against knowledge."""
    for tpl in templates.values():
        draft = fill(tpl, full_slots(), kb, TEXTS, TODAY)
        cited = {}
        for spec in tpl.citations:
            ref = kb.get(spec.id)
            assert ref is not None
            cited[(ref.article.number, ref.article.suffix)] = ref
        text = draft.text
        for quoted in citation_texts(tpl, kb, TEXTS):
            label, _, _body = quoted.partition("：“")
            assert label in text
            text = text.replace(quoted, label)
        for m in ARTICLE_REF.finditer(text):
            key = (chinese_number(m.group(1)), m.group(2))
            assert key in cited, (tpl.name, m.group(0))
        allowed = _allowed_law_names(tpl, kb)
        for name in re.findall(r"《([^》]+)》", text):
            assert name in allowed, (tpl.name, name)


def test_police_report_cites_the_2025_law_by_its_new_number(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    police = fill(templates["police_report"], full_slots(), kb, TEXTS, TODAY).text
    assert "《中华人民共和国治安管理处罚法》第五十条" in police
    assert "多次发送淫秽、侮辱、恐吓等信息或者采取滋扰、纠缠、跟踪等方法" in police
    assert "2026年1月1日起施行" in police
    assert "第四十二条" not in police  # the superseded 2012 numbering


def test_law_mentions_name_the_law_without_an_article_number(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    nfra = fill(templates["nfra_12378_complaint"], full_slots(), kb, TEXTS, TODAY).text
    assert "《商业银行互联网贷款管理暂行办法》等监管规定" in nfra  # banks and consumer-finance firms: NFRA's rules
    lender = fill(templates["lender_complaint"], full_slots(), kb, TEXTS, TODAY).text
    assert "商业银行" not in lender  # any lender, a microloan company too: not a bank rule by name


# ---------------------------------------------------------------------------------------------------------------------
# Rendering


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_template_renders_as_text_docx_and_pdf(
    name: str, templates: dict[str, Template], kb: KnowledgeBase, tmp_path: Path
) -> None:
    tpl = templates[name]
    draft = fill(tpl, full_slots(), kb, TEXTS, TODAY)
    assert draft.missing == [], draft.missing
    assert draft.notices == [], draft.notices
    assert draft.text.startswith(tpl.title + "\n")
    assert "【待填写" not in draft.text
    assert "2026年11月28日" in draft.text
    filled = "张某某" if "name" in tpl.slot_defs else "13812345678"
    assert filled in draft.text
    assert "{{" not in draft.text and "}}" not in draft.text

    document = Document(io.BytesIO(to_docx(draft, TEXTS, tpl.title)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == tpl.title
    assert any(filled in p for p in paragraphs)
    assert document.core_properties.title == tpl.title
    styles = document.styles.element.xml
    assert 'w:eastAsia="宋体"' in styles and "eastAsiaTheme" not in styles

    pdf = to_pdf(draft, TEXTS, tpl.title)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    if text is not None:
        assert _compact(tpl.title) in _compact(text)
        assert filled in _compact(text)
        assert text.count("\f") <= (2 if name in ("civil_complaint", "police_report") else 1), "about one page"


def test_file_out_names_and_mime_types(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    draft = fill(templates["cease_notice"], full_slots(), kb, TEXTS, TODAY)
    txt = file_out(draft, None, "txt", TEXTS)
    assert txt.name == "停止催收骚扰告知函.txt" and txt.mime.startswith("text/plain")
    assert txt.data.decode("utf-8") == draft.text
    assert file_out(draft, None, "docx", TEXTS).data[:2] == b"PK"
    assert file_out(draft, "a/b c", "pdf", TEXTS).name == "a_b_c.pdf"
    with pytest.raises(ValueError):
        file_out(draft, None, "odt", TEXTS)


def test_missing_slots_are_marked_and_listed(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    tpl = templates["cease_notice"]
    draft = fill(tpl, {"phone": "13812345678"}, kb, TEXTS, TODAY)
    assert "【待填写：姓名】" in draft.text
    assert "【待填写：借款平台或放款机构】" in draft.text
    assert draft.missing == ["借款平台或放款机构", "姓名", "骚扰开始的日期", "事实经过"]
    assert Texts().get("documents.missing_heading") in draft.text
    assert "4. 事实经过" in draft.text
    # optional lines whose slot is missing are left out rather than marked
    assert "已知的催收号码" not in draft.text and "借款合同编号" not in draft.text
    assert draft.blocks[-1].kind == "note"
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(to_docx(draft, TEXTS))).paragraphs)
    assert "【待填写：姓名】" in docx_text and "4. 事实经过" in docx_text


def test_numbering_stays_consecutive_when_optional_items_drop(
    templates: dict[str, Template], kb: KnowledgeBase
) -> None:
    slots = full_slots()
    del slots["compensation"]
    text = fill(templates["civil_complaint"], slots, kb, TEXTS, TODAY).text
    assert "4. 书面说明本人个人信息的共享情况" in text
    assert "5. 本案诉讼费用由被告承担。" in text
    assert "6." not in text.split("事实与理由")[0]


def test_id_number_is_masked_except_in_the_civil_complaint(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    police = fill(templates["police_report"], full_slots(), kb, TEXTS, TODAY).text
    assert "0000**********1236" in police and "000000199003071236" not in police
    civil = fill(templates["civil_complaint"], full_slots(), kb, TEXTS, TODAY).text
    assert "身份证号码：000000199003071236" in civil
    assert mask_id("000000199003071236") == "0000**********1236"


def test_12300_material_states_the_operator_first_rule(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    tpl = templates["miit_12300_appeal"]
    text = fill(tpl, full_slots(), kb, TEXTS, TODAY).text
    assert "须先向运营商投诉" in text and "15日内未答复" in text
    assert "2026年11月6日" in text  # the carrier complaint date, normalised
    assert "先向运营商投诉" in tpl.when_to_use and "15日" in tpl.when_to_use


def test_police_report_asks_for_a_case_receipt(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    text = fill(templates["police_report"], full_slots(), kb, TEXTS, TODAY).text
    assert "受案回执" in text and "接受证据清单" in text


def test_letters_keep_debt_and_harassment_apart(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    for name in ("cease_notice", "lender_complaint", "nfra_12378_complaint", "police_report", "civil_complaint"):
        text = fill(templates[name], full_slots(), kb, TEXTS, TODAY).text
        assert "不否认依法成立的" in text, name


# ---------------------------------------------------------------------------------------------------------------------
# Hostile input

INJECTION = "{{phone}}{% if 1 %}x{% endif %}{{ citations }}{#c#}\x00\x07\x1b[31m\u202etxt.exe\ud800 ## 标题"


def test_injection_strings_stay_literal_and_controls_are_removed(
    templates: dict[str, Template], kb: KnowledgeBase, tmp_path: Path
) -> None:
    tpl = templates["cease_notice"]
    slots = full_slots()
    slots["name"] = "{{phone}}{{name}}"
    slots["what_happened"] = INJECTION
    slots["demands"] = "{{missing}}\n{{today}}\n| >> (#) 第九十九条"
    draft = fill(tpl, slots, kb, TEXTS, TODAY)
    assert "{{phone}}{% if 1 %}x{% endif %}{{ citations }}{#c#}[31mtxt.exe ## 标题" in draft.text
    for bad in ("\x00", "\x07", "\x1b", "\u202e", "\ud800"):
        assert bad not in draft.text
    assert "本人{{phone}}{{name}}，手机号码13812345678" in draft.text
    assert draft.text.count("第一千零三十三条") == 1  # {{ citations }} in a value was not expanded
    assert "{{missing}}" in draft.text and "{{today}}" in draft.text
    assert "（六）| >> (#) 第九十九条" in draft.text  # markers in values are text, not layout
    assert draft.missing == []
    docx = Document(io.BytesIO(to_docx(draft, TEXTS)))
    assert any("{% if 1 %}" in p.text for p in docx.paragraphs)
    pdf = to_pdf(draft, TEXTS)
    text = _pdf_text(pdf, tmp_path)
    if text is not None:
        assert "{%if1%}" in _compact(text)


def test_a_50000_character_field_is_trimmed_with_a_notice(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    tpl = templates["cease_notice"]
    slots = full_slots()
    slots["what_happened"] = "轰" * 50_000
    draft = fill(tpl, slots, kb, TEXTS, TODAY)
    limit = tpl.slot_defs["what_happened"].max_length
    assert "轰" * limit in draft.text and "轰" * (limit + 1) not in draft.text
    assert any("太长" in n and "50000" in n and str(limit) in n for n in draft.notices)
    assert to_pdf(draft, TEXTS).startswith(b"%PDF")


def test_invalid_values_are_rejected_with_a_notice(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    tpl = templates["police_report"]
    slots = full_slots()
    slots["phone"] = "12345"
    slots["start_date"] = "2026-02-30"
    slots["id_number"] = "110105199003071230"
    draft = fill(tpl, slots, kb, TEXTS, TODAY)
    assert "【待填写：被骚扰的手机号码】" in draft.text
    assert "【待填写：骚扰开始的日期】" in draft.text
    assert "身份证号码" not in draft.text  # optional here: the line is left out
    joined = "\n".join(draft.notices)
    assert "12345" in joined and "13812345678" in joined  # says what was wrong, with an example
    assert "2026-02-30" in joined and "身份证" in joined


# ---------------------------------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("(138)1234-5678", "13812345678"),
        ("12812345678", None),
        ("1381234567", None),
        ("10690000123", None),
        ("abc", None),
    ],
)
def test_mobile_numbers(value: str, expected: str | None) -> None:
    assert normalise_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10690000123", "10690000123"),
        ("1065502012345678", "1065502012345678"),
        ("010-12345678", "010-12345678"),
        ("95555", "95555"),
        ("+8613900001111", "13900001111"),
        ("12", None),
        ("106", None),
    ],
)
def test_sender_numbers(value: str, expected: str | None) -> None:
    assert normalise_phone(value, sender=True) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-03", date(2026, 11, 3)),
        ("2026/11/3", date(2026, 11, 3)),
        ("2026.11.03", date(2026, 11, 3)),
        ("20261103", date(2026, 11, 3)),
        ("2026年11月3日", date(2026, 11, 3)),
        ("2026年11月3号", date(2026, 11, 3)),
        ("二〇二六年十一月三日", date(2026, 11, 3)),
        ("2026-11-03 22:15", date(2026, 11, 3)),
        ("2026年11月3日 22时15分", date(2026, 11, 3)),
        ("11月3日", date(2026, 11, 3)),
        ("12-25", date(2025, 12, 25)),  # no year and in the future this year: last year
        ("2026-02-30", None),
        ("2026-13-01", None),
        ("1899-01-01", None),
        ("下周三", None),
    ],
)
def test_dates(value: str, expected: date | None) -> None:
    assert parse_date(value, TODAY) == expected


def test_validate_slot_by_kind() -> None:
    catalogue = load_catalogue(TEMPLATES / "slots.yaml")
    assert validate_slot(catalogue["start_date"], "2026-11-03") == ("2026年11月3日", None)
    assert validate_slot(catalogue["start_date"], "昨天") == (None, "documents.error.date")
    assert validate_slot(catalogue["phone"], "138 1234 5678") == ("13812345678", None)
    assert validate_slot(catalogue["phone"], "10690000123") == (None, "documents.error.phone")
    assert validate_slot(catalogue["id_number"], "000000199003071236") == ("000000199003071236", None)
    assert validate_slot(catalogue["id_number"], "44030419851212456x") == (None, "documents.error.id_number")
    assert validate_slot(catalogue["id_number"], "440304198512124569") == ("440304198512124569", None)
    assert validate_slot(catalogue["id_number"], "110105199013071236") == (
        None,
        "documents.error.id_number",
    )  # month 13
    assert validate_slot(catalogue["id_number"], "11010519900307123") == (None, "documents.error.id_number")
    assert validate_slot(catalogue["compensation"], "¥5,000.5") == ("5000.50元", None)
    assert validate_slot(catalogue["compensation"], "五千") == (None, "documents.error.amount")
    numbers = validate_slot(catalogue["collector_numbers"], "13900001111、10690000123；010-12345678，13900001111")
    assert numbers == ("13900001111\n10690000123\n010-12345678", None)
    assert validate_slot(catalogue["collector_numbers"], "13900001111；王经理") == (None, "documents.error.phone_list")
    assert validate_slot(catalogue["name"], "  \x00 ") == (None, "documents.error.empty")
    value, key = validate_slot(catalogue["name"], "张" * 100)
    assert value == "张" * 30 and key == "documents.notice.trimmed"
    assert validate_slot(catalogue["name"], "张\n某") == ("张 某", None)  # single-line kinds fold newlines


def test_every_validation_key_has_a_text_with_an_example() -> None:
    texts = Texts()
    for key in ("phone", "phone_list", "date", "id_number", "amount", "empty"):
        text = texts.get(f"documents.error.{key}", label="姓名", example="例子", value="x")
        assert text
        if key != "empty":
            assert "例子" in text
    assert texts.get("documents.notice.trimmed", label="a", limit=1, length=2)


# ---------------------------------------------------------------------------------------------------------------------
# Loader errors name the file and line


def _copy_templates(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    shutil.copy(TEMPLATES / "slots.yaml", folder / "slots.yaml")
    for name in names:
        for suffix in (".yaml", ".md"):
            shutil.copy(TEMPLATES / f"{name}{suffix}", folder / f"{name}{suffix}")
    return folder


def test_citing_a_missing_article_is_rejected_with_file_and_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy_templates(tmp_path, "cease_notice")
    path = folder / "cease_notice.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - pipl:10", "  - pipl:999"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cease_notice.yaml:\d+: cites unknown article 'pipl:999'"):
        load_templates(folder, kb)


def test_citing_a_superseded_instrument_is_rejected(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy_templates(tmp_path, "cease_notice")
    path = folder / "cease_notice.yaml"
    text = path.read_text(encoding="utf-8").replace("  - pipl:10", "  - public-security-admin-punishments-law-2012:42")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cease_notice.yaml:\d+: .*superseded"):
        load_templates(folder, kb)


def test_unknown_placeholder_in_a_body_names_the_md_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy_templates(tmp_path, "cease_notice")
    md = folder / "cease_notice.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n{{bank_password}}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cease_notice.md:\d+: unknown placeholder \{\{bank_password\}\}"):
        load_templates(folder, kb)


def test_an_uncited_article_number_in_a_body_is_rejected(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy_templates(tmp_path, "cease_notice")
    md = folder / "cease_notice.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n依照《治安管理处罚法》第四十二条处理。\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cease_notice.md:\d+: 第四十二条 is not among the cited articles"):
        load_templates(folder, kb)


def test_malformed_placeholder_and_optional_slot_misuse_are_rejected(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy_templates(tmp_path, "cease_notice")
    md = folder / "cease_notice.md"
    original = md.read_text(encoding="utf-8")
    md.write_text(original + "\n{{ name }\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cease_notice.md:\d+: malformed placeholder"):
        load_templates(folder, kb)
    md.write_text(original + "\n合同：{{contract_no}}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"optional slot contract_no may only be used on a '\? ' or '\?: ' line"):
        load_templates(folder, kb)


def test_unknown_slot_in_metadata_is_rejected(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy_templates(tmp_path, "cease_notice")
    path = folder / "cease_notice.yaml"
    text = path.read_text(encoding="utf-8").replace("optional_slots: [", "optional_slots: [shoe_size, ")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cease_notice.yaml:\d+: unknown slot 'shoe_size'"):
        load_templates(folder, kb)


# ---------------------------------------------------------------------------------------------------------------------
# From the evidence log

CN = timezone(timedelta(hours=8))


def _item(seq: int, when: datetime, label: str, text: str, sender: str | None, platform: str | None) -> EvidenceItem:
    return EvidenceItem(seq, when, when, "paste", text, sender, label, platform, (), (), "h", "c")


def test_slots_from_evidence_summarise_the_log(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    start = datetime(2026, 11, 3, 22, 0, tzinfo=CN)
    items = [
        _item(
            i + 1,
            start + timedelta(minutes=i),
            "verification_code",
            f"【平台{i}】您的验证码是1234",
            "1069000",
            f"平台{i}",
        )
        for i in range(12)
    ]
    items.append(
        _item(13, start + timedelta(days=2), "collection_threat", "再不还钱就\x00爆你通讯录", "13900001111", None)
    )
    stats = Stats(
        total=13,
        by_label={"verification_code": 12, "collection_threat": 1},
        per_day={"2026-11-03": 12, "2026-11-05": 1},
        per_hour=[0] * 22 + [13, 0],
        night_share=1.0,
        platforms=[f"平台{i}" for i in range(12)],
        episodes=[Episode(start, start + timedelta(minutes=11), 12, tuple(f"平台{i}" for i in range(12)))],
        first=start,
        last=start + timedelta(days=2),
    )
    slots = slots_from_evidence(items, stats, TEXTS)
    what = slots["what_happened"]
    assert "自2026年11月3日至2026年11月5日" in what and "13条" in what
    assert "验证码短信12条" in what and "12个不同的平台" in what and "等" in what
    assert "22时00分至22时11分" in what and "100%" in what
    assert "爆你通讯录" in what and "\x00" not in what
    assert slots["collector_numbers"] == "13900001111"
    assert slots["start_date"] == "2026-11-03"
    draft = fill(templates["police_report"], {**slots, "name": "张某某", "phone": "13812345678"}, kb, TEXTS, TODAY)
    assert draft.missing == [] and "2026年11月3日" in draft.text
    assert "1. 原始短信13条" in draft.text
    assert slots_from_evidence([], Stats(0, {}, {}, [0] * 24, 0.0, []), TEXTS) == {}


def test_draft_is_plain_data(templates: dict[str, Template], kb: KnowledgeBase) -> None:
    draft = fill(templates["evidence_summary"], {}, kb, TEXTS, TODAY)
    assert isinstance(draft, Draft)
    assert draft.name == "evidence_summary" and draft.title == "证据清单（简要说明）"
    assert draft.missing == ["姓名", "被骚扰的手机号码", "事实经过", "证据清单"]


def test_messages_pasted_without_times_are_not_dated_by_when_they_were_pasted() -> None:
    pasted = datetime(2026, 12, 3, 15, 20, tzinfo=CN)  # when the person pasted them, not when they arrived
    items = [
        EvidenceItem(
            i + 1,
            pasted,
            None,
            "paste",
            f"【平台{i}】您的验证码是1234",
            None,
            "verification_code",
            f"平台{i}",
            (),
            (),
            "h",
            "c",
        )
        for i in range(5)
    ]
    items.append(
        EvidenceItem(
            6, pasted, None, "paste", "再不还钱就爆你通讯录", "13900001111", "collection_threat", None, (), (), "h", "c"
        )
    )
    slots = slots_from_evidence(items, compute(items), TEXTS)
    assert "start_date" not in slots and "latest_date" not in slots  # the draft asks for them instead
    assert "12月3日" not in slots["what_happened"] and "集中轰炸" not in slots["what_happened"]
    assert "6条" in slots["what_happened"] and "爆你通讯录" in slots["what_happened"]
    assert "15时20分" not in slots["sms_samples"] and "13900001111" in slots["sms_samples"]


def test_an_otherwise_line_must_stand_after_an_optional_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy_templates(tmp_path, "cease_notice")
    path = folder / "cease_notice.md"
    text = path.read_text(encoding="utf-8").replace("现书面告知并要求：", "现书面告知并要求：\n?: 孤零零的一行")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cease_notice.md:\d+: a '\?: ' line"):
        load_templates(folder, kb)
