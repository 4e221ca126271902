"""Engine, router: ordered pure rules that decide which handler gets a message."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from bot.contract.messages import Incoming
from bot.contract.payloads import FLOW_PREFIX, parse_flow
from bot.contract.session import Session
from bot.knowledge.numerals import english_refs
from bot.sms.links import link_question


class Route(Enum):
    """Where a message goes."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    BINARY = "binary"
    EMOJI_ONLY = "emoji_only"
    COMMAND = "command"
    SMS = "sms"  # pasted or forwarded messages to analyse and log
    ATTACHMENT = "attachment"  # a screenshot or a backup file
    BUTTON = "button"
    NO_SUCH_CHOICE = "no_such_choice"  # a small number beyond the choices offered ("9" of five)
    PENDING = "pending"  # answering a question the bot asked (e.g. confirm /forget)
    QUESTION = "question"


@dataclass(frozen=True)
class Decision:
    """The route plus what the handler needs from the message."""

    route: Route
    command: str = ""
    argument: str = ""
    question: str = ""  # the person's own words beside a pasted SMS ("这样违法吗"), answered after the analysis
    lead: str = ""  # their lead-in to a paste ("I got these:"), not logged; it tells the language to answer in


# Flows whose typed text is answered like any message (the journey): a pasted SMS there is still an SMS.
_ANSWERED_FLOWS = frozenset({"seven_steps", "sms_date"})  # flows a new SMS paste goes past (analysed as always)
RAMBLE_FACTOR = 5  # a text up to this many times the question limit is answered on its main point
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?\s*(.*)$", re.DOTALL)
_SIGNATURE = re.compile(r"【[^】\n]{1,24}】")
_CODE = re.compile(r"(验证码|校验码|动态码|动态密码|确认码|verification code|code)\D{0,10}\d{4,8}", re.IGNORECASE)
_TIMESTAMP_LINE = re.compile(
    r"^\s*(\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?|\d{1,2}月\d{1,2}日|昨天|今天|前天)?\s*\d{1,2}:\d{2}", re.M
)
_SENDER_LINE = re.compile(r"^\s*(\+?86[- ]?)?(1\d{10}|106\d{5,17}|95\d{3,6})\s*$", re.M)
# "13912345678：今晚…" — a number before a colon, as phones copy a message with its sender
_SENDER_COLON = re.compile(r"^\s*(\+?86[- ]?)?(1\d{10}|106\d{5,17}|95\d{3,6})\s*[:：]\s*\S", re.M)
_ADDRESSED = re.compile(r"[你您]")
_COLLECTION_WORDS = re.compile(
    r"(还款|还钱|结清|欠款|欠钱|逾期|回电|处理|通讯录|紧急联系人|上门|家访|外访|立案|传票|起诉|曝光|征信|老赖|骗子|不要脸|"
    r"废物|人渣|丢人|验证码|贷款|额度|下款|注销|冻结|涉嫌|账户|单位|领导|公司|村委会|学校|照片)"
)
_QUESTION = re.compile(r"([？?]|吗|怎么|怎样|能不能|是不是|可不可以|咋|啥|如何|为什么|违法|犯法|合法|请问|求助)")
_NARRATIVE = re.compile(r"(他们|催收的|催收员|催款的|对方|他说|她说|发来|给我发|总是|天天|一直)")
_FIRST_PERSON = re.compile(r"我(?![们司方行])")
# English: a sender addressing the reader about a debt, not the person writing about themselves or asking
_SENT_EN = re.compile(
    r"\b(dear (customer|sir|madam|user|borrower)|your (loan|account|payment|dues|debt|emi|bill)\b)", re.I
)
_COLLECTION_EN = re.compile(
    r"\b(overdue|outstanding|repay|repayment|pay (now|today|immediately)|legal action|lawsuit|arrest|default(ed)?|"
    r"your (contacts|family|employer|office|colleagues))\b",
    re.I,
)
_OWN_EN = re.compile(r"\b(i|i'm|im|my|me|mine)\b", re.I)
_ASKS_EN = re.compile(r"\?\s*$|^(what|how|can|should|is|are|do|does|will|who|where|why)\b", re.I)


def looks_like_sms(text: str) -> bool:
    """True for pasted or forwarded messages (signatures, codes, timestamp or sender lines, text addressed to the
    reader in collection language), false for the person's own questions and accounts (first person, question
    words, third-person narrative)."""
    if english_refs(text):  # "civil code article 1183": an article asked for, not a "code" with digits
        return False
    own_words = bool(_FIRST_PERSON.search(text) or _NARRATIVE.search(text))
    asks = bool(_QUESTION.search(text)) and (own_words or not _ADDRESSED.search(text))
    if _SIGNATURE.search(text) or _CODE.search(text):
        return not asks or text.count("\n") >= 2
    if len(_TIMESTAMP_LINE.findall(text)) >= 2 or _SENDER_LINE.search(text):
        return True
    if _SENDER_COLON.search(text) and not own_words:
        return True
    if _SENT_EN.search(text) and _COLLECTION_EN.search(text):  # "Your loan is overdue. Pay today or we will…"
        return not _OWN_EN.search(text) and not _ASKS_EN.search(text)
    return (
        len(text) >= 10
        and bool(_ADDRESSED.search(text))
        and bool(_COLLECTION_WORDS.search(text))
        and not asks
        and not own_words
    )


