"""Legal Q&A stage, index: chunks embedded into a chromadb collection, rebuilt incrementally by content hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from langchain_core.embeddings import Embeddings

from bot.legal_qa.embeddings import embeddings_name
from bot.legal_qa.ingest import Chunk
from bot.legal_qa.vector_cache import VectorCache

_BATCH = 64


def embedded_text(chunk: Chunk, chars: int) -> str:
    """What the dense model reads for a chunk: its first line (law name, article, heading) and the first `chars`
    characters of the rest (0: all of it). The model's cost grows with every token, and on STARD's dev split an
    article's first 120 characters found as much as its whole text (bench/stard_bench.py); BM25 and the answer keep the
    whole text."""
    if chars <= 0:
        return chunk.text
    head, sep, body = chunk.text.partition("\n")
    return f"{head}{sep}{body[:chars]}" if sep else chunk.text[:chars]


def recipe(embedding: str, chars: int) -> str:
    """The embedding's name plus how much of a chunk it reads: part of every stored hash, so changing either
    re-embeds."""
    return embedding if chars <= 0 else f"{embedding}/first{chars}"


@dataclass(frozen=True)
class IndexReport:
    """What a build or freshness check did."""

    added: int
    updated: int
    removed: int
    unchanged: int
    reused: int = 0  # of added + updated, vectors taken from the passage-vector cache instead of embedded

    @property
    def changed(self) -> bool:
        """True when anything was written."""
        return bool(self.added or self.updated or self.removed)


def fingerprint(chunks: list[Chunk], embedding: str) -> str:
    """One hash over every chunk's content hash and the embedding's name."""
    h = hashlib.sha256(embedding.encode())
    for c in sorted(chunks, key=lambda c: c.id):
        h.update(c.id.encode())
        h.update(c.content_hash.encode())
    return h.hexdigest()


def open_client(mode: str, path: Path, host: str = "127.0.0.1", port: int = 8000, url: str = "") -> Any:
    """A chromadb client: a local persistent folder, or a chroma server over HTTP (at `url` when given, else
    host:port in "http" mode); telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        return chromadb.HttpClient(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (443 if secure else 8000),
            ssl=secure,
            settings=settings,
        )
    if mode == "http":
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def clear_local_store(path: Path) -> None:
    """Delete a local chroma store's own files (database, segment folders, manifests) so it is rebuilt from
    knowledge/; files beside them (corpora.json, what `anning index --source` recorded) stay."""
    import shutil

    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # a client cached for this path would keep the damaged files open
    for item in path.glob("*"):
        if item.is_dir():
            shutil.rmtree(item)
        elif item.name.startswith(("chroma.sqlite3", "manifest-")):
            item.unlink()


class VectorIndex:
    """The dense side of retrieval: a chroma collection we always feed our own embeddings."""

    def __init__(
        self,
        client: Any,
        collection: str,
        embeddings: Embeddings,
        manifest: Path,
        cache: Path | None = None,
        embed_chars: int = 0,
    ) -> None:
        """`cache`: a folder for the passage-vector cache (none: every new or changed chunk is embedded);
        `embed_chars`: how much of a chunk's body the model reads (embedded_text)."""
        self.embeddings = embeddings
        self.name = embeddings_name(embeddings)
        self.embed_chars = embed_chars
        self._recipe = recipe(self.name, embed_chars)
        self._cache = VectorCache(cache / f"passages-{self.name}.sqlite3", self.name) if cache is not None else None
        self._manifest = manifest
        self._client = client
        # Embeddings are always passed explicitly, so chroma never needs (or downloads) its default model.
        self._col = client.get_or_create_collection(
            name=f"{collection}-{self.name}", metadata={"hnsw:space": "cosine"}, embedding_function=None
        )

    def close(self) -> None:
        """Release the client (a server client's connections, a local store's files); the index is unusable after.

        chromadb 1.5.9's `close()` stops the shared system but leaves an HTTP client's connection pool open, so that
        pool is closed here too (every index in this process on the same server shares it)."""
        if self._cache is not None:
            self._cache.close()
        close = getattr(self._client, "close", None)
        if close is not None:
            close()
        session = getattr(getattr(self._client, "_server", None), "_session", None)
        if session is not None:
            session.close()

    def check(self) -> None:
        """Read the collection (raises when its files are damaged); when it holds fewer entries than the manifest
        says, drop the manifest so the next freshness check rebuilds what is missing."""
        count = self._col.count()
        try:
            recorded = int(json.loads(self._manifest.read_text()).get("count", -1))
        except (OSError, ValueError):
            return
        if recorded != count:
            self._manifest.unlink(missing_ok=True)

    def is_fresh(self, chunks: list[Chunk]) -> bool:
        """True when the manifest says the collection holds exactly these chunks."""
        try:
            data = json.loads(self._manifest.read_text())
        except (OSError, ValueError):
            return False
        return bool(data.get("fingerprint") == fingerprint(chunks, self._recipe))

    def _hash(self, chunk: Chunk) -> str:
        """The hash stored with a chunk's vector: its content and what the model read of it."""
        if self._recipe == self.name:
            return chunk.content_hash  # whole texts: the hash stores made before embed_chars existed stay valid
        return hashlib.sha256(f"{chunk.content_hash}|{self._recipe}".encode()).hexdigest()

    def sync(self, chunks: list[Chunk]) -> IndexReport:
        """Embed new or changed chunks, delete vanished ones, leave the rest; then write the manifest."""
        existing = self._col.get(include=["metadatas"])
        have = {i: (m or {}).get("hash") for i, m in zip(existing["ids"], existing["metadatas"], strict=True)}
        todo = [c for c in chunks if have.get(c.id) != self._hash(c)]
        wanted = {c.id for c in chunks}
        gone = [i for i in have if i not in wanted]
        if gone:
            self._col.delete(ids=gone)
        reused = 0
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            texts = [embedded_text(c, self.embed_chars) for c in batch]
            if self._cache is not None:
                vectors, hits = self._cache.embed(texts, self.embeddings.embed_documents)
                reused += hits
            else:
                vectors = self.embeddings.embed_documents(texts)
            self._col.upsert(
                ids=[c.id for c in batch],
                embeddings=vectors,
                documents=[c.text for c in batch],
                metadatas=[{"hash": self._hash(c), "law": c.law, "label": c.label, "status": c.status} for c in batch],
            )
        self._manifest.parent.mkdir(parents=True, exist_ok=True)
        self._manifest.write_text(json.dumps({"fingerprint": fingerprint(chunks, self._recipe), "count": len(chunks)}))
        added = sum(1 for c in todo if c.id not in have)
        return IndexReport(added, len(todo) - added, len(gone), len(chunks) - len(todo), reused)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """The k nearest chunk ids with cosine similarity."""
        if self._col.count() == 0:
            return []
        return self.search_vector(self.embeddings.embed_query(query), k)

    def search_vector(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """The k nearest chunk ids to an already embedded query."""
        if self._col.count() == 0:
            return []
        res = self._col.query(query_embeddings=[vector], n_results=min(k, self._col.count()), include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]
