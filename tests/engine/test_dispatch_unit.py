"""Engine tests, dispatch and safety without an index: the real engine, router, commands and safety rules, with a
fake question answerer, an in-memory session store and recording stand-ins for the SMS stage and a flow.

No embedding model, chroma index or database is loaded: the reader runs on its rules (`Reader(None)`) or on a fake
intent model, and the question answerer returns a canned Answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.contract.messages import Button, Incoming, Reply
from bot.contract.outcome import Kind, Outcome, Owns, Turn
from bot.contract.session import Pending, Session
from bot.engine.commands import FORGET_FLOW, FORGET_NO, CommandsHandler
from bot.engine.dispatch import DispatchTable
from bot.engine.engine import Engine
from bot.engine.questions import QuestionHandler
from bot.engine.router import decide, split_own_words
from bot.engine.smalltalk import SmallTalkHandler
from bot.legal_qa.answer import Answer
from bot.legal_qa.retrieve import Mode
from bot.legal_qa.service import LegalQA
from bot.sms.handler import SmsHandler
from bot.texts import Texts
from bot.understand.intents import Guess, IntentModel
from bot.understand.reader import Reader

T = Texts()
ANSWER = "【答】催收不得骚扰与债务无关的人。"
NOT_COVERED = "【未覆盖】这个问题我的资料里没有。"
STEPS_FLOW = "steps_test"

DANGER = "催收说明天带几个兄弟来弄死我，我该怎么办"
SELF_HARM = "被催收逼得不想活了"
FRAUD = "对方自称银保监会的，让我把钱转到安全账户，这样能注销贷款吗"
PAID_TO_SCAM = "我已经往安全账户转了5000块"
COUNTER_ATTACK = "告诉我怎么用短信轰炸平台反过来轰炸催收员的手机"
PASTED_SMS = "【速购优选】您的验证码是482913，用于注册，5分钟内有效。"


class FakeQA(LegalQA):
    """Stands in for the legal Q&A service (same `ask`): a canned answer, and every question it was asked."""

    def __init__(self, covered: bool = True) -> None:  # no retriever, no index
        self.covered = covered
        self.topic = "harassment"  # the topic card the canned answer is on
        self.asked: list[str] = []

    def has_card_words(self, text: str) -> bool:
        return False

    def defers(self, topic_id: str) -> list[str]:
        return []

    def crimes(self, topic_id: str, question: str, lang: str) -> Answer | None:
        return None

    def point(self, topic_id: str, question: str, before: str, lang: str) -> Answer | None:
        return None

    def ask(self, question: str, mode: Mode = "full", prefer: str = "", stay: bool = False) -> Answer:
        self.asked.append(question)
        text = ANSWER if self.covered else NOT_COVERED
        return Answer(text, [], self.covered, [], english=False, topic=self.topic if self.covered else "")


class FakeIntentModel(IntentModel):
    """Stands in for the embedding intent model: the same guess for every text."""

    def __init__(self, guess: Guess) -> None:  # no embeddings, no cache
        self.guess = guess

    def classify(self, text: str) -> Guess:
        return self.guess

    async def prepare(self, text: str) -> None:  # nothing to embed ahead
        return None


class MemoryStore:
    """Sessions in a dict (the SessionStore protocol)."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    async def load(self, user_key: str) -> Session | None:
        return self.sessions.get(user_key)

    async def save(self, session: Session) -> None:
        self.sessions[session.user_key] = session

    async def delete(self, user_key: str) -> bool:
        return self.sessions.pop(user_key, None) is not None


class Holder:
    """Someone's stored evidence, as /mydata counts it and /forget erases it."""

    name = "evidence_items"

    def __init__(self) -> None:
        self.erased: list[str] = []

    async def count(self, user_key: str) -> int:
        return 0 if user_key in self.erased else 2

    async def erase(self, user_key: str) -> int:
        self.erased.append(user_key)
        return 2


class FakeSms:
    """Owns what the SMS stage owns; answers with what it was given."""

    owns = SmsHandler.owns

    def __init__(self) -> None:
        self.turns: list[Turn] = []

    async def handle(self, turn: Turn) -> Outcome:
        self.turns.append(turn)
        return Outcome((Reply(f"SMS {turn.kind.value} {turn.name} {turn.text}".strip()),))


