"""Documents stage, the person's account: what collectors did, in the person's own words from the recent
conversation ("他们还打电话给我同事，违法吗" -> "他们还打电话给我同事"), so a document's 事实经过 says it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.contract.session import MemoryTurn

# a clause that tells what happened to the person
_TELLS = re.compile(
    r"他们|催收|对方|打给|打到|打电话|来电|发短信|发信息|发到|发给|给我发|说要|威胁|骂|上门|找到|轰炸|验证码|曝光|通讯录|"
    r"同事|家人|父母|单位|公司|领导|朋友|亲戚|半夜|深夜|凌晨|每天|天天|一直"
)
_MINE = re.compile(r"我|本人|他们|催收|对方")  # about the person, or what "they" did to them
# a clause that asks rather than tells
_ASKS = re.compile(
    r"[？?]|吗|呢$|怎么|怎样|如何|咋|能不能|可不可以|会不会|是不是|要不要|该不该|违法|犯法|合法|找谁|有用|请问|求助|帮我"
)
# a clause that gives a detail of the person (name, number): the document's own fields, not the account
_DETAIL = re.compile(r"\d{7,}|我叫|我的名字|姓名|身份证|手机号|电话\s*[:：]?\s*\d")
_CLAUSE = re.compile(r"[，,。；;！!？?\n]+|\s{1,}(?=\S)")
# the request itself at the start of a message ("帮我写投诉信 每天300多条…"): not part of the account
_REQUEST = re.compile(
    r"^(请|麻烦)?(你)?(帮我|给我|替我)(写|起草|拟|弄|做|生成)(一下)?(一份|一封|一个|个|份|封)?[^，,。\s]{0,12}"
    r"(投诉信|告知函|报警材料|报案材料|起诉状|投诉材料|申诉材料|证据清单|材料|文件|信)[，,。：:\s]*"
)
MAX_CHARS = 80  # one line of the 事实经过
MAX_INPUT = 160  # a longer message is not a sentence of account


def account_of(text: str) -> str:
    """The clauses of a message that tell what collectors did to the person (first person, no question), joined;
    "" when it tells nothing ("犯法吗", "怎么投诉")."""
    text = _REQUEST.sub("", text.strip())
    if len(text) > MAX_INPUT:
        return ""
    clauses = [c.strip() for c in _CLAUSE.split(text) if c.strip()]
    told = [c for c in clauses if not _ASKS.search(c) and not _DETAIL.search(c)]
    account = "，".join(told)
    if not account or not _TELLS.search(account) or not _MINE.search(account):
        return ""
    return account[:MAX_CHARS]


ASKED = ("question", "worry.debtor", "draft.request")  # turns whose words may tell what happened (not safety)


def accounts(memory: Sequence[MemoryTurn], most: int = 6) -> list[str]:
    """What the person told in their recent questions (the session keeps them for a few hours), oldest first,
    without repeats, the latest `most`."""
    told = [account_of(turn.text) for turn in memory if turn.intent in ASKED and turn.text]
    return list(dict.fromkeys(t for t in told if t))[-most:]
