"""SMS analysis stage (③a), meaning: messages no rule decided, read against the labelled examples in
knowledge/sms_rules.yaml (`meaning`) by nearest neighbour on the bundled sentence embedding.

A threat worded in a way no pattern knows ("我们的人已经到你小区了") gets its group's label and signals (a threat to
life or body: violence_threat, so the reply opens with 110). Everyday look-alikes are written as `counter` examples:
a message is given a group only when its best example is similar enough (`min_score`) and ahead of every counter
example and every other group by `min_margin`. Only undecided messages are embedded, in one batch per paste, so the
rules' speed is kept for the rest; the same text always gets the same reading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.legal_qa.embeddings import cached_matrix, embed_rows
from bot.sms.rules import MeaningGroupSpec, MeaningSpec

COUNTER = ""  # the group of the counter examples
CACHE_SIZE = 4096  # readings kept by text: a paste is read again for its documents and /evidence


@dataclass(frozen=True)
class Reading:
    """The group a message reads as, its nearest example, and how far ahead of the rest it stands."""

    group: MeaningGroupSpec
    example: str
    score: float
    margin: float


class Meaning:
    """Nearest-neighbour reading of messages against the rules' meaning examples."""

    def __init__(self, spec: MeaningSpec, embeddings: Embeddings, cache_dir: Path | None = None) -> None:
        self.spec = spec
        self.embeddings = embeddings
        self.groups = list(spec.groups)
        self.examples = [ex for g in self.groups for ex in g.examples] + list(spec.counter)
        self.owner = np.array(
            [i for i, g in enumerate(self.groups) for _ in g.examples] + [len(self.groups)] * len(spec.counter)
        )
        self.matrix = self._vectors(cache_dir)
        self._only = re.compile("|".join(f"(?:{p})" for p in spec.only), re.IGNORECASE) if spec.only else None
        self._unless = re.compile("|".join(f"(?:{p})" for p in spec.unless), re.IGNORECASE) if spec.unless else None
        self._cache: dict[str, Reading | None] = {}  # the same text always gets the same reading: embed it once

    def _embed(self, texts: list[str]) -> np.ndarray:
        return embed_rows(self.embeddings, texts)

    def _vectors(self, cache_dir: Path | None) -> np.ndarray:
        return cached_matrix(self.embeddings, self.examples, self._embed, cache_dir, "sms-meaning")

    def eligible(self, text: str) -> bool:
        """Whether a message is worth reading by meaning: long enough to say something, short enough to be one
        thought, and passing the rules' cheap filter (`only`, `unless`: the model is far slower than the rules)."""
        size = len("".join(text.split()))
        if not self.spec.min_chars <= size <= self.spec.max_chars:
            return False
        norm = unicodedata.normalize("NFKC", text)
        if self._unless is not None and self._unless.search(norm):
            return False
        return self._only is None or bool(self._only.search(norm))

    def read(self, texts: Sequence[str]) -> list[Reading | None]:
        """The reading of each text (None: no group clearly ahead), embedding the ones not read before in one
        batch."""
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if new:
            if len(self._cache) + len(new) > CACHE_SIZE:
                self._cache.clear()
            self._cache.update(zip(new, self._read(new), strict=True))
        return [self._cache[t] for t in texts]

    def _read(self, texts: list[str]) -> list[Reading | None]:
        sims = self._embed(texts) @ self.matrix.T
        out: list[Reading | None] = []
        n = len(self.groups) + 1
        for row in sims:
            best = np.full(n, -1.0, dtype=np.float32)
            np.maximum.at(best, self.owner, row)
            top = int(np.argmax(best[:-1]))
            rest = np.delete(best, top)
            score, margin = float(best[top]), float(best[top] - rest.max())
            if score < self.spec.min_score or margin < self.spec.min_margin:
                out.append(None)
                continue
            mine = np.flatnonzero(self.owner == top)
            example = self.examples[int(mine[np.argmax(row[mine])])]
            out.append(Reading(self.groups[top], example, score, margin))
        return out
