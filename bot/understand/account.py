"""Understanding stage, the person's account: what collectors did, in the person's own words ("他们还打电话给我
同事，违法吗" -> "他们还打电话给我同事"), kept so a document's 事实经过 says it."""

from __future__ import annotations

import re

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
_CLAUSE = re.compile(r"[，,。；;！!？?\n]+")
MAX_CHARS = 80  # one line of the 事实经过
MAX_INPUT = 160  # a longer message is not a sentence of account


def account_of(text: str) -> str:
    """The clauses of a message that tell what collectors did to the person (first person, no question), joined;
    "" when it tells nothing ("犯法吗", "怎么投诉")."""
    text = text.strip()
    if len(text) > MAX_INPUT:
        return ""
    clauses = [c.strip() for c in _CLAUSE.split(text) if c.strip()]
    told = [c for c in clauses if not _ASKS.search(c)]
    account = "，".join(told)
    if not account or not _TELLS.search(account) or not _MINE.search(account):
        return ""
    return account[:MAX_CHARS]


def add_account(kept: str, account: str, most: int = 6) -> str:
    """The accounts kept so far (one per line) with a new one, without repeats, the latest `most`."""
    lines = [line for line in kept.split("\n") if line and line != account]
    return "\n".join([*lines, account][-most:])
