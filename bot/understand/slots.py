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
            r"(?:我叫|我的名字是|名字叫|姓名[是为:：]?\s*|本人)([\u4e00-\u9fff·]{2,4}?)(?=[，,。；;\s…、]|电话|手机|身份证|$)"
        ),
    ),
    (
        "name",
        re.compile(r"\b(?i:my name is|my name's|i am called|call me)\s+([A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+){0,2})"),
    ),
    (  # "原告 刘芳，女，…", "投诉人：王强", "我是赵敏 137…"
        "name",
        re.compile(
            r"(?:原告|申请人|投诉人|申诉人|报案人|报警人|当事人|举报人|(?<![说骂叫讲喊称当认])我是)[是为:：\s]*([\u4e00-\u9fff·]{2,4}?)"
            r"(?=[，,。；;\s\d]|电话|手机|身份证|$)"
        ),
    ),
    ("id_number", re.compile(r"(?<!\d)(\d{17}[\dXx])(?!\d)")),
    ("phone", re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d{9})(?!\d)")),
    # a number of the wrong length given as theirs ("手机139000011112"): kept, so the form says it is not valid
    ("phone", re.compile(r"(?:手机|电话|联系方式)(?:号|号码)?[是为:：\s]*(1\d{9}|1\d{11})(?!\d)")),
    ("police_station", re.compile(r"((?:(?![我你他她去了到在找跑报的说])[\u4e00-\u9fff]){2,16}派出所)")),
    ("carrier", re.compile(r"(中国移动|中国联通|中国电信|中国广电)")),
    ("carrier", re.compile(r"(?<![\u4e00-\u9fff])(移动|联通|电信|广电)(?=[，,。；;\s]|$|的?(?:卡|号|手机|用户))")),
    (
        "lender",
        re.compile(
            r"(?:(?:借款平台|贷款平台|借贷平台|平台名?)(?:是|叫|为|：|:)|借的是?|贷的是?|在(?=[^，,。\s]{2,20}?(?:上|里)借))"
            r"(?:是|叫|为|：|:)?\s*"
            r"([\u4e00-\u9fffA-Za-z0-9“”\"（）()]{2,20}?)(?=[，,。；;\s]|借的|上借|里借|$)"
        ),
    ),
    ("lender", re.compile(r"在([\u4e00-\u9fffA-Za-z0-9]{2,12}?)借了")),  # "我在安心借借了5000"
    (
        "lender",
        re.compile(r"(?:叫|名叫|名字叫)[“\"「]?([\u4e00-\u9fffA-Za-z0-9]{2,10}?)[”\"」]?的?(?:app|APP|App|平台|软件)"),
    ),
    (  # "被告是深圳市某某信息科技有限公司", "催我的是安逸花"
        "lender",
        re.compile(
            r"(?:被告|被投诉(?:机构|方|人)?|被申诉人|催我的|催收的)(?:是|为|：|:)\s*"
            r"([\u4e00-\u9fffA-Za-z0-9（）()]{2,40}?)(?=[，,。；;\s]|$)"
        ),
    ),
    ("gender", re.compile(r"(?:性别[是为:：\s]*|(?<=[，,\s]))([男女])(?:性|的)?(?=[，,。；;\s]|$)")),
    (
        "address",
        re.compile(
            r"(?:住址|家庭住址|地址|家住在|家住|住在|现住|住所|(?<=[，,\s])住)[是为:：\s]*([^，,。；;\n]{4,60})"
        ),
    ),
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
    "gender",
    "birth_date",
    "address",
    "compensation",
    "carrier_complaint_date",
    "carrier_ticket",
    "carrier_reply",
    "lender_ticket",
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
    r"^(网贷|贷款|网上|外面|外地|在外|别人|朋友|钱|app|APP|App|一个|一些|几个|好几|很多)|没还|一直|借了|的钱|的事|吗|呢|算|打我|共同|打工|"
    r"还不上|逾期|欠了|多少|怎么"
)
_NOT_LENDER = {"我", "家", "家里", "公司", "单位", "这", "那", "网上"}
# words no name holds ("我是学生", "我是借款人"): the pattern caught part of a sentence
_NOT_PERSON = re.compile(
    r"[我你他她们的了吗呢吧啊呀错对]|不|没|学生|本人|用户|借款|受害|机主|老板|上班|打工|宝妈|催收|平台|"
    r"老赖|骗子|同伙|老年人|老人|垃圾|废物|人渣|诈骗|罪犯|坏人|失信|债务人|共犯|穷人|病人|外地"
)
_PLACE = re.compile(r"省|市|区|县|旗|镇|乡|村|街|路|道|巷|弄|胡同|号|楼|栋|单元|室|院|小区|公寓|大厦|花园|苑")
_NOT_ADDRESS = re.compile(r"[我你他她]|蹲|堵|门口|验证码|短信|电话|催收|骚扰|[吗呢？?]")
_BORN = re.compile(
    r"(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})[日号]?(?:生|出生)|出生(?:日期|于)?[是为:：\s]*(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})"
)
_MONTH_START = re.compile(r"(?:从|自)?(?:(\d{4})年)?(\d{1,2})月份?(?:初|中|底)?(?:开始|起|以来)")
# a complaint to the carrier ("11月25日打过10010投诉"): its day, ticket and what came of it
_CARRIER_SAID = re.compile(r"10010|10086|10000|10099|运营商|移动|联通|电信|广电")
_CARRIER_LINES = {"10010": "中国联通", "10086": "中国移动", "10000": "中国电信", "10099": "中国广电"}
_TICKET = re.compile(
    r"(?:工单号|工单编号|投诉单号|受理单号|受理号|投诉编号|单号)[码是为:：\s]*([A-Za-z0-9][A-Za-z0-9-]{3,39})"
)
_NO_ANSWER = re.compile(r"(?:一直|至今|到现在|到今天|还是?)?(?:没有?|未)人?(?:处理|回复|答复|管|下文|结果|动静|解决)")
_COMPENSATION = re.compile(
    r"赔(?:偿)?我?(?:精神损失费?|精神损害抚慰金|精神损害|精神抚慰金|损失)?\s*(\d[\d,]*(?:\.\d+)?)\s*(元|块|万)"
)
# "催我的是安逸花，号码95188和10692345678": the collector's numbers, listed after 号码 in a sentence about them
_THEIR_LIST = re.compile(
    r"(?:号码|电话)(?:是|有)?[:：\s]*((?:(?:1[3-9]\d{9}|106\d{5,17}|95\d{3,6})(?:[和、,，/及\s]+|$|(?=[^\d])))+)"
)
_NUMBER = re.compile(r"1[3-9]\d{9}|106\d{5,17}|95\d{3,6}")


