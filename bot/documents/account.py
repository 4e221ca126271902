"""Documents stage, the person's account: what collectors did, in the person's own words from the recent
conversation ("他们还打电话给我同事，违法吗" -> "他们还打电话给我同事"), so a document's 事实经过 says it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.contract.session import MemoryTurn

# a clause that tells what happened to the person
_TELLS = re.compile(
    r"他们|催收|对方|打给|打到|打电话|来电|发短信|发信息|发到|发给|给我发|发我|群里|照片|说要|威胁|骂|上门|找到|轰炸|验证码|曝光|通讯录|"
    r"同事|家人|父母|单位|公司|领导|朋友|亲戚|半夜|深夜|凌晨|每天|天天|一直"
)
_MINE = re.compile(r"我|本人|他们|催收|对方")  # about the person, or what "they" did to them
# a clause that asks rather than tells
_ASKS = re.compile(
    r"[？?]|吗|呢$|怎么|怎样|如何|咋|能不能|可不可以|会不会|是不是|要不要|该不该|违法|犯法|合法|找谁|有用|请问|求助|帮我"
)
# a clause that gives a detail of the person (name, number, lender, debt): the document's own fields, not the account
_DETAIL = re.compile(
    r"\d{7,}|我叫|我的名字|姓名|身份证|手机号|电话\s*[:：]?\s*\d|^(?:借款|贷款|借贷)?平台(?:名)?(?:是|叫)|^我?(?:欠|借)了?\S{0,8}[元块万千]|"
    r"^(?:被告|原告|被投诉|被申诉|申诉人|投诉人)|^我是[\u4e00-\u9fff]{2,4}$|^(?:是)?(?:一家|一个)?催收(?:公司|机构)$"
)
# a clause that says what the person wants to do ("我想投诉他们", "我要起诉"): the request, not what happened
_WANTS = re.compile(
    r"^我?(也|还)?(想|要|打算|准备|希望|得|必须)(去|到)?((给|跟|和|对|向)\S{0,4})?(投诉|起诉|报警|告|问|写|找|举报|维权|回|发|说)|"
    r"^我?(也|还)?(想|要|打算|准备|希望|得|必须)(去|到|找)\S{0,8}?(投诉|起诉|报警|报案|告|举报|申诉|维权)|"
    r"^我?(也|还)?(想|要|打算|准备|希望)?(要求|让|叫)(他们|对方|催收|平台|法院|警察)"
)
# a clause of feeling or guessing ("我真的要崩溃了", "肯定是他们"): heard, but not a fact for a document
_VENT = re.compile(
    r"过分|可恶|混蛋|欺人太甚|崩溃|受不了|好怕|害怕|烦死|气死|疯了|想死|难受|肯定是|一定是|估计|可能是|应该是|感觉|怀疑|不知道"
)
# words that date an account ("从上周三开始"): a clause of them alone stays with the account
_WHEN = re.compile(r"开始|以来|之后|以后|从|自从|那天|上周|上个?月|昨天|前天|今天|早上|晚上|半夜|凌晨|\d+[月号日点]")
_CLAUSE = re.compile(r"[，,。；;！!？?\n]+|\s{1,}(?=\S)")
# the request itself at the start of a message ("帮我写投诉信 每天300多条…"): not part of the account
_REQUEST = re.compile(
    r"^(请|麻烦)?(你)?(帮我|给我|替我)(写|起草|拟|弄|做|生成)(一下)?(一份|一封|一个|个|份|封)?[^，,。\s]{0,12}"
    r"(投诉信|告知函|报警材料|报案材料|起诉状|投诉材料|申诉材料|证据清单|材料|文件|信)[，,。：:\s]*"
)
MAX_CHARS = 80  # one line of the 事实经过
MAX_INPUT = 160  # a longer message is not a sentence of account


def account_of(text: str, loose: bool = False) -> str:
    """The clauses of a message that tell what collectors did to the person (first person, no question), joined;
    "" when it tells nothing ("犯法吗", "怎么投诉"). `loose`: a reply in a form may leave out who ("每天凌晨一两点几十条
    验证码"), as long as it tells what happened."""
    text = _REQUEST.sub("", text.strip())
    if len(text) > MAX_INPUT:
        return ""
    clauses = [c.strip() for c in _CLAUSE.split(text) if c.strip()]
    told = [c for c in clauses if not (_ASKS.search(c) or _DETAIL.search(c) or _VENT.search(c) or _WANTS.search(c))]
    told = [c for c in told if _TELLS.search(c) or _WHEN.search(c) or _MINE.search(c)]  # what happened and when
    account = "，".join(told)
    if not account or not _TELLS.search(account) or not (loose or _MINE.search(account)):
        return ""
    return account[:MAX_CHARS]


ASKED = ("question", "worry.debtor", "draft.request")  # turns whose words may tell what happened (not safety)
TOLD = "told"  # the session slot that keeps what they told while a draft was open ("他们每天打我同事电话"), a line each
MAX_TOLD = 6


def accounts(memory: Sequence[MemoryTurn], most: int = 6) -> list[str]:
    """What the person told in their recent questions (the session keeps them for a few hours), oldest first,
    without repeats, the latest `most`."""
    told = [account_of(turn.text) for turn in memory if turn.intent in ASKED and turn.text]
    return list(dict.fromkeys(t for t in told if t))[-most:]


def told_in_draft(slots: Mapping[str, str], text: str, loose: bool = False) -> dict[str, str]:
    """The slots with this message's account ("平台是速借花 他们从上周三开始每天打我同事电话" -> "他们从上周三开始每天打我
    同事电话") added to what they told while drafting; unchanged when the message tells nothing."""
    said = account_of(text, loose)
    kept = told_lines(slots)
    if not said or said in kept:
        return dict(slots)
    return {**slots, TOLD: "\n".join([*kept, said][-MAX_TOLD:])}


def told_lines(slots: Mapping[str, str]) -> list[str]:
    """What they told while drafting, oldest first."""
    return [line for line in slots.get(TOLD, "").split("\n") if line]


_SENTENCE = re.compile(r"[我你他她]|[了吗呢吧啊呀]$|[，,。！!？?]")
SHORT_ANSWER = 6  # a name or a lender is rarely longer; longer with 我/了/吗… is a sentence


def is_sentence(text: str) -> bool:
    """A sentence someone says ("我真的要崩溃了", "他们每天打我同事电话"), not a short item's value ("张伟", "速借花")."""
    text = text.strip()
    return bool(_VENT.search(text) or account_of(text)) or (len(text) > SHORT_ANSWER and bool(_SENTENCE.search(text)))
