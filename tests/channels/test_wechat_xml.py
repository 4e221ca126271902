"""WeChat callbacks: signatures and safe-mode AES, XML parsing and refusal, passive replies, splitting long replies."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.channels.wechat import crypto as wechat_crypto
from bot.channels.wechat.crypto import (
    CryptoError,
    MessageCrypto,
    check_signature,
    signature,
    timestamp_fresh,
)
from bot.channels.wechat.xml_codec import (
    MAX_CHILDREN,
    BadXml,
    Kind,
    WeChatMessage,
    classify,
    clean_text,
    dedupe_key,
    menu_text,
    parse_xml,
    render_text_reply,
    reply_texts,
    split_numbered,
    to_message,
)
from bot.contract.messages import Button, Reply
from bot.texts import Texts

DATA = Path(__file__).resolve().parent.parent / "data" / "wechat"
SAMPLE: dict[str, Any] = json.loads((DATA / "safe_mode_sample.json").read_text(encoding="utf-8"))
MP = SAMPLE["official_account"]
WECOM = SAMPLE["wecom"]
CHOOSE = Texts().get("channels.choose_number")
PREFIX = re.compile(r"^（(\d+)/(\d+)）\n")


def _sample(name: str) -> WeChatMessage:
    return to_message(parse_xml((DATA / name).read_bytes()))


def _mp_crypto() -> MessageCrypto:
    return MessageCrypto(MP["token"], MP["encoding_aes_key"], MP["appid"])


def _wecom_crypto() -> MessageCrypto:
    return MessageCrypto(WECOM["token"], WECOM["encoding_aes_key"], WECOM["corp_id"], work=True)


# ---------------------------------------------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------------------------------------------


def test_published_sample_signature_checks() -> None:
    parts = (MP["token"], MP["timestamp"], MP["nonce"], MP["encrypt"])
    assert signature(*parts) == MP["msg_signature"]
    assert check_signature(MP["msg_signature"], *parts)
    assert check_signature(MP["msg_signature"].upper(), *parts)
    assert _mp_crypto().verify(MP["msg_signature"], MP["timestamp"], MP["nonce"], MP["encrypt"])


def test_signature_is_order_independent() -> None:
    assert signature("b", "a", "c") == signature("c", "b", "a")


@pytest.mark.parametrize(
    "forged",
    [
        "5d197aaffba7e9b25a30732f161a50dee96bd5fb",  # last hex digit changed
        "5d197aaffba7e9b25a30732f161a50dee96bd5f",  # truncated
        "",
        "签名",  # not ASCII: must not raise
        "0" * 40,
    ],
)
def test_forged_msg_signature_fails(forged: str) -> None:
    assert not check_signature(forged, MP["token"], MP["timestamp"], MP["nonce"], MP["encrypt"])
    with pytest.raises(CryptoError):
        _mp_crypto().verify_and_decrypt(MP["encrypt"], forged, MP["timestamp"], MP["nonce"])


def test_signature_over_other_parts_fails() -> None:
    assert not check_signature(MP["msg_signature"], MP["token"], MP["timestamp"], "1320562133", MP["encrypt"])
    assert not check_signature(MP["msg_signature"], "other-token", MP["timestamp"], MP["nonce"], MP["encrypt"])


@pytest.mark.parametrize(
    ("timestamp", "fresh"),
    [
        ("1000", True),
        ("700", True),
        ("1300", True),
        ("699", False),
        ("1301", False),
        ("", False),
        ("-1000", False),
        ("1e3", False),
        (" 1000", False),
        ("１０００", False),  # full-width digits
        ("9" * 5000, False),
    ],
)
def test_timestamp_fresh(timestamp: str, fresh: bool) -> None:
    assert timestamp_fresh(timestamp, now=1000.0, window_seconds=300) is fresh


# ---------------------------------------------------------------------------------------------------------------
# Safe mode AES
# ---------------------------------------------------------------------------------------------------------------


def test_published_sample_decrypts() -> None:
    plain = _mp_crypto().verify_and_decrypt(MP["encrypt"], MP["msg_signature"], MP["timestamp"], MP["nonce"])
    fields = parse_xml(plain)
    for key, value in MP["expected"].items():
        assert fields[key] == value
    msg = to_message(fields)
    assert classify(msg) is Kind.TEXT
    assert msg.content == "abcdteT" and msg.from_user == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


def test_other_appid_cannot_decrypt() -> None:
    crypto = MessageCrypto(MP["token"], MP["encoding_aes_key"], "wx0000000000000000")
    with pytest.raises(CryptoError):
        crypto.decrypt(MP["encrypt"])


def test_wrong_key_cannot_decrypt() -> None:
    crypto = MessageCrypto(MP["token"], "A" * 43, MP["appid"])
    with pytest.raises(CryptoError):
        crypto.decrypt(MP["encrypt"])


def _one_char_changed(text: str, index: int) -> str:
    new = "A" if text[index] != "A" else "B"
    return text[:index] + new + text[index + 1 :]


@pytest.mark.parametrize("index", [0, 1, 100, 200, 300, -3, -2, -1])
def test_one_char_changed_encrypt_fails_with_crypto_error(index: int) -> None:
    tampered = _one_char_changed(MP["encrypt"], index % len(MP["encrypt"]))
    with pytest.raises(CryptoError):
        _mp_crypto().decrypt(tampered)


def test_every_one_char_change_is_caught_and_only_as_crypto_error() -> None:
    crypto = _mp_crypto()
    decrypted_anyway = 0
    for index in range(len(MP["encrypt"])):
        tampered = _one_char_changed(MP["encrypt"], index)
        with pytest.raises(CryptoError):
            crypto.verify_and_decrypt(tampered, MP["msg_signature"], MP["timestamp"], MP["nonce"])
        try:  # never any other exception type
            crypto.decrypt(tampered)
        except CryptoError:
            continue
        decrypted_anyway += 1
    # CBC without a MAC is malleable: some changes in the first block decrypt to altered XML. Only the signature
    # catches those, which is why the channel must use verify_and_decrypt (or verify first).
    assert 0 < decrypted_anyway < 32


@pytest.mark.parametrize(
    "garbage",
    ["", "not base64!", "AAAA", "A" * 43 + "=", MP["encrypt"][:-4], MP["encrypt"] + "AAAA", "hy\nzA" + "=" * 10],
)
def test_garbage_encrypt_fails_with_crypto_error(garbage: str) -> None:
    with pytest.raises(CryptoError):
        _mp_crypto().decrypt(garbage)


def test_encrypt_decrypt_round_trip() -> None:
    crypto = _mp_crypto()
    plain = render_text_reply(
        "oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_10f6c3c3ac5a", "收到。]]> 😀 " + "中" * 700, 1409735670
    )
    envelope = parse_xml(crypto.encrypt(plain, "1320562132", "1409735670"))
    assert set(envelope) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert envelope["TimeStamp"] == "1409735670" and envelope["Nonce"] == "1320562132"
    assert envelope["MsgSignature"] == signature(MP["token"], "1409735670", "1320562132", envelope["Encrypt"])
    decrypted = crypto.verify_and_decrypt(envelope["Encrypt"], envelope["MsgSignature"], "1409735670", "1320562132")
    assert decrypted == plain


def test_encrypt_uses_fresh_randomness() -> None:
    crypto = _mp_crypto()
    assert crypto.encrypt("<xml/>", "1", "2") != crypto.encrypt("<xml/>", "1", "2")


@pytest.mark.parametrize(("nonce", "timestamp"), [("", "1"), ("1", ""), ("1]]><x>", "1"), ("1", "1<2")])
def test_encrypt_refuses_unsafe_nonce_or_timestamp(nonce: str, timestamp: str) -> None:
    with pytest.raises(ValueError):
        _mp_crypto().encrypt("<xml/>", nonce, timestamp)


def test_wecom_echo_vector() -> None:
    echo = WECOM["echo"]
    crypto = _wecom_crypto()
    assert crypto.verify(echo["msg_signature"], echo["timestamp"], echo["nonce"], echo["echostr"])
    assert not crypto.verify(echo["msg_signature"], echo["timestamp"], "437374424", echo["echostr"])
    assert crypto.decrypt_echo(echo["echostr"]) == echo["expected"]


def test_wecom_message_vector() -> None:
    vector = WECOM["message"]
    crypto = _wecom_crypto()
    plain = crypto.verify_and_decrypt(vector["encrypt"], vector["msg_signature"], vector["timestamp"], vector["nonce"])
    fields = parse_xml(plain)
    for key, value in vector["expected"].items():
        assert fields[key] == value
    assert to_message(fields).agent_id == "1"


def test_wecom_reply_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    vector = WECOM["reply"]
    monkeypatch.setattr(wechat_crypto, "_random_prefix", lambda: vector["random_prefix"])
    envelope = parse_xml(_wecom_crypto().encrypt(vector["plain"], vector["nonce"], vector["timestamp"]))
    assert envelope["Encrypt"] == vector["encrypt"]
    assert envelope["MsgSignature"] == vector["msg_signature"]


def test_wecom_round_trip_and_receive_id_is_checked() -> None:
    crypto = _wecom_crypto()
    envelope = parse_xml(crypto.encrypt("<xml><Content><![CDATA[你好]]></Content></xml>", "42", "1700000000"))
    assert parse_xml(crypto.decrypt(envelope["Encrypt"]))["Content"] == "你好"
    other = MessageCrypto(WECOM["token"], WECOM["encoding_aes_key"], "ww_other_corp", work=True)
    with pytest.raises(CryptoError):
        other.decrypt(envelope["Encrypt"])


@pytest.mark.parametrize(
    "key",
    [
        "",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",  # 42
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",  # 44
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF=",  # Base64 padding inside
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDE中",  # not Base64
    ],
)
def test_bad_key_is_a_value_error(key: str) -> None:
    with pytest.raises(ValueError, match="EncodingAESKey"):
        MessageCrypto("spamtest", key, "wx2c2769f8efd9abc2")


def test_empty_token_or_receive_id_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        MessageCrypto("", MP["encoding_aes_key"], MP["appid"])
    with pytest.raises(ValueError):
        MessageCrypto(MP["token"], MP["encoding_aes_key"], "")


# ---------------------------------------------------------------------------------------------------------------
# Samples: parse, classify, dedupe
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("text.xml", Kind.TEXT),
        ("image.xml", Kind.IMAGE),
        ("voice.xml", Kind.VOICE_TEXT),
        ("voice_norec.xml", Kind.VOICE),
        ("subscribe.xml", Kind.SUBSCRIBE),
        ("click.xml", Kind.MENU_CLICK),
        ("view.xml", Kind.IGNORED_EVENT),
        ("video.xml", Kind.UNSUPPORTED),
        ("location.xml", Kind.UNSUPPORTED),
        ("link.xml", Kind.UNSUPPORTED),
        ("wecom_text.xml", Kind.TEXT),
    ],
)
def test_sample_classifies(name: str, kind: Kind) -> None:
    assert classify(_sample(name)) is kind


def test_every_sample_file_is_covered() -> None:
    assert {p.name for p in DATA.glob("*.xml")} == {
        "text.xml",
        "image.xml",
        "voice.xml",
        "voice_norec.xml",
        "subscribe.xml",
        "click.xml",
        "view.xml",
        "video.xml",
        "location.xml",
        "link.xml",
        "wecom_text.xml",
    }


def test_text_sample_fields() -> None:
    msg = _sample("text.xml")
    assert msg.to_user == "gh_3f1b2c4d5e6a" and msg.from_user == "oAbCd1xYz2-Qw3eRt4yUi5oP6as"
    assert msg.create_time == 1718000000 and msg.msg_type == "text" and msg.msg_id == "24600000000000001"
    assert msg.content.startswith("【某某金融】您的验证码为 482913") and "\n【催收中心】" in msg.content
    assert msg.raw["MsgId"] == "24600000000000001"
    assert "482913" not in repr(msg)  # content stays out of logs


def test_image_voice_click_wecom_fields() -> None:
    image = _sample("image.xml")
    assert image.pic_url.startswith("http://mmbiz.qpic.cn/") and image.media_id.startswith("Xk2p9L")
    voice = _sample("voice.xml")
    assert voice.recognition == "催收的人一直给我打电话怎么办" and voice.format == "amr"
    assert _sample("voice_norec.xml").recognition == ""
    click = _sample("click.xml")
    assert click.event == "CLICK" and click.event_key == "cmd:steps" and menu_text(click.event_key) == "/steps"
    wecom = _sample("wecom_text.xml")
    assert wecom.agent_id == "1000002" and wecom.to_user == "ww1a2b3c4d5e6f7a8b"


def test_dedupe_key_for_messages_and_events() -> None:
    assert dedupe_key(_sample("text.xml")) == "oAbCd1xYz2-Qw3eRt4yUi5oP6as:24600000000000001"  # ids are per person
    assert dedupe_key(_sample("click.xml")) == "oAbCd1xYz2-Qw3eRt4yUi5oP6as:1718000300:CLICK:cmd:steps"
    assert dedupe_key(_sample("subscribe.xml")) == "oAbCd1xYz2-Qw3eRt4yUi5oP6as:1718000240:subscribe:"
    assert dedupe_key(_sample("click.xml")) != dedupe_key(_sample("view.xml"))


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ("subscribe", Kind.SUBSCRIBE),
        ("unsubscribe", Kind.UNSUBSCRIBE),
        ("CLICK", Kind.MENU_CLICK),
        ("click", Kind.MENU_CLICK),
        ("VIEW", Kind.IGNORED_EVENT),
        ("LOCATION", Kind.IGNORED_EVENT),
        ("SCAN", Kind.IGNORED_EVENT),
        ("TEMPLATESENDJOBFINISH", Kind.IGNORED_EVENT),
        ("enter_agent", Kind.IGNORED_EVENT),
        ("something_new", Kind.IGNORED_EVENT),
    ],
)
def test_events_classify(event: str, kind: Kind) -> None:
    msg = to_message({"FromUserName": "u", "MsgType": "event", "CreateTime": "1", "Event": event})
    assert classify(msg) is kind


@pytest.mark.parametrize("msg_type", ["shortvideo", "file", "miniprogrampage", "music", "x"])
def test_other_message_types_are_unsupported(msg_type: str) -> None:
    assert classify(to_message({"FromUserName": "u", "MsgType": msg_type})) is Kind.UNSUPPORTED


def test_voice_with_blank_recognition_is_plain_voice() -> None:
    msg = to_message({"FromUserName": "u", "MsgType": "voice", "Recognition": "  "})
    assert classify(msg) is Kind.VOICE


def test_menu_text() -> None:
    assert [menu_text(k) for k in ("cmd:steps", "cmd:evidence", "cmd:draft", "cmd:help", "cmd:mydata")] == [
        "/steps",
        "/evidence",
        "/draft",
        "/help",
        "/mydata",
    ]
    assert menu_text("cmd:forget") is None and menu_text("") is None


@pytest.mark.parametrize(
    "fields",
    [
        {"MsgType": "text"},
        {"FromUserName": "u"},
        {"FromUserName": " ", "MsgType": "text"},
        {"FromUserName": "u", "MsgType": "text", "CreateTime": "soon"},
        {"FromUserName": "u", "MsgType": "text", "CreateTime": "9" * 100},
    ],
)
def test_to_message_refuses_incomplete_fields(fields: dict[str, str]) -> None:
    with pytest.raises(BadXml):
        to_message(fields)


def test_parse_xml_values() -> None:
    fields = parse_xml(
        b"<xml><A><![CDATA[]]></A><B/><C>  x  </C><D><![CDATA[a]]>b&amp;c</D><E><Item>1</Item></E></xml>"
    )
    assert fields == {"A": "", "B": "", "C": "  x  ", "D": "ab&c", "E": ""}


# ---------------------------------------------------------------------------------------------------------------
# Hostile or broken XML
# ---------------------------------------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content></xml>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><Content>&lol9;</Content></xml>"""

