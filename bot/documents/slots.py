"""Documents stage, slots: the slot catalogue's model and the checking and normalising of the values people type in.

Phones, dates, ID numbers, amounts and lists are normalised (13812345678, 2026年11月3日, 5000元); control characters
and bidi overrides are removed from every value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.knowledge import chinese_number

SlotKind = Literal["text", "phone", "date", "id_number", "amount", "multiline", "list"]
# What a text value must look like to be taken as the answer to its item (a name is short and name-like, an address
# names a place): a reply that does not fit is not stored there ("每天凌晨几十条验证码" is no address).
SlotShape = Literal["", "person_name", "address", "organisation", "gender"]
# Names of the placeholders the renderer fills itself; no slot may take them.
SPECIAL_PLACEHOLDERS = frozenset({"citations", "today", "missing"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

# C0/C1 controls (but tab and newline), DEL, bidi overrides and isolates, lone surrogates and non-characters: removed
# from every value (invisible in print, invalid in XML, or able to make a text read differently from what it is).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


class Slot(BaseModel):
    """One entry of the shared slot catalogue (knowledge/templates/slots.yaml)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    label: str
    kind: SlotKind
    item_kind: Literal["text", "phone"] = "text"  # for list slots: how each item is checked
    example: str
    max_length: int = Field(gt=0)
    sensitive: bool = False
    aliases: list[str] = Field(default_factory=list)  # other words people put before "：" for this item ("手机号")
    shape: SlotShape = ""  # what a plain answer must look like (see fits_shape)
    earliest_year: int = 1990  # dates: the earliest year taken (a birth date may be long ago)

    @field_validator("name")
    @classmethod
    def _name_shape(cls, value: str) -> str:
        if not _NAME.match(value) or value in SPECIAL_PLACEHOLDERS:
            raise ValueError(f"slot name {value!r} must match [a-z][a-z0-9_]* and not be citations/today/missing")
        return value


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SENDER_EXTRA = (
    re.compile(r"^106\d{5,17}$"),  # SMS service ports
    re.compile(r"^0\d{2,3}-?\d{7,8}$"),  # landlines
    re.compile(r"^9[56]\d{3,6}$"),  # 95xxx / 96xxx service numbers
    re.compile(r"^[48]00-?\d{3}-?\d{4}$"),  # 400 / 800 numbers
)
_PHONE_NOISE = re.compile(r"[\s\-()（）.·]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_LIST_SPLIT = re.compile(r"[\n；;]+")
_PHONE_LIST_SPLIT = re.compile(r"[\n；;、，,/]+|\s{2,}")
_AMOUNT = re.compile(r"^(?:人民币|RMB|CNY|¥|￥)?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?\s*(?:元|块|圆)?(?:整)?$", re.I)
_TIME_SUFFIX = re.compile(r"[\sT]*(?:\d{1,2}[:：]\d{2}(?:[:：]\d{2})?|\d{1,2}[时点](?:\d{1,2}分?)?)$")
_CN_DATE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,8}(?:[·•][\u4e00-\u9fff]{1,8})+$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]{1,29}$")
# words no name contains: a sentence, a complaint about the process or a detail of another kind
_NOT_NAME = re.compile(
    r"[我你他她们的了吗呢吧啊呀哦嗯错对]|不[想要知是用]|没有|电话|手机|号码|验证码|催收|平台|短信|每天|骚扰|麻烦|名字|姓名|"
    r"学生|本人|用户|借款人|受害人|机主|老板|领导|同事|家人|爸|妈|老公|老婆|[0-9]"
)
_PLACE = re.compile(
    r"省|市|区|县|旗|盟|州|镇|乡|村|屯|街|路|道|巷|弄|胡同|号|楼|栋|幢|单元|室|院|小区|公寓|大厦|花园|苑|里|组|"
    r"北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|"
    r"云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|台湾"
)
_LIVES = re.compile(r"^(?:我)?(?:家住在|家住|住在|住址是?|地址是?|现住|住)[：:\s]*")
_NOT_PLACE = re.compile(
    r"验证码|短信|电话|催收|骚扰|每天|天天|凌晨|半夜|晚上|条|打给|打我|威胁|[我你他她]|蹲|堵|门口|[吗呢？?]|\d{7,}"
)
_NOT_ORGANISATION = re.compile(r"^(电话|手机|号码|我|他们)|\d{7,}|[吗呢？?]$")
_GENDER = {"男": "男", "女": "女", "男性": "男", "女性": "女", "男的": "男", "女的": "女"}


