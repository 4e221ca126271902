"""Issue 15: the lender's kind decides the regulator: asked once where it matters, kept, and every later answer routed
(banks and consumer-finance companies to 12378, microloan companies to the local financial regulator, unlicensed
lenders to the police), read from what the person says too."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import bot.texts
from bot.contract.messages import Reply
from bot.understand.lender import MICRO, UNLICENSED, LenderRouting, said_kind
from bot.wiring import App
from tests.support import msg

EITHER = "银行、消费金融公司打 12378"  # the advice when the kind is not known


async def _say(app: App, text: str, user: str, button: str | None = None) -> list[Reply]:
    return await app.engine.handle(msg(text, user, button=button))


def _all(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def test_asked_once_after_where_to_complain_then_every_answer_follows_the_choice(app: App) -> None:
    first = await _say(app, "催收天天打电话骚扰我 我该去哪投诉", "l1")
    question = first[-1]
    assert "放款方是哪一类" in question.text and len(question.buttons) == 5
    micro = next(b.payload for b in question.buttons if "小额贷款" in b.label)
    noted = _all(await _say(app, "", "l1", button=micro))
    assert "地方金融管理部门" in noted and "12378 不管小贷公司" in noted
    later = _all(await _say(app, "他们还天天给我家人打电话", "l1"))
    assert "地方金融管理部门投诉" in later and EITHER not in later
    assert "国家金融监督管理总局 12378" not in later  # nor among whom to contact
    again = _all(await _say(app, "我还能去哪投诉他们", "l1"))
    assert "放款方是哪一类" not in again  # asked once


async def test_a_lender_named_in_passing_routes_the_answer_without_asking(app: App) -> None:
    bank = _all(await _say(app, "我欠的是招商银行信用卡 催收天天打我单位电话 我要去哪投诉", "l2"))
    assert "打 12378 向国家金融监督管理总局投诉（你的放款方是银行）" in bank
    assert "放款方是哪一类" not in bank and "地方金融管理局" not in bank
    micro = _all(await _say(app, "我借的是一个小贷公司的钱 他们天天给我同事打电话", "l3"))
    assert "单位" in micro and "地方金融管理部门投诉" in micro  # still the workplace answer, routed
    shark = _all(await _say(app, "714高炮天天爆我通讯录", "l4"))
    assert "报警（110）" in shark and "12378" not in shark


async def test_not_sure_gets_how_to_find_out_and_the_question_is_not_repeated(app: App) -> None:
    first = await _say(app, "催收骚扰我 去哪里投诉", "l5")
    unsure = next(b.payload for b in first[-1].buttons if b.label == "不清楚")
    reply = _all(await _say(app, "", "l5", button=unsure))
    assert "借款协议" in reply and "12378" in reply and "地方金融管理部门" in reply
    assert "放款方是哪一类" not in _all(await _say(app, "去哪投诉催收", "l5"))


def test_what_people_say_of_their_lender() -> None:
    assert said_kind("我借的是XX小贷") == MICRO
    assert said_kind("这是不正规的小贷 714高炮") == UNLICENSED
    assert said_kind("银行卡被冻结了怎么办") == ""  # a bank card is not a bank loan
    assert said_kind("银行和小贷有什么区别") == ""  # two kinds: not theirs
    assert said_kind("【XX消费金融】您的借款已逾期", pasted=True) == "consumer_finance"
    assert said_kind("请还款到银行卡 否则小贷公司起诉", pasted=True) == ""  # a paste counts a lender's own name only


def test_every_either_or_advice_in_the_knowledge_base_is_routed(app: App) -> None:
    texts = app.texts
    routing = LenderRouting.build(app.parts.kb, texts)
    routed_cards = [t for t in app.parts.kb.topics if t.id != "regulator_by_lender"]  # that one explains every kind
    cards = [t.advice for t in routed_cards] + [t.advice_en for t in routed_cards if t.advice_en]
    for advice in [*cards, *_strings(Path(bot.texts.__file__).parent)]:
        explains = (
            "借款协议" in advice or "loan agreement" in advice
        )  # how to find out which kind: every kind, on purpose
        if "12378" in advice and ("地方金融" in advice or "local financial" in advice) and not explains:
            routed = routing.route(advice, MICRO)
            assert "12378 不管小贷公司" in routed or "12378 does not handle" in routed, advice


def _strings(folder: Path) -> list[str]:
    """Every text the bot can say, from its toml files."""

    def walk(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in walk(v)]
        return []

    return [s for path in sorted(folder.glob("*.toml")) for s in walk(tomllib.loads(path.read_text("utf-8")))]


async def test_english_speakers_are_asked_and_answered_in_english(app: App) -> None:
    first = await _say(app, "where can I complain about the loan app harassing me", "l6")
    assert first[-1].text.startswith("To point you to the right place")
    micro = next(b.payload for b in first[-1].buttons if "microloan" in b.label)
    noted = _all(await _say(app, "", "l6", button=micro))
    assert noted.startswith("Noted: your lender is a microloan company") and "12378 does not handle" in noted


async def test_a_12378_letter_for_a_microloan_borrower_says_where_it_really_goes(app: App) -> None:
    told = _all(await _say(app, "放款方是XX小额贷款有限公司 他们天天验证码轰炸我", "l7"))
    assert "验证码" in told.split("\n")[0]  # the bombing answer: naming the lender is not a question about regulators
    letter = (await _say(app, "帮我写12378投诉材料", "l7"))[0].text
    assert letter.startswith("注意：你的放款方是小额贷款公司") and "地方金融管理部门" in letter.split("\n")[0]
    plain = (await _say(app, "帮我写12378投诉材料", "l8"))[0].text
    assert not plain.startswith("注意")  # nothing known about the lender: the letter as it is


async def test_asking_whether_it_is_a_microloan_is_not_saying_so(app: App) -> None:
    await _say(app, "我借的是网商贷 也算小贷吗", "l9")
    later = _all(await _say(app, "被催收骚扰了 去哪投诉", "l9"))
    assert "12378 不管小贷公司" not in later and "放款方是哪一类" in later  # not guessed: asked
    assert said_kind("是银行还是小贷") == ""


async def test_saying_the_kind_alone_is_heard(app: App) -> None:
    noted = _all(await _say(app, "The lender is a consumer finance company", "l10"))
    assert noted.startswith("Noted: your lender is a consumer-finance company") and "12378" in noted


async def test_unlawful_collection_does_not_cancel_the_debt(app: App) -> None:
    replies = await _say(app, "那我不还钱了行不行 反正他们违法在先", "l11")
    assert "不等于借款就不用还" in replies[0].text and "协商" in replies[0].text
    assert any("第六百七十五条" in c.label for c in replies[0].citations)


async def test_can_12378_help_gets_a_plain_no_for_a_microloan(app: App) -> None:
    await _say(app, "我借的是XX小贷 他们天天打我电话", "l12")
    replies = await _say(app, "12378能管吗", "l12")
    assert replies[0].text.startswith("先说结论：你的放款方是小额贷款公司，12378 不管小贷公司")