def extract(text: str, today: date | None = None) -> dict[str, str]:
    """Details found in a sentence, by slot name (only what is there; values still go through slot validation)."""
    found: dict[str, str] = {}
    theirs = [m.group(1) for m in _THEIR_NUMBER.finditer(text)]  # "催收电话是139…": the collector's, not theirs
    if theirs:
        found["collector_numbers"] = "\n".join(dict.fromkeys(theirs))
        text = _THEIR_NUMBER.sub(" ", text)
    if "collector_numbers" not in found and "催" in text:
        listed = _THEIR_LIST.search(text)
        if listed and not re.search(r"(?:我的|本人|我)(?:手机|电话)?号?码?[是:：\s]*$", text[: listed.start()]):
            found["collector_numbers"] = "\n".join(dict.fromkeys(_NUMBER.findall(listed.group(1))))
            text = text[: listed.start()] + " " + text[listed.end() :]
    for slot, pattern in _PATTERNS:
        m = pattern.search(text)
        if m and slot not in found:
            value = m.group(1).strip('“”"')
            if slot == "name" and _NOT_PERSON.search(value):
                continue
            if slot == "address" and (not _PLACE.search(value) or _NOT_ADDRESS.search(value)):
                continue  # "住在我家楼下蹲我": not an address
            if slot == "carrier" and not value.startswith("中国"):
                value = "中国" + value
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
    _personal(text, found)
    _carrier_complaint(text, found, today)
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
    month = _MONTH_START.search(text) if "start_date" not in found else None
    if month:  # "从2026年10月起": the month, no day made up
        year = int(month.group(1)) if month.group(1) else today.year
        if not month.group(1) and int(month.group(2)) > today.month:
            year -= 1
        if 1 <= int(month.group(2)) <= 12:
            found["start_date"] = f"{year}年{int(month.group(2))}月"
    rel = _RELATIVE_DATE.search(text)
    if rel and "start_date" not in found:
        month_start = today.replace(day=1)
        if rel.group(1).startswith("上"):
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        with contextlib.suppress(ValueError):
            found["start_date"] = month_start.replace(day=int(rel.group(2))).isoformat()
    return found


def _personal(text: str, found: dict[str, str]) -> None:
    """A birth date ("1990年3月5日生") and the compensation asked for ("赔偿精神损失5000元") into `found`."""
    born = _BORN.search(text)
    if born:
        year, month, day = (int(g) for g in (born.groups()[:3] if born.group(1) else born.groups()[3:]))
        with contextlib.suppress(ValueError):
            found["birth_date"] = date(year, month, day).isoformat()
    money = _COMPENSATION.search(text)
    if money:
        amount = float(money.group(1).replace(",", "")) * (10000 if money.group(2) == "万" else 1)
        found["compensation"] = f"{amount:g}元" if amount < 1e9 else ""
        if not found["compensation"]:
            del found["compensation"]


def _carrier_complaint(text: str, found: dict[str, str], today: date) -> None:
    """A complaint already made ("11月25日打过10010投诉，工单号LT20261125001，一直没处理"): to the carrier when a
    carrier or its line is named, else to the lender: its day, ticket number and what came of it."""
    carrier = _CARRIER_SAID.search(text)
    ticket = _TICKET.search(text)
    if ticket:
        found["carrier_ticket" if carrier else "lender_ticket"] = ticket.group(1)
    if not carrier or not re.search(r"投诉|反映|举报|申诉", text):
        return
    line = next((name for number, name in _CARRIER_LINES.items() if number in text), None)
    if line and "carrier" not in found:
        found["carrier"] = line
    done = _COMPLAINED.search(text)
    day = _said_day(done, today) if done else None
    if day is not None:
        found["carrier_complaint_date"] = day.isoformat()
    none = _NO_ANSWER.search(text)
    if none:
        found["carrier_reply"] = none.group(0)


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
