"""Evidence that tells the truth about time: an unknown send time stays unknown in statistics, lists and documents."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.documents.facts import slots_from_evidence
from bot.evidence.export import ExportMeta
from bot.evidence.export_content import build_content
from bot.evidence.model import DATE_ASSUMED, EvidenceItem
from bot.evidence.stats import compute
from bot.texts import Texts

SH = ZoneInfo("Asia/Shanghai")
PASTED = datetime(2026, 12, 3, 1, 22, tzinfo=SH)  # pasted in the middle of the night
THREAT = "今晚就带兄弟过去弄死你"
TEXTS = Texts()


def item(seq: int, text: str, label: str, sent_at: datetime | None, signals: tuple[str, ...] = ()) -> EvidenceItem:
    return EvidenceItem(seq, PASTED, sent_at, "paste", text, None, label, None, signals, (), "h", "c")


def untimed_threat() -> list[EvidenceItem]:
    return [item(1, THREAT, "collection_threat", None)]


def test_statistics_count_only_known_times() -> None:
    items = [*untimed_threat(), item(2, "还钱", "collection_notice", datetime(2026, 12, 2, 14, 0, tzinfo=SH))]
    stats = compute(items)
    assert stats.total == 2 and stats.timed == 1 and stats.untimed == 1
    assert stats.night_share == 0.0  # the one known time is 14:00; the 01:22 paste is not a send time
    assert sum(stats.per_hour) == 1 and stats.per_hour[1] == 0
    assert stats.first == stats.last == datetime(2026, 12, 2, 14, 0, tzinfo=SH)


def test_a_threat_pasted_at_night_is_not_listed_as_sent_at_night() -> None:
    items = untimed_threat()
    content = build_content(items, compute(items), ExportMeta(), TEXTS)
    summary = "\n".join(content.summary)
    assert "100%" not in summary and "夜间" not in summary
    assert "1 条的发送时间未知" in summary
    assert content.rows[0].time.replace("\n", " ") == "未知（用户粘贴于 2026-12-03 01:22）"
    assert "深夜" not in content.rows[0].purpose


def test_documents_state_no_time_for_an_untimed_threat() -> None:
    items = untimed_threat()
    slots = slots_from_evidence(items, compute(items), TEXTS)
    assert "1时22分" not in slots["what_happened"] and "01:22" not in slots["what_happened"]
    assert "夜间" not in slots["what_happened"]
    assert "start_date" not in slots
    assert "1时22分" not in slots["sms_samples"]


def test_a_day_taken_from_the_paste_says_so() -> None:
    start = datetime(2026, 12, 3, 2, 1, tzinfo=SH)
    platforms = ["美团", "京东", "淘宝", "携程", "滴滴出行"]
    items = [
        EvidenceItem(
            n + 1, PASTED, start + timedelta(seconds=20 * n), "paste", f"【{p}】验证码{100000 + n}", None,
            "verification_code", p, ("night_time", "code_bombing_part", DATE_ASSUMED), (), "h", "c",
        )
        for n, p in enumerate(platforms)
    ]  # fmt: skip
    stats = compute(items)
    assert stats.date_assumed == 5 and len(stats.episodes) == 1
    content = build_content(items, stats, ExportMeta(), TEXTS)
    assert "日期按粘贴当天推定" in content.rows[0].time
    assert "5 条只写了时刻" in "\n".join(content.summary)
    slots = slots_from_evidence(items, stats, TEXTS)
    assert "日期按本人粘贴当天推定" in slots["what_happened"]
    assert "日期按粘贴当天推定" in slots["sms_samples"]
