"""SMS analysis stage (③a), classify: label each SmsRecord and find its signals by the reviewed rules; pure, no I/O.

Matching runs on a normalised copy (NFKC, the rules' char_map, emoji and zero-width characters removed, spaces
between Chinese characters removed); the record keeps the raw text. Codes that arrive in a burst (many codes from
several platforms within minutes, per the rules' `burst`) are marked code_bombing_part by classify_all. With a
Meaning (bot/sms/meaning.py), classify_all also reads the messages no rule decided against the rules' labelled
examples, so a threat worded in a way no pattern knows still gets its label and signals.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.sms.parse import SmsRecord
from bot.sms.rules import Label, Rules

if TYPE_CHECKING:
    from bot.sms.meaning import Meaning

MEANING_RULE = "meaning"  # Finding.rule "<label>/meaning:<group>": read by meaning, not by a pattern
INJECTION_SIGNAL = "prompt_injection"

_INVISIBLE = re.compile(
    "[\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f\u20e3\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\U000e0000-\U000e007f]+"
)
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Finding:
    """What one message is: its label, signals, extracted fields and the articles it may breach."""

    record: SmsRecord
    label: Label
    platform: str | None
    signals: tuple[str, ...]
    code: str | None
    sender: str | None
    amounts: tuple[str, ...]
    articles: tuple[str, ...]
    dates: tuple[str, ...] = ()
    rule: str = ""  # "<label>/<rule id>" that decided the label, or "" for the default label
    evidence: str = ""  # the text the deciding rule matched


def normalise(text: str, rules: Rules) -> str:
    """The copy of a message that rules match on (see the module docstring)."""
    s = unicodedata.normalize("NFKC", text)
    if rules.char_table:
        s = s.translate(rules.char_table)
    s = _INVISIBLE.sub("", s)
    s = _CJK_GAP.sub("", s)
    return _SPACES.sub(" ", s)


class Classifier:
    """Applies precompiled Rules to records."""

    def __init__(self, rules: Rules, meaning: Meaning | None = None) -> None:
        self.rules = rules
        self.meaning = meaning  # reads the messages no rule decided (bot/sms/meaning.py), if given
        self._text_signals = [s for s in rules.signals if s.pattern is not None]
        self._order = {s.id: i for i, s in enumerate(rules.signals)}
        self._by_id = {s.id: s for s in rules.signals}
        self._label_articles = {lab.id: lab.articles for lab in rules.labels}

    # --- extraction -------------------------------------------------------------------------------------------
    def _platform(self, norm: str) -> str | None:
        for pattern in self.rules.platform:
            m = pattern.search(norm)
            if m:
                return m.group(1).strip() or None
        return None

    def _code(self, norm: str) -> str | None:
        for pattern in self.rules.code:
            m = pattern.search(norm)
            if m:
                return re.sub(r"\D", "", m.group(1))  # "9 3 8 2" -> "9382"
        return None

    def _night(self, record: SmsRecord) -> bool:
        if record.sent_at is None:
            return False
        local = record.sent_at.astimezone(self.rules.tz).time() if record.sent_at.tzinfo else record.sent_at.time()
        return local < self.rules.night_before or local >= self.rules.night_from

    # --- one message ------------------------------------------------------------------------------------------
    def classify(self, record: SmsRecord) -> Finding:
        """Label one message (without burst detection, which needs the other messages)."""
        rules = self.rules
        norm = normalise(record.text, rules)
        found = self._found(record, norm)
        code: str | None = None
        code_read = False  # the code patterns are many: read them only for a clause that needs a code

        label: Label = rules.default_label
        rule_id, evidence = "", ""
        for lab in rules.labels:
            for clause in lab.clauses:
                if clause.signals and not (clause.signals & found):
                    continue
                m = clause.any.search(norm) if clause.any is not None else None
                if clause.any is not None and m is None:
                    continue
                if clause.needs_code:
                    if not code_read:
                        code, code_read = self._code(norm), True
                    if code is None:
                        continue
                if clause.also is not None and not clause.also.search(norm):
                    continue
                if clause.unless is not None and clause.unless.search(norm):
                    continue
                label, rule_id = lab.id, f"{lab.id}/{clause.id}"
                evidence = m.group(0) if m is not None else ",".join(sorted(clause.signals & found))
                break
            if rule_id:
                break
        return self._finish(
            record, norm, label, found, code if label == "verification_code" else None, rule_id, evidence
        )

    def _found(self, record: SmsRecord, norm: str) -> set[str]:
        """Every signal in a message (before filtering by label)."""
        found: set[str] = set()
        for sig in self._text_signals:
            assert sig.pattern is not None
            if sig.pattern.search(norm) and not (sig.unless and sig.unless.search(norm)):
                found.add(sig.id)
        if self._night(record):
            found.add("night_time")
        return found

    def relabel(self, finding: Finding, label: Label, rule: str) -> Finding:
        """The finding under another label (a second opinion's, bot/sms/second.py): the signals reported and the
        articles cited for that label by the rules, `rule` saying where the label came from."""
        norm = normalise(finding.record.text, self.rules)
        found = self._found(finding.record, norm)
        code = self._code(norm) if label == "verification_code" else None
        return self._finish(finding.record, norm, label, found, code, rule, "")

    def _finish(
        self,
        record: SmsRecord,
        norm: str,
        label: Label,
        found: set[str],
        code: str | None,
        rule_id: str,
        evidence: str,
    ) -> Finding:
        rules = self.rules
        signals = tuple(sorted((s for s in found if label in self._by_id[s].report_for), key=self._order.__getitem__))
        amounts = tuple(dict.fromkeys(m.group(0).strip() for m in rules.amount.finditer(norm))) if rules.amount else ()
        dates = tuple(dict.fromkeys(m.group(0).strip() for m in rules.date.finditer(norm))) if rules.date else ()
        return Finding(
            record=record,
            label=label,
            platform=self._platform(norm),
            signals=signals,
            code=code,
            sender=_clean_sender(record.sender),
            amounts=amounts,
            articles=self._articles(label, signals),
            dates=dates,
            rule=rule_id,
            evidence=evidence,
        )

    def _articles(self, label: Label, signals: Sequence[str]) -> tuple[str, ...]:
        out: dict[str, None] = {}
        # content signals first (the most specific articles), then time-based ones, then the label's own
        for sid in sorted(signals, key=lambda s: s in ("night_time", "code_bombing_part")):
            sig = self._by_id[sid]
            if label in sig.cite_for:
                out.update(dict.fromkeys(sig.articles))
        out.update(dict.fromkeys(self._label_articles.get(label, ())))
        return tuple(out)

    # --- many messages ----------------------------------------------------------------------------------------
    def classify_all(self, records: Sequence[SmsRecord]) -> list[Finding]:
        """Label every message, then mark the codes that fall inside a bombing burst."""
        findings = self.read_meaning([self.classify(r) for r in records])
        burst = self.burst_members(findings)
        if not burst or self._by_id.get("code_bombing_part") is None:
            return findings
        for i in burst:
            f = findings[i]
            signals = tuple(sorted({*f.signals, "code_bombing_part"}, key=self._order.__getitem__))
            findings[i] = replace(f, signals=signals, articles=self._articles(f.label, signals))
        return findings

    def read_meaning(self, findings: list[Finding]) -> list[Finding]:
        """The findings with each undecided message (no rule, the default label, no words aimed at a program) read
        by meaning; one whose reading is clearly a group's gets that group's label and signals."""
        meaning = self.meaning
        if meaning is None:
            return findings
        asked = [
            i
            for i, f in enumerate(findings)
            if not f.rule
            and f.label == self.rules.default_label
            and INJECTION_SIGNAL not in f.signals
            and meaning.eligible(f.record.text)
        ]
        if not asked:
            return findings
        texts = list(dict.fromkeys(findings[i].record.text for i in asked))
        readings = dict(zip(texts, meaning.read(texts), strict=True))
        out = list(findings)
        for i in asked:
            reading = readings[findings[i].record.text]
            if reading is None:
                continue
            record = findings[i].record
            norm = normalise(record.text, self.rules)
            found = self._found(record, norm) | set(reading.group.signals)
            rule = f"{reading.group.label}/{MEANING_RULE}:{reading.group.id}"
            out[i] = self._finish(record, norm, reading.group.label, found, None, rule, reading.example)
        return out

    def burst_members(self, findings: Sequence[Finding]) -> set[int]:
        """Indexes of dated codes inside a window holding >= min_codes codes from >= min_platforms platforms."""
        rules = self.rules
        dated = sorted(
            (f.record.sent_at.timestamp(), i, f.platform or f.sender or "")
            for i, f in enumerate(findings)
            if f.label == "verification_code" and f.record.sent_at is not None
        )
        members: set[int] = set()
        platforms: Counter[str] = Counter()
        lo = 0
        for hi, (t_hi, _, key_hi) in enumerate(dated):
            if key_hi:
                platforms[key_hi] += 1
            while t_hi - dated[lo][0] > rules.burst_window_seconds:
                key_lo = dated[lo][2]
                if key_lo:
                    platforms[key_lo] -= 1
                    if not platforms[key_lo]:
                        del platforms[key_lo]
                lo += 1
            if hi - lo + 1 >= rules.burst_min_codes and len(platforms) >= rules.burst_min_platforms:
                members.update(idx for _, idx, _ in dated[lo : hi + 1])
        return members


def _clean_sender(sender: str | None) -> str | None:
    if sender is None:
        return None
    return " ".join(unicodedata.normalize("NFKC", sender).split()) or None