TEXT_BODY = (DATA / "text.xml").read_bytes()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(XXE, id="xxe"),
        pytest.param(XXE.decode(), id="xxe-str"),
        pytest.param(BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(b'<!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml><A>1</A></xml>', id="doctype-external"),
        pytest.param(b"<!DOCTYPE xml><xml><A>1</A></xml>", id="doctype"),
        pytest.param(TEXT_BODY[: len(TEXT_BODY) // 2], id="truncated"),
        pytest.param(b"", id="empty"),
        pytest.param(b"<root><A>1</A></root>", id="non-xml-root"),
        pytest.param(b'<xml xmlns="urn:x"><A>1</A></xml>', id="namespaced-root"),
        pytest.param(bytes(range(256)) * 4, id="binary-garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="png"),
        pytest.param("<xml><Content>中文内容</Content></xml>".encode("gbk"), id="gbk"),
        pytest.param(
            '<?xml version="1.0" encoding="GBK"?><xml><Content>中文内容</Content></xml>'.encode("gbk"),
            id="gbk-declared",
        ),
        pytest.param("<xml><A>x</A></xml>".encode("utf-16"), id="utf-16"),
        pytest.param(b"<xml><A>1</A><A>2</A></xml>", id="duplicate-field"),
        pytest.param(b"<xml><A>&#1;</A></xml>", id="illegal-char-reference"),
        pytest.param(b"<xml><A>1</A></xml><xml/>", id="two-roots"),
        pytest.param(
            b"<xml>" + b"".join(b"<F%d>x</F%d>" % (i, i) for i in range(MAX_CHILDREN + 1)) + b"</xml>", id="too-many"
        ),
        pytest.param(b"<xml><A>" + b"x" * (1024 * 1024 + 1) + b"</A></xml>", id="value-over-1mb"),
        pytest.param(b"<xml><A>" + "中".encode() * 400_000 + b"</A></xml>", id="value-over-1mb-cjk"),
        pytest.param(b"<xml>" + b" " * (3 * 1024 * 1024) + b"</xml>", id="body-too-large"),
    ],
)
def test_hostile_or_broken_xml_is_bad_xml(body: bytes | str) -> None:
    with pytest.raises(BadXml):
        parse_xml(body)


def test_limits_are_inclusive() -> None:
    fields = parse_xml(b"<xml>" + b"".join(b"<F%d>x</F%d>" % (i, i) for i in range(MAX_CHILDREN)) + b"</xml>")
    assert len(fields) == MAX_CHILDREN
    assert len(parse_xml(b"<xml><A>" + b"x" * (1024 * 1024) + b"</A></xml>")["A"]) == 1024 * 1024


def test_declared_encoding_cannot_override_utf8() -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><xml><A>é中</A></xml>'.encode()
    assert parse_xml(body)["A"] == "é中"


# ---------------------------------------------------------------------------------------------------------------
# Passive replies
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("你好，收到。", id="plain"),
        pytest.param("a]]>b", id="cdata-end"),
        pytest.param("]]>]]>]]]]>>]", id="cdata-ends"),
        pytest.param("]", id="bracket-at-end"),
        pytest.param("<![CDATA[x]]></Content><Content>evil", id="injection"),
        pytest.param("a\x00b\x01c\x08d\x0be\x0cf\x1fg\x7fh\ufffei\uffffj\ud800k\udfffl", id="control-chars"),
        pytest.param("tab\tnl\ncrlf\r\ncr\rend", id="line-ends"),
        pytest.param("😀👍🏽👨‍👩‍👧 🇨🇳 𠀀", id="emoji"),
        pytest.param("中" * 5000, id="5000-chinese"),
        pytest.param("", id="empty"),
    ],
)
def test_render_text_reply_round_trips(content: str) -> None:
    xml = render_text_reply("oAbCd1xYz2-Qw3eRt4yUi5oP6as", "gh_3f1b2c4d5e6a", content, 1718000001)
    fields = parse_xml(xml.encode())
    assert fields["Content"] == clean_text(content)
    assert fields["ToUserName"] == "oAbCd1xYz2-Qw3eRt4yUi5oP6as"
    assert fields["FromUserName"] == "gh_3f1b2c4d5e6a"
    assert fields["CreateTime"] == "1718000001"
    assert fields["MsgType"] == "text"
    assert set(fields) == {"ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"}


