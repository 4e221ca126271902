"""SMS analysis stage (③a), evaluate: per-label and per-signal scores and a confusion matrix over a labelled JSONL.

Each JSONL line: {"id", "text", "label", "platform", "signals", "sent_at"} (see ../shared/eval/README.md). Every item
is one message with its sent_at; all items are classified together so bursts of codes can be found.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import CHINA
from bot.sms.classify import Classifier
from bot.sms.parse import SmsRecord
from bot.sms.rules import LABELS

_SHORT = {
    "verification_code": "code",
    "collection_notice": "notice",
    "collection_threat": "threat",
    "harassment_insult": "insult",
    "marketing_spam": "spam",
}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn}


def load_items(path: Path) -> list[dict[str, Any]]:
    """The labelled items of a JSONL file (blank lines skipped)."""
    items: list[dict[str, Any]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{lineno}: not JSON: {exc}") from exc
        if not isinstance(item, dict) or "text" not in item or "label" not in item:
            raise ValueError(f"{path}:{lineno}: an item needs text and label")
        items.append(item)
    return items


def item_record(item: dict[str, Any]) -> SmsRecord:
    """One labelled item as a record (sent_at in Asia/Shanghai, or None)."""
    sent_at = item.get("sent_at")
    when = datetime.fromisoformat(sent_at).astimezone(CHINA) if sent_at else None
    return SmsRecord(text=str(item["text"]), sender=item.get("sender"), sent_at=when, source=str(item.get("id", "")))


def evaluate_sms(classifier: Classifier, path: Path) -> dict[str, Any]:
    """Scores of the classifier on a labelled JSONL: labels, confusion matrix, platforms, signals, errors."""
    items = load_items(path)
    findings = classifier.classify_all([item_record(it) for it in items])
    gold = [str(it["label"]) for it in items]
    pred = [f.label for f in findings]

    labels = list(LABELS) + sorted({g for g in gold if g not in LABELS})
    confusion = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    per_label = {
        lab: _prf(
            confusion[lab][lab],
            sum(confusion[g][lab] for g in labels if g != lab),
            sum(confusion[lab][p] for p in labels if p != lab),
        )
        for lab in labels
    }
    present = [lab for lab in labels if per_label[lab]["support"]]
    macro_f1 = sum(float(per_label[lab]["f1"]) for lab in present) / len(present) if present else 0.0

    platform_ok = sum(1 for it, f in zip(items, findings, strict=True) if it.get("platform") == f.platform)
    signal_ids = sorted({s for it in items for s in it.get("signals", [])} | {s for f in findings for s in f.signals})
    per_signal: dict[str, dict[str, float | int]] = {}
    for sid in signal_ids:
        tp = fp = fn = 0
        for it, f in zip(items, findings, strict=True):
            want, got = sid in it.get("signals", []), sid in f.signals
            tp += want and got
            fp += got and not want
            fn += want and not got
        per_signal[sid] = _prf(tp, fp, fn)

    errors = [
        {"id": it.get("id"), "gold": g, "pred": p, "rule": f.rule, "text": it["text"]}
        for it, f, g, p in zip(items, findings, gold, pred, strict=True)
        if g != p
    ]
    return {
        "n": len(items),
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(items) if items else 0.0,
        "macro_f1": macro_f1,
        "labels": per_label,
        "confusion": confusion,
        "platform_accuracy": platform_ok / len(items) if items else 0.0,
        "signals": per_signal,
        "errors": errors,
    }


def format_report(result: dict[str, Any]) -> str:
    """A plain-text report: per-label table, confusion matrix, platform accuracy, per-signal table, errors."""
    lines = [f"items {result['n']}  accuracy {result['accuracy']:.3f}  macro-F1 {result['macro_f1']:.3f}", ""]
    lines.append(f"{'label':<20}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for lab, m in result["labels"].items():
        if m["support"] or m["fp"]:
            lines.append(f"{lab:<20}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>6}")
    labels = [lab for lab in result["confusion"] if any(result["confusion"][lab].values())]
    labels += [
        lab for lab in result["confusion"] if lab not in labels and any(r[lab] for r in result["confusion"].values())
    ]
    short = {lab: _SHORT.get(lab, lab[:7]) for lab in labels}
    lines += [
        "",
        "confusion (rows gold, columns predicted)",
        f"{'':<20}" + "".join(f"{short[lab]:>8}" for lab in labels),
    ]
    for g in labels:
        lines.append(f"{g:<20}" + "".join(f"{result['confusion'][g][p]:>8}" for p in labels))
    lines += ["", f"platform accuracy {result['platform_accuracy']:.3f}", ""]
    lines.append(f"{'signal':<20}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for sid, m in result["signals"].items():
        lines.append(f"{sid:<20}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>6}")
    if result["errors"]:
        lines += ["", "label errors:"]
        lines += [
            f"  {e['id']}: {e['gold']} -> {e['pred']} ({e['rule'] or 'default'}): {e['text'][:40]}"
            for e in result["errors"]
        ]
    return "\n".join(lines)
