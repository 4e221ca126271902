"""Understanding stage, intents: labelled utterances (knowledge/intents.yaml) -> nearest neighbours on the bundled
embedding, with a confidence and a margin; the vectors are computed once and cached beside the index."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field

from bot.legal_qa.embeddings import cached_matrix, embed_rows, normalised

QUESTION = "question"
BATCH = 64  # texts embedded in one call at most
READY_MAX = 1024  # vectors prepared and not yet classified, at most


class IntentExamples(BaseModel):
    """One intent's reviewed examples, and look-alikes that belong to plain questions."""

    model_config = ConfigDict(extra="forbid")
    examples: list[str] = Field(min_length=1)
    counter: list[str] = Field(default_factory=list)


class IntentFile(BaseModel):
    """The schema of knowledge/intents.yaml."""

    model_config = ConfigDict(extra="forbid")
    version: int
    intents: dict[str, IntentExamples]
    typos: dict[str, str] = {}  # common misspellings (homophones typed by pinyin input) -> the intended word


def load_intents(path: Path) -> list[tuple[str, str]]:
    """(label, utterance) pairs; counter-examples are labelled as plain questions."""
    data = IntentFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    pairs: list[tuple[str, str]] = []
    for label, block in data.intents.items():
        pairs.extend((label, text) for text in block.examples)
        pairs.extend((QUESTION, text) for text in block.counter)
    return pairs


def load_typos(path: Path) -> dict[str, str]:
    """The reviewed misspellings in the intents file ("催手" -> "催收")."""
    return IntentFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).typos


@dataclass(frozen=True)
class Guess:
    """The nearest intent, how similar its best example is, and how far ahead of the next intent it stands."""

    label: str
    score: float
    margin: float
    runner_up: str = ""


class IntentModel:
    """Nearest-neighbour intent classification over the reviewed examples."""

    def __init__(self, pairs: list[tuple[str, str]], embeddings: Embeddings, cache_dir: Path | None = None) -> None:
        self.labels = [label for label, _ in pairs]
        self.texts = [text for _, text in pairs]
        self.embeddings = embeddings
        self.matrix = self._vectors(cache_dir)
        self.names = sorted(set(self.labels))
        self._label_index = np.array([self.names.index(label) for label in self.labels])
        self._ready: OrderedDict[str, np.ndarray] = OrderedDict()  # vectors embedded ahead, by a hash of the text
        self._waiting: list[tuple[str, asyncio.Future[None]]] = []
        self._batching: asyncio.Task[None] | None = None

    def _vectors(self, cache_dir: Path | None) -> np.ndarray:
        def embed(texts: list[str]) -> np.ndarray:
            return normalised(np.asarray([self.embeddings.embed_query(text) for text in texts], dtype=np.float32))

        return cached_matrix(self.embeddings, self.texts, embed, cache_dir, "intents")

    def vector(self, text: str) -> np.ndarray:
        """The normalised embedding of a text (embedded ahead by `prepare`, or now)."""
        ready = self._ready.pop(_key(text), None)
        if ready is not None:
            return ready
        vec: np.ndarray = normalised(np.asarray([self.embeddings.embed_query(text)], dtype=np.float32))[0]
        return vec

    async def prepare(self, text: str) -> None:
        """Embed a text ahead of `classify`, in a worker thread: the event loop never waits for the model, and texts
        asked for while a batch runs go together in the next batch (one batched call is far cheaper per text)."""
        if _key(text) in self._ready:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((text, done))
        if self._batching is None or self._batching.done():
            self._batching = asyncio.create_task(self._embed_waiting())
        await done

    async def _embed_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            texts = list(dict.fromkeys(text for text, _ in batch))
            try:
                rows = await asyncio.to_thread(self._embed_many, texts)
            except Exception as exc:  # each reader falls back to embedding its text itself
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for text, row in zip(texts, rows, strict=True):
                self._ready[_key(text)] = row
            while len(self._ready) > READY_MAX:  # texts prepared and never classified
                self._ready.popitem(last=False)
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    def _embed_many(self, texts: list[str]) -> np.ndarray:
        return embed_rows(self.embeddings, texts)

    def classify(self, text: str) -> Guess:
        """The best intent for a text (every intent's score is its most similar example)."""
        sims = self.matrix @ self.vector(text)
        best = np.full(len(self.names), -1.0, dtype=np.float32)
        np.maximum.at(best, self._label_index, sims)
        order = np.argsort(-best)
        top, second = int(order[0]), int(order[1]) if len(order) > 1 else int(order[0])
        return Guess(self.names[top], float(best[top]), float(best[top] - best[second]), self.names[second])


def _key(text: str) -> str:
    """A prepared vector's key: a digest, so no message text is kept in memory beside it."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