def test_render_text_reply_shape() -> None:
    assert render_text_reply("u", "gh", "hi", 7) == (
        "<xml><ToUserName><![CDATA[u]]></ToUserName><FromUserName><![CDATA[gh]]></FromUserName>"
        "<CreateTime>7</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>"
    )


def test_clean_text() -> None:
    assert clean_text("a\x00b\ud800c\r\nd\re😀") == "abc\nd\ne😀"


# ---------------------------------------------------------------------------------------------------------------
# Splitting and reply texts
# ---------------------------------------------------------------------------------------------------------------


def _unnumber(parts: list[str]) -> list[str]:
    total = len(parts)
    bodies = []
    for i, part in enumerate(parts, 1):
        match = PREFIX.match(part)
        assert match is not None, part[:20]
        assert (int(match[1]), int(match[2])) == (i, total)
        bodies.append(part[match.end() :])
    return bodies


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_split_short_text_has_no_prefix() -> None:
    assert split_numbered("你好。") == ["你好。"]
    assert split_numbered("") == [] and split_numbered(" \n ") == []


def test_split_long_text_numbered_within_limit() -> None:
    text = "\n".join(
        f"第{i}条：催收人员不得以暴力、威胁或者侮辱等手段催收债务。请保存好通话录音和短信截图。" for i in range(200)
    )
    parts = split_numbered(text)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert _squash("".join(_unnumber(parts))) == _squash(text)


