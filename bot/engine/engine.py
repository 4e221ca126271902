"""Engine: Engine.handle(incoming) -> replies; per-user lock, load session, route, one dispatch, save."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.contract.messages import Button, Incoming, Reply
from bot.contract.outcome import KEEP, Handler, Keep, Kind, Leaves, Outcome, Turn
from bot.contract.payloads import DRAFT_PREFIX
from bot.contract.session import MEMORY_TURNS, MemoryTurn, Pending, Session, SessionStore, recent
from bot.engine.commands import Eraser
from bot.engine.dispatch import DispatchTable
from bot.engine.questions import WHAT_NOW
from bot.engine.router import Decision, Route, decide
from bot.locks import KeyedLocks
from bot.sms.links import LINK_CHECK, LINK_SCAM
from bot.texts import Texts, language_of, paste_language
from bot.understand.condense import main_point
from bot.understand.lender import KINDS, NOT_12378, SLOT, LenderRouting, said_kind
from bot.understand.reader import Reader, Reading
from bot.understand.safety import (
    BEREAVED,
    BLOCKING,
    IMMINENT,
    METHOD,
    OTHER_NOW,
    SAFER,
    SOMEONE_ELSE,
    Concern,
    check,
    impersonates_authority,
)

_DECLINE_KEYS = {
    Concern.COUNTER_ATTACK: "safety.counter_attack",
    Concern.DOXXING: "safety.doxxing",
    Concern.FORGERY: "safety.forgery",
    Concern.EVADE: "safety.evade",
}

_LOOK_UP = re.compile(r"查|身份证|住址|住哪|家在哪|人肉|真实姓名|是谁|找到他")  # doxxing by looking someone up
# someone at home doing the violence ("老公喝醉了打我", "my husband hits me"), not collectors threatening the family
_FAMILY = re.compile(
    r"(老公|丈夫|男朋友|男友|前夫|老婆|妻子|女朋友|我爸|爸爸|继父|家里人)[^，。,\s]{0,6}(打|揍|动手|踢|掐|推)|家暴|"
    r"(husband|boyfriend|partner|my (dad|father)) (hits|hit|beats|beat|is hitting|is beating)",
    re.IGNORECASE,
)
_POSTING = re.compile(
    r"发到|发在|发进|挂到|挂在|挂出来|公开|曝光|群里|朋友圈|网上|post", re.IGNORECASE
)  # putting it out
# the other person owes them ("借钱不还 我能在群里曝光他吗"): a creditor, not someone chased by collectors
_OWED_TO_THEM = re.compile(
    r"欠我|借了?我的?(钱)?(\d|一|两|几)?.{0,4}不还|借钱不还|欠钱不还|赖账|不还钱|owes? me|won'?t pay me back", re.I
)

_ROUTE_KINDS = {
    Route.COMMAND: Kind.COMMAND,
    Route.BUTTON: Kind.BUTTON,
    Route.PENDING: Kind.PENDING,
    Route.SMS: Kind.SMS,
    Route.ATTACHMENT: Kind.ATTACHMENT,
    Route.QUESTION: Kind.QUESTION,
}
# details that show a person is telling their case for the record: who they are, the contract, their complaint
_PERSONAL = frozenset({"name", "phone", "id_number", "contract_no", "lender_complaint_date", "lender_reply", "lender"})
# pages that do not belong under the 110 advice while danger is at hand ("they will come tonight": not night-time rules)
_OFF_DANGER = frozenset(
    {"night_time", "lawsuit", "lawsuit_cost_time", "credit_report", "negotiation", "data_rights", "limitation_period"}
)
_SCAM_TOPICS = frozenset({"fake_legal", "being_sued", "debt_relief_scam", "credit_report"})  # may follow a scam warning
# "110打了还没来", "警察还没到": right after danger, what to do while waiting
_WAITING = re.compile(
    r"(110|警察|民警|报警).{0,8}(没来|还没|没到|不来|没人来|没出警|不管|马上到|马上来|在路上|快到了|正赶来|"
    r"([0-9一二三四五六七八九十几]+|半)(个)?(分钟|小时)(就|能|会)?(到|来))|等(警察|民警|110)|"
    r"(还在|不走|没走|不肯走|赖着)|not (here|come)|still (here|there|outside)|(police|they)('re| are) on (their|the) way|"
    r"someone is coming|(said|say) (they|someone)('ll| will| is| are)? (come|coming)|waiting for the police",
    re.IGNORECASE,
)
# "是真的吗", "真的假的" right after an answer: about that, not "are you a real person?"
_IS_IT_TRUE = re.compile(
    r"^(那|这|这个|他说的|他们说的)?(是)?(真的吗|真的假的|真的|是真的吗|靠谱吗|可信吗)[？?。！!]*$"
)
# after a scam warning: "那我能告他吗", "钱能要回来吗" (the police investigate and recover; a lawsuit is not the way)
_SUE_SCAMMER = re.compile(r"告(他|她|他们|对方)|起诉|打官司|sue|take (him|them) to court", re.IGNORECASE)
# after a scam warning: "我还没转", "还没给他钱", "没点" (nothing paid yet)
_NOT_PAID = re.compile(r"(还没|没有|没)(转|给|付|交|汇|打|点)|haven'?t (paid|sent|transferred)|not yet", re.IGNORECASE)
# after a scam warning, wavering: "他说的挺专业的", "有工号的", "知道我身份证号", "不像骗子"
_DOUBT = re.compile(
    r"(说的|讲的|看着|听着|听起来|挺|很|特别|好)专业|有工号|工号|有编号|知道我.{0,4}(身份证|名字|姓名|住址|欠款|借款|号码)|不像(是)?骗|像(是)?真的|是真的吧|"
    r"应该是真的|会不会是真的|sounds? (real|legit)|knows? my (name|id)",
    re.IGNORECASE,
)
# asking whether to pay: with a scam in view, the scam warning comes first
_PAY_ASK = re.compile(
    r"(要不要|该不该|能不能|可不可以|需不需要|是不是要|要|该)(先)?(转|打|汇|交|付)(钱|账|款|过去)|转不转|打不打钱|"
    r"should i (pay|transfer|send)",
    re.IGNORECASE,
)
_CALL_POLICE = re.compile(
    r"(要|该|能|可以|需要|要不要|该不该|能不能|有必要)(现在)?报警|报警(吗|有用|管用)|call (the )?police\?|should i call",
    re.IGNORECASE,
)
_CALMER = re.compile(r"对不起|不好意思|抱歉|冲动|气话|冷静|算了|sorry|calm", re.IGNORECASE)
# the person they worried about is safe again ("他媳妇说他在家 没事", "我把她拉回屋里了"): relief, and what tonight needs
_SAFE_AGAIN = re.compile(
    r"没事了?|安全了|找到(他|她)了|(他|她)在家|接电话了|(he|she)('s| is) (ok|okay|safe|fine|home|inside)|found (him|her)|"
    r"pulled (him|her) (inside|back|in|down)|got (him|her) (inside|down|back)|拉(回来|下来|进来)了|"
    r"(把|给)(他|她)(拉|拽|劝|抱|扶)(回|进|下)(了)?(屋|屋里|房间|家|来)",
    re.I,
)
# the person they worry about cannot be reached or is far away: people near them, the police where they are
_FAR = re.compile(
    r"不接(我的?)?电话|联系不上|找不到(他|她)|在外地|过不去|赶不过去|不回(我的?)?(消息|信息|微信)|关机|"
    r"can'?t reach|not answering|won'?t answer|(lives|is) far away|too far",
    re.IGNORECASE,
)
# someone else has already taken pills or poison: an ambulance first
_TOOK = re.compile(
    r"(吞|吃|喝)了.{0,10}(药|安眠药|农药|片)|药.{0,4}(吃了|吞了)|(took|swallowed|has taken|taken).{0,30}(pills|tablets|meds|medicine|poison)",
    re.IGNORECASE,
)
# the person at risk is a woman or girl: the texts about helping them say 她, not 他
_SHE = re.compile(
    r"她|女儿|闺女|妹|姐|我妈|妈妈|母亲|奶奶|外婆|姥姥|姑姑|阿姨|老婆|妻子|媳妇|女朋友|闺蜜|婆婆|岳母|丈母娘"
)


def _for_her(body: str, text: str, session: Session) -> str:
    """A text about helping someone at risk, with 她 for 他 when that person is a woman (in this message or the one
    that first spoke of them)."""
    pronoun = re.search("[他她]", text)  # the pronoun in this message decides; without one, who is named
    earlier = next((turn.text for turn in reversed(session.memory) if turn.intent == "safety.self_harm_other"), "")
    she = pronoun.group(0) == "她" if pronoun else bool(_SHE.search(text) or _SHE.search(earlier or ""))
    return re.sub(r"(?<!其)他", "她", body) if she else body


# a parent's despair that takes the child along ("想带着孩子一起走了算了")
_WITH_CHILD = re.compile(
    r"(带着?|抱着?|和|跟)(孩子|儿子|女儿|娃).{0,4}一起|(with|take) my (kids?|son|daughter|children)", re.I
)
# hurt already: an ambulance as well as the police
_HURT = re.compile(r"流血|出血|打伤|受伤|骨折|头破|晕(了|过去)|bleeding|injured|hurt badly|broken", re.IGNORECASE)
# the one paid has vanished: a scam, whatever the answer would have been ("转了5000 现在联系不上了", "he blocked me")
_VANISHED = re.compile(
    r"联系不上|找不到人|拉黑|删了我|不回(我)?(消息|电话)|blocked me|disappeared|not (answering|replying)", re.I
)
# the writer's own despair beside a loss ("他自杀了 我也不想活了"): their own crisis comes first
_OWN_DESPAIR = re.compile(
    r"我(也|都)?(不想活|想死|活不下去|想跟|想随|撑不下去)|\bi (also )?(want to die|can'?t go on)", re.I
)
_CRISIS_LINE = re.compile(r"12356|热线|hotline|crisis line", re.IGNORECASE)  # the crisis line, by number or name
# After despair: they called the hotline and nobody answered
_NO_ANSWER = re.compile(
    r"没人接|没有人接|打不通|占线|没接通|没打通|一直忙音|no ?one (answered|picked up|picks up)|nobody (answered|picked up|picks up)|"
    r"(line )?(is|was) (always |still )?busy|can'?t get through|ring(s|ing)? out|keeps ringing",
    re.IGNORECASE,
)
# after a scam: a code, password or card number already given away
_GAVE = re.compile(
    r"(验证码|密码|卡号|银行卡号|身份证号?).{0,6}(告诉|给|发给|报给|念给|说给)(了)?(他|她|对方)?|"
    r"(告诉|给|发给|报给|念给)(了)?(他|她|对方).{0,4}(验证码|密码|卡号)|gave (him|them) (the|my) (code|password)",
    re.IGNORECASE,
)
# right after danger: "我不敢报警 怕他们报复", "我现在在公司 不敢回家"
_AFRAID = re.compile(r"不敢|怕(他们|报复|被)|害怕|好怕|afraid|scared", re.IGNORECASE)
_GONE = re.compile(
    r"(走了|离开了|散了|没人了|不见了|带走|带去|带回|劝走|赶走|警察走了)|"
    r"\b(they('ve| have)? (left|gone)|gone now|(guys|men|they|he) left|police (came|left|took)|took (him|them) (out|away))\b",
    re.IGNORECASE,
)
# a relative setting off to fight the collectors: reach him and have the police stop him, before anyone is hurt
_GOING_TO_FIGHT = re.compile(
    r"(哥|弟|爸|老公|丈夫|儿子|老婆|媳妇|叔|舅|表哥|堂哥|兄弟|朋友|男朋友).{0,12}"
    r"((拎|提|拿|抄|带|握|举)(着|起|了)?.{0,4}(刀|菜刀|棍|棒|杖|扳手|锤子|斧头|铁锹|钢管|砖)|要去.{0,12}(砸|打|砍|捅|拼命|算账|拼了))",
    re.IGNORECASE,
)
_DANGER_OVER = "safety.danger_after"  # the intent of the reply once the danger has gone
# someone else sent them away, said as news ("保安把那人赶出去了 现在该干嘛"): the danger is over, what now
_REMOVED = re.compile(
    r"(保安|警察|民警|邻居|物业|门卫|路人|同事|家人|老公|老婆).{0,6}(把)?(那人|那个人|他们|他|催收的?|那几个人|人)?.{0,4}"
    r"(赶走|赶出去|轰走|带走|劝走|请走|拉走|撵走)了|"
    r"\b(security|the police|police|guards?|neighbou?rs?) (took|threw|kicked|walked|escorted) (him|them|the (man|guy|collector)) (out|away)|"
    r"\b(security|police|guards?|neighbou?rs?|the cops)\b.{0,30}\b(made (them|him) (leave|go)|(chased|ran|scared|sent) (them|him) (off|away)|got rid of (them|him))",
    re.IGNORECASE,
)
# still shaken afterwards: "腿还在抖", "心还在跳", "can't stop shaking"
_SHAKEN = re.compile(
    r"抖|发抖|心(还在|一直)?(跳|慌)|吓(坏|死|得)|缓不过|睡不着|shak|trembl|heart (is )?(still )?racing", re.I
)
# Soon after these, a vague or uncovered message gets the safety text again (support stays; 110 stays).
_STAYS = {"safety.self_harm": ("safety.self_harm_stay", 3), "safety.danger": ("safety.danger_now", 1)}  # (text, turns)
# Not remembered: a refused input, an SMS without analysis, a command, details typed into a document (kept as slots).
_UNREMEMBERED = ("input", "sms", "command", "draft.fill")

_WORDLESS = (Kind.COMMAND, Kind.BUTTON, Kind.ATTACHMENT)  # their text is a name, a payload or nothing


class Engine:
    """The channel-agnostic core: every channel calls handle() and sends what it returns."""

    def __init__(
        self,
        store: SessionStore,
        handlers: Sequence[Handler],
        texts: Texts,
        max_text_chars: int = 4000,
        max_paste_chars: int = 200_000,
        max_file_bytes: int = 10 * 1024 * 1024,
        lanes: int = 8,
        holders: Sequence[Eraser] = (),
        reader: Reader | None = None,
        lenders: LenderRouting | None = None,
    ) -> None:
        self.store = store
        self.lenders = lenders  # None: regulator advice stays either-or (banks 12378, microloans the local regulator)
        self.reader = reader or Reader(None)
        self.table = DispatchTable(handlers)
        self.texts = texts
        self.max_text_chars = max_text_chars
        self.max_paste_chars = max_paste_chars
        self.max_file_bytes = max_file_bytes  # channels refuse bigger downloads before they reach a handler
        self.holders = tuple(holders)  # everything else holding the user's data, erased by /forget
        self._locks: KeyedLocks[str] = KeyedLocks()
        self._lanes = asyncio.Semaphore(max(1, lanes))  # messages worked on at once; the rest wait their turn

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Process one message; messages of one user are handled one at a time, in order."""
        return list((await self.respond(msg)).replies)

    async def respond(self, msg: Incoming) -> Outcome:
        """Process one message and say how it was understood (the replies plus the intent). At most `lanes`
        typed messages are worked on at once: under a flood the rest wait here, holding no database connection, so
        the event loop stays free for the channels' deadlines. Screenshots and backups take no lane: they wait in the
        OCR and import queues, which have their own bounds, and must not hold lanes questions need."""
        lane = self._lanes if not msg.attachments else contextlib.nullcontext()  # files wait in their own queues
        async with self._locks.lock(msg.user_key), lane:
            stored = await self.store.load(msg.user_key)
            if msg.key and stored is not None and stored.handled == msg.key:  # a replay after a crash: applied
                return Outcome((Reply(self.texts.get("engine.replayed")),), pending=KEEP, intent="replayed")
            now = datetime.now(UTC)
            session = stored or Session(msg.user_key, created_at=now.isoformat(timespec="seconds"))
            session = replace(session, memory=recent(session.memory, now))  # expired turns are gone, also from /mydata
            decision = decide(msg, session, self.max_text_chars, self.max_paste_chars)
            outcome = self._stay_with(await self._dispatch(msg, session, decision), session, msg.text)
            outcome = self._routed(outcome, session, msg, pasted=decision.route is Route.SMS)
            if outcome.erase:
                for holder in self.holders:
                    await holder.erase(msg.user_key)
                await self.store.delete(msg.user_key)
                return outcome
            after = outcome.session or session
            after = replace(
                after,
                pending=next_pending(session.pending, outcome),
                memory=remember(after, msg, outcome, now),
                handled=msg.key or after.handled,
            )
            if stored is not None or not after.is_blank():  # keep nothing about a user who left no state
                await self.store.save(after)
            return outcome

    async def _dispatch(self, msg: Incoming, session: Session, decision: Decision) -> Outcome:
        problem = self._input_problem(decision)
        if problem is not None:
            return Outcome((Reply(problem),), pending=KEEP, intent="input")
        kind = _ROUTE_KINDS[decision.route]
        text = decision.argument if kind is not Kind.BUTTON else ""
        name = decision.command if kind is Kind.COMMAND else decision.argument if kind is Kind.BUTTON else ""
        first: tuple[Reply, ...] = ()
        label = ""
        if kind in (Kind.QUESTION, Kind.PENDING) and len(text) > self.max_text_chars:  # a ramble: its main point
            text = main_point(text)
            first = (Reply(self.texts.get("understand.main_point", point=text)),)
        if kind is Kind.QUESTION:
            text = self.reader.correct(text)  # "催手天天发验正码" is read as "催收天天发验证码"
        reading = None
        if kind in (Kind.QUESTION, Kind.PENDING) and text:
            await self.reader.prepare(text)  # the intent model's embedding, in a worker thread
        if kind is Kind.QUESTION and text:  # in context: a model reader (if configured) reads the recent turns too
            reading = await self.reader.read_in_context(text, session.memory, msg.user_key)
        elif kind in (Kind.PENDING, Kind.SMS) and text:
            reading = self.reader.read(text)
        if reading is not None and first:  # a ramble read on its main point: safety still reads all of it
            whole = tuple(c for c in check(decision.argument).concerns if c not in BLOCKING)
            reading = replace(reading, concerns=tuple(dict.fromkeys((*reading.concerns, *whole))))
        earlier = [m.text for m in session.memory]
        # the locale of every reply to this turn: its words' language; for a press, a command, a screenshot or a
        # reply with no words of a language ("1", "ok"), that of the person's last words that show one
        lang = paste_language("" if kind in _WORDLESS else text, earlier, "")
        if kind is Kind.SMS:  # a paste is answered in the person's language, not the quoted sender's
            lang = paste_language(decision.question or decision.lead, earlier, text)

        async def ask(question: str, current: Session) -> Outcome:
            turn = Turn(msg, current, Kind.QUESTION, text=question, intent="question", lang=language_of(question))
            return await self.table.for_kind(Kind.QUESTION).handle(turn) or Outcome(())

        if reading is not None:
            urgent = self._safety(kind, reading, text, session, lang)
            if urgent is not None and urgent.pending is KEEP:  # the safety reply is the whole answer
                return urgent
            if urgent is not None:
                first, label = (*urgent.replies, *first), urgent.intent or "safety.danger"
        if reading is not None and reading.standalone and kind is Kind.QUESTION:  # a follow-up, made to stand alone
            text = reading.standalone
        handler = self.table.find(kind, name, session.flow)
        keep_flow = bool(label) and kind is Kind.PENDING
        if keep_flow:  # words of danger or a scam are never an answer to a flow's question; the flow waits
            kind, handler = Kind.QUESTION, self.table.for_kind(Kind.QUESTION)
        intent = kind.value
        turn_step = turn_document = None
        details: tuple[tuple[str, str], ...] = ()
        if reading is not None and kind is not Kind.SMS:
            intent = reading.intent
            turn_step, turn_document, details = reading.step, reading.document, reading.details
            owner = self.table.for_intent(reading.intent)
            takes_over = kind is Kind.QUESTION or (reading.by == "rules" and reading.intent != "question")
            if kind is Kind.PENDING and handler is not None and handler.owns.navigates:  # "跳过" skips a field
                takes_over = takes_over and not reading.intent.startswith("journey.")
            if owner is not None and takes_over:
                handler = owner
        waiting = self.table.find(Kind.PENDING, "", session.flow) if session.flow and not keep_flow else None
        if waiting is not None and waiting is not handler and isinstance(waiting, Leaves):
            await waiting.leave(session)  # "帮我写投诉信" while a paste waits for its day: the paste is logged first
        if handler is None:
            if kind is Kind.COMMAND:
                return Outcome((Reply(self.texts.get("commands.unknown", command="/" + name)),), pending=KEEP)
            text = text or decision.argument  # a stale button or an unknown flow: its words are answered as a question
            return _with_first(first, await ask(text, session), label or "question")
        if details and intent == "draft.request":  # "帮我写投诉信 我叫张伟 电话…": the letter opens with them filled in
            session = replace(session, slots={**session.slots, **dict(details)})
        turn = Turn(msg, session, kind, name, text, ask, intent, turn_step, turn_document, details, lang)
        outcome = await handler.handle(turn)
        if outcome is None:
            outcome = await ask(text, session)
        elif (outcome.intent or intent) == "smalltalk.who" and _IS_IT_TRUE.match(text) and session.memory:
            outcome = await ask(text, session)  # "是真的吗" after an answer: about what was said, not about the bot
        elif (outcome.intent or intent).startswith("smalltalk") and WHAT_NOW.match(text) and _asked_before(session):
            outcome = await ask(text, session)  # "那怎么办" right after an answer: its next steps, not the menu
        off_scam = label == "safety.fraud" and outcome.topic not in _SCAM_TOPICS
        off_danger = label == "safety.danger" and outcome.topic in _OFF_DANGER
        if label and (outcome.intent == "not_covered" or off_scam or off_danger):  # the 110 or scam warning answers
            outcome = replace(outcome, replies=(), intent=label)
        if keep_flow:
            outcome = replace(outcome, pending=KEEP)
        if details and kind is Kind.QUESTION and not label:
            outcome = self._keep_details(outcome, session, dict(details), lang)
        if decision.question and kind is Kind.SMS:
            outcome = await self._and_question(outcome, decision.question, session, ask)
        return _with_first(first, outcome, label or intent)

    async def _and_question(
        self, analysed: Outcome, question: str, session: Session, ask: Callable[[str, Session], Awaitable[Outcome]]
    ) -> Outcome:
        """The person's own question written beside a pasted SMS, answered after the analysis and read against it
        ("这样违法吗" means these messages). Safety first here too: self-harm or a scam in their words comes first."""
        lang = language_of(question)
        urgent = self._safety(Kind.QUESTION, self.reader.read(question), question, session, lang)
        if urgent is not None and urgent.pending is KEEP:
            return replace(analysed, replies=(*urgent.replies, *analysed.replies), intent=urgent.intent)
        if analysed.intent in (LINK_CHECK, LINK_SCAM):  # "这是法院的吗" beside a link: the link's verdict answers it
            first = urgent.replies if urgent is not None else ()
            return replace(analysed, replies=(*first, *analysed.replies))
        at = datetime.now(UTC).isoformat(timespec="seconds")
        pasted = MemoryTurn("", "sms", at, analysed.topic, _cited(analysed), analysed.gist)
        answer = await ask(question, replace(session, memory=(*session.memory, pasted)))
        after = answer.replies if answer.intent != "not_covered" else ()
        first = urgent.replies if urgent is not None else ()
        return replace(analysed, replies=(*first, *analysed.replies, *after), topic=answer.topic or analysed.topic)

    def _routed(self, outcome: Outcome, session: Session, msg: Incoming, pasted: bool) -> Outcome:
        """The lender kind the person states ("我借的是××小贷") is kept, and every reply's regulator advice follows the
        kind known (a microloan company's borrower is not sent to 12378). In a paste (`pasted`) only a lender's own name
        counts."""
        if self.lenders is None or outcome.erase:
            return outcome
        base = outcome.session or session
        said = said_kind(msg.text, pasted) if msg.text else ""
        if not said and base.slots.get("lender") != session.slots.get("lender"):  # a lender named in a document
            said = said_kind(base.slots.get("lender", ""), pasted=True)
        if said and base.slots.get(SLOT) != said:
            outcome = replace(outcome, session=replace(base, slots={**base.slots, SLOT: said}))
            if outcome.intent == "not_covered":  # "放款方是消费金融公司" alone: heard, and where that sends them
                lang = language_of(msg.text)
                route = self.texts.get(f"lender.route.{said}", lang)
                noted = Reply(self.texts.get("lender.noted", lang, route=route))
                outcome = replace(outcome, replies=(noted,), intent="lender")
        kind = said or base.slots.get(SLOT, "")
        if kind not in KINDS:
            return outcome
        replies = tuple(replace(r, text=self.lenders.route(r.text, kind)) for r in outcome.replies)
        first = replies[0].text.split("\n", 1)[0] if replies else ""
        told = "12378 不管" in first or "12378 does not handle" in first  # the reply opens with it already
        if kind in NOT_12378 and "12378" in msg.text and replies and not told:  # "12378能管吗" for a 小贷: no, first
            replies = (Reply(self.texts.get(f"lender.not_12378.{kind}", language_of(msg.text))), *replies)
        return replace(outcome, replies=replies)

    def _keep_details(self, outcome: Outcome, session: Session, details: dict[str, str], lang: str) -> Outcome:
        """Details given in passing (a name, a phone number, the lender) are kept for the documents, and the person is
        told so, with the way to a document; an uncovered reply is replaced by that note."""
        current = outcome.session or session
        new = {k: v for k, v in details.items() if current.slots.get(k) != v}
        if not new or not _PERSONAL.intersection(details):  # "跟平台协商" names no lender: only with who they are
            return outcome
        t = self.texts
        names = t.get("drafting.slot_sep", lang).join(
            t.get(f"drafting.slot_names.{k}", lang) if t.has(f"drafting.slot_names.{k}") else k for k in new
        )
        note = Reply(
            t.get("drafting.details_kept", lang, names=names),
            buttons=(Button(t.get("understand.clarify_draft", lang), DRAFT_PREFIX + "menu"),),
        )
        kept = () if outcome.intent == "not_covered" else outcome.replies
        after = replace(current, slots={**current.slots, **new})
        intent = "details" if outcome.intent in ("", "not_covered") else outcome.intent
        return replace(outcome, replies=(*kept, note), session=after, intent=intent)

    def _stay_with(self, outcome: Outcome, session: Session, text: str) -> Outcome:
        """Soon after someone spoke of harming themselves (or of danger at the door), a vague, small-talk or
        uncovered message gets support (or the 110 advice) again: never "not covered" or a cheerful "不客气"."""
        uncovered = outcome.intent in ("not_covered", "clarify")
        lang = language_of(text)
        recent_intents = [t.intent for t in session.memory[-2:]]
        over = bool(recent_intents) and recent_intents[-1] == _DANGER_OVER  # they left or were taken away
        after_danger = not over and any(i.startswith("safety.danger") for i in recent_intents[-1:])
        # the police on their way or gone: within two turns of danger ("报了 警察说五分钟", then "警察到了 把人带走了")
        danger_near = not over and any(i.startswith("safety.danger") for i in recent_intents[-2:])

        def instead(key: str, intent: str) -> Outcome:
            """This safety text alone, in the person's language, in place of the answer."""
            return replace(outcome, replies=(Reply(self.texts.get(key, lang)),), intent=intent)

        if (danger_near and _GONE.search(text)) or _REMOVED.search(text):
            after = () if uncovered else outcome.replies  # "他们走了 以后还会来吗": what now, and if they come back
            reply = Reply(self.texts.get("safety.danger_after", lang))
            return replace(outcome, replies=(reply, *after), intent=_DANGER_OVER)
        if over and (uncovered or _SHAKEN.search(text)):  # "我现在腿还在抖": it is over; the body has not caught up
            return instead("safety.danger_shaken", "safety.danger_shaken")
        if after_danger and _CALL_POLICE.search(text):  # "我已经锁门了 要报警吗": yes, now, not a page on police
            return instead("safety.danger_call", "safety.danger")
        if danger_near and _WAITING.search(text):
            return instead("safety.danger_waiting", "safety.danger")
        declined = any(i == "safety.unlawful" for i in recent_intents)
        if declined and uncovered and _CALMER.search(text):  # "对不起 我刚才太冲动了" after a declined revenge
            return instead("safety.unlawful_after", "question")
        scam = any(i.startswith("safety.fraud") for i in recent_intents)
        if scam and _GAVE.search(text):  # "我还没转 但是把验证码告诉他了": the account is at risk now
            return instead("safety.fraud_gave", "safety.fraud")
        if uncovered and Concern.PAID in check(text).concerns:  # "钱已经打过去了 怎么办": what to do first, whoever
            return instead("safety.fraud_paid", "safety.fraud_paid")
        if after_danger and _AFRAID.search(text):  # "我不敢报警 怕他们报复", "不敢回家": the fear first
            return instead("safety.danger_afraid", "safety.danger")
        if scam and _SUE_SCAMMER.search(text):  # "那我能告他吗" after a scam: the police, not a privacy lawsuit
            return instead("safety.fraud_sue", "safety.fraud")
        if scam and _NOT_PAID.search(text) and not _PAY_ASK.search(text):  # "我还没转": good, and how to end it
            return instead("safety.fraud_not_paid", "safety.fraud")
        if scam and _DOUBT.search(text):  # "他说的挺专业的 知道我身份证号": still a scam, and why
            return instead("safety.fraud_doubt", "safety.fraud")
        if (
            scam and uncovered
        ):  # "我该点吗" after a scam link: the warning again, not "not covered" (thanks stay thanks)
            return instead("safety.fraud_again", "safety.fraud")
        # "12356一直打不通": the crisis line named, whatever came before
        if _CRISIS_LINE.search(text) and _NO_ANSWER.search(text):
            return instead("safety.self_harm_no_answer", "safety.self_harm_stay")
        for earlier, (key, turns) in _STAYS.items():
            if over or not any(t.intent.startswith(earlier) for t in session.memory[-turns:]):
                continue
            despair = earlier == "safety.self_harm"  # "谢谢" after 110 is thanks; after despair it needs support
            if despair and IMMINENT.search(text):  # "我现在在楼顶": leave the edge, call 120, before anything else
                return instead("safety.self_harm_now", earlier)
            helping = despair and any(t.intent == "safety.self_harm_other" for t in session.memory[-turns:])
            if helping and _SAFE_AGAIN.search(text):  # "他媳妇说他在家睡觉 没事", "我把她拉回屋里了": relief, tonight
                return replace(
                    outcome,
                    replies=(Reply(_for_her(self.texts.get("safety.self_harm_other_safe", lang), text, session)),),
                    intent="safety.self_harm_other",
                )
            if despair and SAFER.search(text) and len(text) <= 30 and not helping:  # "我下来了": heard, tonight
                safer = Reply(self.texts.get("safety.self_harm_safer", lang))
                after = () if uncovered or outcome.intent.startswith("safety") else outcome.replies
                return replace(outcome, replies=(safer, *after), intent="safety.self_harm_stay")
            if despair and _NO_ANSWER.search(text):  # "我打了 没人接": the line was busy; what else, now
                return instead("safety.self_harm_no_answer", "safety.self_harm_stay")
            cold = uncovered or (despair and outcome.intent.startswith("smalltalk"))
            if helping and (cold or _FAR.search(text)):  # "我该怎么跟他说" after "我儿子说不想活了": how to help him
                thanks = outcome.intent.startswith("smalltalk")  # "谢谢": a word of support, not the list again
                key = "safety.self_harm_other_thanks" if thanks else "safety.self_harm_other_stay"
                key = "safety.self_harm_other_far" if _FAR.search(text) else key  # "她不接我电话": people near her
                body = _for_her(self.texts.get(key, lang), text, session)
                return replace(outcome, replies=(Reply(body),), intent="safety.self_harm_other")
            if cold or outcome.intent == earlier == "safety.self_harm":  # a second cry for help: not the same words
                same = bool(session.memory) and session.memory[-1].intent == key  # that text was the last reply
                chosen = "safety.self_harm_listen" if despair and same else key  # then the two take turns
                return instead(chosen, chosen)
            if despair and not session.flow and not outcome.intent.startswith("safety"):  # not alone with an answer
                check_in = Reply(self.texts.get("safety.self_harm_check_in", lang))
                return replace(outcome, replies=(check_in, *outcome.replies))
        return outcome

    def _safety(self, kind: Kind, reading: Reading, text: str, session: Session, lang: str) -> Outcome | None:
        """Safety first, on every path: a reply that replaces the answer (pending KEEP), one that goes before it,
        or None. Pasted SMS are the collector's words: only a threat of violence adds the 110 line."""
        t = self.texts
        concerns = reading.concerns
        if kind is Kind.SMS:
            own = [line for line in text.splitlines() if "我" in line and "你" not in line]
            if any(Concern.SELF_HARM in check(line).concerns for line in own):  # the person's own words in a paste
                return Outcome((Reply(t.get("safety.self_harm", lang)),), intent="safety.self_harm")
            if Concern.DANGER in concerns:
                return Outcome((Reply(t.get("sms.danger_first", lang)),))
            return None
        if BEREAVED.search(text) and not _OWN_DESPAIR.search(text):
            # someone they knew took their life: sorrow and support first, then the answer about the debt
            return Outcome((Reply(t.get("safety.self_harm_loss", lang)),), intent="safety.loss")
        if Concern.SELF_HARM in concerns and _WITH_CHILD.search(text):  # "想带着孩子一起走": both of them, now
            return Outcome((Reply(t.get("safety.self_harm_child", lang)),), pending=KEEP, intent="safety.self_harm")
        if Concern.SELF_HARM in concerns:
            key = "safety.self_harm_now" if IMMINENT.search(text) else "safety.self_harm"  # "我现在在楼顶 不想活了"
            key = "safety.self_harm_plan" if key == "safety.self_harm" and METHOD.search(text) else key
            # someone else at risk (at the edge or with a way named, it is still them), unless the writer is too
            other = bool(SOMEONE_ELSE.search(text)) and not _OWN_DESPAIR.search(text)
            key = "safety.self_harm_other" if other else key
            key = "safety.self_harm_other_far" if other and _FAR.search(text) else key  # "可她在国外 我联系不上她"
            key = "safety.self_harm_other_now" if other and OTHER_NOW.search(text) else key  # "他今晚就要…": 110 now
            key = "safety.self_harm_other_took" if other and _TOOK.search(text) else key  # pills swallowed: 120 first
            intent = "safety.self_harm_other" if other else "safety.self_harm"  # follow-ups help them help that person
            body = _for_her(t.get(key, lang), text, session) if other else t.get(key, lang)
            return Outcome((Reply(body),), pending=KEEP, intent=intent)
        blocking = reading.blocking
        if blocking is not None:
            key = _DECLINE_KEYS.get(blocking, "safety.unlawful")
            posting = blocking is Concern.DOXXING and (_POSTING.search(text) or not _LOOK_UP.search(text))
            if posting:  # "我也想曝光他": posting, not looking up
                key = "safety.expose_debtor" if _OWED_TO_THEM.search(text) else "safety.expose"
            body = t.get(key, lang)  # the declines are in Chinese only
            if Concern.INJECTION in concerns:
                body += "\n" + t.get("safety.injection")
            if key != "safety.expose_debtor":  # the person owes nothing there: no reminder about their own debt
                body += "\n\n" + t.get("common.legit_debt")
            return Outcome((Reply(body),), pending=KEEP, intent="safety.unlawful")
        scam_in_view = Concern.FRAUD in concerns or any(
            m.intent.startswith("safety.fraud")
            for m in session.memory  # the last 6 turns within 6 hours
        )
        scam_label = t.get("sms.label.fraud")  # how an SMS analysis's gist names a scam
        scam_sms = any(scam_label in m.gist for m in session.memory)  # a pasted SMS read as a scam
        if Concern.PAID in concerns and (scam_in_view or scam_sms or _VANISHED.search(text)):
            # a scam already named above: no "if it was a scam", 110 and the bank at once
            return Outcome((Reply(t.get("safety.fraud_paid_known", lang)),), pending=KEEP, intent="safety.fraud_paid")
        if Concern.FRAUD not in concerns and _PAY_ASK.search(text) and (scam_in_view or scam_sms):
            concerns = (*concerns, Concern.FRAUD)  # "我要不要转钱" after a fake court's message: a scam under way
        if Concern.FRAUD in concerns:  # the warning first; a covered answer may follow (how to verify, what to do)
            key = "safety.fraud_authority" if impersonates_authority(text) else "safety.fraud"
            return Outcome((Reply(t.get(key, lang)),), intent="safety.fraud")
        if Concern.DANGER in concerns or reading.intent == "safety.danger":  # the rules, or the meaning
            body = t.get("safety.danger_hurt" if _HURT.search(text) else "safety.danger_now", lang)  # hurt: 120 too
            if _GOING_TO_FIGHT.search(text):  # "我哥拎着菜刀要去找催收拼命 已经出门了": stop him first
                body = t.get("safety.danger_relative", lang)
            if _FAMILY.search(text):  # violence at home: the women's rights line too, after 110
                body += "\n" + t.get("safety.danger_family", lang)
            return Outcome((Reply(body),))
        return None

    def _input_problem(self, decision: Decision) -> str | None:
        t = self.texts
        route = decision.route
        if route is Route.EMPTY:
            return t.get("input.empty")
        if route is Route.TOO_LONG:
            limit = self.max_paste_chars if decision.command == "paste" else self.max_text_chars
            return t.get("input.too_long", size=decision.argument, limit=limit)
        if route is Route.BINARY:
            return t.get("input.binary")
        if route is Route.EMOJI_ONLY:
            return t.get("input.emoji_only")
        if route is Route.NO_SUCH_CHOICE:
            one = decision.argument == "1"
            return t.get("input.no_such_choice_one" if one else "input.no_such_choice", n=decision.argument)
        return None


