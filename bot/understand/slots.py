"""Understanding stage, details: a person's name, phone, ID number, lender, dates and police station from plain
sentences ("我叫刘洋，电话158…，借款平台是快易花"); labelled lines ("手机号：…") are read too."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta

from bot.clock import CHINA
from bot.knowledge import chinese_number

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "name",
        re.compile(
            r"(?:我叫|我的名字是|名字叫|姓名[是为:：]?\s*|本人)([\u4e00-\u9fff·]{2,4}?)(?=[，,。；;\s]|电话|手机|身份证|$)"
        ),
    ),
    (
        "name",
        re.compile(r"\b(?i:my name is|my name's|i am called|call me)\s+([A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+){0,2})"),
    ),
    ("id_number", re.compile(r"(?<!\d)(\d{17}[\dXx])(?!\d)")),
    ("phone", re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d{9})(?!\d)")),
    ("police_station", re.compile(r"((?:(?![我你他她去了到在找跑报的说])[\u4e00-\u9fff]){2,16}派出所)")),
    ("carrier", re.compile(r"(中国移动|中国联通|中国电信|中国广电)")),
    (
        "lender",
        re.compile(
            r"(?:(?:借款平台|贷款平台|借贷平台|平台名?)(?:是|叫|为|：|:)|借的是?|贷的是?|在(?=[^，,。\s]{2,20}?(?:上|里)借))"
            r"(?:是|叫|为|：|:)?\s*"
            r"([\u4e00-\u9fffA-Za-z0-9“”\"（）()]{2,20}?)(?=[，,。；;\s]|借的|上借|里借|$)"
        ),
    ),
    ("lender", re.compile(r"在([\u4e00-\u9fffA-Za-z0-9]{2,12}?)借了")),  # "我在安心借借了5000"
    ("lender", re.compile(r"(?:叫|名叫|名字叫)([\u4e00-\u9fffA-Za-z0-9]{2,10}?)的?(?:app|APP|App|平台|软件)")),
    (
        "contract_no",
        re.compile(r"(?:合同号|合同编号|借款编号|借据号|借款合同号)[码是为:：\s]*([A-Za-z0-9][A-Za-z0-9-]{3,39})"),
    ),
    (
        "lender_reply",
        re.compile(r"(?:客服|平台)的?(?:回复|答复|回答|回|说)(?:是|了|我)?[:：，,\s]*[“\"]?([^。；;\n“”\"]{2,40})"),
    ),
    (
        "lender_company",
        re.compile(
            r"(?:放款的?是?|放款方是?|放款机构是?|资金方是?)\s*([\u4e00-\u9fffA-Za-z0-9（）()]{2,30}?(?:公司|银行))"
        ),
    ),
)
SLOT_NAMES = (  # what extract() finds
    "name",
    "phone",
    "id_number",
    "police_station",
    "carrier",
    "lender",
    "start_date",
    "contract_no",
    "lender_complaint_date",
    "lender_reply",
)
# "我3月5号已经在app里投诉过了": the day they complained to the lender
_COMPLAINED = re.compile(r"(?:(\d{4})[年/-])?(\d{1,2})[月/-](\d{1,2})[日号]?.{0,12}?(?:投诉|反映|举报)")
_TO_LENDER = re.compile(r"平台|app|APP|App|客服|借款|贷款|机构|公司")
_PART_OF_DAY = r"\s*(?:左右)?\s*(?:早上|上午|中午|下午|傍晚|晚上|夜里|半夜|凌晨)?\s*的?"  # "6月3号晚上开始"
_DATE = re.compile(r"(?:(\d{4})[年/-])?(\d{1,2})[月/-](\d{1,2})[日号]?" + _PART_OF_DAY + r"(?:开始|起|以来)")
_RELATIVE_DATE = re.compile(r"(上个?月|这个?月|本月)(\d{1,2})[日号]" + _PART_OF_DAY + r"(?:开始|起|以来)?")
_THEIR_NUMBER = re.compile(
    r"(?:催收|对方|他们|催款|轰炸|骚扰|打来|collector'?s?|their)[^，,。；;\n\d]{0,10}?(?:号码|电话|手机|number|phone)?[^，,。；;\n\d]{0,6}?"
    r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d{9}|106\d{5,17}|95\d{3,6})(?!\d)",
    re.IGNORECASE,
)
_WEEKDAY_DATE = re.compile(
    r"(上上|上|这|本)?个?(?:周|星期|礼拜)([一二三四五六日天1-7])" + _PART_OF_DAY + r"(?:开始|起|以来)"
)
_DAY_WORD_DATE = re.compile(r"(大前天|前天|昨天|今天)" + _PART_OF_DAY + r"(?:开始|起|以来)")
_DAYS_AGO_DATE = re.compile(
    r"(\d{1,2}|[一两二三四五六七八九十]{1,2})\s*(天|个?星期|个?礼拜|周)(?:前|以前)(?:开始|起|以来)"
)
_WEEKDAYS = "一二三四五六日"
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2, "大前天": 3}
# services that answer complaints but are not the lender (their reply is not the lender's reply)
_OTHER_SERVICE = re.compile(
    r"移动|联通|电信|运营商|12378|12363|12300|12321|12345|派出所|警察|公安|银保监|金融监管|监管局|工信"
)
# words that show a caught "lender" is a piece of the sentence, not a name ("借的网贷一直没还", "贷的钱算夫妻共同
# 债务吗", "在外面借了", "欠网贷的事打我", "速借的app借了钱")
_NOT_A_NAME = re.compile(
    r"^(网贷|贷款|网上|外面|别人|朋友|钱|app|APP|App|一个|一些|几个|好几|很多)|没还|一直|借了|的钱|的事|吗|呢|算|打我|共同|"
    r"还不上|逾期|欠了|多少|怎么"
)
_NOT_LENDER = {"我", "家", "家里", "公司", "单位", "这", "那", "网上"}


def extract(text: str, today: date | None = None) -> dict[str, str]:
    """Details found in a sentence, by slot name (only what is there; values still go through slot validation)."""
    found: dict[str, str] = {}
    theirs = [m.group(1) for m in _THEIR_NUMBER.finditer(text)]  # "催收电话是139…": the collector's, not theirs
    if theirs:
        found["collector_numbers"] = "\n".join(dict.fromkeys(theirs))
        text = _THEIR_NUMBER.sub(" ", text)
    for slot, pattern in _PATTERNS:
        m = pattern.search(text)
        if m and slot not in found:
            value = m.group(1).strip('“”"')
            if slot == "police_station":
                value = value.lstrip("去到在向找跑")
            if slot == "lender" and (
                value in _NOT_LENDER or value.endswith(("派出所", "公司门口")) or _NOT_A_NAME.search(value)
            ):
                continue
            found[slot] = value
    if "lender_reply" in found and not re.search(r"投诉|反映|反馈|举报", text):
        del found["lender_reply"]  # "平台说要起诉我", "客服说再不还就报案": not an answer to a complaint
    if "lender_reply" in found and _OTHER_SERVICE.search(text):
        del found["lender_reply"]  # "移动客服说已记录": the carrier's (or a regulator's) answer, not the lender's
    company = found.pop("lender_company", None)
    if company:
        found["lender"] = f"{found['lender']}（{company}）" if "lender" in found else company
    today = today or datetime.now(CHINA).date()
    m = _DATE.search(text)
    start = _said_day(m, today) if m else None
    if start is not None:
        found["start_date"] = start.isoformat()
    done = _COMPLAINED.search(text)
    if done and _TO_LENDER.search(text) and not re.search(r"12378|12363|12300|12321|运营商|派出所|报警", text):
        complained = _said_day(done, today)
        if complained is not None:
            found["lender_complaint_date"] = complained.isoformat()
    if "start_date" not in found:
        spoken = _spoken_date(text, today)
        if spoken is not None:
            found["start_date"] = spoken.isoformat()
    rel = _RELATIVE_DATE.search(text)
    if rel and "start_date" not in found:
        month_start = today.replace(day=1)
        if rel.group(1).startswith("上"):
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        with contextlib.suppress(ValueError):
            found["start_date"] = month_start.replace(day=int(rel.group(2))).isoformat()
    return found


def _said_day(m: re.Match[str], today: date) -> date | None:
    """The day a match's (year?, month, day) groups name; without a year, the last such day up to today (None: no
    such day)."""
    year = int(m.group(1)) if m.group(1) else today.year
    try:
        day = date(year, int(m.group(2)), int(m.group(3)))
        return day.replace(year=year - 1) if not m.group(1) and day > today else day
    except ValueError:
        return None


def _spoken_date(text: str, today: date) -> date | None:
    """A start day said the way people say it: "上周三开始", "前天晚上起", "三天前开始" (never a month ago: too vague)."""
    m = _WEEKDAY_DATE.search(text)
    if m:
        day = m.group(2).replace("天", "日")
        weekday = int(day) - 1 if day.isdigit() else _WEEKDAYS.index(day)
        weeks_back = {"上上": 2, "上": 1}.get(m.group(1) or "", 0)
        monday = today - timedelta(days=today.weekday(), weeks=weeks_back)
        spoken = monday + timedelta(days=weekday)
        if spoken > today and not m.group(1):  # "星期天开始" said on a Friday: the Sunday just gone
            spoken -= timedelta(weeks=1)
        return spoken if spoken <= today else None
    m = _DAY_WORD_DATE.search(text)
    if m:
        return today - timedelta(days=_DAY_WORDS[m.group(1)])
    m = _DAYS_AGO_DATE.search(text)
    if m:
        try:
            count = chinese_number(m.group(1))
        except ValueError:  # "十十": not a number
            return None
        days = count * (1 if m.group(2) == "天" else 7)
        return today - timedelta(days=days) if 0 < days <= 120 else None
    return None
