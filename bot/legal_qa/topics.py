"""Legal Q&A stage, topics: match a question to reviewed guidance cards from knowledge/topics.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge import Topic


@dataclass(frozen=True)
class TopicHit:
    """A topic and how strongly the question matched it."""

    topic: Topic
    score: float
    count: int = 1  # how many distinct triggers matched


class TopicMatcher:
    """Triggers are plain substrings (case-insensitive) or regexes written as ``re:<pattern>``."""

    def __init__(self, topics: list[Topic]) -> None:
        self._compiled: list[tuple[Topic, list[re.Pattern[str]]]] = []
        for topic in topics:
            pats = []
            for trig in topic.triggers:
                src = trig[3:] if trig.startswith("re:") else re.escape(trig)
                pats.append(re.compile(src, re.IGNORECASE))
            self._compiled.append((topic, pats))

    def match(self, text: str) -> list[TopicHit]:
        """Topics whose triggers occur in the text, strongest first."""
        hits = []
        for topic, pats in self._compiled:
            score, count = 0.0, 0
            for pat in pats:
                m = pat.search(text)
                if m:
                    score += 1.0 + min(len(m.group(0)), 8) / 8
                    count += 1
            if count:
                hits.append(TopicHit(topic, score + topic.priority * 0.5, count))
        return sorted(hits, key=lambda h: -h.score)

    def strong(self, text: str, most: int = 3) -> list[TopicHit]:
        """The best topic, plus up to two more that matched at least two triggers (one stray word is noise)."""
        hits = self.match(text)
        return hits[:1] + [h for h in hits[1:] if h.count >= 2][: most - 1]
