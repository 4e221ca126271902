"""SMS stage, links: a message that is only a link, judged by its address (a court's court.gov.cn, a government
.gov.cn, an address dressed up to look like one, or unknown), never opened."""

from __future__ import annotations

import re
from enum import Enum

_URL = re.compile(
    r"(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?::\d{1,5})?(?:[/?#]\S*)?", re.I
)
_WORDS_ABOUT_IT = re.compile(r"[\w\u4e00-\u9fff]")
# words in an address that borrow an authority's name: courts, government, police, regulators, the 12368 hotline
_AUTHORITY = re.compile(
    r"court|fayuan|gov|gongan|police|jingcha|mps|jcy|spp|procurat|nfra|cbirc|pbc|12368|12378|zxfw|susong|sifa|faxin",
    re.I,
)


LINK_CHECK = "sms.link"  # the intent of a reply that judges a link
LINK_SCAM = "safety.fraud.link"  # ... that calls it a scam (a scam in view for the next turns)


class LinkKind(Enum):
    """What a link's address shows about who runs it."""

    COURT = "court"  # *.court.gov.cn: the courts' own domain
    GOVERNMENT = "government"  # *.gov.cn
    LOOKALIKE = "lookalike"  # borrows an authority's name without being its domain: a scam's mark
    UNKNOWN = "unknown"


def _links(text: str) -> list[re.Match[str]]:
    """The links in a text: an address with a scheme ("https://…") or a path ("host/path"), not a bare name."""
    return [m for m in _URL.finditer(text) if "://" in m.group(0) or "/" in m.group(0)]


def only_links(text: str) -> list[str]:
    """The hosts of a message that is nothing but links ("https://…" or "host/path"); [] when it has words of its
    own (an SMS with a link in it is analysed as an SMS)."""
    found = _links(text)
    if not found or _WORDS_ABOUT_IT.search(_URL.sub(" ", text)):
        return []
    return [m.group(1).lower() for m in found]


_ABOUT_A_LINK = re.compile(
    r"[？?]|吗|是不是|真的|假的|真假|官方|安全|能点|能不能点|可以点|点了|法院|骗|链接|网址|"
    r"\b(is (this|it)|real|fake|scam|legit|safe|genuine|official|court|click)\b",
    re.IGNORECASE,
)
_SMS_WORDS = re.compile(r"【|】|验证码|\d{4,}")
MAX_ASK_CHARS = 40


def link_question(text: str) -> tuple[str, str] | None:
    """A message that is links plus, at most, a short question about them ("https://… 这是法院的吗", "is this link
    real? http://…"): (the links, the question); None for anything else (an SMS that contains a link)."""
    found = [m.group(0) for m in _links(text)]
    if not found:
        return None
    rest = beside(text)
    if not _WORDS_ABOUT_IT.search(rest):
        return "\n".join(found), ""
    if len(rest) > MAX_ASK_CHARS or _SMS_WORDS.search(rest) or not _ABOUT_A_LINK.search(rest):
        return None
    return "\n".join(found), rest


def hosts(text: str) -> list[str]:
    """The hosts of every link in a text ("https://…" or "host/path")."""
    return [m.group(1).lower() for m in _links(text)]


def beside(text: str) -> str:
    """A message's words without its links."""
    return " ".join(_URL.sub(" ", text).split())


def judge(host: str) -> LinkKind:
    """The kind of a host name (lowercase)."""
    if host == "court.gov.cn" or host.endswith(".court.gov.cn"):
        return LinkKind.COURT
    if host == "gov.cn" or host.endswith(".gov.cn"):
        return LinkKind.GOVERNMENT
    if _AUTHORITY.search(host):
        return LinkKind.LOOKALIKE
    return LinkKind.UNKNOWN


def worst(hosts: list[str]) -> tuple[LinkKind, str]:
    """The most alarming kind among the hosts, with its host (a look-alike outweighs everything)."""
    order = (LinkKind.LOOKALIKE, LinkKind.UNKNOWN, LinkKind.GOVERNMENT, LinkKind.COURT)
    judged = [(judge(host), host) for host in hosts]
    return min(judged, key=lambda pair: order.index(pair[0]))