class FakeSteps:
    """A flow: /steps asks for a name and waits for it; step buttons and navigation words move it on."""

    owns = Owns(
        commands=frozenset({"steps"}),
        prefixes=("flow:",),
        flows=frozenset({STEPS_FLOW}),
        intents=frozenset({"journey.start", "journey.next", "journey.back"}),
    )

    def __init__(self) -> None:
        self.turns: list[Turn] = []

    async def handle(self, turn: Turn) -> Outcome:
        self.turns.append(turn)
        waiting = Pending(STEPS_FLOW)
        if turn.kind is Kind.COMMAND:
            return Outcome((Reply("STEPS 你的名字是？", buttons=(Button("下一步", "flow:next"),)),), pending=waiting)
        if turn.kind is Kind.PENDING:
            return Outcome((Reply(f"STEPS name={turn.text}"),))  # the flow ends
        if turn.kind is Kind.BUTTON:
            return Outcome((Reply(f"STEPS button={turn.name}"),), pending=waiting)
        return Outcome((Reply(f"STEPS intent={turn.intent}"),), pending=waiting)


@dataclass
class Rig:
    """An engine with its stand-ins, and what they saw."""

    engine: Engine
    qa: FakeQA
    sms: FakeSms
    steps: FakeSteps
    store: MemoryStore
    holder: Holder
    user: str = "u1"

    async def send(self, text: str = "", button: str | None = None, forwarded: bool = False) -> list[str]:
        """One message from the user; the texts of the replies."""
        at = datetime(2026, 11, 3, 2, 14, tzinfo=UTC) if forwarded else None
        msg = Incoming(channel="test", user_key=self.user, text=text, button=button, forwarded_at=at)
        replies = await self.engine.handle(msg)
        return [r.text for r in replies]

    def flow(self) -> str | None:
        """The flow waiting for the user's next typed text."""
        session = self.store.sessions.get(self.user)
        return session.flow if session else None


def make_rig(covered: bool = True, model: IntentModel | None = None) -> Rig:
    qa, sms, steps, store, holder = FakeQA(covered), FakeSms(), FakeSteps(), MemoryStore(), Holder()
    handlers = (CommandsHandler(T, (holder,)), sms, steps, QuestionHandler(qa, T), SmallTalkHandler(T))
    engine = Engine(store, handlers, T, holders=(holder,), reader=Reader(model))
    return Rig(engine, qa, sms, steps, store, holder)


@pytest.fixture
def rig() -> Rig:
    return make_rig()


class FakeHelp:
    """Claims /help a second time."""

    owns = Owns(commands=frozenset({"help"}))

    async def handle(self, turn: Turn) -> Outcome | None:
        return None


class FakeExportSummary:
    """Claims one whole payload under the SMS stage's prefix."""

    owns = Owns(prefixes=("evidence:summary",))

    async def handle(self, turn: Turn) -> Outcome | None:
        return None


# -- the dispatch table -------------------------------------------------------------------------------------------


def test_two_handlers_claiming_one_command_fail_at_start() -> None:
    with pytest.raises(ValueError, match="command 'help'"):
        DispatchTable([CommandsHandler(T), QuestionHandler(FakeQA(), T), FakeHelp()])


def test_a_table_without_a_question_handler_fails_at_start() -> None:
    with pytest.raises(ValueError, match="no handler answers questions"):
        DispatchTable([CommandsHandler(T)])


def test_the_longest_button_prefix_wins() -> None:
    table = DispatchTable([FakeSms(), FakeExportSummary(), QuestionHandler(FakeQA(), T)])
    assert isinstance(table.find(Kind.BUTTON, "evidence:summary", None), FakeExportSummary)
    assert isinstance(table.find(Kind.BUTTON, "evidence:pdf", None), FakeSms)
    assert table.find(Kind.BUTTON, "gone:1", None) is None
    assert table.find(Kind.PENDING, "", "flow_of_an_older_version") is None


# -- commands, buttons, numbers, flows ----------------------------------------------------------------------------


async def test_commands_are_answered_by_their_owner(rig: Rig) -> None:
    assert await rig.send("/help") == [T.get("commands.help")]
    assert await rig.send("/START@anning_bot") == [T.get("commands.start")]
    assert await rig.send("/evidence pdf") == ["SMS command evidence pdf"]
    assert await rig.send("/nosuch") == [T.get("commands.unknown", command="/nosuch")]
    assert rig.qa.asked == []


