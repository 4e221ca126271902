"""Evidence stage, CSV export: one row per item, UTF-8 with a BOM, safe against spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.evidence.export_content import (
    ExportMeta,
    article_label,
    fmt_time,
    label_name,
    signal_name,
    source_name,
    t,
)
from bot.evidence.model import EvidenceItem, Stats
from bot.texts import Texts

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: str) -> str:
    """Free text that cannot start a spreadsheet formula (CSV injection): a leading =, +, -, @ gets a quote mark."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_csv(items: Sequence[EvidenceItem], stats: Stats, texts: Texts, meta: ExportMeta | None = None) -> bytes:
    """One row per item, UTF-8 with a BOM so that Excel opens the Chinese correctly; stats are not repeated here."""
    del stats  # the CSV is the item table; the summary lives in the DOCX/PDF
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    keys = (
        "col_seq",
        "col_received",
        "col_sent",
        "col_source",
        "col_sender",
        "col_label",
        "col_platform",
        "col_signals",
        "col_articles",
        "col_text",
        "col_item_hash",
        "col_chain_hash",
    )
    writer.writerow([t(texts, k) for k in keys])
    sep = t(texts, "list_sep")
    for item in items:
        writer.writerow(
            [
                item.seq,
                fmt_time(item.received_at),
                fmt_time(item.sent_at),
                source_name(item.source, texts),
                _csv_safe(item.sender or ""),
                label_name(item.label, meta, texts),
                _csv_safe(item.platform or ""),
                sep.join(signal_name(s, texts) for s in item.signals),
                sep.join(article_label(a, meta) for a in item.articles),
                _csv_safe(item.raw_text),
                item.item_hash,
                item.chain_hash,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
