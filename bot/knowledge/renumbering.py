"""Knowledge stage, renumbering: which current article each article of a superseded text became.

A revision that inserts articles moves the later ones (网络安全法 2016 第四十四条 is 2025 第四十六条), and many pages
still quote the old numbers. The successor of an old article is the article of the text that superseded it with the
same wording, or clearly the closest wording (an amended article); none when no article is clearly closest.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from bot.knowledge.model import KnowledgeBase

SAME = 0.5  # an article at least this similar to the old one ...
MARGIN = 0.2  # ... and this much more similar than any other is its successor

_SPACE = re.compile(r"\s+")


def successors(kb: KnowledgeBase) -> dict[str, str]:
    """Old article id -> the id of the current article it became (superseded texts with `superseded_by` only)."""
    out: dict[str, str] = {}
    for old in kb.instruments.values():
        new = kb.instruments.get(old.superseded_by or "")
        if old.status != "superseded" or new is None:
            continue
        for art in old.articles:
            text = _SPACE.sub("", art.text)
            scored = sorted(
                (
                    (SequenceMatcher(None, text, _SPACE.sub("", b.text), autojunk=False).ratio(), b.key)
                    for b in new.articles
                ),
                reverse=True,
            )
            if scored and scored[0][0] >= SAME and (len(scored) == 1 or scored[0][0] - scored[1][0] >= MARGIN):
                out[f"{old.id}:{art.key}"] = f"{new.id}:{scored[0][1]}"
    return out


def old_namesakes(kb: KnowledgeBase, moved: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Current article id -> (old article id, its successor) where a superseded text's article with the same number
    became another article: someone quoting 网络安全法第四十四条 from an old page means what is now 第四十六条."""
    out: dict[str, tuple[str, str]] = {}
    for old_id, new_id in moved.items():
        old_inst, _, key = old_id.partition(":")
        same_number = f"{kb.instruments[old_inst].superseded_by}:{key}"
        if same_number != new_id and kb.get(same_number) is not None:
            out[same_number] = (old_id, new_id)
    return out
