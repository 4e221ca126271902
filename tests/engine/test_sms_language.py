"""The SMS analysis in the person's language: English for someone who writes in English (a foreign student or worker),
with the Chinese messages and article labels quoted as they are; Chinese for a Chinese conversation."""

from __future__ import annotations

from bot.sms.dates import DATE_PREFIX
from bot.wiring import App
from tests.support import msg, say

THREAT = "【XX金融】您已逾期3天，请今日18点前还款，否则将联系您的紧急联系人。"
ENGLISH_THREAT = "Dear customer, your loan is overdue. Pay today or we will contact your family and employer."


async def test_an_english_conversation_gets_the_chinese_sms_explained_in_english(app: App) -> None:
    await say(app.engine, "hi, collectors keep texting me, can you help", user="student")
    reply = (await app.engine.handle(msg(THREAT, user="student")))[0]
    text = reply.text
    assert "collection threat" in text and "contacting your family or contacts" in text
    assert f"“{THREAT}”" in text  # the message itself is quoted as it came
    assert "《民法典》第一千零三十三条" in text  # the article as the law names it
    assert "Next step:" in text and "call 110" in text
    assert "Added to your evidence log: 1 new" in text
    assert [b.label for b in reply.buttons] == ["Evidence summary", "Export evidence list (PDF)"]
    assert not any(word in text for word in ("催收威胁", "下一步", "已记入你的证据记录", "可能违反"))
    items = await app.evidence.items("student")
    assert [i.raw_text for i in items] == [THREAT] and items[0].label == "collection_threat"  # logged the same


async def test_an_english_sms_pasted_alone_is_explained_in_english(app: App) -> None:
    text = await say(app.engine, ENGLISH_THREAT, user="worker")
    assert "collection threat" in text and "Dear customer, your loan is overdue" in text
    assert "Added to your evidence log" in text and "我看了你发来的" not in text


async def test_a_chinese_conversation_stays_chinese_and_the_reply_follows_the_person(app: App) -> None:
    await say(app.engine, "催收天天给我发短信怎么办", user="li")
    chinese = await say(app.engine, THREAT, user="li")
    assert "我看了你发来的 1 条短信：催收威胁 1 条。" in chinese and "已记入你的证据记录" in chinese
    assert "collection threat" not in chinese
    sender_english = await say(app.engine, ENGLISH_THREAT, user="li")  # the sender's language is not the person's
    assert "我看了你发来的 1 条短信" in sender_english and "You sent" not in sender_english

    await say(app.engine, "What can I do about these messages?", user="li")  # the person now writes in English
    english = await say(app.engine, THREAT, user="li")
    assert "collection threat" in english and "我看了你发来的" not in english


async def test_the_english_speakers_own_words_beside_a_paste_decide_its_language(app: App) -> None:
    text = (await app.engine.handle(msg(f"is this legal? {THREAT}", user="nurse")))[0].text
    assert "collection threat" in text and THREAT in text


async def test_the_day_question_and_its_answer_follow_an_english_conversation(app: App) -> None:
    await say(app.engine, "hi, collectors keep texting me, can you help", user="exchange")
    paste = "\n".join(f"02:0{i} 【XX金融】您已逾期{i}天，请今日还款，否则将联系您的紧急联系人。" for i in range(1, 4))
    first = await say(app.engine, paste, user="exchange")
    assert "About which day did these messages arrive?" in first and "You sent 3 message(s)" in first
    answer = (await app.engine.handle(msg(button=DATE_PREFIX + "yesterday", user="exchange")))[0].text
    assert answer.startswith("Logged: the 3 messages that showed only a time")
    assert "Added to your evidence log: 3 new" in answer
    assert len(await app.evidence.items("exchange")) == 3
