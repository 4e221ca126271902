"""Understanding stage, main point: a long ramble -> the sentences that carry its question (answered first)."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_ASKS = re.compile(
    r"[？?]|吗|怎么|怎样|能不能|可不可以|是否|违法|犯法|合法|咋|如何|要不要|会不会|what|how|can i|should i", re.I
)
_DOMAIN = re.compile(
    r"催|债|欠|借|贷|还款|逾期|短信|验证码|轰炸|骚扰|通讯录|威胁|恐吓|辱骂|投诉|报警|起诉|征信|利息|上门|曝光|"
    r"collect|debt|loan|harass|threat",
    re.I,
)
MAX_POINT_CHARS = 400


def main_point(text: str, limit: int = MAX_POINT_CHARS) -> str:
    """The question sentences of a long text (the last question first in weight), in their original order."""
    sentences: list[str] = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    if not sentences:
        return text[:limit]
    scored = [
        (2 * bool(_ASKS.search(s)) + bool(_DOMAIN.search(s)) + (i == len(sentences) - 1) * 0.5, i)
        for i, s in enumerate(sentences)
    ]
    picked: list[int] = []
    size = 0
    for score, i in sorted(scored, key=lambda si: (-si[0], -si[1])):
        if score <= 0 or size + len(sentences[i]) > limit:
            continue
        picked.append(i)
        size += len(sentences[i])
        if len(picked) == 3:
            break
    if not picked:
        return sentences[-1][:limit]
    return "".join(sentences[i] for i in sorted(picked))