def fits_shape(slot: Slot, value: str) -> str | None:
    """The value as its item wants it when it looks like one ("女的" -> "女"), else None: a person's name is 2-4
    Chinese characters (or a Latin name) without sentence words, an address names a place (路, 号, 区, 村...), an
    organisation is not a phone number or a question, a gender is 男 or 女. Items without a shape take any value."""
    text = clean_value(value).strip(" ，,。.；;！!")
    if not slot.shape or not text:
        return text or None
    if slot.shape == "person_name":
        ok = (_CJK_NAME.match(text) and not _NOT_NAME.search(text)) or _LATIN_NAME.match(text)
        return text if ok else None
    if slot.shape == "address":
        text = _LIVES.sub("", text)
        return text if _PLACE.search(text) and not _NOT_PLACE.search(text) and len(text) >= 4 else None
    if slot.shape == "organisation":
        return None if _NOT_ORGANISATION.search(text) else text
    return _GENDER.get(text)


def clean_value(value: str) -> str:
    """A value safe to print: CR LF to LF, tabs to spaces, unsafe characters removed, outer whitespace stripped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNSAFE.sub("", value).strip()


def normalise_phone(value: str, sender: bool = False) -> str | None:
    """A Chinese mobile number (1[3-9] + 9 digits, +86/0086/86 prefixes allowed) as 11 digits; with sender=True also
    a 106 SMS port, a landline, a 95/96 service number or a 400/800 number. None when it is none of these."""
    digits = _PHONE_NOISE.sub("", value.strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and _MOBILE.match(digits[len(prefix) :]):
            digits = digits[len(prefix) :]
            break
    if _MOBILE.match(digits):
        return digits
    if sender:
        compact = value.strip().replace(" ", "")
        for pattern in _SENDER_EXTRA:
            if pattern.match(compact):
                return compact
        if digits.isdigit() and any(p.match(digits) for p in _SENDER_EXTRA):
            return digits
    return None


def id_number_ok(value: str) -> bool:
    """An 18-character resident ID number with a valid date of birth and check character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if birth.year < 1900:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def mask_id(value: str) -> str:
    """1101**********1234: the first four and last four characters of an ID number kept."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else value


def format_date(day: date) -> str:
    """2026年11月3日."""
    return f"{day.year}年{day.month}月{day.day}日"


def parse_date(value: str, today: date | None = None, earliest: int = 1990) -> date | None:
    """Many ways of writing a date: 2026-11-03, 2026/11/3, 2026.11.3, 20261103, 2026年11月3日(号), 二〇二六年十一月三日,
    a trailing time (22:15) ignored, and 11月3日 / 11-03 with the year of today (or the year before when that would
    lie in the future). None when it is not a real calendar date between 1990 and 2100."""
    text = _TIME_SUFFIX.sub("", value.strip()).replace(" ", "")
    text = _cn_date(text)
    patterns = (
        r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?",
        r"(\d{4})(\d{2})(\d{2})",
    )
    year: int | None = None
    for pattern in patterns:
        m = re.fullmatch(pattern, text)
        if m:
            year, month, day = (int(g) for g in m.groups())
            break
    else:
        m = re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})[日号]?", text)
        if not m:
            return None
        month, day = int(m.group(1)), int(m.group(2))
    try:
        if year is None:
            ref = today or date.today()
            result = date(ref.year, month, day)
            if result > ref:
                result = date(ref.year - 1, month, day)
        else:
            result = date(year, month, day)
    except ValueError:
        return None
    return result if earliest <= result.year <= 2100 else None


_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?")


def parse_month(value: str) -> str | None:
    """A month without a day ("2026年10月", "2026-10"): "2026年10月", so "自2026年10月起" says no more than was said."""
    m = _MONTH.fullmatch(value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1900 <= int(m.group(1)) <= 2100:
        return None
    return f"{int(m.group(1))}年{int(m.group(2))}月"


def _cn_date(text: str) -> str:
    """二〇二六年十一月三日 -> 2026年11月3日 (year digit by digit, month and day as numerals)."""
    m = re.fullmatch(
        r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]", text
    )
    if not m:
        return text
    return f"{m.group(1).translate(_CN_DATE_DIGITS)}年{chinese_number(m.group(2))}月{chinese_number(m.group(3))}日"


def normalise_amount(value: str) -> str | None:
    """5000 / 5,000元 / ¥5000.5 / 人民币5000元整 -> 5000元 / 5000.50元; None when not an amount."""
    m = _AMOUNT.match(value.strip())
    if not m:
        return None
    whole = m.group(1).replace(",", "")
    cents = m.group(2)
    if cents:
        return f"{int(whole)}.{cents[1:].ljust(2, '0')}元"
    return f"{int(whole)}元"


def split_list(slot: Slot, value: str) -> list[str]:
    """The items of a list value (newline or semicolon separated; phone lists also by 、，, and slashes)."""
    pattern = _PHONE_LIST_SPLIT if slot.item_kind == "phone" else _LIST_SPLIT
    return [item.strip(" ，,、。") for item in pattern.split(value) if item.strip(" ，,、。")]


def validate_slot(slot: Slot, value: str, today: date | None = None) -> tuple[str | None, str | None]:
    """Check and normalise one value: (normalised value, None) when fine; (value, notice key) when it was trimmed to
    slot.max_length; (None, error key) when it is invalid. Keys live under documents.* in bot/texts (the error texts
    take {label}, {example} and {value}; the trim notice {label}, {limit} and {length}).

    phone: mobile numbers only (1[3-9] + 9 digits, +86 forms accepted) -> 13812345678; date -> 2026年11月3日;
    id_number: 18 characters with a valid check character -> kept in full (masking is the renderer's job);
    amount -> 5000元; list with item_kind phone: every item a mobile number, 106 port, landline or 95/400 number.
    Control characters are removed first; an empty value is (None, "documents.error.empty").
    """
    text = clean_value(value)
    if slot.kind not in ("multiline", "list"):
        text = re.sub(r"\s*\n\s*", " ", text)
    if not text:
        return None, "documents.error.empty"
    if slot.kind == "phone":
        phone = normalise_phone(text)
        return (phone, None) if phone else (None, "documents.error.phone")
    if slot.kind == "date":
        day = parse_date(text, today, slot.earliest_year)
        if day is None:  # a start "from October" is a month, not a made-up day
            month = parse_month(text)
            return (month, None) if month else (None, "documents.error.date")
        return (format_date(day), None) if day else (None, "documents.error.date")
    if slot.kind == "id_number":
        compact = text.replace(" ", "").upper()
        return (compact, None) if id_number_ok(compact) else (None, "documents.error.id_number")
    if slot.kind == "amount":
        amount = normalise_amount(text)
        return (amount, None) if amount else (None, "documents.error.amount")
    if slot.kind == "list":
        items = split_list(slot, text)
        if slot.item_kind == "phone":
            checked = [normalise_phone(item, sender=True) for item in items]
            if not items or any(c is None for c in checked):
                return None, "documents.error.phone_list"
            items = list(dict.fromkeys(c for c in checked if c))
        text = "\n".join(items)
    if len(text) > slot.max_length:
        return text[: slot.max_length].rstrip(), "documents.notice.trimmed"
    return text, None


def slots_from_json(data: Mapping[str, Any]) -> dict[str, str]:
    """Slot values from parsed JSON: strings kept, numbers as text, lists joined one item per line, nulls dropped."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            out[str(key)] = "\n".join(str(v) for v in value if v is not None)
        elif isinstance(value, dict):
            out[str(key)] = yaml.safe_dump(value, allow_unicode=True).strip()
        else:
            out[str(key)] = str(value)
    return out
