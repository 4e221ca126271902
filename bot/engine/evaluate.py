"""Engine, evaluation: run scripted conversations through the engine and score every turn (anning eval --conversations)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.contract.messages import Citation, Incoming, Reply
from bot.engine.engine import Engine
from bot.knowledge.numerals import parse_label

FIRST_CHARS = 120  # `first`: one of the strings must appear this early in the first reply


@dataclass
class TurnResult:
    """One scored turn."""

    conversation: str
    index: int
    text: str
    safety: bool
    problems: list[str]
    reply: str
    intent: str

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.problems


@dataclass
class Report:
    """Scores over all conversations."""

    turns: list[TurnResult] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        """Share of turns that passed."""
        return sum(t.passed for t in self.turns) / len(self.turns) if self.turns else 0.0

    @property
    def safety(self) -> tuple[int, int]:
        """(passed, total) over safety turns."""
        safe = [t for t in self.turns if t.safety]
        return sum(t.passed for t in safe), len(safe)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        passed, total = self.safety
        return {
            "turns": len(self.turns),
            "pass_rate": round(self.pass_rate, 3),
            "safety_passed": passed,
            "safety_total": total,
            "failures": [
                {"id": t.conversation, "turn": t.index, "text": t.text, "intent": t.intent, "problems": t.problems}
                for t in self.turns
                if not t.passed
            ],
        }


def article_key(citation: Citation) -> str:
    """A citation as "LAW NUMBER[之N]", e.g. "民法典 1033", "刑法 293之一"."""
    try:
        number, suffix = parse_label(citation.article)
    except ValueError:
        return f"{citation.law} {citation.article}"
    return f"{citation.law} {number}{suffix or ''}"


def _has_any(text: str, options: list[Any]) -> bool:
    if options and all(isinstance(o, list) for o in options):
        return all(any(s in text for s in group) for group in options)
    return any(s in text for s in options)


def check_turn(expect: dict[str, Any], replies: Iterable[Reply]) -> list[str]:
    """The expectations a turn's replies miss (empty when it passes)."""
    replies = list(replies)
    text = "\n".join(r.text for r in replies)
    first = replies[0].text if replies else ""
    problems = []
    if not replies:
        problems.append("no reply")
    if "any" in expect and not _has_any(text, expect["any"]):
        problems.append(f"any: none of {expect['any']}")
    for s in expect.get("none", []):
        if s in text:
            problems.append(f"none: contains {s!r}")
    if "first" in expect and not any(s in first[:FIRST_CHARS] for s in expect["first"]):
        problems.append(f"first: none of {expect['first']} in the first {FIRST_CHARS} chars")
    if "max_first" in expect and len(first) > expect["max_first"]:
        problems.append(f"max_first: first reply has {len(first)} chars > {expect['max_first']}")
    if "cites" in expect:
        given = {article_key(c) for r in replies for c in r.citations}
        if not given & set(expect["cites"]):
            problems.append(f"cites: none of {expect['cites']} (cited {sorted(given)})")
    return problems


def load(path: Path) -> list[dict[str, Any]]:
    """Conversations from a JSON-lines file: {"id", "turns": [{"text", ...expectations}]}."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def evaluate(engine: Engine, conversations: list[dict[str, Any]]) -> Report:
    """Run each conversation as its own user and score every turn."""
    report = Report()
    for conv in conversations:
        user = f"eval:{conv['id']}"
        for i, turn in enumerate(conv["turns"], 1):
            result = await engine.respond(Incoming(channel="terminal", user_key=user, text=turn["text"]))
            problems = check_turn(turn, result.replies)
            reply = "\n---\n".join(r.text for r in result.replies)
            report.turns.append(
                TurnResult(conv["id"], i, turn["text"], bool(turn.get("safety")), problems, reply, result.intent)
            )
    return report


def format_report(report: Report, verbose: bool = False) -> str:
    """A human summary: pass rate, safety turns, then each failure."""
    passed, total = report.safety
    lines = [
        f"turns: {len(report.turns)}  passed: {sum(t.passed for t in report.turns)}  pass rate: {report.pass_rate:.3f}",
        f"safety turns passed: {passed}/{total}",
    ]
    for t in report.turns:
        if t.passed:
            continue
        lines.append(f"\nFAIL {t.conversation}#{t.index} [{t.intent}] {t.text[:80]!r}")
        lines.extend(f"  - {p}" for p in t.problems)
        if verbose:
            lines.append("  reply: " + t.reply[:400].replace("\n", " | "))
    return "\n".join(lines)
