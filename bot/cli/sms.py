"""CLI, SMS and evidence: `anning sms` (analyse a paste) and `anning evidence export|verify`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.cli.common import load_settings, notice


def cmd_sms(args: argparse.Namespace) -> int:
    """Analyse pasted SMS from stdin: one JSON object per message (nothing is logged)."""
    from bot.sms.explain import article_label, explain
    from bot.sms.parse import dedupe, parse_paste
    from bot.wiring import classifier, knowledge, load_texts

    settings = load_settings(args)
    kb = knowledge(settings)
    sms_classifier = classifier(settings, kb)
    text = sys.stdin.read()
    try:
        records, _ = dedupe(parse_paste(text))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    findings = sms_classifier.classify_all(records)
    if not args.json:
        print(explain(findings, kb, load_texts()))
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
    from bot.evidence.log import against_head, verify
    from bot.office.fonts import FontNotFoundError
    from bot.storage.evidence_repo import UnreadableEntry
    from bot.wiring import build_app

    settings = load_settings(args)
    user_key = args.user if ":" in args.user else f"terminal:{args.user}"

    async def main() -> int:
        app = await build_app(settings, notice)
        try:
            try:
                items = await app.evidence.items(user_key)
            except UnreadableEntry as exc:
                print(f"BROKEN at item {exc.seq}: {app.texts.get('evidence_log.verify_unreadable', seq=exc.seq)}")
                return 1
            if args.action == "verify":
                check = against_head(items, args.head) if args.head else verify(items)
                if check.ok:
                    print(f"ok: {check.count} items, chain head {check.head}")
                    if check.reason_key:
                        print(app.texts.get(check.reason_key, **check.reason_values))
                    return 0
                reason = app.texts.get(check.reason_key, **check.reason_values)
                print(f"BROKEN at item {check.broken_at}: {reason}")
                return 1
            if not items:
                print(f"no evidence logged for {user_key}", file=sys.stderr)
                return 1
            try:
                data = app.sms.render(items, args.format)
            except FontNotFoundError as exc:
                print(app.texts.get(exc.key, **exc.values), file=sys.stderr)
                return 1
            out = Path(args.output or f"evidence.{args.format}")
            out.write_bytes(data)
            print(f"wrote {out} ({len(items)} items, {len(data)} bytes)")
            return 0
        finally:
            await app.close()

    return asyncio.run(main())
