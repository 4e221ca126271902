"""Observability: real updates through `anning serve`, then /metrics scraped over HTTP counts them by channel and
route; and nothing the people sent (texts, phone numbers, names) nor any secret appears in the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiohttp import ClientSession
from prometheus_client.parser import text_string_to_metric_families

from bot.texts import Texts
from tests.fake_telegram import FakeTelegram
from tests.ops.support import HEADERS, SECRET, serving, telegram_settings, until

PHONE = "13912345678"
NAME = "欧阳娜娜"
SMS = f"【极速贷】{NAME}，你已逾期3天，今天不还款就联系你的通讯录和单位，电话{PHONE}。"
QUESTION = f"我叫{NAME}，手机{PHONE}，催收天天打我单位电话合法吗"
SENT = {601: ["/help", QUESTION], 602: [SMS], 603: [f"我的电话是{PHONE}，你好"]}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


@pytest.mark.slow
async def test_metrics_count_real_updates_and_logs_keep_no_message_text_or_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)  # what `anning serve` logs (it configures INFO)
    fake = await FakeTelegram().start()
    settings = telegram_settings(tmp_path, fake)
    try:
        async with serving(settings) as srv, ClientSession() as http:
            await until(lambda: fake.method_calls("setWebhook"))
            update_id = 88000
            for uid, texts in SENT.items():
                for n, text in enumerate(texts, 1):
                    update_id += 1
                    message = fake.message(uid, text=text)
                    if text.startswith("/"):
                        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
                    update = {"update_id": update_id, "message": message}
                    async with http.post(f"{srv.base}/telegram", json=update, headers=HEADERS) as resp:
                        assert resp.status == 200
                    await until(lambda uid=uid, n=n: len(fake.texts_to(uid)) >= n)
            async with http.get(f"{srv.base}/metrics") as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"].startswith("text/plain")
                metrics = _samples(await resp.text())
    finally:
        await fake.close()

    def value(name: str, **labels: str) -> float:
        return metrics.get((name, tuple(sorted(labels.items()))), 0.0)

    assert Texts().get("commands.help") in fake.texts_to(601)
    assert value("anning_messages_total", channel="telegram", route="command") == 1
    assert value("anning_messages_total", channel="telegram", route="sms") == 1
    answered = sum(v for (n, labels), v in metrics.items() if n == "anning_messages_total")
    assert answered == 4
    assert value("anning_answer_seconds_count", channel="telegram", route="command") == 1
    assert value("anning_answer_seconds_bucket", channel="telegram", route="command", le="+Inf") == 1
    assert value("anning_ready") == 1
    assert ("anning_queue_depth", (("queue", "ocr"),)) in metrics
    assert ("anning_queue_depth", (("queue", "import"),)) in metrics
    assert value("anning_held_replies") == 0 and ("anning_held_replies", ()) in metrics
    assert value("anning_inbox_unfinished") == 0
    assert value("anning_errors_total", stage="engine") == 0

    out, err = capfd.readouterr()
    logged = "\n".join([r.getMessage() for r in caplog.records] + [out, err])
    assert "serving: telegram" in logged  # the capture works
    secrets = [fake.token, fake.token.split(":")[1], SECRET, settings.encryption_key.get_secret_value()]
    for needle in [PHONE, NAME, "极速贷", "通讯录", "单位电话", "你好", *secrets]:
        assert needle not in logged, needle
