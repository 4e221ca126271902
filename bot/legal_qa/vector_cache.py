"""Legal Q&A stage, passage-vector cache: embeddings kept by model and text hash, so a rebuilt index embeds nothing twice.

A passage's vector depends only on the model and the text, not on where it is stored or on its citation metadata, so
a damaged local store rebuilt from knowledge/, a corpus removed and added again, another chroma backend, or a law
marked superseded (its content hash changes, its text does not) reuse the vectors already computed. One SQLite file
per data dir and model (DATA_DIR/cache/passages-MODEL.sqlite3), written once per batch.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

Embed = Callable[[list[str]], list[list[float]]]


def text_key(model: str, text: str) -> str:
    """The cache key of one passage under one model."""
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()


class VectorCache:
    """Passage vectors by (model, text); a missing or unreadable file is just an empty cache."""

    def __init__(self, path: Path, model: str) -> None:
        self.path = path
        self.model = model
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._db.commit()

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def get(self, texts: Sequence[str]) -> dict[str, list[float]]:
        """The cached vectors among these texts, by text."""
        out: dict[str, list[float]] = {}
        for text in texts:
            row = self._db.execute("SELECT vec FROM vectors WHERE key = ?", (text_key(self.model, text),)).fetchone()
            if row is not None:
                out[text] = np.frombuffer(row[0], dtype=np.float32).astype(float).tolist()
        return out

    def put(self, vectors: dict[str, list[float]]) -> None:
        """Store vectors by text (one transaction)."""
        rows = [(text_key(self.model, t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in vectors.items()]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)

    def embed(self, texts: list[str], embed: Embed) -> tuple[list[list[float]], int]:
        """Vectors for texts in order, embedding (in one call) only those not cached; also how many were cached."""
        have = self.get(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in have))
        if todo:
            new = dict(zip(todo, embed(todo), strict=True))
            self.put(new)
            have.update(new)
        return [have[t] for t in texts], len(texts) - len(todo)