_OWN_ASKS = re.compile(_QUESTION.pattern[:-1] + r"|会不会|真的|要不要|该不该|怎么办|咋办)")
_LEAD_IN = re.compile(  # "帮我看看这条：【…", or a first line of its own: "今天早上收到这个\n【…"
    r"^[^【\n]{0,24}?(收到|发来|发的|短信|信息|这个|这条|看看|帮我)[^【\n]{0,12}?[：:]\s*(?=\S)|"
    r"^[^【\n：:]{0,24}?(收到(了)?(这个|这条|这些|一条|条|的)|发来(的)?(这个|这条)|看看这(个|条))(短信|信息|消息)?[\s，,。.!！~～…]*\n\s*(?=\S)|"
    r"^[^【\n：:]{0,40}?\b(got|received|get|getting|sent me|look at|check)\b[^【\n：:]{0,30}?[：:]\s*(?=\S)|"
    r"^[^【\n：:]{0,40}?\b(got|received|getting|they sent( me)?|look at|check) (this|these|that|a|one|some|the following)\b"
    r"[^【\n]{0,30}\n\s*(?=\S)",
    re.IGNORECASE,
)
_SMS_MARK = re.compile(_SIGNATURE.pattern + "|" + _CODE.pattern + r"|https?://|\w+\.(cn|com)/", re.IGNORECASE)
_CRY = re.compile(r"救命|救救我|帮帮我|帮帮忙|受不了|崩溃|快疯了|好怕|害怕|吓死|好慌|吓人|help", re.IGNORECASE)
_SEGMENT_END = re.compile(r"(?<=[。！!])\s*|\s+")


def _own_words(part: str) -> bool:
    """A piece of a paste written by the person: a question of theirs, not the sender's words to them."""
    part = part.strip()
    if not part or len(part) > 80 or _SMS_MARK.search(part) or _TIMESTAMP_LINE.match(part) or _SENDER_LINE.match(part):
        return False
    if len(part) <= 12 and _CRY.search(part):  # "救命", "help!!" written above a paste
        return True
    mine = bool(_FIRST_PERSON.search(part) or _NARRATIVE.search(part))
    return bool(_OWN_ASKS.search(part)) and (mine or not _ADDRESSED.search(part))


def split_own_words(text: str) -> tuple[str, str]:
    """A paste split into (the messages, the person's own question beside them): a question line before or after
    the messages, a question written after the last message on the same line, a lead-in such as "收到这个：" (dropped).
    ("", "") when there are no messages; (text, "") when there is no question of the person's."""
    text = _LEAD_IN.sub("", text.strip(), count=1)
    lines = [line for line in text.splitlines() if line.strip()]
    theirs = [not _own_words(line) for line in lines]
    own = [line.strip() for line, sent in zip(lines, theirs, strict=True) if not sent]
    rest = [line for line, sent in zip(lines, theirs, strict=True) if sent]
    if len(lines) == 1:
        head = re.match(r"^([^【\n]{2,40}?)\s*(?=【)", text)
        if head and _own_words(head.group(1)):  # "这个短信是真的吗 【最高人民法院】…"
            own, rest = [head.group(1).strip()], [text[head.end() :]]
        else:
            pieces = [p for p in _SEGMENT_END.split(text) if p]
            tail: list[str] = []
            while len(pieces) > 1 and _own_words(pieces[-1]):  # "…请家人配合。 会不会真的上门啊"
                tail.insert(0, pieces.pop())
            if tail:
                cut = text.rindex(tail[0])
                own, rest = tail, [text[:cut]]
    messages = "\n".join(rest).strip()
    if not messages or (not _SMS_MARK.search(messages) and not looks_like_sms(messages)):
        return "", ""
    return messages, "".join(own)


def _without_lead(text: str) -> Decision:
    """A paste as the SMS route takes it: its lead-in ("I got these:") kept apart, not logged as a message."""
    lead = _LEAD_IN.match(text.strip())
    if lead is None or not text.strip()[lead.end() :].strip():
        return Decision(Route.SMS, argument=text)
    return Decision(Route.SMS, argument=text.strip()[lead.end() :], lead=lead.group(0).strip())