def test_split_paragraph_without_punctuation() -> None:
    text = "没有任何标点的超长段落" * 1000  # 11,000 characters, no sentence end
    parts = split_numbered(text)
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert "".join(_unnumber(parts)) == text


def test_split_with_many_parts_reserves_room_for_two_digit_numbers() -> None:
    text = "字" * 12_000  # 36,000 bytes: about 18 parts
    parts = split_numbered(text)
    assert len(parts) >= 10
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert "".join(_unnumber(parts)) == text


@pytest.mark.parametrize("offset", range(4))
def test_split_never_breaks_an_emoji(offset: int) -> None:
    text = "a" * offset + "😀" * 1500  # 4-byte characters only: every cut lands next to an emoji
    parts = split_numbered(text)
    assert len(parts) > 2
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert "".join(_unnumber(parts)) == text
    for body in _unnumber(parts):
        assert set(body.lstrip("a")) == {"😀"}  # whole emoji only, none cut into bytes or halves


def test_split_small_limit() -> None:
    parts = split_numbered("一二三四五六七八九十。" * 10, max_bytes=64)
    assert all(len(p.encode()) <= 64 for p in parts)
    with pytest.raises(ValueError):
        split_numbered("x" * 100, max_bytes=20)


def test_reply_texts_with_buttons() -> None:
    replies = [
        Reply("我先问几个问题。"),
        Reply("确定要删除你的全部数据吗？", buttons=(Button("确认删除", "forget:yes"), Button("取消", "forget:no"))),
        Reply(""),
    ]
    assert reply_texts(replies, CHOOSE) == [
        "我先问几个问题。",
        "确定要删除你的全部数据吗？\n\n回复数字选择：\n1. 确认删除\n2. 取消",
    ]


def test_reply_texts_buttons_only_and_long_text() -> None:
    long = "请按以下步骤保存证据。" * 400
    texts = reply_texts(
        [Reply(long, buttons=(Button("下一步", "next"),)), Reply("", buttons=(Button("好", "ok"),))], CHOOSE
    )
    assert all(len(t.encode()) <= 2048 for t in texts)
    assert texts[-2].endswith("回复数字选择：\n1. 下一步")
    assert texts[-1] == "回复数字选择：\n1. 好"
    assert PREFIX.match(texts[0]) is not None


def test_reply_texts_file_links() -> None:
    texts = reply_texts(
        [Reply("草稿已生成。")],
        CHOOSE,
        file_links=["https://example.org/f/abc", "https://example.org/f/def"],
        links_heading="文件下载：",
    )
    assert texts == [
        "草稿已生成。",
        "文件下载：\nhttps://example.org/f/abc",
        "文件下载：\nhttps://example.org/f/def",
    ]
