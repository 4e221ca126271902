"""A link sent on its own is judged by its address: the courts' domain, a government domain, a look-alike, unknown."""

from __future__ import annotations

import pytest

from bot.sms.links import LinkKind, judge, link_question, only_links, worst


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("zxfw.court.gov.cn", LinkKind.COURT),
        ("court.gov.cn", LinkKind.COURT),
        ("www.12348.gov.cn", LinkKind.GOVERNMENT),
        ("court-gov.cn.xyz", LinkKind.LOOKALIKE),  # the official name as a prefix of someone else's domain
        ("court.gov.cn.fayuan.top", LinkKind.LOOKALIKE),
        ("www.fayuan-tongzhi.com", LinkKind.LOOKALIKE),
        ("gongan-110.cc", LinkKind.LOOKALIKE),
        ("bit.ly", LinkKind.UNKNOWN),
    ],
)
def test_the_address_decides_the_kind(host: str, kind: LinkKind) -> None:
    assert judge(host) is kind


def test_a_look_alike_outweighs_an_official_link_beside_it() -> None:
    assert worst(["zxfw.court.gov.cn", "court-gov.cn.xyz"]) == (LinkKind.LOOKALIKE, "court-gov.cn.xyz")


@pytest.mark.parametrize(
    ("text", "links", "question"),
    [
        (
            "https://court-gov.cn.xyz/notice?id=88 这个是法院的吗",
            "https://court-gov.cn.xyz/notice?id=88",
            "这个是法院的吗",
        ),
        ("is this link real? http://bit.ly/3xYz", "http://bit.ly/3xYz", "is this link real?"),
        ("zxfw.court.gov.cn/wssd/1", "zxfw.court.gov.cn/wssd/1", ""),
    ],
)
def test_a_link_with_a_short_question_about_it(text: str, links: str, question: str) -> None:
    assert link_question(text) == (links, question)


@pytest.mark.parametrize(
    "text",
    [
        "【XX法院】您有一份传票请查收 https://court-gov.cn.xyz/a 逾期不处理将强制执行",  # an SMS with a link in it
        "【美团】验证码 482913，https://i.meituan.com/a",
        "催收天天给我发短信，还说要去我单位，我想知道怎么投诉比较有用",  # no link at all
        "www.example.com",  # a bare name without a path is not taken for a link someone was sent
    ],
)
def test_anything_else_is_not_a_link_question(text: str) -> None:
    assert link_question(text) is None


def test_only_links_needs_nothing_but_links() -> None:
    assert only_links("https://a.example.com/x\nhttps://b.example.org/y") == ["a.example.com", "b.example.org"]
    assert only_links("请点击 https://a.example.com/x 办理") == []
