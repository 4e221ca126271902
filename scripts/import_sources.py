"""Maintenance script: convert the shared statute texts into reviewed YAML files under knowledge/laws/.

Reads the whole-instrument Markdown files in ``<sources>/laws-full/`` (one "第X条" per paragraph block,
chapters as headings) and the per-article files in ``<sources>/regulations/`` (YAML front matter plus
"## 第X条" sections), keeps only the articles listed in ``SELECTION`` and writes one
``knowledge/laws/<id>.yaml`` per instrument following the schema in ``knowledge/README.md``.
It also writes ``knowledge/sources/article.txt`` (the seed article with a provenance header).

Statute text is copied byte-for-byte from the source files: paragraphs are joined with "\\n" and only the
surrounding whitespace of each line is removed. Nothing here writes or paraphrases statute text; the only
words of our own are the instrument metadata and the short ``heading`` topics below.

Usage::

    .venv/bin/python scripts/import_sources.py            # convert, write, then check
    .venv/bin/python scripts/import_sources.py --check    # only check the files already written
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.legal_qa.knowledge import parse_label  # the bot's own label parser: one implementation for both

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = Path("/work/shared/knowledge-sources")
DEFAULT_SEED = Path("/work/shared/seed/article.txt")
DEFAULT_OUT = REPO_ROOT / "knowledge"

LAWREF_COMMIT_URL = "https://github.com/LawRefBook/Laws/blob/2f4c5c23716267af9dbebbbbd6cbbf732b101981/"
LAWREF_REPO_URL = "https://github.com/LawRefBook/Laws"
FLK_URL = "https://flk.npc.gov.cn/"
FLK_NOTE = (
    "国家法律法规数据库：LawRefBook/Laws 文本的来源（据 shared/knowledge-sources/laws-full/README.md）；"
    "未直接在该数据库逐字核对"
)

# --------------------------------------------------------------------------------------------------------
# Chinese article labels
# --------------------------------------------------------------------------------------------------------

_CN_NUM = "零〇一二三四五六七八九十百千"
LABEL_RE = re.compile(rf"^第([{_CN_NUM}]+)条(之[一二三四五六七八九十]+)?$")
# An article starts a paragraph: "第X条" (optionally "之N") followed by a space and the first paragraph.
ARTICLE_START_RE = re.compile(rf"^(第[{_CN_NUM}]+条(?:之[一二三四五六七八九十]+)?)[ \u3000](.*)$")
_INVISIBLE = "\u200b\ufeff"


def format_cn_number(number: int) -> str:
    """Write an integer 1..9999 the way statute labels do (十二, 一百一十, 一千零三十三)."""
    if not 0 < number < 10000:
        raise ValueError(f"article number out of range: {number}")
    names = "零一二三四五六七八九"
    parts: list[str] = []
    pending_zero = False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit_value % 10
        if digit == 0:
            if parts:
                pending_zero = True
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        if unit_value == 10 and digit == 1 and number < 20:
            parts.append("十")
        else:
            parts.append(names[digit] + unit_name)
    return "".join(parts)


def format_label(number: int, suffix: str | None = None) -> str:
    """Build the label "第X条" (plus suffix) for an article number."""
    return f"第{format_cn_number(number)}条{suffix or ''}"


def clean_line(line: str) -> str:
    """Strip surrounding whitespace (and zero-width spaces) from one source line."""
    return line.strip().strip(_INVISIBLE).strip()


def normalise_source(text: str) -> str:
    """Normalise a source file the same way articles are built: cleaned non-empty lines joined by "\\n"."""
    return "\n".join(c for c in (clean_line(line) for line in text.splitlines()) if c)


# --------------------------------------------------------------------------------------------------------
# Source parsing
# --------------------------------------------------------------------------------------------------------

Key = tuple[int, str | None]


@dataclass
class SourceArticle:
    """One article as found in a source file."""

    label: str
    number: int
    suffix: str | None
    paragraphs: list[str]
    path: Path
    chapters: list[str] = field(default_factory=list)

    @property
    def key(self) -> Key:
        """Return (number, suffix)."""
        return (self.number, self.suffix)

    @property
    def text(self) -> str:
        """Return the article text, paragraphs joined by a newline."""
        return "\n".join(self.paragraphs)


def parse_full_text(path: Path) -> list[SourceArticle]:
    """Parse a laws-full Markdown file into its articles, in order."""
    raw = path.read_text(encoding="utf-8")
    if "<!-- INFO END -->" in raw:
        raw = raw.split("<!-- INFO END -->", 1)[1]
    articles: list[SourceArticle] = []
    headings: dict[int, str] = {}
    current: SourceArticle | None = None
    for line in raw.splitlines():
        content = clean_line(line)
        if not content:
            continue
        if content.startswith("#"):
            level = len(content) - len(content.lstrip("#"))
            headings = {lvl: h for lvl, h in headings.items() if lvl < level}
            headings[level] = content.lstrip("#").strip()
            current = None
            continue
        match = ARTICLE_START_RE.match(content)
        if match:
            label, first = match.group(1), match.group(2).strip()
            number, suffix = parse_label(label)
            current = SourceArticle(
                label, number, suffix, [first], path, [headings[k] for k in sorted(headings) if headings[k]]
            )
            articles.append(current)
        elif current is not None:
            current.paragraphs.append(content)
        # Paragraphs before the first article (preambles) are not articles and are skipped.
    seen: set[Key] = set()
    for art in articles:
        if art.key in seen:
            raise ValueError(f"{path}: duplicate article {art.label}")
        seen.add(art.key)
    return articles


@dataclass
class RegulationFile:
    """A per-article file from regulations/: front matter plus article texts."""

    path: Path
    meta: dict[str, Any]
    articles: dict[Key, SourceArticle]


def parse_regulation_file(path: Path) -> RegulationFile:
    """Parse a regulations/*.md file (YAML front matter, then "## 第X条" sections)."""
    raw = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    body = raw
    if raw.startswith("---\n"):
        front, body = raw[4:].split("\n---\n", 1)
        meta = yaml.safe_load(front) or {}
    articles: dict[Key, SourceArticle] = {}
    current: SourceArticle | None = None
    for line in body.splitlines():
        content = clean_line(line)
        if content.startswith("## "):
            title = content[3:].strip()
            current = None
            if LABEL_RE.match(title):
                number, suffix = parse_label(title)
                current = SourceArticle(title, number, suffix, [], path)
                if current.key in articles:
                    raise ValueError(f"{path}: duplicate article {title}")
                articles[current.key] = current
            continue
        if content and current is not None:
            current.paragraphs.append(content)
    return RegulationFile(path, meta, articles)


# --------------------------------------------------------------------------------------------------------
# Reviewed metadata and article selection
# --------------------------------------------------------------------------------------------------------


def _span(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


@dataclass
class Selection:
    """Which articles of an instrument to keep."""

    articles: list[int | Key] = field(default_factory=list)
    all_articles: bool = False
    chapters: list[str] = field(default_factory=list)  # keep every article under a heading containing these


SELECTION: dict[str, Selection] = {
    "civil-code": Selection(
        [
            109,
            110,
            111,
            120,
            179,
            188,
            *_span(667, 680),
            *_span(989, 1039),
            *_span(1164, 1187),
            *_span(1194, 1197),
            1260,
        ]
    ),
    "pipl": Selection(all_articles=True),
    "cybersecurity-law-2016": Selection([12, *_span(40, 50), 64, 76]),
    "public-security-admin-punishments-law-2012": Selection([40, 42, 43, 44, 49]),
    "criminal-law": Selection([238, 245, 246, (253, "之一"), 266, 274, 279, 280, 293, (293, "之一"), 307]),
    "consumer-rights-law": Selection([14, 29, 39, 50, 56]),
    "credit-reporting-regulation": Selection([15, 16, 17, 25, 26, 40, 41]),
    "anti-telecom-fraud-law": Selection(_span(1, 8), chapters=["电信治理"]),
    # 第一百零三条 (诉中财产保全与行为保全) and 第一百零四条 (诉前保全) are the 行为保全 articles.
    "civil-procedure-law": Selection([22, 29, 66, 67, 87, 88, 90, 91, 95, 103, 104, 122, 123]),
    "private-lending-provisions": Selection([1, 13, 25, 26, 28, 29]),
    "spiritual-damages-interpretation": Selection(all_articles=True),
    # 数据安全法: collection, complaint, unlawful acquisition and civil liability provisions.
    "data-security-law": Selection([8, 12, 32, 51, 52]),
}

# Short topics in our own words (not statute text).
HEADINGS: dict[str, dict[int | Key, str]] = {
    "civil-code": {
        109: "人身自由与人格尊严",
        110: "民事主体的人格权",
        111: "个人信息受法律保护",
        120: "侵权责任的请求",
        179: "承担民事责任的方式",
        188: "诉讼时效期间",
        667: "借款合同的定义",
        668: "借款合同的形式与内容",
        675: "借款的返还期限",
        676: "逾期利息",
        680: "禁止高利放贷与利息约定",
        989: "人格权编的调整范围",
        990: "人格权的范围",
        991: "人格权受法律保护",
        992: "人格权不得放弃转让继承",
        993: "姓名肖像等的许可使用",
        994: "死者人格利益的保护",
        995: "人格权受侵害的请求权",
        996: "违约造成严重精神损害",
        997: "申请法院责令停止侵害",
        998: "侵害人格权责任的考量因素",
        999: "新闻报道与舆论监督的合理使用",
        1000: "消除影响恢复名誉赔礼道歉",
        1001: "身份权利保护的法律适用",
        1002: "生命权",
        1003: "身体权",
        1004: "健康权",
        1005: "法定救助义务",
        1006: "人体细胞器官遗体的捐献",
        1007: "禁止买卖人体细胞器官遗体",
        1008: "临床试验",
        1009: "人体基因胚胎研究",
        1010: "性骚扰",
        1011: "非法剥夺限制行动自由",
        1012: "姓名权",
        1013: "名称权",
        1014: "禁止侵害姓名权名称权",
        1015: "自然人姓氏的选取",
        1016: "姓名名称的决定与变更",
        1017: "笔名艺名等的保护",
        1018: "肖像权",
        1019: "肖像权的侵害行为",
        1020: "肖像的合理使用",
        1021: "肖像许可使用合同的解释",
        1022: "肖像许可使用合同的解除",
        1023: "姓名许可使用与声音保护",
        1024: "名誉权",
        1025: "新闻报道与名誉权",
        1026: "合理核实义务的认定因素",
        1027: "文学艺术作品侵害名誉权",
        1028: "失实报道的更正删除",
        1029: "信用评价的查询与异议",
        1030: "信用信息处理的法律适用",
        1031: "荣誉权",
        1032: "隐私权",
        1033: "隐私权的侵害行为",
        1034: "个人信息的保护",
        1035: "处理个人信息的原则和条件",
        1036: "处理个人信息的免责情形",
        1037: "个人信息的查阅复制更正删除",
        1038: "信息处理者的安全保护义务",
        1039: "国家机关的保密义务",
        1165: "过错责任",
        1167: "危及人身财产安全的停止侵害",
        1168: "共同侵权",
        1169: "教唆帮助侵权",
        1179: "人身损害赔偿范围",
        1182: "侵害人身权益的财产损失赔偿",
        1183: "精神损害赔偿",
        1194: "网络侵权责任",
        1195: "网络侵权的通知与删除",
        1197: "网络服务提供者知道侵权的连带责任",
    },
    "pipl": {
        2: "个人信息权益受法律保护",
        4: "个人信息与处理的含义",
        5: "合法正当必要诚信原则",
        6: "目的明确与最小必要",
        10: "禁止非法处理和买卖个人信息",
        13: "处理个人信息的合法依据",
        14: "同意的要求",
        15: "撤回同意",
        17: "处理前的告知义务",
        21: "委托处理个人信息",
        23: "向他人提供个人信息",
        25: "不得公开个人信息",
        27: "已公开个人信息的处理",
        28: "敏感个人信息",
        29: "处理敏感个人信息须单独同意",
        44: "知情权和决定权",
        45: "查阅复制权",
        46: "更正补充权",
        47: "删除权",
        50: "个人行使权利的受理机制",
        51: "个人信息安全保护措施",
        57: "个人信息泄露的补救与通知",
        60: "履行个人信息保护职责的部门",
        65: "投诉举报",
        66: "违法处理个人信息的行政处罚",
        69: "过错推定与损害赔偿",
        70: "公益诉讼",
        71: "治安管理处罚和刑事责任",
        73: "用语含义",
    },
    "criminal-law": {
        238: "非法拘禁罪",
        245: "非法搜查罪、非法侵入住宅罪",
        246: "侮辱罪、诽谤罪",
        (253, "之一"): "侵犯公民个人信息罪",
        266: "诈骗罪",
        274: "敲诈勒索罪",
        279: "招摇撞骗罪",
        280: "伪造、变造、买卖国家机关公文、证件、印章罪",
        293: "寻衅滋事罪",
        (293, "之一"): "催收非法债务罪",
        307: "妨害作证罪、帮助毁灭伪造证据罪",
    },
    "cybersecurity-law-2016": {
        12: "依法使用网络的权利与禁止行为",
        40: "用户信息保密",
        41: "收集使用个人信息的原则",
        42: "个人信息的安全义务",
        43: "删除和更正个人信息",
        44: "禁止非法获取和出售个人信息",
        45: "监管部门的保密义务",
        46: "禁止利用网络从事违法犯罪活动",
        47: "网络运营者的信息管理义务",
        48: "电子信息和应用软件的禁止事项",
        49: "网络信息安全投诉举报",
        50: "监管部门对违法信息的处置",
        64: "侵害个人信息的法律责任",
        76: "用语含义",
    },
    "public-security-admin-punishments-law-2012": {
        40: "强迫劳动、非法限制人身自由等",
        42: "威胁、侮辱、诽谤、发送信息干扰生活等",
        43: "殴打、故意伤害",
        44: "猥亵、公然裸露",
        49: "盗窃、诈骗、敲诈勒索等",
    },
    "consumer-rights-law": {
        14: "人格尊严和个人信息受保护的权利",
        29: "经营者收集使用个人信息",
        39: "消费争议的解决途径",
        50: "侵害人格尊严、人身自由和个人信息的责任",
        56: "经营者的行政处罚情形",
    },
    "data-security-law": {
        8: "数据处理活动的守法义务",
        12: "投诉举报",
        32: "以合法正当方式收集数据",
        51: "非法获取数据的处罚",
        52: "民事责任与治安刑事责任",
    },
    "credit-reporting-regulation": {
        15: "报送不良信息前的告知",
        16: "不良信息的保存期限",
        17: "查询本人信用报告",
        25: "异议与更正",
        26: "投诉与起诉",
        40: "违规提供查询信息的罚则",
        41: "未告知报送不良信息的罚则",
    },
    "private-lending-provisions": {
        1: "民间借贷的范围",
        13: "民间借贷合同无效的情形",
        25: "借期内利率上限",
        26: "预扣利息的本金认定",
        28: "逾期利率",
        29: "逾期利息违约金合计上限",
    },
    "civil-procedure-law": {
        22: "一般地域管辖",
        29: "侵权诉讼的管辖",
        66: "证据的种类",
        67: "举证责任",
        87: "送达回证",
        88: "直接送达",
        90: "电子送达",
        91: "委托送达和邮寄送达",
        95: "公告送达",
        103: "诉讼中的财产保全和行为保全",
        104: "诉前保全",
        122: "起诉的条件",
        123: "起诉状和口头起诉",
    },
}


@dataclass
class Instrument:
    """Reviewed metadata of one instrument and where its text comes from."""

    id: str
    title: str
    short: str
    aliases: list[str]
    kind: str
    issuer: str
    doc_no: str | None
    promulgated: dt.date | None
    effective: dt.date | None
    status: str
    status_note: str
    full_texts: list[str]  # file names in laws-full/
    sources: list[dict[str, str]]
    regulation_file: str | None = None  # file name in regulations/ covering the same instrument
    superseded_by: str | None = None
    numbering_note: str | None = None


def _lawref(path: str, note: str) -> dict[str, str]:
    return {"url": LAWREF_COMMIT_URL + path, "note": note}


def _lawref_repo(full_text: str) -> dict[str, str]:
    return {
        "url": LAWREF_REPO_URL,
        "note": (
            "全文来源：LawRefBook/Laws（2025-04-19 快照）的项目副本 "
            f"shared/knowledge-sources/laws-full/{full_text}；"
            "该仓库内的具体文件路径与提交未核对"
        ),
    }


_FLK = {"url": FLK_URL, "note": FLK_NOTE}

INSTRUMENTS: list[Instrument] = [
    Instrument(
        id="civil-code",
        title="中华人民共和国民法典",
        short="民法典",
        aliases=["中华人民共和国民法典", "民法典"],
        kind="law",
        issuer="全国人民代表大会",
        doc_no=None,  # 主席令文号 not verified (regulations/civil-code-more.md)
        promulgated=dt.date(2020, 5, 28),
        effective=dt.date(2021, 1, 1),
        status="in_force",
        status_note="现行有效，2021年1月1日起施行。",
        full_texts=[
            "civil-code-1-general.md",
            "civil-code-3-contracts.md",
            "civil-code-4-personality-rights.md",
            "civil-code-7-torts.md",
            "civil-code-supplementary.md",
        ],
        regulation_file="civil-code-more.md",
        sources=[
            _lawref(
                "民法典/人格权编.md",
                "全文来源：人格权编（项目副本 laws-full/civil-code-4-personality-rights.md）",
            ),
            _lawref(
                "民法典/合同编.md",
                "全文来源：合同编（项目副本 laws-full/civil-code-3-contracts.md）；第六百七十五、六百七十六、"
                "六百八十条另与多处网页逐字核对（见 regulations/civil-code-more.md）",
            ),
            _lawref(
                "民法典/侵权责任编.md",
                "全文来源：侵权责任编（项目副本 laws-full/civil-code-7-torts.md）；第一千一百八十二、"
                "一千一百八十三条另与网页逐字核对",
            ),
            _lawref("民法典/附则.md", "全文来源：附则（项目副本 laws-full/civil-code-supplementary.md）"),
            {
                "url": LAWREF_REPO_URL,
                "note": "总则编第一百零九至一百二十、一百七十九、一百八十八条："
                "LawRefBook/Laws（2025-04-19 快照）的"
                "项目副本 laws-full/civil-code-1-general.md；该仓库内的具体文件路径未核对",
            },
            _FLK,
        ],
    ),
    Instrument(
        id="pipl",
        title="中华人民共和国个人信息保护法",
        short="个人信息保护法",
        aliases=["中华人民共和国个人信息保护法", "个人信息保护法", "个保法"],
        kind="law",
        issuer="全国人民代表大会常务委员会",
        doc_no=None,
        promulgated=dt.date(2021, 8, 20),
        effective=dt.date(2021, 11, 1),
        status="in_force",
        status_note="现行有效，2021年11月1日起施行。",
        full_texts=["pipl-2021.md"],
        sources=[_lawref_repo("pipl-2021.md"), _FLK],
    ),
    Instrument(
        id="cybersecurity-law-2016",
        title="中华人民共和国网络安全法",
        short="网络安全法",
        aliases=["中华人民共和国网络安全法", "网络安全法", "网安法"],
        kind="law",
        issuer="全国人民代表大会常务委员会",
        doc_no=None,
        promulgated=dt.date(2016, 11, 7),
        effective=dt.date(2017, 6, 1),
        status="amended",
        status_note=(
            "本文件是2016年11月7日通过、2017年6月1日起施行的原文本。全国人大常委会已于2025年10月28日作出修改决定，"
            "修改后的网络安全法自2026年1月1日起施行，新增了一条（新的第三条）并加重了法律责任，"
            "因此第二条以后的条号可能已经变动。"
        ),
        numbering_note=(
            "本文件所收为2016年文本的条号；2025年10月28日全国人大常委会修改（2026年1月1日起施行）新增一条，"
            "第二条以后的条号可能已变动，引用时须说明是2016年文本的条号。"
        ),
        full_texts=["cybersecurity-law-2016.md"],
        sources=[_lawref_repo("cybersecurity-law-2016.md"), _FLK],
    ),
    Instrument(
        id="public-security-admin-punishments-law-2012",
        title="中华人民共和国治安管理处罚法",
        short="治安管理处罚法",
        aliases=["中华人民共和国治安管理处罚法", "治安管理处罚法", "治安处罚法"],
        kind="law",
        issuer="全国人民代表大会常务委员会",
        doc_no=None,
        promulgated=dt.date(2012, 10, 26),  # date of the 2012 amendment decision (file header)
        effective=None,  # the 2012 amendment's commencement date is not given in the sources
        status="superseded",
        superseded_by="public-security-admin-punishments-law-2025",
        status_note=(
            "已被取代：2025年6月27日修订通过的治安管理处罚法自2026年1月1日起施行，条号已重新编排。"
            "本文件保留2005年通过、2012年10月26日修正的文本，仅供查考历史（很多网页仍引用旧的第四十二条），"
            "不应作为现行条文引用；旧法第四十二条（发送信息干扰他人正常生活等）的内容现为新法第五十条。"
        ),
        numbering_note="本文件所收为2012年修正文本的条号，与2026年1月1日起施行的修订本条号不同。",
        full_texts=["public-security-admin-punishments-law-2012.md"],
        sources=[_lawref_repo("public-security-admin-punishments-law-2012.md"), _FLK],
    ),
    Instrument(
        id="criminal-law",
        title="中华人民共和国刑法",
        short="刑法",
        aliases=["中华人民共和国刑法", "刑法"],
        kind="law",
        issuer="全国人民代表大会",
        doc_no=None,  # not verified (regulations/criminal-law-more.md)
        promulgated=dt.date(1997, 3, 14),  # 1997 revision adopted
        effective=dt.date(1997, 10, 1),  # 刑法第四百五十二条
        status="in_force",
        status_note=(
            "现行有效。本文本为1997年修订后的刑法，已纳入截至《刑法修正案（十二）》（2023年12月29日通过）的修正；"
            "第二百五十三条之一、第二百九十三条之一为修正案增设的条文。"
        ),
        full_texts=["criminal-law.md"],
        regulation_file="criminal-law-more.md",
        sources=[
            _lawref(
                "刑法/刑法.md",
                "全文来源（项目副本 laws-full/criminal-law.md，已纳入至刑法修正案（十二））；"
                "第二百三十八、二百四十五、二百四十六、二百六十六、二百七十四条另与多处网页逐字核对"
                "（见 regulations/criminal-law-more.md）",
            ),
            _lawref("刑法/刑法修正案（八）.md", "第二百七十四条修改后的文字与修正案（八）一致"),
            _lawref("刑法/刑法修正案（九）.md", "第二百四十六条第三款由修正案（九）增加"),
            _FLK,
        ],
    ),
    Instrument(
        id="consumer-rights-law",
        title="中华人民共和国消费者权益保护法",
        short="消费者权益保护法",
        aliases=["中华人民共和国消费者权益保护法", "消费者权益保护法", "消法", "消保法"],
        kind="law",
        issuer="全国人民代表大会常务委员会",
        doc_no=None,
        promulgated=dt.date(2013, 10, 25),  # second amendment
        effective=dt.date(2014, 3, 15),
        status="in_force",
        status_note="现行有效。本文本为2013年10月25日第二次修正后的文本，2014年3月15日起施行。",
        full_texts=["consumer-rights-law-2013.md"],
        sources=[_lawref_repo("consumer-rights-law-2013.md"), _FLK],
    ),
    Instrument(
        id="credit-reporting-regulation",
        title="征信业管理条例",
        short="征信业管理条例",
        aliases=["征信业管理条例", "征信条例"],
        kind="administrative_regulation",
        issuer="国务院",
        doc_no="中华人民共和国国务院令第631号",
        promulgated=dt.date(2013, 1, 21),
        effective=dt.date(2013, 3, 15),
        status="in_force",
        status_note="现行有效，2013年3月15日起施行。",
        full_texts=["credit-reporting-regulation-2013.md"],
        regulation_file="credit-reporting-regulation.md",
        sources=[
            _lawref(
                "行政法规/征信业管理条例(2013-01-21).md",
                "全文来源（项目副本 laws-full/credit-reporting-regulation-2013.md）；"
                "文号与公布、施行日期取自题注；第十五、十六、十七、二十五、二十六条另与多处网页逐字核对"
                "（见 regulations/credit-reporting-regulation.md）；"
                "第四十条项号为半角括号，照录",
            ),
            _FLK,
        ],
    ),
    Instrument(
        id="anti-telecom-fraud-law",
        title="中华人民共和国反电信网络诈骗法",
        short="反电信网络诈骗法",
        aliases=["中华人民共和国反电信网络诈骗法", "反电信网络诈骗法", "反电诈法"],
        kind="law",
        issuer="全国人民代表大会常务委员会",
        doc_no=None,
        promulgated=dt.date(2022, 9, 2),
        effective=dt.date(2022, 12, 1),
        status="in_force",
        status_note="现行有效，2022年12月1日起施行。",
        full_texts=["anti-telecom-fraud-law-2022.md"],
        sources=[_lawref_repo("anti-telecom-fraud-law-2022.md"), _FLK],
    ),
    Instrument(
        id="civil-procedure-law",
        title="中华人民共和国民事诉讼法",
        short="民事诉讼法",
        aliases=["中华人民共和国民事诉讼法", "民事诉讼法", "民诉法"],
        kind="law",
        issuer="全国人民代表大会",
        doc_no="中华人民共和国主席令第十一号",  # the 2023 amendment decision
        promulgated=dt.date(2023, 9, 1),  # 2023 amendment adopted and published (original law: 1991-04-09)
        effective=dt.date(2024, 1, 1),
        status="in_force",
        status_note=(
            "现行有效。本文本为2023年9月1日第五次修正后的文本，2024年1月1日起施行；条号为修正后的条号，"
            "网上旧文章引用的条号可能不同。"
        ),
        full_texts=["civil-procedure-law-2023.md"],
        regulation_file="civil-procedure-law.md",
        sources=[
            _lawref(
                "诉讼与非诉讼程序法/民事诉讼法(2023-09-01).md",
                "全文来源（项目副本 laws-full/civil-procedure-law-2023.md）；"
                "2023年修正的通过日期、主席令第十一号和"
                "2024-01-01施行经三处网页一致核实（见 regulations/civil-procedure-law.md）",
            ),
            _FLK,
        ],
    ),
    Instrument(
        id="private-lending-provisions",
        title="最高人民法院关于审理民间借贷案件适用法律若干问题的规定",
        short="民间借贷司法解释",
        aliases=[
            "最高人民法院关于审理民间借贷案件适用法律若干问题的规定",
            "民间借贷司法解释",
            "民间借贷规定",
        ],
        kind="judicial_interpretation",
        issuer="最高人民法院",
        # 法释〔2020〕17号 is only labelled by one web page (regulations/lending-interest-rules.md).
        doc_no=None,
        promulgated=None,
        effective=None,
        status="in_force",
        status_note=(
            "现行有效。本文本为2020年12月23日最高人民法院审判委员会第1823次会议第二次修正后的文本；"
            "网上常见的“年利率24%、36%”规则和旧条号已被取代。"
        ),
        full_texts=["private-lending-provisions-2020.md"],
        regulation_file="lending-interest-rules.md",
        sources=[
            _lawref(
                "司法解释/最高人民法院关于审理民间借贷案件适用法律若干问题的规定(2020-12-29).md",
                "全文来源（项目副本 laws-full/private-lending-provisions-2020.md）；"
                "所收条文另与多处网页逐字核对（见 regulations/lending-interest-rules.md）；"
                "第二次修正的文号（一处网页标为法释〔2020〕17号）和"
                "施行日期未核实",
            ),
            _FLK,
        ],
    ),
    Instrument(
        id="spiritual-damages-interpretation",
        title="最高人民法院关于确定民事侵权精神损害赔偿责任若干问题的解释",
        short="精神损害赔偿司法解释",
        aliases=[
            "最高人民法院关于确定民事侵权精神损害赔偿责任若干问题的解释",
            "精神损害赔偿司法解释",
            "精神损害赔偿解释",
        ],
        kind="judicial_interpretation",
        issuer="最高人民法院",
        # The 2020 amendment's 文号 is inferred only (regulations/spiritual-damages-interpretation.md).
        doc_no=None,
        promulgated=None,
        effective=None,
        status="in_force",
        status_note=(
            "现行有效。本文本为2020年12月23日最高人民法院审判委员会第1823次会议修正后的文本；"
            "原解释（法释〔2001〕7号，2001年3月10日起施行）的旧条文措辞和条号已不适用。"
        ),
        full_texts=["spiritual-damages-interpretation-2020.md"],
        regulation_file="spiritual-damages-interpretation.md",
        sources=[
            _lawref(
                "司法解释/最高人民法院关于确定民事侵权精神损害赔偿责任若干问题的解释(2020-12-29).md",
                "全文来源（项目副本 laws-full/spiritual-damages-interpretation-2020.md）；"
                "第一、五条另与多处网页逐字核对"
                "（见 regulations/spiritual-damages-interpretation.md）；2020年修正本的文号和施行日期未核实",
            ),
            _FLK,
        ],
    ),
    Instrument(
        id="data-security-law",
        title="中华人民共和国数据安全法",
        short="数据安全法",
        aliases=["中华人民共和国数据安全法", "数据安全法"],
        kind="law",
        issuer="全国人民代表大会常务委员会",
        doc_no=None,
        promulgated=dt.date(2021, 6, 10),
        effective=dt.date(2021, 9, 1),  # 数据安全法第五十五条
        status="in_force",
        status_note="现行有效，2021年9月1日起施行。",
        full_texts=["data-security-law-2021.md"],
        sources=[_lawref_repo("data-security-law-2021.md"), _FLK],
    ),
]

SEED_TITLE = "应对催收短信验证码骚扰的有效策略与法律救济途径"
SEED_HEADER = [
    f"# {SEED_TITLE}",
    "# 发布时间：2024-03-31",
    "# 来源：项目种子文章 shared/seed/article.txt",
    "# 注意：文中提到的中国银保监会已于2023年被国家金融监督管理总局取代。",
]

# --------------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------------


def _key(item: int | Key) -> Key:
    return item if isinstance(item, tuple) else (item, None)


def load_full_texts(inst: Instrument, sources: Path) -> list[SourceArticle]:
    """Parse and merge the laws-full files of an instrument."""
    merged: list[SourceArticle] = []
    seen: set[Key] = set()
    for name in inst.full_texts:
        for art in parse_full_text(sources / "laws-full" / name):
            if art.key in seen:
                raise ValueError(f"{inst.id}: {art.label} appears in more than one source file")
            seen.add(art.key)
            merged.append(art)
    return merged


def select_articles(inst: Instrument, parsed: list[SourceArticle]) -> tuple[list[SourceArticle], list[Key]]:
    """Return the selected articles (in source order) and the selected keys that were not found."""
    sel = SELECTION[inst.id]
    if sel.all_articles:
        return list(parsed), []
    wanted = [_key(a) for a in sel.articles]
    wanted_set = set(wanted)
    chosen = [art for art in parsed if art.key in wanted_set or any(c in h for c in sel.chapters for h in art.chapters)]
    found = {a.key for a in chosen}
    missing = [k for k in wanted if k not in found]
    chosen.sort(key=lambda a: (a.number, a.suffix or ""))
    return chosen, missing


def build_instrument(inst: Instrument, sources: Path) -> dict[str, Any]:
    """Build the YAML mapping for one instrument."""
    parsed = load_full_texts(inst, sources)
    chosen, missing = select_articles(inst, parsed)
    headings = HEADINGS.get(inst.id, {})
    articles: list[dict[str, Any]] = []
    for art in chosen:
        entry: dict[str, Any] = {"number": art.number, "suffix": art.suffix, "label": art.label}
        heading = headings.get(art.key) or (headings.get(art.number) if art.suffix is None else None)
        if heading:
            entry["heading"] = heading
        entry["aliases"] = []
        entry["text"] = art.text
        articles.append(entry)
    data: dict[str, Any] = {
        "id": inst.id,
        "title": inst.title,
        "short": inst.short,
        "aliases": list(inst.aliases),
        "kind": inst.kind,
        "issuer": inst.issuer,
        "doc_no": inst.doc_no,
        "promulgated": inst.promulgated,
        "effective": inst.effective,
        "status": inst.status,
        "status_note": inst.status_note,
        "superseded_by": inst.superseded_by,
        "numbering_note": inst.numbering_note,
        "sources": [dict(s) for s in inst.sources],
        "articles": articles,
    }
    if missing:
        data["not_found"] = [
            {
                "label": format_label(n, s),
                "reason": "项目全文副本中没有此条（" + ", ".join(inst.full_texts) + "）",
            }
            for n, s in missing
        ]
    return data


class _LiteralDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as '|' block scalars."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_LiteralDumper.add_representer(str, _represent_str)


def dump_yaml(data: dict[str, Any]) -> str:
    """Serialise an instrument mapping as readable YAML (Chinese kept, block style for text)."""
    return yaml.dump(
        data, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
    )


def build_seed_article(seed: Path) -> str:
    """Return the seed article with its provenance header; the article body is copied verbatim."""
    body = seed.read_text(encoding="utf-8")
    return "\n".join(SEED_HEADER) + "\n\n" + body


def write_all(sources: Path, seed: Path, out: Path) -> None:
    """Convert every instrument and write the YAML files and the seed article."""
    laws_dir = out / "laws"
    laws_dir.mkdir(parents=True, exist_ok=True)
    for inst in INSTRUMENTS:
        data = build_instrument(inst, sources)
        (laws_dir / f"{inst.id}.yaml").write_text(dump_yaml(data), encoding="utf-8")
        missing = [e["label"] for e in data.get("not_found", [])]
        print(
            f"wrote laws/{inst.id}.yaml: {len(data['articles'])} articles"
            + (f", not found: {missing}" if missing else "")
        )
    (out / "sources").mkdir(parents=True, exist_ok=True)
    (out / "sources" / "article.txt").write_text(build_seed_article(seed), encoding="utf-8")
    print("wrote sources/article.txt")


# --------------------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------------------

REQUIRED_KEYS = [
    "id",
    "title",
    "short",
    "aliases",
    "kind",
    "issuer",
    "doc_no",
    "promulgated",
    "effective",
    "status",
    "status_note",
    "superseded_by",
    "numbering_note",
    "sources",
    "articles",
]
KINDS = {
    "law",
    "administrative_regulation",
    "departmental_rule",
    "judicial_interpretation",
    "normative_document",
    "self_regulation",
}
STATUSES = {"in_force", "amended", "superseded", "repealed"}


def check_instrument(inst: Instrument, sources: Path, out: Path) -> list[str]:
    """Check one written YAML file against its sources; return a list of problems."""
    path = out / "laws" / f"{inst.id}.yaml"
    if not path.exists():
        return [f"{path}: missing"]
    problems: list[str] = []
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    where = f"laws/{inst.id}.yaml"
    if dump_yaml(data) != text:
        problems.append(f"{where}: does not round-trip through YAML byte-for-byte")
    if yaml.safe_load(dump_yaml(data)) != data:
        problems.append(f"{where}: YAML round-trip changes the data")
    if dump_yaml(build_instrument(inst, sources)) != text:
        problems.append(f"{where}: differs from the converter output (edited by hand or sources changed)")
    for key in REQUIRED_KEYS:
        if key not in data:
            problems.append(f"{where}: missing key {key}")
    if data.get("id") != path.stem or not re.fullmatch(r"[a-z0-9-]+", path.stem):
        problems.append(f"{where}: id {data.get('id')!r} does not match the file stem")
    if data.get("kind") not in KINDS:
        problems.append(f"{where}: bad kind {data.get('kind')!r}")
    if data.get("status") not in STATUSES:
        problems.append(f"{where}: bad status {data.get('status')!r}")
    if data.get("status") == "superseded" and not data.get("superseded_by"):
        problems.append(f"{where}: superseded without superseded_by")
    for key in ("promulgated", "effective"):
        if data.get(key) is not None and not isinstance(data[key], dt.date):
            problems.append(f"{where}: {key} is not an ISO date")

    source_texts = {
        name: normalise_source((sources / "laws-full" / name).read_text(encoding="utf-8")) for name in inst.full_texts
    }
    regulation = parse_regulation_file(sources / "regulations" / inst.regulation_file) if inst.regulation_file else None
    seen: set[Key] = set()
    seen_fields: set[Any] = set()
    for art in data.get("articles") or []:
        label = art.get("label", "")
        try:
            number, suffix = parse_label(label)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if (number, suffix) != (art.get("number"), art.get("suffix")):
            problems.append(
                f"{where}: {label} parses to {(number, suffix)}, file says {(art.get('number'), art.get('suffix'))}"
            )
        if format_label(number, suffix) != label:
            problems.append(f"{where}: {label} does not format back to the same label")
        field_key = (art.get("number"), art.get("suffix"))
        if (number, suffix) in seen or field_key in seen_fields:
            problems.append(f"{where}: duplicate article {label}")
        seen.add((number, suffix))
        seen_fields.add(field_key)
        body = art.get("text") or ""
        if not body or body != body.strip() or any(p != clean_line(p) or not p for p in body.split("\n")):
            problems.append(f"{where}: {label} text is empty or has stray whitespace")
        if not any(f"{label} {body}" in src for src in source_texts.values()):
            problems.append(f"{where}: {label} text does not occur verbatim in {inst.full_texts}")
        if regulation and (number, suffix) in regulation.articles:
            other = regulation.articles[(number, suffix)].text
            if other != body:
                problems.append(f"{where}: {label} differs from regulations/{inst.regulation_file}")
    wanted = [_key(a) for a in SELECTION[inst.id].articles]
    not_found = {parse_label(e["label"]) for e in data.get("not_found") or []}
    for key in wanted:
        if key not in seen and key not in not_found:
            problems.append(f"{where}: selected article {format_label(*key)} is neither present nor in not_found")
    return problems


def check_seed(seed: Path, out: Path) -> list[str]:
    """Check that sources/article.txt is the header plus the verbatim seed article."""
    path = out / "sources" / "article.txt"
    if not path.exists():
        return [f"{path}: missing"]
    if path.read_text(encoding="utf-8") != build_seed_article(seed):
        return ["sources/article.txt: does not match header + verbatim seed article"]
    return []


def check_all(sources: Path, seed: Path, out: Path) -> int:
    """Run every check and print the result; return a process exit code."""
    problems: list[str] = []
    total = 0
    for inst in INSTRUMENTS:
        problems += check_instrument(inst, sources, out)
        path = out / "laws" / f"{inst.id}.yaml"
        if path.exists():
            total += len(yaml.safe_load(path.read_text(encoding="utf-8")).get("articles") or [])
    problems += check_seed(seed, out)
    managed = {f"{i.id}.yaml" for i in INSTRUMENTS}
    others = sorted(p.name for p in (out / "laws").glob("*.yaml") if p.name not in managed)
    if others:
        print(f"not checked (not produced by this script): {', '.join(others)}")
    for problem in problems:
        print(f"PROBLEM {problem}")
    print(f"checked {len(INSTRUMENTS)} instruments, {total} articles: {len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="knowledge-sources folder")
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="seed article text file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="knowledge folder to write into")
    parser.add_argument("--check", action="store_true", help="only check the files already written")
    args = parser.parse_args(argv)
    if not args.check:
        write_all(args.sources, args.seed, args.out)
    return check_all(args.sources, args.seed, args.out)


if __name__ == "__main__":
    sys.exit(main())
