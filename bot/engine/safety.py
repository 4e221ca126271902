"""Engine, safety: pure rules for danger (call 110), self-harm, and requests we must decline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Concern(Enum):
    """What a safety rule found in a message."""

    DANGER = "danger"  # the person is threatened with violence: tell them to call 110, then help
    SELF_HARM = "self_harm"  # the person may harm themselves: support first, then help
    COUNTER_ATTACK = "counter_attack"  # wants to bomb or harass the collector back: decline
    DOXXING = "doxxing"  # wants a collector's ID/address to confront them: decline
    FORGERY = "forgery"  # wants forged court papers or seals: decline
    EVADE = "evade"  # wants to dodge a lawful debt: decline that part, offer legitimate help
    INJECTION = "injection"  # tries to change the bot's rules: note it, treat the text as data


@dataclass(frozen=True)
class Verdict:
    """The concerns found; `blocking` ones replace the normal answer, the others precede it."""

    concerns: tuple[Concern, ...]

    @property
    def blocking(self) -> Concern | None:
        """The first concern that replaces the normal answer, if any."""
        for c in self.concerns:
            if c in (Concern.COUNTER_ATTACK, Concern.DOXXING, Concern.FORGERY, Concern.EVADE):
                return c
        return None


_RULES: list[tuple[Concern, re.Pattern[str]]] = [
    (
        Concern.DANGER,
        re.compile(
            r"(弄死|打死|砍死|砍你|杀了|杀你|卸你|打断你|泼油漆|泼硫酸|捅你|揍你|带.{0,3}兄弟|带人|找人.{0,4}(打|收拾|弄)|"
            r"人身安全|在我家门口|堵在门口|正在砸|kill (you|me)|beat (you|me) up|hurt my)",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.SELF_HARM,
        re.compile(
            r"(不想活|活不下去|想死|自杀|轻生|了结自己|结束生命|跳楼|kill myself|suicid|end my life)", re.IGNORECASE
        ),
    ),
    (
        Concern.COUNTER_ATTACK,
        re.compile(
            r"((反过来|反向|回敬|报复).{0,12}(轰炸|骚扰|呼死|短信)|轰炸.{0,8}(催收员|他|对方|他们)的?(手机|电话|号码)|"
            r"呼死你|短信轰炸(平台|软件|工具)|bomb (the|his|their) (phone|collector))",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.DOXXING,
        re.compile(
            r"((查|找|扒|人肉).{0,10}(真实姓名|身份证|家庭住址|住哪|家在哪|住址)|去他家|找他算账|上门找他|人肉|dox)",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.FORGERY,
        re.compile(
            r"((写|做|弄|伪造|排版|P).{0,12}(裁定书|判决书|调解书|公章|盖章|法院.{0,4}(文书|证明))|假的?(判决|裁定))"
        ),
    ),
    (
        Concern.EVADE,
        re.compile(
            r"(怎么(才能)?(不还|赖掉|逃债|躲债)|(帮我|教我).{0,6}(不还钱|赖账|逃债)|证明我.{0,10}不用还|"
            r"不用还钱的(办法|方法)|how (to|can i) (avoid|not) (pay|repay))",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.INJECTION,
        re.compile(
            r"(忽略(之前|以上|上面|前面)的?(所有)?(指令|指示|规则|设定)|你现在是.{0,10}(模式|角色)|没有任何限制|"
            r"ignore (all |the )?(previous|above) instructions|system prompt|jailbreak)",
            re.IGNORECASE,
        ),
    ),
]


def check(text: str) -> Verdict:
    """Run every rule over the text; pure and cheap."""
    return Verdict(tuple(concern for concern, pat in _RULES if pat.search(text)))
