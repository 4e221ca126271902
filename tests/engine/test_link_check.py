"""A link sent to ask "is this real?" gets a verdict on its address first, and is not logged as a message received."""

from __future__ import annotations

from bot.wiring import App
from tests.support import msg


async def test_a_look_alike_court_link_is_called_a_scam_first_and_not_logged(app: App) -> None:
    replies = await app.engine.handle(msg("https://court-gov.cn.xyz/notice?id=88 这个是法院的吗", user="linker"))
    text = "\n".join(r.text for r in replies)
    assert text.startswith("⚠️ 这很可能是诈骗链接，不要点开，不要转账")
    assert "court-gov.cn.xyz" in text and "96110" in text and "12368" in text
    assert "没有覆盖" not in text  # the question beside the link is answered by the verdict
    assert await app.evidence.count("linker") == 0


async def test_the_courts_own_link_is_not_called_fraud(app: App) -> None:
    replies = await app.engine.handle(msg("https://zxfw.court.gov.cn/zxfw/#/pagesAjkj/app/wssd/index?qdbh=1"))
    text = "\n".join(r.text for r in replies)
    assert "法院的官方域名" in text and "不要置之不理" in text
    assert "诈骗链接" not in text


async def test_an_english_question_about_a_link_is_answered_in_english(app: App) -> None:
    replies = await app.engine.handle(msg("is this link real? http://bit.ly/3xYz"))
    text = "\n".join(r.text for r in replies)
    assert text.startswith("I never open links")
    assert "96110" in text


async def test_someone_who_already_typed_in_their_card_hears_it_is_a_scam_and_to_call_110(app: App) -> None:
    replies = await app.engine.handle(msg("我点了链接填了银行卡 https://court-gov.cn.xyz/a"))
    first = replies[0].text.split("\n")[0]
    assert "诈骗" in first and "不要转账" in first
    assert "110" in "\n".join(r.text for r in replies)


async def test_an_sms_with_a_link_in_it_is_still_analysed_and_logged(app: App) -> None:
    sms = "【XX法院】您有一份传票请查收 https://court-gov.cn.xyz/a 逾期不处理将强制执行"
    replies = await app.engine.handle(msg(sms, user="pasted"))
    assert "疑似诈骗" in replies[0].text
    assert await app.evidence.count("pasted") == 1
