"""SMS analysis stage (③a), handler: pasted, forwarded, photographed or backed-up SMS -> analysis, evidence log, replies."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.clock import CHINA as SHANGHAI
from bot.engine.messages import Attachment, Button, FileOut, Reply
from bot.engine.session import Session
from bot.evidence.log import verify
from bot.evidence.model import EvidenceItem
from bot.evidence.stats import compute
from bot.knowledge import KnowledgeBase
from bot.sms.backup import BackupRejected, parse_backup
from bot.sms.classify import Classifier, Finding
from bot.sms.explain import article_label, citations, explain
from bot.sms.ocr import ImageRejected, RapidOcr, lines_to_paste
from bot.sms.parse import MAX_PASTE_CHARS, SmsRecord, dedupe, parse_paste
from bot.storage.evidence_repo import EvidenceStore, NewEvidence
from bot.texts import Texts

OCR_FLOW = "ocr_confirm"
OCR_YES = "ocr:yes"
OCR_NO = "ocr:no"
EVIDENCE_SUMMARY = "evidence:summary"
EXPORT_PREFIX = "evidence:"
FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}


@dataclass(frozen=True)
class Analysis:
    """What the analysis of one paste found."""

    findings: list[Finding]
    duplicates: int
    text: str


class SmsHandler:
    """Analyses messages, appends them to the person's evidence log, and exports the log."""

    def __init__(
        self,
        kb: KnowledgeBase,
        classifier: Classifier,
        evidence: EvidenceStore,
        ocr: RapidOcr,
        texts: Texts,
        font: str | None = None,
    ) -> None:
        self.font = font or None
        self.kb = kb
        self.classifier = classifier
        self.evidence = evidence
        self.ocr = ocr
        self.texts = texts

    def analyse_records(self, records: list[SmsRecord]) -> Analysis:
        """Deduplicate, classify and explain (pure; no logging)."""
        unique, dups = dedupe(records)
        findings = self.classifier.classify_all(unique)
        return Analysis(findings, dups, explain(findings, self.kb, self.texts, duplicates=dups))

    def analyse_text(self, text: str, source: str, today: datetime | None = None) -> Analysis:
        """Split a paste into messages and analyse them; raises ValueError for an over-long paste."""
        day = (today or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()
        return self.analyse_records(parse_paste(text, source=source, default_date=day))

    async def paste(self, user_key: str, text: str, source: str, forwarded_at: datetime | None) -> list[Reply]:
        """A pasted or forwarded text: analyse, log, reply."""
        try:
            analysis = await asyncio.to_thread(self.analyse_text, text, source)
        except ValueError:
            return [Reply(self.texts.get("sms.too_long", size=len(text), limit=MAX_PASTE_CHARS))]
        return await self._log_and_reply(user_key, analysis, source, forwarded_at)

    async def _log_and_reply(
        self, user_key: str, analysis: Analysis, source: str, forwarded_at: datetime | None = None
    ) -> list[Reply]:
        if not analysis.findings:
            return [Reply(self.texts.get("sms.empty"))]
        now = datetime.now(UTC)
        entries = [
            NewEvidence(
                raw_text=f.record.text,
                sent_at=f.record.sent_at or forwarded_at,
                source=source,
                received_at=now,
                sender=f.sender,
                label=f.label,
                platform=f.platform,
                signals=f.signals,
                articles=f.articles,
            )
            for f in analysis.findings
        ]
        result = await self.evidence.append(user_key, entries)
        total = await self.evidence.count(user_key)
        logged = self.texts.get("evidence_log.logged", added=result.added, duplicates=result.duplicates, total=total)
        buttons = (
            Button(self.texts.get("evidence_log.button_summary"), EVIDENCE_SUMMARY),
            Button(self.texts.get("evidence_log.button_pdf"), EXPORT_PREFIX + "pdf"),
        )
        return [
            Reply(
                f"{analysis.text}\n\n{logged}", buttons=buttons, citations=tuple(citations(analysis.findings, self.kb))
            )
        ]

    async def attachment(self, user_key: str, session: Session, att: Attachment, max_bytes: int) -> list[Reply]:
        """A screenshot (OCR, then confirm before logging) or a backup file (import and log)."""
        t = self.texts
        if len(att.data) > max_bytes:
            return [
                Reply(
                    t.get(
                        "evidence_log.file_too_large",
                        size=len(att.data) // (1024 * 1024),
                        limit=max_bytes // (1024 * 1024),
                    )
                )
            ]
        if att.kind == "image":
            try:
                result = await asyncio.to_thread(self.ocr.read, att.data)
            except ImageRejected as exc:
                return [Reply(t.get(f"evidence_log.image_{exc.reason}"))]
            text = lines_to_paste(result)
            session.flow = OCR_FLOW
            session.slots["ocr_text"] = text
            buttons = (
                Button(t.get("evidence_log.button_ocr_yes"), OCR_YES),
                Button(t.get("evidence_log.button_ocr_no"), OCR_NO),
            )
            session.buttons = [[b.label, b.payload] for b in buttons]
            return [Reply(t.get("evidence_log.ocr_read", text=text), buttons=buttons)]
        try:
            records = await asyncio.to_thread(parse_backup, att.data, att.name)
        except BackupRejected as exc:
            return [Reply(t.get(f"evidence_log.backup_{exc.reason}"))]
        analysis = await asyncio.to_thread(self.analyse_records, records)
        return await self._log_and_reply(user_key, analysis, "backup")

    async def confirm_ocr(self, user_key: str, session: Session, corrected: str | None) -> list[Reply]:
        """The person confirmed (or corrected) what was read from a screenshot: now it is analysed and logged."""
        text = corrected if corrected is not None else session.slots.get("ocr_text", "")
        session.flow = None
        session.buttons = []
        session.slots.pop("ocr_text", None)
        try:
            analysis = await asyncio.to_thread(self.analyse_text, text, "screenshot")
        except ValueError:
            return [Reply(self.texts.get("sms.too_long", size=len(text), limit=MAX_PASTE_CHARS))]
        return await self._log_and_reply(user_key, analysis, "screenshot")

    def cancel_ocr(self, session: Session) -> list[Reply]:
        """The person discarded what was read from a screenshot; nothing is logged."""
        session.flow = None
        session.buttons = []
        session.slots.pop("ocr_text", None)
        return [Reply(self.texts.get("evidence_log.ocr_discarded"))]

    async def summary(self, user_key: str) -> list[Reply]:
        """/evidence: what the log shows, whether it is intact, and export buttons."""
        t = self.texts
        items = await self.evidence.items(user_key)
        if not items:
            return [Reply(t.get("evidence_log.summary_empty"))]
        stats = compute(items)
        check = verify(items)
        labels = "，".join(
            f"{t.get('sms.label.' + k)} {n} 条" for k, n in sorted(stats.by_label.items(), key=lambda kv: -kv[1])
        )
        lines = [
            t.get(
                "evidence_log.summary",
                total=stats.total,
                first=_fmt(stats.first),
                last=_fmt(stats.last),
                labels=labels,
                night=round(stats.night_share * 100),
                platforms=len(stats.platforms),
            )
        ]
        for ep in stats.episodes[:5]:
            lines.append(
                t.get(
                    "evidence_log.episode",
                    start=_fmt(ep.start),
                    end=ep.end.astimezone(SHANGHAI).strftime("%H:%M"),
                    count=ep.count,
                    platforms=len(ep.platforms),
                )
            )
        lines.append(
            t.get(
                "evidence_log.intact" if check.ok else "evidence_log.broken", head=check.head[:16], seq=check.broken_at
            )
        )
        buttons = tuple(Button(t.get(f"evidence_log.button_{fmt}"), EXPORT_PREFIX + fmt) for fmt in FORMATS)
        return [Reply("\n".join(lines), buttons=buttons)]

    async def export(self, user_key: str, fmt: str) -> list[Reply]:
        """The evidence list as a file."""
        t = self.texts
        if fmt not in FORMATS:
            return [Reply(t.get("evidence_log.unknown_format", fmt=fmt))]
        items = await self.evidence.items(user_key)
        if not items:
            return [Reply(t.get("evidence_log.summary_empty"))]
        data = await asyncio.to_thread(self.render, items, fmt)
        mime = FORMATS[fmt]
        name = f"证据清单-{datetime.now(SHANGHAI):%Y%m%d}.{fmt}"
        return [
            Reply(t.get("evidence_log.exported", n=len(items), fmt=fmt.upper()), files=(FileOut(name, data, mime),))
        ]

    def render(self, items: list[EvidenceItem], fmt: str) -> bytes:
        """Render the log in a format (pure, CPU-bound). The document libraries load only when someone exports."""
        from bot.evidence import export

        stats = compute(items)
        check = verify(items)
        meta = export.ExportMeta(
            chain_head=check.head,
            verify_hint=self.texts.get("evidence_log.verify_hint"),
            article_labels={a: article_label(self.kb, a) or a for i in items for a in i.articles},
            label_names={k: self.texts.get("sms.label." + k) for k in stats.by_label},
            font=self.font,
        )
        renderers = {"pdf": export.export_pdf, "docx": export.export_docx, "csv": export.export_csv}
        return renderers[fmt](items, stats, meta)


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else "—"