def _looks_binary(text: str) -> bool:
    if "\x00" in text or "\ufffd" in text:
        return True
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    return controls > max(2, len(text) // 20)


def _emoji_only(text: str) -> bool:
    meaningful = [ch for ch in text if not ch.isspace()]
    symbols = any(unicodedata.category(ch) in ("So", "Sk") for ch in meaningful)  # "？？？" alone is not an emoji
    return symbols and all(unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf", "Po") for ch in meaningful)


_GO_ON = re.compile(r"^(好|好的|好吧|好啊|行|行吧|可以|嗯|嗯嗯|恩|ok|okay|okk|go ?on|yes|sure)$", re.IGNORECASE)
_LABEL_NOISE = re.compile(r"[\s▶◀→←（）()【】：:，,。.!！?？、·•\"“”'‘’]+")


def _plain(label: str) -> str:
    return _LABEL_NOISE.sub("", label).lower()


def _in_order(typed: str, label: str) -> bool:
    """Every typed character appears in the label, in order ("导出pdf" in "导出证据清单pdf")."""
    rest = iter(label)
    return all(ch in rest for ch in typed)


def pick_choice(text: str, choices: tuple[tuple[str, str], ...]) -> str | None:
    """The payload of the offered choice a typed message picks: its number ("2"), its words ("导出证据清单 PDF",
    "下一步"), or enough of them to be unmistakable ("证据汇总"); None when it picks none or more than one."""
    if not choices:
        return None
    if text.isdigit():
        index = int(text) - 1
        return choices[index][1] if 0 <= index < len(choices) else None
    typed = _plain(text)
    if not typed or len(text) > 40:
        return None
    if _GO_ON.match(typed):  # "好", "ok" under the journey's buttons: its next step
        onward = [
            payload for _, payload in choices if payload.startswith(FLOW_PREFIX) and parse_flow(payload)[0] == "next"
        ]
        if len(onward) == 1:
            return onward[0]
    labels = [_plain(label) for label, _ in choices]
    exact = [i for i, label in enumerate(labels) if label == typed]
    near = [
        i
        for i, label in enumerate(labels)
        if label and len(typed) >= 2 and typed in label and 2 * len(typed) >= len(label)
    ]
    said = [i for i, label in enumerate(labels) if len(label) >= 2 and label in typed and len(typed) <= len(label) + 4]
    starts = [i for i, label in enumerate(labels) if len(typed) >= 2 and label.startswith(typed)]  # "生成文书"
    inside = [i for i, label in enumerate(labels) if len(typed) >= 3 and _in_order(typed, label)]  # "导出pdf"
    for found in (exact, near, said, starts, inside):
        if len(found) == 1:
            return choices[found[0]][1]
    return None


def _sms(text: str) -> Decision:
    messages, question = split_own_words(text)
    if messages and question:  # a paste with the person's question beside it: both are answered
        return Decision(Route.SMS, argument=messages, question=question)
    return _without_lead(text)


def decide(msg: Incoming, session: Session, max_chars: int, max_paste_chars: int = 200_000) -> Decision:
    """Input checks > button > attachment > command > pending question > SMS paste > legal question.

    Safety runs in the engine, on questions.
    """
    text = msg.text.strip()
    if msg.button:
        return Decision(Route.BUTTON, argument=msg.button)
    if msg.attachments:
        return Decision(Route.ATTACHMENT)
    if not text:
        return Decision(Route.EMPTY)
    if len(text) > max_paste_chars:
        return Decision(Route.TOO_LONG, command="paste", argument=str(len(text)))
    if len(text) > max_chars * RAMBLE_FACTOR and not looks_like_sms(text):
        return Decision(Route.TOO_LONG, argument=str(len(text)))
    if _looks_binary(text):
        return Decision(Route.BINARY)
    m = _COMMAND.match(text)
    if m:
        return Decision(Route.COMMAND, command=m.group(1).lower(), argument=m.group(2).strip())
    choices = session.pending.choices if session.pending else ()
    picked = pick_choice(text, choices)
    if picked is not None:
        return Decision(Route.BUTTON, argument=picked)
    if choices and text.isdigit() and len(text) <= 2:
        return Decision(Route.NO_SUCH_CHOICE, argument=str(len(choices)))
    if session.flow in _ANSWERED_FLOWS and (msg.forwarded_at is not None or looks_like_sms(text)):
        return _sms(text)  # an SMS pasted on the way through the journey is analysed and logged as always
    if session.flow:
        return Decision(Route.PENDING, argument=text)
    asked = link_question(text)
    if asked is not None:  # a link, and at most a question about it: judged by its address (bot/sms/links.py)
        return Decision(Route.SMS, argument=asked[0], question=asked[1])
    messages, question = split_own_words(text)
    if messages and question:  # a paste with the person's question beside it: both are answered
        return Decision(Route.SMS, argument=messages, question=question)
    if msg.forwarded_at is not None or looks_like_sms(text):
        return _without_lead(text)
    if _emoji_only(text):
        return Decision(Route.EMOJI_ONLY)
    return Decision(Route.QUESTION, argument=text)
