"""Knowledge stage, citations: the Citation a reply carries for one cited article, built in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.model import ArticleRef


@dataclass(frozen=True)
class Citation:
    """One cited article, with the facts needed to show and check it."""

    id: str
    law: str
    article: str
    status: str
    source: str | None
    title: str = ""
    status_note: str = ""
    status_note_en: str = ""  # the same note for English answers ("" when none is written)

    @property
    def label(self) -> str:
        """Human label, e.g. 《民法典》第一千零三十三条."""
        return f"《{self.law}》{self.article}"


def cite(ref: ArticleRef) -> Citation:
    """The Citation of an article of knowledge/: short law name, label, status, source and currency note."""
    ins = ref.instrument
    return Citation(
        id=ref.id,
        law=ins.short,
        article=ref.article.label,
        status=ins.status,
        source=ref.article.source or ins.sources[0].url,
        title=ins.title,
        status_note=ins.citation_note,
        status_note_en=ins.note_en if ins.citation_note else "",
    )
