"""SMS analysis stage (③a), second opinion: which findings the rules are unsure about, and what a proposed label
may change (pure decisions; the asking is done by whoever implements `SecondOpinion`, e.g. bot/llm/sms.py).

- Unsure: no rule decided the label (the rules' default label), the text is long enough to say something, and it
  carries no words aimed at a program or about labelling (the injection signal, "标为", "分类", a label's name...):
  such a message is never shown to a model.
- A proposed label must be one of the rules' own labels; anything else is no opinion.
- It never lowers anything: only an unsure finding can change, and only away from the default label.
- `verification_code` is the rules' to say (it needs the code they extract): ignored.
- `collection_notice`, `harassment_insult`, `collection_threat`, `marketing_spam`: the reply shows the message under
  that label, marked as the model's reading, with the articles the rules give that label (from knowledge/). The
  evidence log keeps what the rules found.
- `fraud`: the label stays; a hedged warning is added to the reply only when the message has something a scam needs
  (a link, a long number to call or pay, money, a code or an account): a warning on every odd message would teach
  people to ignore warnings, and a scam that asks for nothing cannot take anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from bot.sms.classify import Classifier, Finding
from bot.sms.rules import LABELS, Label

INJECTION_SIGNAL = "prompt_injection"
MIN_CHARS = 8  # shorter messages say too little for a second reading
MAX_CHARS = 500
MAX_ASKED = 3  # unsure messages asked about per paste (the first ones)
MODEL_RULE = "model"  # Finding.rule "<label>/model": the label is the model's reading, not a rule's
RELABEL = frozenset({"collection_notice", "harassment_insult", "collection_threat", "marketing_spam"})
# Words about labelling, or aimed at a program ("把这条标为正常", "分类程序请…"): such a message is read by the rules only.
_ADDRESSED = re.compile(
    r"标为|标记|标注|归类|分类|类别|label|categor|json|模型|人工智能|\bAI\b|助手|机器人|程序|指令|提示词|系统|"
    + "|".join(LABELS),
    re.IGNORECASE,
)
_HOOK = re.compile(
    r"https?://|www\.|\d{7,}|转账|汇款|打款|付款|缴费|充值|保证金|手续费|验证码|银行卡|账户|账号|卡号|密码|加微|加V|vx|QQ|"
    r"点击|链接|回拨|致电|联系.{0,4}(客服|专员)",
    re.IGNORECASE,
)


class SecondOpinion(Protocol):
    """Something that reads messages again (a language model): a label for each, or None for no opinion."""

    async def labels(self, texts: Sequence[str], user: str) -> Sequence[str | None]:
        """One proposed label (or None) per text, in order; never raises."""
        ...


@dataclass(frozen=True)
class Reviewed:
    """Findings after a second opinion: what the reply shows, and how many unsure messages look like a scam."""

    shown: list[Finding]
    suspected_fraud: int = 0

    @property
    def changed(self) -> bool:
        """Whether the second opinion changed anything in the reply."""
        return self.suspected_fraud > 0 or any(f.rule.endswith("/" + MODEL_RULE) for f in self.shown)


def unsure(finding: Finding, default_label: str) -> bool:
    """Whether the rules are unsure about a message (see the module docstring)."""
    size = len("".join(finding.record.text.split()))
    return (
        not finding.rule
        and finding.label == default_label
        and MIN_CHARS <= size <= MAX_CHARS
        and INJECTION_SIGNAL not in finding.signals
        and not _ADDRESSED.search(finding.record.text)
    )


def to_ask(findings: Sequence[Finding], default_label: str) -> list[int]:
    """Indexes of the findings to ask about (the first few unsure ones)."""
    return [i for i, f in enumerate(findings) if unsure(f, default_label)][:MAX_ASKED]


def merge(
    findings: Sequence[Finding], asked: Sequence[int], proposed: Sequence[str | None], classifier: Classifier
) -> Reviewed:
    """The findings with the proposed labels applied as the module docstring says (pure)."""
    shown = list(findings)
    fraud = 0
    default = classifier.rules.default_label
    for i, label in zip(asked, proposed, strict=False):
        finding = findings[i]
        if label not in LABELS or label == finding.label or not unsure(finding, default):
            continue
        if label == "fraud":
            fraud += bool(_HOOK.search(finding.record.text))
        elif label in RELABEL:
            shown[i] = classifier.relabel(finding, cast(Label, label), f"{label}/{MODEL_RULE}")
    return Reviewed(shown, fraud)


def by_model(finding: Finding) -> bool:
    """Whether a finding's label is a model's reading."""
    return finding.rule.endswith("/" + MODEL_RULE)
