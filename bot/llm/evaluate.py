"""Language model stage, evaluation: the dev questions answered offline and with the model side by side (recall of
the expected articles among those shown, citations per answer, invented citations, answers in the model's words,
latency); `anning eval --llm` adds the dev conversations."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bot.knowledge import KnowledgeBase
from bot.legal_qa.answer import Answer
from bot.legal_qa.evaluate import resolve
from bot.legal_qa.service import LegalQA
from bot.llm.answer import ModelPhraser
from bot.llm.grounding import Passage, sentence_problems


def _side() -> dict[str, list[float]]:
    return {"recall": [], "citations": [], "invented": [], "latency_ms": []}


def invented(answer: Answer, kb: KnowledgeBase, offline: Answer) -> int:
    """Citations not in knowledge/, plus (in the model's words, when they replaced the reviewed advice) articles
    that do not exist or are superseded."""
    bad = sum(kb.get(c.id) is None for c in answer.citations)
    if answer.text == offline.text:
        return bad
    given = [Passage(n, c.id, c.label, "") for n, c in enumerate(answer.citations, 1)]
    head = answer.text.split("\n\n", 1)[0]  # the model's words, before the quoted basis
    return bad + sum(1 for p in sentence_problems(head, given, kb) if p.startswith(("invented", "superseded")))


async def compare(qa: LegalQA, phraser: ModelPhraser, path: Path) -> dict[str, Any]:
    """Every question offline and through the model; the metrics of both sides and what the model's checks did."""
    kb = qa.retriever.kb
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sides = {"offline": _side(), "model": _side()}
    for it in items:
        question = it["question"]
        start = time.perf_counter()
        offline = await asyncio.to_thread(qa.ask, question)
        offline_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        phrased = await phraser.phrase(question, offline, "eval")
        model_ms = offline_ms + (time.perf_counter() - start) * 1000
        targets = [t for t in (resolve(lab, kb) for lab in it["expected_citations"]) if t.ids]
        for name, answer, ms in (("offline", offline, offline_ms), ("model", phrased, model_ms)):
            side = sides[name]
            shown = {c.id for c in answer.citations}
            if targets:
                side["recall"].append(sum(bool(t.ids & shown) for t in targets) / len(targets))
            side["citations"].append(len(answer.citations))
            side["invented"].append(invented(answer, kb, offline))
            side["latency_ms"].append(ms)
    stats = phraser.stats
    out: dict[str, Any] = {"questions": len(items), "sides": {}}
    for name, side in sides.items():
        lat = sorted(side["latency_ms"])
        out["sides"][name] = {
            "recall_shown": round(statistics.fmean(side["recall"]), 3) if side["recall"] else None,
            "citations_per_answer": round(statistics.fmean(side["citations"]), 2) if side["citations"] else None,
            "invented_citations": int(sum(side["invented"])),
            "latency_ms_mean": round(statistics.fmean(lat), 1) if lat else None,
            "latency_ms_p95": round(lat[int(0.95 * (len(lat) - 1))], 1) if lat else None,
        }
    out["model"] = {
        "asked": stats.asked,
        "in_model_words": stats.phrased,
        "trimmed": stats.trimmed,
        "rewritten": stats.rewritten,
        "offline_invalid": stats.offline_invalid,
        "offline_refused_leak_or_injection": stats.offline_fatal,
        "offline_unavailable": stats.offline_unavailable,
        "wrong_citations_or_quotes_caught": stats.caught,
    }
    return out


def format_comparison(result: dict[str, Any], conversations: dict[str, dict[str, Any]] | None = None) -> str:
    """The two sides in a text table, then what the model's checks did."""
    rows = list(next(iter(result["sides"].values())))
    lines = [f"{result['questions']} questions", f"{'':28}{'offline':>12}{'model':>12}"]
    for key in rows:
        lines.append(f"{key:28}" + "".join(f"{result['sides'][s][key]!s:>12}" for s in ("offline", "model")))
    if conversations:
        for key in ("pass_rate", "safety_passed", "safety_total", "latency_ms_per_turn"):
            lines.append(
                f"{'conversations ' + key:28}"
                + "".join(f"{conversations[s].get(key)!s:>12}" for s in ("offline", "model"))
            )
    lines.append("")
    lines.extend(f"model {k}: {v}" for k, v in result["model"].items())
    return "\n".join(lines)
