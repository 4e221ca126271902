"""Understanding, lender kind: which kind of lender the person's loan is from, read from their words, and an answer's
regulator advice routed by it (banks and consumer-finance companies: 12378; microloan companies: the local financial
regulator; unlicensed lenders: the police), as knowledge/contacts.yaml draws the line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.model import KnowledgeBase
from bot.texts import BASE, ENGLISH, Texts

SLOT = "lender_kind"  # the session slot: one of KINDS, or ASKED once the question was put and not answered
ASKED = "asked"
BANK, CONSUMER, MICRO, UNLICENSED = "bank", "consumer_finance", "microloan", "unlicensed"
KINDS = (BANK, CONSUMER, MICRO, UNLICENSED)
NOT_12378 = (MICRO, UNLICENSED)  # lenders 12378 does not handle

# What people say of their lender. A message naming two kinds ("银行和小贷有什么区别") says nothing about theirs.
_SAID: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        UNLICENSED,
        re.compile(
            r"高炮|714|七一四|无牌|没有?(放贷|放款|金融)?(牌照|资质|执照)|不是正规|不正规的|私人放(贷|款)|个人放贷|地下钱庄|"
            r"套路贷|unlicen[sc]ed|loan shark",
            re.IGNORECASE,
        ),
    ),
    (MICRO, re.compile(r"小额贷款|小贷|micro-?loan|micro-?finance|micro-?lender", re.IGNORECASE)),
    (CONSUMER, re.compile(r"消费金融|消金|consumer[- ]finance", re.IGNORECASE)),
    (
        BANK,
        re.compile(r"银行(?!卡|账|帐|流水|转账|app|APP)|信用卡|\bbank\b(?! card| account)|credit card", re.IGNORECASE),
    ),
)
# In a pasted SMS (untrusted text) only a lender's own name counts: "【××消费金融】", "××小额贷款有限公司", "××银行信用卡中心".
_NAMED: tuple[tuple[str, re.Pattern[str]], ...] = (
    (MICRO, re.compile(r"小额贷款(股份)?有限(责任)?公司|【[^】]{0,12}小贷】")),
    (CONSUMER, re.compile(r"消费金融(股份)?有限(责任)?公司|【[^】]{0,12}消费金融】")),
    (BANK, re.compile(r"银行(股份有限公司|信用卡中心)|【[^】]{0,12}银行】")),
)
# The regulator advice every card words the same way when the lender's kind is not known (Chinese and English), and
# the clause that leads to it ("向监管投诉（…）"), replaced whole so the routed advice reads as one sentence.
_EITHER_TEXT = (
    r"银行、消费金融公司打 ?12378(?:（国家金融监督管理总局[^）]*）)?[；，]\s*"
    r"小(?:额贷款|贷)公司(?:（含网络小贷）)?找(?:它注册地的)?地方金融管理部门"
)
_EITHER = re.compile(_EITHER_TEXT)
_CLAUSE = re.compile(rf"(?:(?:可以)?向(?:对应的金融)?监管投诉|找它的监管)（{_EITHER_TEXT}）|向监管投诉：{_EITHER_TEXT}")
_EITHER_SHORT = re.compile(r"12378或地方金融管理部门")
_EITHER_EN = re.compile(
    r"banks and consumer-finance companies: 12378(, the National Financial Regulatory Administration)?; "
    r"microloan companies(, including online ones)?: "
    r"the local financial regulator( where the company is registered)?",
    re.IGNORECASE,
)
_CONTACTS = {BANK: "nfra-12378", CONSUMER: "nfra-12378", MICRO: "local-financial-regulator"}
_REGULATORS = ("nfra-12378", "local-financial-regulator")


def either_or(text: str) -> bool:
    """Whether a reply gives the either-or regulator advice (so the lender's kind would make it one)."""
    return bool(_EITHER.search(text) or _EITHER_SHORT.search(text) or _EITHER_EN.search(text))


def said_kind(text: str, pasted: bool = False) -> str:
    """The lender kind a message states ("我借的是XX小贷" -> microloan), or "" when it names none or several;
    `pasted`: an SMS, where only a lender's own name counts."""
    found = {
        kind
        for kind, pattern in (_NAMED if pasted else _SAID)
        if any(not _asked_about(text, m) for m in pattern.finditer(text))
    }
    if UNLICENSED in found:  # "不是正规的小贷": an unlicensed lender calling itself one
        return UNLICENSED
    return found.pop() if len(found) == 1 else ""


_ASKED_BEFORE = re.compile(r"(算|是不是|属于|属不属于|还是|或者|或)\s*$")
_ASKED_AFTER = re.compile(r"^(公司|平台|的)?\s*(吗|呢|么|嘛|不|？|\?|还是|或)")


def _asked_about(text: str, m: re.Match[str]) -> bool:
    """The kind is asked about, not said ("网商贷也算小贷吗", "是银行还是小贷"): it says nothing of their lender."""
    return bool(_ASKED_BEFORE.search(text[max(0, m.start() - 6) : m.start()]) or _ASKED_AFTER.search(text[m.end() :]))


@dataclass(frozen=True)
class LenderRouting:
    """Rewrites an answer's regulator advice for the lender kind the person gave (a pure text function)."""

    texts: Texts
    names: dict[str, str]  # contact id -> the name printed in an answer's "可以找：" line
    for_12378: tuple[str, ...] = ()  # titles of documents written for 12378 (a microloan's goes elsewhere)

    @classmethod
    def build(cls, kb: KnowledgeBase, texts: Texts, for_12378: tuple[str, ...] = ()) -> LenderRouting:
        """From the reviewed contacts (their printed names), the texts, and the titles of the 12378 documents."""
        names = {}
        for cid in _REGULATORS:
            contact = kb.contacts.get(cid)
            if contact is not None:
                names[cid] = contact.name
                if contact.name_en:
                    names[cid + ":en"] = contact.name_en
        return cls(texts, names, for_12378)

    def route(self, text: str, kind: str) -> str:
        """The text with the either-or regulator advice replaced by the one for `kind` (unchanged if not known)."""
        if kind not in KINDS:
            return text
        if kind in (MICRO, UNLICENSED) and text.split("\n", 1)[0].strip() in self.for_12378:  # a 12378 letter
            return self.texts.get(f"lender.document.{kind}") + "\n\n" + text
        text = _CLAUSE.sub(self.texts.get(f"lender.clause.{kind}"), text)
        text = _EITHER.sub(self.texts.get(f"lender.route.{kind}"), text)
        text = _EITHER_SHORT.sub(self.texts.get(f"lender.short.{kind}"), text)
        text = _EITHER_EN.sub(self.texts.get(f"lender.route.{kind}", ENGLISH), text)
        keep = _CONTACTS.get(kind)
        drop = {
            self.names[key] for cid in _REGULATORS if cid != keep for key in (cid, cid + ":en") if key in self.names
        }
        return "\n".join(self._without(line, drop) for line in text.split("\n"))

    def _without(self, line: str, drop: set[str]) -> str:
        """An answer's "可以找：A；B；C" line without the other kind's regulator (other lines unchanged)."""
        for lang in (BASE, ENGLISH):
            head, sep = self.texts.get("answer.next", lang), self.texts.get("answer.next_sep", lang)
            if line.startswith(head):
                items = [item for item in line[len(head) :].split(sep) if item not in drop]
                return head + sep.join(items) if items else ""
        return line
