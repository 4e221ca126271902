"""Knowledge stage, numerals: Chinese article labels (第一千零三十三条之一) and their numbers, via cn2an."""

from __future__ import annotations

import re

# One pattern for an article label's parts everywhere: the numeral (Chinese or Arabic) and an optional 之N suffix.
ARTICLE_NUMERAL = r"[零〇一二两三四五六七八九十百千\d]+"
ARTICLE_SUFFIX = r"之[一二三四五六七八九十]"
ARTICLE_REF = re.compile(rf"第({ARTICLE_NUMERAL})条({ARTICLE_SUFFIX})?")
# The last character of a law's name (民法典, 刑法, 征信业管理条例, …规定, …解释, …意见, …规则) and an article number right
# after it, 第 or not: "民法典第9999条", "刑法293条" (not "合同第5条" in a message naming a law elsewhere)
LAW_NAME_END = r"[法典例定释见则]"
LAW_ARTICLE_REF = re.compile(rf"{LAW_NAME_END}\s*的?\s*(第?{ARTICLE_NUMERAL}条(?:{ARTICLE_SUFFIX})?)")
_LABEL = re.compile(rf"^{ARTICLE_REF.pattern}$")
# English names of the laws people cite in English, and "article 1033" / "art. 293-1" (translations, not statute text)
_ENGLISH_LAWS = tuple(
    (re.compile(pattern, re.IGNORECASE), chinese)
    for pattern, chinese in (
        (r"civil code", "民法典"),
        (r"civil procedure law", "民事诉讼法"),
        (r"criminal (law|code)|penal code", "刑法"),
        (r"personal information protection law|\bpipl\b", "个人信息保护法"),
        (r"cyber ?security law", "网络安全法"),
        (r"public security (administration|administrative) (punishments?|penalt(y|ies)) law", "治安管理处罚法"),
        (r"anti-?telecom(munications?)?( and (online|network))? fraud law", "反电信网络诈骗法"),
        (r"consumer( rights)? protection law|consumer rights law", "消费者权益保护法"),
        (r"data security law", "数据安全法"),
    )
)
_ENGLISH_ARTICLE = re.compile(r"\b(?:article|art\.?|section)\s*(\d+)(?:\s*-\s*([1-9]))?\b", re.IGNORECASE)
_SUFFIX_DIGITS = "一二三四五六七八九"


def without_english_refs(text: str) -> str:
    """The text without English law names and article numbers ("civil code" is no question about sign-up codes)."""
    for pattern, _ in _ENGLISH_LAWS:
        text = pattern.sub(" ", text)
    return _ENGLISH_ARTICLE.sub(" ", text)


def english_refs(text: str) -> str:
    """The Chinese form of an English article reference ("article 1033 of the civil code" -> "民法典第1033条"), to add to a
    search; "" when the text names no law with an article number in English."""
    articles = _ENGLISH_ARTICLE.findall(text)
    law = next((zh for pattern, zh in _ENGLISH_LAWS if pattern.search(text)), "")
    if not law or not articles:
        return ""
    return " ".join(f"{law}第{n}条" + (f"之{_SUFFIX_DIGITS[int(k) - 1]}" if k else "") for n, k in articles)


def chinese_number(text: str) -> int:
    """Parse a Chinese numeral such as 一千零三十三 or an Arabic one such as 1033."""
    if text.isdigit():
        return int(text)
    import cn2an  # imported on first use: the package builds its tables at import (~0.7 s)

    try:
        value = cn2an.cn2an(text, "normal")
    except ValueError as exc:
        raise ValueError(f"not a Chinese numeral: {text!r}") from exc
    return int(value)


def parse_label(label: str) -> tuple[int, str | None]:
    """Split 第二百五十三条之一 into (253, "之一")."""
    m = _LABEL.match(label)
    if not m:
        raise ValueError(f"not an article label: {label!r}")
    return chinese_number(m.group(1)), m.group(2)


def article_key(numeral: str, suffix: str | None) -> str:
    """The article part of a citation id from a label's parts: ("一千零三十三", None) -> 1033, ("253", "之一") -> 253-1."""
    key = str(chinese_number(numeral))
    if suffix:
        key += f"-{chinese_number(suffix[1:])}"
    return key


def chinese_numeral(number: int) -> str:
    """Write a positive integer the way statute labels and numbered items do: 十二, 一百一十, 一千零三十三."""
    if number <= 0:
        raise ValueError(f"not a positive number: {number}")
    import cn2an  # see chinese_number

    return str(cn2an.an2cn(number))
