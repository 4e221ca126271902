"""CLI, shared: settings from the common flags, notices on stderr, questions from an argument or stdin."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.settings import Settings


def load_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by --data-dir, --embedding and --source."""
    settings = Settings()
    if args.data_dir:
        settings.data_dir = Path(args.data_dir)
    if args.embedding:
        settings.index.embedding = args.embedding
    if getattr(args, "source", None):
        settings.index.extra_sources = [*settings.index.extra_sources, *map(Path, args.source)]
    return settings


def notice(text: str) -> None:
    """A line for the person at the terminal, on stderr (stdout stays machine-readable)."""
    print(text, file=sys.stderr, flush=True)


def queries(query: str | None) -> Iterator[str]:
    """The question given, else one per non-empty stdin line."""
    if query is not None:
        yield query
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def templates_or_none(settings: Settings) -> tuple[Any, dict[str, Any]] | None:
    """The knowledge base (without extra sources) and the document templates; None after printing a knowledge error."""
    from bot.knowledge import KnowledgeError
    from bot.wiring import knowledge, templates

    try:
        kb = knowledge(settings, extra_sources=False)
        return kb, templates(settings, kb)
    except KnowledgeError as exc:
        print(f"knowledge error: {exc}", file=sys.stderr)
        return None
