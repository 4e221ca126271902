"""SMS analysis stage (③a), handler: pasted, forwarded, photographed or backed-up SMS -> analysis, evidence log, replies."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from bot.clock import CHINA as SHANGHAI
from bot.contract.messages import Attachment, Button, Citation, FileOut, Reply
from bot.contract.outcome import KEEP, Kind, Outcome, Owns, Turn
from bot.contract.session import Pending, Session
from bot.evidence.log import verify
from bot.evidence.model import DATE_ASSUMED, DATE_CONFIRMED, EvidenceItem
from bot.evidence.stats import compute
from bot.knowledge import KnowledgeBase
from bot.sms.backup import BackupRejected, parse_backup
from bot.sms.classify import Classifier, Finding
from bot.sms.dates import CHOICES, DATE_FLOW, DATE_PREFIX, UNKNOWN, HeldPaste, choice_of, day_for
from bot.sms.explain import article_label, citations, explain, gist
from bot.sms.import_queue import ImportBusy, ImportQueue
from bot.sms.links import LINK_CHECK, LINK_SCAM, LinkKind, beside, only_links, worst
from bot.sms.ocr import ImageRejected, lines_to_paste
from bot.sms.ocr_queue import OcrBusy, OcrQueue
from bot.sms.parse import MAX_PASTE_CHARS, SmsRecord, dedupe, parse_paste
from bot.sms.second import SecondOpinion, merge, to_ask
from bot.storage.evidence_repo import EvidenceStore, NewEvidence
from bot.texts import BASE, Texts, language_of

OCR_FLOW = "ocr_confirm"
OCR_YES = "ocr:yes"
OCR_NO = "ocr:no"
EVIDENCE_SUMMARY = "evidence:summary"
EXPORT_PREFIX = "evidence:"
_YES_WORDS = ("确认", "对", "是", "是的", "没错", "正确", "好", "好的", "可以", "yes", "ok", "OK")
_NO_WORDS = ("取消", "不要", "不用了", "算了", "cancel")
_FORMAT_NAMES = {"word": "docx", "doc": "docx", "excel": "csv", "xls": "csv", "xlsx": "csv", "表格": "csv"}
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
    gist: str = ""  # the kinds of message found, in a few words (for the conversation memory)
    shown: list[Finding] | None = None  # the findings as the reply shows them after a second opinion (None: as found)
    day_asked: bool = False  # the reply asks which day the messages that show only a time came
    lang: str = BASE  # the locale the reply is in (the person's, not the quoted sender's)


class SmsHandler:
    """Analyses messages, appends them to the person's evidence log, and exports the log."""

    owns = Owns(
        commands=frozenset({"sms", "evidence"}),
        prefixes=("ocr:", EXPORT_PREFIX, DATE_PREFIX),
        flows=frozenset({OCR_FLOW, DATE_FLOW}),
        kinds=frozenset({Kind.SMS, Kind.ATTACHMENT}),
        intents=frozenset({"evidence.summary"}),
    )

    def __init__(
        self,
        kb: KnowledgeBase,
        classifier: Classifier,
        evidence: EvidenceStore,
        ocr: OcrQueue,
        texts: Texts,
        font: str | None = None,
        max_file_bytes: int = 10 * 1024 * 1024,
        imports: ImportQueue | None = None,
        second: SecondOpinion | None = None,
    ) -> None:
        self.imports = imports or ImportQueue()
        self.second = second  # a second reading of messages the rules are unsure about (a language model), if any
        self.font = font or None
        self.max_file_bytes = max_file_bytes
        self.kb = kb
        self.classifier = classifier
        self.evidence = evidence
        self.ocr = ocr
        self.texts = texts

    def analyse_records(self, records: list[SmsRecord], day_asked: bool = False, lang: str = BASE) -> Analysis:
        """Deduplicate, classify and explain in lang (pure; no logging)."""
        unique, dups = dedupe(records)
        findings = self.classifier.classify_all(unique)
        text = explain(findings, self.kb, self.texts, duplicates=dups, day_asked=day_asked, lang=lang)
        return Analysis(findings, dups, text, gist(findings, self.texts), day_asked=day_asked, lang=lang)

    def analyse_text(
        self, text: str, source: str, today: datetime | None = None, day_asked: bool = False, lang: str = BASE
    ) -> Analysis:
        """Split a paste into messages and analyse them; raises ValueError for an over-long paste. A bare time takes
        the paste's day (marked assumed; `day_asked`: the reply asks for the day instead of saying so)."""
        moment = (today or datetime.now(SHANGHAI)).astimezone(SHANGHAI)
        records = parse_paste(text, source=source, default_date=moment.date(), now=moment)
        return self.analyse_records(records, day_asked, lang)

    @staticmethod
    def undated(text: str, today: date) -> int:
        """How many messages of a paste show a clock time but no day (the day question is asked about them)."""
        return sum(1 for r in parse_paste(text, default_date=today) if r.date_assumed)

    async def handle(self, turn: Turn) -> Outcome | None:
        """Pastes, forwards, files, /sms, /evidence, the evidence buttons and the screenshot confirmation."""
        t = self.texts
        user = turn.session.user_key
        held = (
            HeldPaste.decode(turn.session.pending.state)
            if turn.session.flow == DATE_FLOW and turn.session.pending
            else None
        )
        if turn.kind is Kind.SMS and held is not None:  # a new paste while the day question waits
            await self._log_held(user, held)
            outcome = await self.handle(replace(turn, session=replace(turn.session, pending=None)))
            return _after(Reply(t.get("sms.date_left", held.lang)), outcome)
        if turn.name.startswith(DATE_PREFIX) or (turn.kind is Kind.PENDING and held is not None):
            return await self._day_answer(turn, held)
        if turn.kind is Kind.SMS:
            hosts = only_links(turn.text)
            if hosts:  # "https://… 这是法院的吗": judged by its address, not logged as a message received
                kind, host = worst(hosts)
                words = beside(turn.msg.text)
                lang = language_of(words) if words else BASE
                intent = LINK_SCAM if kind is LinkKind.LOOKALIKE else LINK_CHECK
                return Outcome((Reply(t.get(f"sms.link_{kind.value}", lang, host=host)),), intent=intent)
            source = "forward" if turn.msg.forwarded_at else "paste"
            return await self.paste(user, turn.text, source, turn.msg.forwarded_at, turn.lang)
        if turn.intent == "evidence.summary":
            return Outcome(tuple(await self.summary(user, held, turn.lang)), pending=KEEP)
        if turn.kind is Kind.ATTACHMENT:
            return await self.attachment(user, turn.msg.attachments[0], turn.lang)
        if turn.kind is Kind.PENDING:  # the text read from a screenshot awaits confirmation or correction
            answer = turn.text.strip()
            if answer in _NO_WORDS:
                return Outcome((Reply(t.get("evidence_log.ocr_discarded", turn.lang)),))
            text = turn.session.pending.state if turn.session.pending and answer in _YES_WORDS else turn.text
            return await self._confirmed(user, text, turn.lang)
        if turn.kind is Kind.COMMAND:
            if turn.name == "sms":
                if not turn.text:
                    return Outcome((Reply(t.get("sms.empty", turn.lang)),), pending=KEEP)
                return await self.paste(user, turn.text, "paste", None, turn.lang)
            fmt = turn.text.lower().strip().lstrip(".")
            fmt = _FORMAT_NAMES.get(fmt, fmt)  # "/evidence word": the button says Word
            replies = await (self.export(user, fmt, turn.lang) if fmt else self.summary(user, held, turn.lang))
            return Outcome(tuple(replies), pending=KEEP)
        payload = turn.name
        if payload == OCR_YES and turn.session.flow == OCR_FLOW and turn.session.pending:
            return await self._confirmed(user, turn.session.pending.state, turn.lang)
        if payload in (OCR_YES, OCR_NO):
            return Outcome((Reply(t.get("evidence_log.ocr_discarded", turn.lang)),))
        if payload == EVIDENCE_SUMMARY:
            return Outcome(tuple(await self.summary(user, held, turn.lang)), pending=KEEP)
        return Outcome(tuple(await self.export(user, payload.removeprefix(EXPORT_PREFIX), turn.lang)), pending=KEEP)

    async def paste(
        self, user_key: str, text: str, source: str, forwarded_at: datetime | None, lang: str = BASE
    ) -> Outcome:
        """A pasted or forwarded text: analyse, log, reply in lang. When messages show a time but no day (and the
        paste is not a forward, which carries its own time), the analysis asks which day they came and logs on the
        answer."""
        today = datetime.now(SHANGHAI).date()
        try:
            undated = 0 if forwarded_at is not None else await asyncio.to_thread(self.undated, text, today)
            analysis = await asyncio.to_thread(self.analyse_text, text, source, None, bool(undated), lang)
        except ValueError:
            return Outcome((Reply(self.texts.get("sms.too_long", lang, size=len(text), limit=MAX_PASTE_CHARS)),))
        analysis = await self.reviewed(analysis, user_key)
        if undated and analysis.findings:
            return self._ask_day(analysis, HeldPaste(text, source, today, lang), undated)
        return await self._log_and_reply(user_key, analysis, source, forwarded_at)

    def _ask_day(self, analysis: Analysis, held: HeldPaste, undated: int) -> Outcome:
        """The analysis, and the one question: which day did the messages that show only a time come?"""
        t = self.texts
        buttons = tuple(Button(t.get(key, analysis.lang), DATE_PREFIX + name) for name, key, _ in CHOICES)
        text = f"{analysis.text}\n\n{t.get('sms.date_question', analysis.lang, n=undated)}"
        return Outcome((Reply(text, buttons=buttons),), Pending(DATE_FLOW, held.encode()), gist=analysis.gist)

    async def _day_answer(self, turn: Turn, held: HeldPaste | None) -> Outcome | None:
        """The answer to the day question: log the held paste with that day (or none); a stale button says so; any
        other words log it without a day and are answered as they are."""
        t = self.texts
        user = turn.session.user_key
        choice = choice_of(turn.name if turn.name.startswith(DATE_PREFIX) else turn.text)
        if held is None:
            return Outcome((Reply(t.get("sms.date_stale")),))
        if choice is None:
            await self._log_held(user, held)
            asked = await turn.ask(turn.text, turn.session) if turn.ask is not None else None
            return _after(Reply(t.get("sms.date_left", held.lang)), asked)
        day = day_for(choice, held.day)
        if day is None:
            records = parse_paste(held.text, source=held.source)
        else:
            now = datetime.now(SHANGHAI) if day == datetime.now(SHANGHAI).date() else None
            records = parse_paste(held.text, source=held.source, default_date=day, now=now)
        lang = held.lang
        analysis = await asyncio.to_thread(self.analyse_records, records, False, lang)
        n = sum(1 for r in records if r.date_assumed) if day is not None else held_undated(held)
        label = next(t.get(key, lang) for name, key, _ in CHOICES if name == choice)
        head = (
            t.get("sms.date_unknown", lang, n=n)
            if choice == UNKNOWN
            else t.get("sms.date_answered", lang, n=n, day=label, date=f"{day:%m-%d}" if day else "")
        )
        return await self._log_and_reply(user, analysis, held.source, head=head, confirmed=True)

    async def leave(self, session: Session) -> None:
        """Another handler takes the turn while a paste waits for its day: log it without one (nothing is lost)."""
        held = HeldPaste.decode(session.pending.state) if session.flow == DATE_FLOW and session.pending else None
        if held is not None:
            await self._log_held(session.user_key, held)

    async def _log_held(self, user_key: str, held: HeldPaste) -> None:
        """A held paste the person did not date: logged as pasted, bare times without a day (unknown)."""
        analysis = await asyncio.to_thread(self.analyse_records, parse_paste(held.text, source=held.source))
        if analysis.findings:
            entries, _ = await asyncio.to_thread(self._entries, analysis, held.source, None, datetime.now(UTC))
            await self.evidence.append(user_key, entries)

    async def reviewed(self, analysis: Analysis, user_key: str) -> Analysis:
        """The analysis with a second opinion on the messages the rules are unsure about (bot/sms/second.py says
        what it may change); unchanged without one, or when it has nothing to add."""
        if self.second is None:
            return analysis
        asked = to_ask(analysis.findings, self.classifier.rules.default_label)
        if not asked:
            return analysis
        proposed = await self.second.labels([analysis.findings[i].record.text for i in asked], user_key)
        review = merge(analysis.findings, asked, proposed, self.classifier)
        if not review.changed:
            return analysis
        lang = analysis.lang
        text = explain(
            review.shown, self.kb, self.texts, duplicates=analysis.duplicates, day_asked=analysis.day_asked, lang=lang
        )
        if review.suspected_fraud:
            text += "\n\n" + self.texts.get("sms.model_fraud", lang, n=review.suspected_fraud)
        return replace(analysis, text=text, gist=gist(review.shown, self.texts), shown=review.shown)

    async def _log_and_reply(
        self,
        user_key: str,
        analysis: Analysis,
        source: str,
        forwarded_at: datetime | None = None,
        head: str | None = None,
        confirmed: bool = False,
    ) -> Outcome:
        """Log the findings and reply with the analysis (or `head` instead) and what was logged; `confirmed`: the
        day of messages that showed only a time was given by the person."""
        t, lang = self.texts, analysis.lang
        if not analysis.findings:
            return Outcome((Reply(t.get("sms.empty", lang)),))
        now = datetime.now(UTC)
        entries, cited = await asyncio.to_thread(
            self._entries, analysis, source, forwarded_at, now, confirmed
        )  # 49,000 at most
        result = await self.evidence.append(user_key, entries)
        total = await self.evidence.count(user_key)
        logged = t.get("evidence_log.logged", lang, added=result.added, duplicates=result.duplicates, total=total)
        if result.refused:
            logged += "\n" + t.get("evidence_log.log_full", lang, limit=self.evidence.max_items, refused=result.refused)
        buttons = (
            Button(t.get("evidence_log.button_summary", lang), EVIDENCE_SUMMARY),
            Button(t.get("evidence_log.button_pdf", lang), EXPORT_PREFIX + "pdf"),
        )
        body = analysis.text if head is None else head
        return Outcome((Reply(f"{body}\n\n{logged}", buttons=buttons, citations=cited),), gist=analysis.gist)

    def _entries(
        self, analysis: Analysis, source: str, forwarded_at: datetime | None, now: datetime, confirmed: bool = False
    ) -> tuple[list[NewEvidence], tuple[Citation, ...]]:
        """What to log, and the articles the reply cites (pure; a worker thread runs it for a large import)."""
        dated = DATE_CONFIRMED if confirmed else DATE_ASSUMED
        entries = [
            NewEvidence(
                raw_text=f.record.text,
                sent_at=f.record.sent_at or forwarded_at,
                source=source,
                received_at=now,
                sender=f.sender,
                label=f.label,
                platform=f.platform,
                signals=(*f.signals, dated) if f.record.date_assumed else f.signals,
                articles=f.articles,
            )
            for f in analysis.findings
        ]
        return entries, tuple(citations(analysis.shown or analysis.findings, self.kb))

    async def attachment(self, user_key: str, att: Attachment, lang: str = BASE) -> Outcome:
        """A screenshot (OCR on its own threads, then confirm before logging) or a backup file (import and log)."""
        t = self.texts
        if len(att.data) > self.max_file_bytes:
            size, limit = len(att.data) // (1024 * 1024), self.max_file_bytes // (1024 * 1024)
            return Outcome((Reply(t.get("evidence_log.file_too_large", lang, size=size, limit=limit)),), pending=KEEP)
        if att.kind == "image":
            try:
                result = await self.ocr.read(user_key, att.data)
            except OcrBusy as exc:
                key = "sms.ocr_wait" if exc.reason == "user" else "sms.ocr_busy"
                return Outcome((Reply(t.get(key, lang)),), pending=KEEP)
            except ImageRejected as exc:
                key = "sms.image_too_long" if exc.reason == "too_long" else f"evidence_log.image_{exc.reason}"
                return Outcome((Reply(t.get(key, lang)),), pending=KEEP)
            text = lines_to_paste(result)
            buttons = (
                Button(t.get("evidence_log.button_ocr_yes", lang), OCR_YES),
                Button(t.get("evidence_log.button_ocr_no", lang), OCR_NO),
            )
            return Outcome(
                (Reply(t.get("evidence_log.ocr_read", lang, text=text), buttons=buttons),), Pending(OCR_FLOW, text)
            )
        try:
            return await self.imports.run(user_key, lambda: self._import(user_key, att, lang))
        except ImportBusy as exc:
            key = "sms.import_wait" if exc.reason == "user" else "sms.import_busy"
            return Outcome((Reply(t.get(key, lang)),), pending=KEEP)

    async def _import(self, user_key: str, att: Attachment, lang: str = BASE) -> Outcome:
        """A backup file, in its turn: parse and analyse in worker threads, then log it batch by batch."""
        try:
            records = await asyncio.to_thread(parse_backup, att.data, att.name)
        except BackupRejected as exc:
            return Outcome((Reply(self.texts.get(f"evidence_log.backup_{exc.reason}", lang)),), pending=KEEP)
        analysis = await asyncio.to_thread(self.analyse_records, records, False, lang)
        del records  # the findings keep what is needed; the rest can go before the log is written
        return replace(await self._log_and_reply(user_key, analysis, "backup"), pending=KEEP)

    async def _confirmed(self, user_key: str, text: str, lang: str = BASE) -> Outcome:
        """The person confirmed (or corrected) what was read from a screenshot: now it is analysed and logged."""
        try:
            analysis = await asyncio.to_thread(self.analyse_text, text, "screenshot", None, False, lang)
        except ValueError:
            return Outcome((Reply(self.texts.get("sms.too_long", lang, size=len(text), limit=MAX_PASTE_CHARS)),))
        return await self._log_and_reply(user_key, analysis, "screenshot")

    async def summary(self, user_key: str, held: HeldPaste | None = None, lang: str = BASE) -> list[Reply]:
        """/evidence: what the log shows, whether it is intact, and export buttons; a paste still waiting for its
        day (`held`) is named, so the log never looks emptier than what the person sent."""
        t = self.texts
        items = await self.evidence.items(user_key)
        waiting = (
            t.get("evidence_log.summary_held", lang, n=len(parse_paste(held.text, default_date=held.day)))
            if held
            else ""
        )
        if not items:
            return [Reply(waiting or t.get("evidence_log.summary_empty", lang))]
        stats, check = await asyncio.to_thread(lambda: (compute(items), verify(items)))  # CPU: off the event loop
        labels = t.get("sms.count_sep", lang).join(
            t.get("sms.count_item", lang, label=t.get("sms.label." + k, lang), n=n)
            for k, n in sorted(stats.by_label.items(), key=lambda kv: -kv[1])
        )
        lines = [
            t.get(
                "evidence_log.summary",
                lang,
                total=stats.total,
                range=t.get("evidence_log.summary_range", lang, first=_fmt(stats.first), last=_fmt(stats.last))
                if stats.timed
                else "",
                labels=labels,
                night=t.get("evidence_log.summary_night", lang, timed=stats.timed, night=round(stats.night_share * 100))
                if stats.timed
                else "",
                untimed=t.get("evidence_log.summary_untimed", lang, n=stats.untimed) if stats.untimed else "",
                platforms=t.get("evidence_log.summary_platforms", lang, n=len(stats.platforms))
                if stats.platforms
                else "",
            )
        ]
        lines[0] = lines[0].rstrip()  # no empty line when nothing is timed and there are no codes
        for ep in stats.episodes[:5]:
            lines.append(
                t.get(
                    "evidence_log.episode",
                    lang,
                    start=_fmt(ep.start),
                    end=ep.end.astimezone(SHANGHAI).strftime("%H:%M"),
                    count=ep.count,
                    platforms=len(ep.platforms),
                )
            )
        lines.append(
            t.get(
                "evidence_log.intact" if check.ok else "evidence_log.broken",
                lang,
                head=check.head[:16],
                seq=check.broken_at,
            )
        )
        if waiting:
            lines.append(waiting)
        buttons = tuple(Button(t.get(f"evidence_log.button_{fmt}", lang), EXPORT_PREFIX + fmt) for fmt in FORMATS)
        return [Reply("\n".join(lines), buttons=buttons)]

    async def export(self, user_key: str, fmt: str, lang: str = BASE) -> list[Reply]:
        """The evidence list as a file."""
        t = self.texts
        if fmt not in FORMATS:
            return [Reply(t.get("evidence_log.unknown_format", lang, fmt=fmt))]
        items = await self.evidence.items(user_key)
        if not items:
            return [Reply(t.get("evidence_log.summary_empty", lang))]
        data = await asyncio.to_thread(self.render, items, fmt)
        mime = FORMATS[fmt]
        name = t.get("evidence_log.file_name", date=f"{datetime.now(SHANGHAI):%Y%m%d}") + f".{fmt}"
        return [
            Reply(
                t.get("evidence_log.exported", lang, n=len(items), fmt=fmt.upper()), files=(FileOut(name, data, mime),)
            )
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
        return renderers[fmt](items, stats, self.texts, meta)


def held_undated(held: HeldPaste) -> int:
    """How many messages of a held paste show a time but no day."""
    return SmsHandler.undated(held.text, held.day)


def _after(first: Reply, outcome: Outcome | None) -> Outcome:
    """An outcome with one reply before its own (or that reply alone)."""
    if outcome is None:
        return Outcome((first,))
    return replace(outcome, replies=(first, *outcome.replies))


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else "—"
