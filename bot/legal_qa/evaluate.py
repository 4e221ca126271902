"""Legal Q&A stage, evaluation: citation recall@1/@5, MRR, citations shown and how many were expected, invented and
superseded citations, per retrieval mode."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.knowledge import ARTICLE_REF, KnowledgeBase, article_key
from bot.legal_qa.retrieve import Mode
from bot.legal_qa.service import ANSWER_POOL, LegalQA

MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid", "full")


@dataclass(frozen=True)
class Target:
    """One expected citation label resolved against the knowledge base."""

    label: str
    ids: frozenset[str]  # article ids that satisfy it
    laws: frozenset[str]  # instrument ids whose law-level mention satisfies it (article not in knowledge/)


def resolve(label: str, kb: KnowledgeBase, moved: dict[str, str] | None = None) -> Target:
    """Map an evaluation label such as '民法典 第1033条' or '治安管理处罚法 骚扰信息条款' to article ids. A number may
    be meant in a superseded text's numbering (labels often quote 网络安全法 第44条 as pages do, now 第四十六条):
    with `moved` (renumbering.successors), the article the old one became satisfies the label too."""
    name, _, part = label.partition(" ")
    named = [i for i in kb.instruments.values() if name in (i.short, i.title, *i.aliases)]
    insts = [i for i in named if i.current]
    ids: set[str] = set()
    laws: set[str] = set()
    m = ARTICLE_REF.fullmatch(part)
    key = article_key(m.group(1), m.group(2)) if m else ""
    if key and moved:
        ids.update(moved[f"{i.id}:{key}"] for i in named if f"{i.id}:{key}" in moved)
    for ins in insts:
        if key:
            ids.update(f"{ins.id}:{a.key}" for a in ins.articles if a.key == key)
        elif part:
            found = {f"{ins.id}:{a.key}" for a in ins.articles if part in a.aliases}
            ids.update(found)
            if not found:
                laws.add(ins.id)
        else:
            ids.update(f"{ins.id}:{a.key}" for a in ins.articles)
            laws.add(ins.id)
    return Target(label, frozenset(ids), frozenset(laws))


def _hit(target: Target, cited: list[str], mentions: list[str], lenient: bool) -> int | None:
    """1-based rank of the first citation satisfying the target, or None."""
    for rank, cid in enumerate(cited, 1):
        if cid in target.ids:
            return rank
    if lenient and any(m in target.laws for m in mentions):
        return len(cited) + 1
    return None


def evaluate(qa: LegalQA, path: Path, modes: tuple[Mode, ...] = MODES, verbose: bool = False) -> dict[str, Any]:
    """Run every question through each mode and aggregate the metrics."""
    kb = qa.answerer.kb
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict[str, Any] = {"questions": len(items), "modes": {}}
    moved = qa.retriever.successors
    unresolved = sorted({lab for it in items for lab in it["expected_citations"] if not resolve(lab, kb, moved).ids})
    out["labels_without_article_in_knowledge"] = unresolved
    for mode in modes:
        r1, r5, r5_lenient, rr, invented, superseded = [], [], [], [], 0, 0
        shown: list[int] = []  # citations a person sees, per covered answer
        expected_shown: list[float] = []  # share of those that satisfy an expected label (questions that expect any)
        scope_ok = 0
        for it in items:
            retrieval = qa.retrieve(it["question"], k=ANSWER_POOL, mode=mode)
            ans = qa.answerer.answer(it["question"], retrieval)
            citations = ans.ranked if ans.covered else qa.answerer.citations(retrieval)
            cited = [c.id for c in citations]
            if any(qa.answerer.kb.get(c) is None for c in cited):
                invented += 1
            if any(c.status == "superseded" for c in citations):
                superseded += 1
            out_of_scope = "out_of_scope" in it.get("topics", [])
            scope_ok += int(ans.covered != out_of_scope)
            targets = [resolve(lab, kb, moved) for lab in it["expected_citations"]]
            if ans.covered:
                shown.append(len(ans.citations))
            if not targets:
                continue
            if ans.covered and ans.citations:
                wanted = set().union(*(t.ids for t in targets))
                expected_shown.append(sum(c.id in wanted for c in ans.citations) / len(ans.citations))
            strict = [_hit(t, cited, [], False) for t in targets]
            lenient = [_hit(t, cited, ans.mentions, True) for t in targets]
            if verbose:
                missed = [t.label for t, h in zip(targets, lenient, strict=True) if h is None]
                print(f"{mode} {it['id']} missed={missed} cited={cited}")
            r1.append(sum(1 for h in strict if h == 1) / len(targets))
            r5.append(sum(1 for h in strict if h is not None and h <= 5) / len(targets))
            r5_lenient.append(sum(1 for h in lenient if h is not None) / len(targets))
            ranks = [h for h in strict if h is not None]
            rr.append(1 / min(ranks) if ranks else 0.0)
        n = len(items)
        out["modes"][mode] = {
            "recall@1": round(statistics.fmean(r1), 3) if r1 else None,
            "recall@5": round(statistics.fmean(r5), 3) if r5 else None,
            "recall@5_with_law_mentions": round(statistics.fmean(r5_lenient), 3) if r5_lenient else None,
            "mrr": round(statistics.fmean(rr), 3) if rr else None,
            "citations_per_answer": round(statistics.fmean(shown), 2) if shown else None,
            "cited_expected_share": round(statistics.fmean(expected_shown), 3) if expected_shown else None,
            "invented_share": round(invented / n, 3),
            "superseded_share": round(superseded / n, 3),
            "scope_accuracy": round(scope_ok / n, 3),
        }
    return out


def format_table(result: dict[str, Any]) -> str:
    """Side-by-side text table of the metrics."""
    modes = list(result["modes"])
    keys = list(next(iter(result["modes"].values())))
    lines = [f"{'metric':30}" + "".join(f"{m:>10}" for m in modes)]
    for k in keys:
        lines.append(f"{k:30}" + "".join(f"{result['modes'][m][k]!s:>10}" for m in modes))
    lines.append(f"questions: {result['questions']}")
    if result["labels_without_article_in_knowledge"]:
        lines.append(
            "labels with no article in knowledge/: " + ", ".join(result["labels_without_article_in_knowledge"])
        )
    return "\n".join(lines)