def _with_first(first: tuple[Reply, ...], outcome: Outcome, intent: str) -> Outcome:
    """The outcome with the safety replies in front, labelled with the turn's intent (a safety label wins, so the
    conversation remembers that a scam or danger was in view)."""
    label = intent if intent.startswith("safety.") else outcome.intent or intent
    lead = outcome.replies[0].text if outcome.replies else ""
    first = tuple(r for r in first if not (r.text and lead.startswith(r.text)))  # the answer already opens with it
    return replace(outcome, replies=(*first, *outcome.replies), intent=label)


def _cited(outcome: Outcome) -> tuple[str, ...]:
    """The articles an outcome's replies cite, in order, at most five (what the conversation memory keeps)."""
    return tuple(dict.fromkeys(c.label for r in outcome.replies for c in r.citations))[:5]


def remember(session: Session, msg: Incoming, outcome: Outcome, now: datetime) -> tuple[MemoryTurn, ...]:
    """The session's recent turns plus this one: a typed message with the articles cited, or what a turn produced
    (an SMS analysis's gist, the documents handed back). A pasted SMS's text stays in the evidence log only."""
    kept = recent(session.memory, now)
    if outcome.intent == "mydata":  # showing what is stored does not add to it
        return kept
    at = now.isoformat(timespec="seconds")
    cited = _cited(outcome)
    files = "、".join(f.name for r in outcome.replies for f in r.files)
    text = msg.text.strip()
    typed = bool(text) and not (msg.button or msg.attachments or text.startswith("/"))
    if outcome.gist or files:  # a document asked for in words keeps them ("帮我写投诉信 他们每天打给我领导")
        said = text[:300] if files and not outcome.gist and typed and outcome.intent not in _UNREMEMBERED else ""
        turn = MemoryTurn(said, outcome.intent, at, outcome.topic, cited, outcome.gist or files)
        return (*kept, turn)[-MEMORY_TURNS:]
    if not typed or outcome.intent in _UNREMEMBERED:
        return kept
    return (*kept, MemoryTurn(text[:300], outcome.intent, at, outcome.topic, cited))[-MEMORY_TURNS:]


def next_pending(previous: Pending | None, outcome: Outcome) -> Pending | None:
    """What the bot waits for after a turn: the handler's flow, with the choices its replies offer (by number)."""
    offered = next((r.buttons for r in reversed(outcome.replies) if r.buttons), ())
    choices = tuple((b.label, b.payload) for b in offered)
    if isinstance(outcome.pending, Keep):
        return replace(previous or Pending(), choices=choices) if choices else previous
    if choices:
        return replace(outcome.pending or Pending(), choices=choices)
    return replace(outcome.pending, choices=()) if outcome.pending and outcome.pending.flow else None


def _asked_before(session: Session) -> bool:
    """The person asked a question, or pasted an SMS that was analysed, recently (so "那怎么办" follows it up)."""
    return any(
        (turn.intent in ("question", "worry.debtor") and turn.text)
        or (turn.intent == "sms" and (turn.topic or turn.gist))
        for turn in session.memory
    )
