"""CLI, documents: `anning templates` (list them with their slots) and `anning draft` (fill one)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import load_settings, notice, templates_or_none


def cmd_templates(args: argparse.Namespace) -> int:
    """List the document templates with their required and optional slots."""
    loaded = templates_or_none(load_settings(args))
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
    from bot.wiring import load_texts

    loaded = templates_or_none(load_settings(args))
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
    texts = load_texts()
    draft = fill(tpl, slots_from_json(raw), kb, texts)
    for line in draft.notices:
        notice(line)
    for label in draft.missing:
        notice(f"missing: {label}")
    if args.format == "txt" and not args.output:
        sys.stdout.write(draft.text)
        return 0
    out_file = file_out(draft, None, args.format, texts)
    out = Path(args.output or out_file.name)
    out.write_bytes(out_file.data)
    print(f"wrote {out} ({len(out_file.data)} bytes, {len(draft.missing)} items to fill in)")
    return 0