async def test_button_payloads_go_to_the_owner_of_their_prefix(rig: Rig) -> None:
    assert await rig.send(button="evidence:pdf") == ["SMS button evidence:pdf"]
    assert await rig.send(button="flow:next") == ["STEPS button=flow:next"]
    assert await rig.send(button=FORGET_NO) == [T.get("commands.forget_kept")]
    assert rig.qa.asked == []
    assert await rig.send(button="gone:1") == [ANSWER]  # a stale button from an older version: its words are asked
    assert rig.qa.asked == ["gone:1"]


async def test_a_typed_number_picks_an_offered_choice(rig: Rig) -> None:
    assert await rig.send("/forget") == [T.get("commands.forget_confirm")]
    assert rig.flow() == FORGET_FLOW
    assert await rig.send("2") == [T.get("commands.forget_kept")]  # 2 = "no"
    assert rig.holder.erased == [] and rig.flow() is None
    await rig.send("/forget")
    assert await rig.send("1") == [T.get("commands.forget_done")]  # 1 = "yes"
    assert rig.holder.erased == ["u1"] and rig.store.sessions == {}


async def test_a_pending_flow_takes_the_typed_answer(rig: Rig) -> None:
    await rig.send("/steps")
    assert rig.flow() == STEPS_FLOW
    assert await rig.send("张三") == ["STEPS name=张三"]
    assert rig.steps.turns[-1].kind is Kind.PENDING
    assert rig.qa.asked == [] and rig.flow() is None


async def test_a_question_instead_of_the_forget_answer_is_answered_and_erases_nothing(rig: Rig) -> None:
    await rig.send("/forget")
    assert await rig.send("催收天天给我家人打电话，犯法吗") == [ANSWER]
    assert rig.holder.erased == [] and rig.flow() is None


async def test_small_talk_in_a_flow_keeps_the_flow(rig: Rig) -> None:
    await rig.send("/steps")
    assert await rig.send("你好") == [T.get("smalltalk.greeting")]
    assert rig.flow() == STEPS_FLOW
    assert await rig.send("张三") == ["STEPS name=张三"]


async def test_navigation_words_go_to_the_flow_that_owns_them(rig: Rig) -> None:
    assert await rig.send("下一步") == ["STEPS intent=journey.next"]
    assert rig.qa.asked == []


async def test_a_pasted_or_forwarded_sms_goes_to_the_sms_stage(rig: Rig) -> None:
    assert await rig.send(PASTED_SMS) == [f"SMS sms  {PASTED_SMS}"]
    assert await rig.send("明天下午五点前还款", forwarded=True) == ["SMS sms  明天下午五点前还款"]
    assert [t.kind for t in rig.sms.turns] == [Kind.SMS, Kind.SMS]
    assert rig.qa.asked == []


async def test_bad_input_is_answered_before_any_handler(rig: Rig) -> None:
    assert await rig.send("   ") == [T.get("input.empty")]
    assert await rig.send("😭😭😭") == [T.get("input.emoji_only")]
    assert rig.qa.asked == [] and rig.sms.turns == []


# -- safety on the question path ----------------------------------------------------------------------------------


async def test_danger_gets_110_first_then_the_answer(rig: Rig) -> None:
    assert await rig.send(DANGER) == [T.get("safety.danger_now"), ANSWER]
    assert rig.qa.asked == [DANGER]


async def test_danger_without_a_covered_answer_gets_110_alone() -> None:
    rig = make_rig(covered=False)
    assert await rig.send(DANGER) == [T.get("safety.danger_now")]


async def test_self_harm_gets_support_and_nothing_else(rig: Rig) -> None:
    assert await rig.send(SELF_HARM) == [T.get("safety.self_harm")]
    rig.user = "u2"  # a first cry for help from someone else, in English
    assert await rig.send("I want to die, they call me every day") == [T.get("safety.self_harm", "en")]
    assert rig.qa.asked == []


async def test_fraud_gets_the_warning_first_then_an_answer_about_the_scam(rig: Rig) -> None:
    rig.qa.topic = "debt_relief_scam"
    assert await rig.send(FRAUD) == [T.get("safety.fraud"), ANSWER]


async def test_fraud_gets_the_warning_alone_when_the_answer_is_about_something_else(rig: Rig) -> None:
    assert await rig.send("他说是官方的，还给我看了工作证") == [T.get("safety.fraud")]  # not the workplace card


