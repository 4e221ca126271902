"""CLI, knowledge and legal Q&A: `anning ask|retrieve|index|eval|lint`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.cli.common import load_settings, notice, queries, templates_or_none
from bot.settings import PROJECT_ROOT, Settings

DEFAULT_EVAL = PROJECT_ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
DEFAULT_SMS_EVAL = PROJECT_ROOT.parent / "shared" / "eval" / "dev-sms.jsonl"
REAL_SMS_EVAL = PROJECT_ROOT / "tests" / "data" / "sms-real.jsonl"
REAL_SMS_PASTES = PROJECT_ROOT / "tests" / "data" / "sms-real-pastes.jsonl"  # the same messages in paste layouts
DEFAULT_CONVERSATIONS = PROJECT_ROOT.parent / "shared" / "eval" / "dev-conversations.jsonl"


def citation_json(c: Any) -> dict[str, Any]:
    """A citation as the JSON outputs show it."""
    return {"id": c.id, "law": c.law, "article": c.article, "label": c.label, "status": c.status, "source": c.source}


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer questions with citations."""
    from bot.wiring import build_qa

    qa = build_qa(load_settings(args), notice).qa
    for q in queries(args.query):
        ans = qa.ask(q)
        if args.json:
            print(
                json.dumps(
                    {
                        "question": q,
                        "answer": ans.text,
                        "covered": ans.covered,
                        "citations": [citation_json(c) for c in ans.citations],
                        "law_mentions": ans.mentions,
                        "passages": [
                            {"id": p.chunk.id, "law": p.chunk.law, "label": p.chunk.label, "score": round(p.score, 5)}
                            for p in ans.passages
                        ],
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )
        else:
            print(ans.text + "\n", flush=True)
    return 0


def cmd_retrieve(args: argparse.Namespace) -> int:
    """Print ranked passages."""
    from bot.wiring import build_qa

    qa = build_qa(load_settings(args), notice).qa
    for q in queries(args.query):
        res = qa.retrieve(q, k=args.k, mode=args.mode)
        rows = [
            {
                "id": p.chunk.id,
                "law": p.chunk.law,
                "label": p.chunk.label,
                "score": round(p.score, 5),
                "ranks": p.ranks,
                "text": p.chunk.text,
            }
            for p in res.passages
        ]
        if args.json:
            print(
                json.dumps(
                    {"query": q, "topics": [h.topic.id for h in res.topics], "passages": rows}, ensure_ascii=False
                )
            )
        else:
            for r in rows:
                print(f"{r['score']:.4f}  {r['id']:40} {r['law']} {r['label']}")
            print()
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """Build or update the index (only changed chunks are embedded); record or drop added corpora for the data dir."""
    from bot.knowledge import KnowledgeError
    from bot.legal_qa.corpora import AddedCorpora
    from bot.wiring import build_qa

    for path in args.source or []:
        if not Path(path).exists():
            print(f"no such corpus: {path}", file=sys.stderr)
            return 1
    settings = load_settings(args)
    corpora = AddedCorpora(settings.data_dir)
    if args.remove is not None:
        dropped = corpora.remove([Path(p) for p in args.remove] if args.remove else None)
        print(f"removed added corpora: {', '.join(map(str, dropped)) or 'none recorded'}")
    try:
        parts = build_qa(settings, notice, with_intents=False, background=False)
    except KnowledgeError as exc:
        print(f"knowledge error: {exc}", file=sys.stderr)
        return 1
    corpora.add([Path(p) for p in args.source or []])  # only once the corpus loaded and was indexed
    n = sum(len(i.articles) for i in parts.kb.instruments.values())
    names = " + ".join(i.name for i in (parts.second, parts.index) if i is not None)
    print(f"index up to date: {len(parts.kb.instruments)} instruments, {n} articles, embedding {names}")
    if parts.timings:  # the fast model syncs first: with BM25 it can answer from then on
        print("embedded in " + ", ".join(f"{name} {secs:.1f} s" for name, secs in parts.timings.items()))
    if not parts.qa.retriever.dense_ready:
        print(
            f"{parts.index.name} vectors left for the bot to fill in the background on its next start"
            " (ANNING_INDEX__FILL_LATER=true); until then it answers with BM25 and "
            + (parts.second.name if parts.second else "no dense model")
        )
    kept = corpora.recorded()
    if kept:
        print(
            f"added corpora kept for {settings.data_dir} (until `anning index --remove`): " + ", ".join(map(str, kept))
        )
    return 0


def _eval_sms(settings: Settings, paths: list[Path], as_json: bool) -> int:
    """SMS labels on each labelled set, side by side (the synthetic dev set and the real-message set by default)."""
    from bot.sms.evaluate import evaluate_sms, format_side_by_side
    from bot.wiring import classifier, knowledge

    paths = paths or [p for p in (DEFAULT_SMS_EVAL, REAL_SMS_EVAL, REAL_SMS_PASTES) if p.exists()]
    sms = classifier(settings, knowledge(settings))
    results = {p.name: evaluate_sms(sms, p) for p in paths}
    print(json.dumps(results, ensure_ascii=False, indent=2) if as_json else format_side_by_side(results))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate citations over a question set (all retrieval modes side by side), or SMS labels with --sms."""
    settings = load_settings(args)
    if args.llm:
        conversations = Path(args.conversations) if args.conversations else DEFAULT_CONVERSATIONS
        return _eval_llm(settings, Path(args.path or DEFAULT_EVAL), conversations, args.json)
    if args.conversations:
        return _eval_conversations(settings, Path(args.conversations), args.json, args.verbose)
    if args.sms is not None:
        return _eval_sms(settings, [Path(p) for p in [*args.sms, *([args.path] if args.path else [])]], args.json)
    from bot.legal_qa.evaluate import evaluate, format_table
    from bot.wiring import build_qa

    qa = build_qa(settings, notice).qa
    result = evaluate(qa, Path(args.path or DEFAULT_EVAL))
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_table(result))
    return 0


def _eval_conversations(settings: Settings, path: Path, as_json: bool, verbose: bool) -> int:
    """Score multi-turn conversations on a fresh database (every run starts with no users, as a new person would)."""
    from bot.engine.evaluate import evaluate, format_report, load
    from bot.wiring import build_app

    async def main() -> str:
        with tempfile.TemporaryDirectory() as scratch:
            settings.database_url = f"sqlite+aiosqlite:///{Path(scratch) / 'eval.sqlite3'}"
            app = await build_app(settings, notice)
            try:
                report = await evaluate(app.engine, load(path))
            finally:
                await app.close()
        return json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json else format_report(report, verbose)

    print(asyncio.run(main()))
    return 0


def _eval_llm(settings: Settings, path: Path, conversations: Path, as_json: bool) -> int:
    """The dev questions (and conversations, when the file exists) offline and through the configured model."""
    import time

    from bot.engine.evaluate import evaluate, load
    from bot.llm.evaluate import compare, format_comparison
    from bot.wiring import build_app, build_llm, build_qa, load_texts

    if not settings.llm.enabled:
        print(
            "no model configured: set ANNING_LLM__MODEL (and ANNING_LLM__BASE_URL, ANNING_LLM__API_KEY)",
            file=sys.stderr,
        )
        return 2
    settings.llm.calls_per_user_per_minute = settings.llm.calls_per_minute = 1_000_000  # the evaluation is one user

    async def main() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        texts = load_texts()
        parts = build_qa(settings, notice, texts=texts)
        llm = build_llm(settings, parts, texts)
        if llm is None or llm.phraser is None:
            raise SystemExit("ANNING_LLM__ANSWERS is off: nothing to compare")
        try:
            result = await compare(parts.qa, llm.phraser, path)
        finally:
            await llm.model.aclose()
        sides: dict[str, dict[str, Any]] = {}
        if conversations.exists():
            for side in ("offline", "model"):
                own = settings.model_copy(deep=True)
                if side == "offline":
                    own.llm.model = ""
                with tempfile.TemporaryDirectory() as scratch:
                    own.database_url = f"sqlite+aiosqlite:///{Path(scratch) / 'eval.sqlite3'}"
                    app = await build_app(own, notice, parts=parts)
                    start = time.perf_counter()
                    try:
                        report = await evaluate(app.engine, load(conversations))
                    finally:
                        await app.close()
                    elapsed = (time.perf_counter() - start) * 1000
                summary = {k: v for k, v in report.as_dict().items() if k != "failures"}
                summary["latency_ms_per_turn"] = round(elapsed / max(1, len(report.turns)), 1)
                sides[side] = summary
        return result, sides

    result, sides = asyncio.run(main())
    if as_json:
        print(json.dumps({"questions": result, "conversations": sides}, ensure_ascii=False, indent=2))
    else:
        print(format_comparison(result, sides or None))
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    """Validate every knowledge file and cross-reference, and every text key the code uses."""
    from bot.knowledge import KnowledgeError
    from bot.wiring import knowledge

    settings = load_settings(args)
    try:
        kb = knowledge(settings)
    except KnowledgeError as exc:
        print(f"knowledge error: {exc}", file=sys.stderr)
        return 1
    n = sum(len(i.articles) for i in kb.instruments.values())
    loaded = templates_or_none(settings)
    if loaded is None:
        return 1
    from bot.llm.prompts import PromptError, Prompts

    prompts = Prompts(settings.prompts_dir)
    try:
        keys = [prompts.get(key).key for key in prompts.names()]
    except PromptError as exc:
        print(f"prompt error: {exc}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(kb.instruments)} instruments, {n} articles, {len(kb.contacts)} channels, {len(kb.topics)} topics, "
        f"{len(loaded[1])} templates, {len(keys)} prompts"
    )
    return 0
