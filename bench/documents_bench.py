"""Benchmark: median time to fill each document template and render it to DOCX and PDF (median of 7 runs each).

Prints figures; asserts nothing. Targets: DOCX within 100 ms, PDF within 500 ms per document.
Run: `.venv/bin/python bench/documents_bench.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.documents import fill, load_templates, slots_from_json, to_docx, to_pdf  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.office.fonts import find_cjk_font  # noqa: E402

RUNS = 7
SLOTS = {
    "name": "张某某",
    "gender": "男",
    "ethnicity": "汉族",
    "id_number": "000000199003071236",
    "address": "北京市朝阳区某某路1号院2号楼301室",
    "postal_code": "100020",
    "phone": "13812345678",
    "lender": "某某消费金融有限公司（“某某借”App）",
    "lender_address": "上海市浦东新区某某路100号",
    "lender_representative": "李某",
    "contract_no": "JK20260315000123",
    "collectors": ["某某资产管理有限公司", "自称“王经理”的催收员"],
    "collector_numbers": ["13900001111", "10690000123"],
    "start_date": "2026-11-01",
    "latest_date": "2026-11-20",
    "what_happened": "2026年11月3日22时至23时，本人手机收到来自30多个平台的验证码短信120余条；"
    "同日收到催收短信称“不还钱就爆你通讯录”。此后每晚都有类似的轰炸，严重影响休息。",
    "sms_samples": "2026-11-03 22:15，10690000123：“再不还款，明天通知你全部联系人。”",
    "lender_complaint_date": "2026-11-05",
    "lender_reply": "客服称已记录，至今未书面答复。",
    "carrier": "中国移动",
    "carrier_complaint_date": "2026-11-06",
    "carrier_reply": "投诉后超过15日未答复。",
    "evidence_list": "原始短信1000条；证据清单；短信截图12张",
    "court": "某某市某某区人民法院",
    "compensation": "5000",
}


def median_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    kb = load_knowledge(ROOT / "knowledge")
    templates = load_templates(ROOT / "knowledge" / "templates", kb)
    slots = slots_from_json(SLOTS)
    font, index = find_cjk_font()
    print(f"font: {font} (face {index}); median of {RUNS} runs; targets DOCX <= 100 ms, PDF <= 500 ms")
    to_pdf(fill(templates["cease_notice"], slots, kb, date(2026, 11, 28)))  # warm-up: imports, font parse caches
    print(f"{'template':24} {'fill ms':>8} {'docx ms':>8} {'pdf ms':>8} {'docx KB':>8} {'pdf KB':>8}")
    worst_docx = worst_pdf = 0.0
    for name, tpl in templates.items():
        draft = fill(tpl, slots, kb, date(2026, 11, 28))
        fill_ms = median_ms(lambda tpl=tpl: fill(tpl, slots, kb, date(2026, 11, 28)))
        docx_ms = median_ms(lambda draft=draft: to_docx(draft))
        pdf_ms = median_ms(lambda draft=draft: to_pdf(draft))
        worst_docx, worst_pdf = max(worst_docx, docx_ms), max(worst_pdf, pdf_ms)
        docx_kb, pdf_kb = len(to_docx(draft)) / 1024, len(to_pdf(draft)) / 1024
        print(f"{name:24} {fill_ms:8.2f} {docx_ms:8.1f} {pdf_ms:8.1f} {docx_kb:8.1f} {pdf_kb:8.1f}")
    print(f"worst median: docx {worst_docx:.1f} ms, pdf {worst_pdf:.1f} ms")


if __name__ == "__main__":
    main()