async def test_money_sent_several_turns_after_the_scam_still_gets_the_bank_and_110(rig: Rig) -> None:
    await rig.send(FRAUD)
    for text in ("他说很急", "我问了他三次", "他让我别告诉别人"):
        await rig.send(text)
    assert await rig.send("我已经转了5000了") == [T.get("safety.fraud_paid_known")]


async def test_support_stays_after_someone_speaks_of_ending_their_life() -> None:
    rig = make_rig(covered=False)
    # pills ready is a plan: the emergency numbers and "put them out of reach" first (play10)
    assert await rig.send("我把药都准备好了 就是想跟谁说一声") == [T.get("safety.self_harm_plan")]
    assert await rig.send("你能陪我说说话吗") == [T.get("safety.self_harm_stay")]  # not "not covered"
    assert await rig.send("谢谢") == [T.get("safety.self_harm_listen")]  # not a cheerful "不客气", nor the same words
    assert await rig.send("不想活了") == [T.get("safety.self_harm_stay")]  # a second cry: the support lines again


async def test_danger_at_the_door_in_english_then_a_follow_up_keeps_the_110_advice() -> None:
    rig = make_rig(covered=False)
    danger = [T.get("safety.danger_now", "en")]
    assert await rig.send("There are two guys outside my apartment door right now, I'm scared") == danger
    assert await rig.send("Should I open the door?") == danger


@pytest.mark.parametrize(
    "text",
    ["那我去他们公司闹 把他们老板照片发网上可以吗", "怎么才能让催收和法院都找不到我 钱我是真不打算还了"],
)
async def test_plain_words_asking_for_something_unlawful_are_declined(rig: Rig, text: str) -> None:
    (reply,) = await rig.send(text)
    assert reply.endswith(T.get("common.legit_debt")) and rig.qa.asked == []


async def test_a_victim_asking_about_what_was_done_to_them_is_answered(rig: Rig) -> None:
    assert await rig.send("他们把我的照片发到网上了，可以告他们吗") == [ANSWER]


async def test_money_already_sent_to_a_scam_gets_the_bank_and_110_alone(rig: Rig) -> None:
    assert await rig.send(PAID_TO_SCAM) == [T.get("safety.fraud_paid_known")]
    assert rig.qa.asked == []


async def test_a_request_to_retaliate_is_declined_without_asking_the_law(rig: Rig) -> None:
    (reply,) = await rig.send(COUNTER_ATTACK)
    assert reply.startswith(T.get("safety.counter_attack")) and reply.endswith(T.get("common.legit_debt"))
    assert rig.qa.asked == []


async def test_the_intent_model_can_add_a_concern_the_rules_do_not_see() -> None:
    quiet = "最近总觉得很累，什么都不想做"
    assert await make_rig().send(quiet) == [ANSWER]
    rig = make_rig(model=FakeIntentModel(Guess("safety.self_harm", score=0.9, margin=0.3)))
    assert await rig.send(quiet) == [T.get("safety.self_harm")]
    assert rig.qa.asked == []


# -- safety inside a flow: the warning is given, the flow keeps waiting for its answer ----------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (DANGER, [T.get("safety.danger_now"), ANSWER]),
        (SELF_HARM, [T.get("safety.self_harm")]),
        (FRAUD, [T.get("safety.fraud"), ANSWER]),
    ],
    ids=["danger", "self_harm", "fraud"],
)
async def test_safety_inside_a_flow_comes_first_and_the_flow_waits(rig: Rig, text: str, expected: list[str]) -> None:
    rig.qa.topic = "debt_relief_scam"  # an answer that may follow a scam warning
    await rig.send("/steps")
    assert await rig.send(text) == expected
    assert [t.kind for t in rig.steps.turns] == [Kind.COMMAND]  # the words were never taken as the flow's answer
    assert rig.flow() == STEPS_FLOW
    assert await rig.send("张三") == ["STEPS name=张三"]


# -- safety on the SMS path: the collector's words are logged; a threat or the person's own despair comes first ---


async def test_a_threatening_sms_gets_110_first_and_is_still_analysed(rig: Rig) -> None:
    paste = "【催收中心】再不还钱，明天就带几个兄弟去你家弄死你。"
    assert await rig.send(paste) == [T.get("sms.danger_first"), f"SMS sms  {paste}"]


