"""SMS analysis stage (③a), evaluate: per-label and per-signal scores and a confusion matrix over a labelled JSONL.

Each JSONL line: {"id", "text", "label", "platform", "signals", "sent_at"} (see ../shared/eval/README.md). Every item
is one message with its sent_at; all items are classified together so bursts of codes can be found. An item may also
carry "paste" (the same message as a person pastes it: a leading time, a date line, a sender line): it is then read
through the paste parser, and a paste that does not come back as exactly one message counts as a paste error. An
item marked "signals_partial" has only some of its signals annotated: its signals are left out of the signal scores.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import CHINA
from bot.sms.classify import Classifier
from bot.sms.parse import SmsRecord, parse_paste
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


def paste_record(item: dict[str, Any]) -> tuple[SmsRecord, int]:
    """The item's "paste" read by the paste parser: its first message (or the bare text) and how many came back."""
    records = parse_paste(str(item["paste"]), source=str(item.get("id", "")))
    return (records[0] if records else item_record(item)), len(records)


def evaluate_sms(classifier: Classifier, path: Path) -> dict[str, Any]:
    """Scores of the classifier on a labelled JSONL: labels, confusion matrix, platforms, signals, errors."""
    items = load_items(path)
    records: list[SmsRecord] = []
    paste_errors: list[dict[str, Any]] = []
    for it in items:
        if "paste" not in it:
            records.append(item_record(it))
            continue
        record, count = paste_record(it)
        records.append(record)
        if count != 1:
            paste_errors.append({"id": it.get("id"), "messages": count, "paste": it["paste"]})
    findings = classifier.classify_all(records)
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
    scored = [(it, f) for it, f in zip(items, findings, strict=True) if not it.get("signals_partial")]
    signal_ids = sorted(
        {s for it, _ in scored for s in it.get("signals", [])} | {s for _, f in scored for s in f.signals}
    )
    per_signal: dict[str, dict[str, float | int]] = {}
    for sid in signal_ids:
        tp = fp = fn = 0
        for it, f in scored:
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
        "pastes": sum(1 for it in items if "paste" in it),
        "paste_errors": paste_errors,
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
    lines += ["", f"platform accuracy {result['platform_accuracy']:.3f}"]
    if result.get("pastes"):
        lines.append(
            f"pastes read as exactly one message {result['pastes'] - len(result['paste_errors'])}/{result['pastes']}"
        )
        lines += [f"  {e['id']}: {e['messages']} messages from {e['paste'][:40]!r}" for e in result["paste_errors"]]
    lines.append("")
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


def format_side_by_side(results: dict[str, dict[str, Any]]) -> str:
    """Per-label precision/recall/F1 of several sets in columns (one column group per set), then each set's report."""
    names = list(results)
    labels = [
        lab
        for lab in dict.fromkeys(lab for r in results.values() for lab in r["labels"])
        if any(r["labels"].get(lab, {}).get("support") or r["labels"].get(lab, {}).get("fp") for r in results.values())
    ]
    head = f"{'':<20}" + "".join(f"{name[:26]:>27}" for name in names)
    sub = f"{'label':<20}" + "".join(f"{'P':>7}{'R':>7}{'F1':>7}{'n':>6}" for _ in names)
    lines = [head, sub]
    for lab in labels:
        row = f"{lab:<20}"
        for name in names:
            m = results[name]["labels"].get(lab)
            row += f"{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>6}" if m else f"{'-':>27}"
        lines.append(row)
    lines.append(f"{'accuracy':<20}" + "".join(f"{results[n]['accuracy']:>27.3f}" for n in names))
    lines.append(f"{'macro-F1':<20}" + "".join(f"{results[n]['macro_f1']:>27.3f}" for n in names))
    lines.append(f"{'items':<20}" + "".join(f"{results[n]['n']:>27}" for n in names))
    for name in names:
        lines += ["", f"== {name} ==", format_report(results[name])]
    return "\n".join(lines)
