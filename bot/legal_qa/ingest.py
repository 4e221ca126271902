"""Legal Q&A stage, ingest: knowledge records -> chunks (one per article, one per section of the seed article)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from bot.knowledge import Instrument, KnowledgeBase


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit of text with the metadata needed to cite it."""

    id: str
    text: str
    law: str
    label: str
    status: str
    source: str
    kind: str = "statute"  # "statute" | "article"
    heading: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """SHA-256 of everything that would change the chunk's embedding or citation."""
        payload = json.dumps([self.id, self.text, self.law, self.label, self.status, self.source], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def instrument_chunks(ins: Instrument) -> list[Chunk]:
    """One chunk per article, with the law name and heading in front of the text."""
    source = ins.sources[0].url
    out = []
    for art in ins.articles:
        head = f"《{ins.short}》{art.label}" + (f"（{art.heading}）" if art.heading else "")
        out.append(
            Chunk(
                id=f"{ins.id}:{art.key}",
                text=f"{head}\n{art.text}",
                law=ins.short,
                label=art.label,
                status=ins.status,
                source=art.source or source,
                heading=art.heading or "",
            )
        )
    return out


_SECTION = re.compile(r"(?=[一二三四五六七八九十]、)")


def article_chunks(article_text: str) -> list[Chunk]:
    """Split the seed article into its numbered sections (一、… 七、) plus the introduction."""
    body_lines = [ln for ln in article_text.splitlines() if not ln.startswith("# ")]
    body = "\n".join(body_lines)
    main = body.split("重点内容", 1)[0]
    parts = [p.strip() for p in _SECTION.split(main) if p.strip()]
    title = "应对催收短信验证码骚扰的有效策略与法律救济途径（2024-03-31）"
    chunks = []
    for i, part in enumerate(parts):
        label = part[:2] if _SECTION.match(part) else "引言"
        chunks.append(
            Chunk(
                id=f"article:{i}",
                text=part,
                law=title,
                label=label,
                status="article",
                source="knowledge/sources/article.txt",
                kind="article",
            )
        )
    return chunks


def all_chunks(kb: KnowledgeBase) -> list[Chunk]:
    """Every chunk of the knowledge base, statutes first."""
    chunks = [c for ins in kb.instruments.values() for c in instrument_chunks(ins)]
    if kb.article_text:
        chunks.extend(article_chunks(kb.article_text))
    return chunks