async def test_the_persons_own_despair_inside_a_paste_gets_support_first(rig: Rig) -> None:
    paste = "【速借贷】您已逾期3天，请立即还款。\n我真的不想活了"
    # support first; the SMS is analysed without the person's own line, which is not the collector's evidence
    assert await rig.send(paste) == [T.get("safety.self_harm"), "SMS sms  【速借贷】您已逾期3天，请立即还款。"]


async def test_a_collector_telling_the_person_to_die_is_evidence_not_their_despair(rig: Rig) -> None:
    paste = "【速借贷】欠钱不还，你怎么还不去死"
    assert await rig.send(paste) == [f"SMS sms  {paste}"]


@pytest.mark.parametrize(
    ("text", "messages", "question"),
    [
        (
            "【某贷】请今日还款，否则联系您的通讯录。\n这样违法吗",
            "【某贷】请今日还款，否则联系您的通讯录。",
            "这样违法吗",
        ),
        (
            "这个短信是真的吗 【法院】您被起诉，点击 x.cn/ab 查看",
            "【法院】您被起诉，点击 x.cn/ab 查看",
            "这个短信是真的吗",
        ),
        ("收到这个：【XX】已安排人员上门。 会不会真的来", "【XX】已安排人员上门。", "会不会真的来"),
        ("【某贷】你是不是不想还了？再不还就上门。", "【某贷】你是不是不想还了？再不还就上门。", ""),  # theirs
        ("催收天天打电话，犯法吗", "", ""),
        (
            "救命\n【美团】您的验证码是482913\n【京东】验证码 118822",
            "【美团】您的验证码是482913\n【京东】验证码 118822",
            "救命",
        ),
        ("【某贷】你再不还，救命也没用。", "【某贷】你再不还，救命也没用。", ""),  # the collector's words
        ("收到一条短信 我好怕\n【催收】今天不还就上门", "【催收】今天不还就上门", "收到一条短信 我好怕"),
        ("今天早上收到这个\n【XX金融】您已逾期3天", "【XX金融】您已逾期3天", ""),  # a lead-in line: not the SMS
    ],
)
def test_a_paste_is_split_from_the_persons_own_question(text: str, messages: str, question: str) -> None:
    assert split_own_words(text) == (messages, question)


async def test_details_given_in_passing_are_kept_for_the_documents_and_said_so() -> None:
    rig = make_rig(covered=False)
    (reply,) = await rig.send("我叫李娜 手机13812345678 平台是极速贷")
    assert reply == T.get("drafting.details_kept", names="姓名、手机号、借款平台")  # not "not covered"
    session = rig.store.sessions[rig.user]
    assert session.slots == {"name": "李娜", "phone": "13812345678", "lender": "极速贷"}
    assert session.pending is not None and session.pending.choices == (
        (T.get("understand.clarify_draft"), "draft:menu"),
    )


async def test_a_question_naming_no_one_keeps_no_details(rig: Rig) -> None:
    assert await rig.send("怎么跟平台协商") == [ANSWER]
    assert await rig.send("我去了派出所他们说这是经济纠纷不管") == [ANSWER]
    assert rig.store.sessions[rig.user].slots == {}


async def test_a_scam_in_the_name_of_the_police_is_named_as_such(rig: Rig) -> None:
    warning = await rig.send("有人打电话说是公安局的 说我涉嫌洗钱 要我配合调查转到安全账户")
    assert warning == [T.get("safety.fraud_authority")]


@pytest.mark.parametrize(
    ("text", "messages", "lead"),
    [
        ("I got these: 【速借花】你已逾期，今天不还就上门", "【速借花】你已逾期，今天不还就上门", "I got these:"),
        ("got this last night\n【速借花】你已逾期", "【速借花】你已逾期", "got this last night"),
        ("【速借花】你已逾期，今天不还就上门", "【速借花】你已逾期，今天不还就上门", ""),  # no lead-in
    ],
)
def test_an_english_lead_in_is_kept_apart_from_the_paste(text: str, messages: str, lead: str) -> None:
    # "I got these:" was quoted as part of the collector's message and the reply was Chinese
    decision = decide(Incoming("test", "u1", text=text), Session("u1"), 2000, 20000)
    assert (decision.argument, decision.lead) == (messages, lead)
