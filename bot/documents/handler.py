"""Documents stage (④), chat handler: draft a document from what the person told us and their evidence log,
return it as text + DOCX + PDF, and let them fill or correct fields by replying "字段：内容"."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import replace

from bot.contract.messages import Button, Reply
from bot.contract.outcome import KEEP, Kind, Outcome, Owns, Turn
from bot.contract.payloads import DRAFT_FLOW, DRAFT_PREFIX, DraftState, draft_payload, flow_payload, parse_draft
from bot.contract.session import MemoryTurn, Pending, Session
from bot.documents.account import account_of, accounts, is_sentence, told_in_draft, told_lines
from bot.documents.facts import conduct, slots_from_evidence, with_account
from bot.documents.fill import Draft
from bot.documents.render import file_out, fill
from bot.documents.slots import Slot, fits_shape, mask_id, normalise_phone, validate_slot
from bot.documents.templates import Template
from bot.evidence.stats import compute
from bot.knowledge import KnowledgeBase
from bot.storage.evidence_repo import EvidenceStore
from bot.texts import Texts

_STOP = re.compile(r"^(先|我)?(不写了|不弄了|先不写|算了|不用写了|不做了|取消|退出|结束|暂停|停一下|stop|cancel|pause)")
_GO_ON = re.compile(r"^(好的?|嗯|行|ok)?[，,\s]*(继续|接着)(写|来|吧)*[。！!]?$", re.IGNORECASE)
_SEND = re.compile(
    r"(生成|导出|发给?我|给我|要|发)(一下|一份)?(文书|文件|pdf|word|docx)|^(好了|可以了|就这样|生成吧?|导出吧?)[。！!]?$|"
    r"^(好了?|好的|可以了?|就这样|行了?)[，,\s]*(生成|导出|出文件)(吧|文件|一下)?[。！!]?$|"
    r"^(好了?|好的|可以|行|那)?[，,\s]*(pdf|word|docx|文件)(版|格式)?(呢|吧|啊)?[?？。！!]*$|"
    r"\b(generate|send|give)( me)? (the |a )?(file|files|pdf|document|word)\b|\bas (a )?pdf\b",
    re.IGNORECASE,
)
# "不想告诉你名字", "名字就不写了": withheld, kindly skipped like an item they do not know
_WITHHELD = re.compile(r"不想(说|告诉|写|填|给|透露|留)|不告诉|不方便|保密|不(写|填|留)了?$")
_UNKNOWN = re.compile(
    r"找不到|不知道|不记得|忘了|没有|不清楚|记不清|跳过|略过|下一[个项]|^(skip|next|pass)$|" + _WITHHELD.pattern,
    re.IGNORECASE,
)
_NUMERIC = ("phone", "id_number", "amount", "date")
_QUESTION = re.compile(
    r"[?？]|吗|什么|怎么|为什么|能不能|可不可以|是不是|有没有|多少|多久|多长时间|几天|哪里|在哪|哪儿|几号|导出|下载|csv|excel|"
    r"^(how|what|why|when|where|which|who|can|do|does|is|are|will|should)\b",
    re.IGNORECASE,
)
# a correction of something typed: "不对", "写错了", "打错了", "改成", "应该是"
_CORRECTS = re.compile(r"不对|(?:打|写|输|填|搞|弄|记|说|发)错了?|更正|改成|改为|改一下|应该是|换成")
_CORRECTS_FIRST = re.compile(
    r"^(?:哦|噢|喔|啊|呃|额|嗯|哎|唉|sorry)?[，,。\s]*(?:不对|(?:我)?(?:打|写|输|填|搞|弄|记|说|发)错了?|更正|改一下|改成|改为|应该是|换成)",
    re.IGNORECASE,
)
_CORRECTS_WORDS = re.compile(
    r"^(?:哦|噢|喔|啊|呃|额|嗯|哎|唉)?(?:不对|错了|(?:我)?(?:打|写|输|填|搞|弄|记|说|发)错了?|更正一下|更正|改一下)[了啦呀啊]?"
)
_NOT_CORRECTION = re.compile(r"打错人|打错电话|认错人|找错人|发错人|错号")  # "他们打错人了": not a typo of theirs
_NOT_THIS = re.compile(r"(?:而)?不是")
_LEAD = re.compile(r"^(?:是|改成|改为|应该是|换成|写成|叫|为|：|:)+")
_CLAUSES = re.compile(r"[，,。；;！!\s]+")
_SAID = {"name": ("名字", "姓名"), "phone": ("电话", "手机号", "手机", "号码"), "lender": ("平台", "app", "APP")}
_PHONE_TRY = re.compile(r"(?:电话|手机号?码?|号码)\s*(?:是|为|[:：])?\s*(\+?\d[\d\s-]{5,16}\d)|^\s*(1\d{8,12})\s*$")
# a word about the form itself ("问这么多烦死了", "太麻烦了"): heard, never an item's value
_PROCESS = re.compile(r"烦|麻烦|啰嗦|罗嗦|问这么多|这么多问题|无语|服了|搞什么|什么鬼|太慢|好慢|没完没了|累死")
# a common surname and one or two characters: a person ("张伟"), unless it has a lender's word ("任性付", "金条")
_PERSON = re.compile(
    r"^(?:欧阳|司马|上官|诸葛|东方|[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    r"程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤])"
    r"[\u4e00-\u9fff]{1,2}$"
)
_LENDERISH = re.compile(
    r"借|贷|花|呗|金|融|银|行|分期|钱|信|卡|消费|科技|公司|宝|易|条|付|苏宁|京东|美团|百度|腾讯|滴滴|携程|国美"
)
_THEIRS = re.compile(r"催收|对方|他们|轰炸|骚扰|合同|编号|工单|单号|订单|身份证")
_STREET = re.compile(r"(省|市|区|县|镇|乡).*(路|街|道|号|村|小区|弄|巷|楼|室|院)")
_FIELD = re.compile(r"^\s*([^：:\n]{1,12})\s*[：:]\s*(.+?)\s*$", re.M)


class DraftHandler:
    """Fills templates for the person; slot values live in the (encrypted) session and are never asked twice."""

    owns = Owns(
        commands=frozenset({"draft"}),
        prefixes=(DRAFT_PREFIX,),
        flows=frozenset({DRAFT_FLOW}),
        intents=frozenset({"draft.request"}),
        navigates=True,
    )

    def __init__(
        self, templates: Mapping[str, Template], kb: KnowledgeBase, evidence: EvidenceStore, texts: Texts
    ) -> None:
        self.templates = templates
        self.kb = kb
        self.evidence = evidence
        self.texts = texts

    async def handle(self, turn: Turn) -> Outcome | None:
        """/draft [name], a document button, or "字段：内容" lines while a document is open."""
        session = turn.session
        if turn.kind is Kind.COMMAND:
            if not turn.text:
                return Outcome((self.menu(turn.lang),), pending=KEEP)
            return await self.draft(session, DraftState(self.find(turn.text) or turn.text))
        if turn.kind is Kind.BUTTON:
            pressed, step = parse_draft(turn.name)
            if pressed in self.templates:
                return await self.draft(session, DraftState(pressed, step=step), lang=turn.lang)
            return Outcome((self.menu(turn.lang),), pending=KEEP)
        if turn.intent == "draft.request":  # its own words may tell what happened: read with the turns before
            named = turn.document if turn.document in self.templates else self.find(turn.text)
            if not named and session.pending is not None and session.pending.flow == DRAFT_FLOW:
                open_draft = DraftState.parse(session.pending.state)  # "写好了吗 发给我": the one being written
                if open_draft.name in self.templates:
                    return await self.draft(session, DraftState(open_draft.name, step=open_draft.step))
            return (
                await self.draft(session, DraftState(named), told=turn.text, lang=turn.lang)
                if named
                else Outcome((self.menu(turn.lang),), pending=KEEP)
            )
        filled = await self.fields(session, turn.text, dict(turn.details))
        if filled is not None:  # not remembered as conversation: the details are in the slots already
            return replace(filled, intent="draft.fill")
        if turn.ask is None:
            return None
        answered = await turn.ask(turn.text, session)
        return replace(answered, replies=self._with_hint(answered.replies, session), pending=KEEP)

    def _with_hint(self, replies: tuple[Reply, ...], session: Session) -> tuple[Reply, ...]:
        """An answer given in the middle of a draft ends with where the draft stands, so the way back is plain."""
        state = DraftState.parse(session.pending.state if session.pending else "")
        template = self.templates.get(state.name)
        slot = template.slot_defs.get(state.asked) if template else None
        if template is None or slot is None or not replies:  # a finished document waits for nothing
            return replies
        asking = self.texts.get("drafting.hint_asking", label=slot.label)
        hint = self.texts.get("drafting.hint", title=template.title, asking=asking)
        *before, last = replies
        return (*before, replace(last, text=f"{last.text}\n\n{hint}"))

    def find(self, words: str) -> str | None:
        """The template a person named by its name or title (exactly, or as the only title containing the words)."""
        words = words.strip()
        if words in self.templates:
            return words
        hits = [n for n, t in self.templates.items() if words == t.title or (len(words) >= 2 and words in t.title)]
        return hits[0] if len(hits) == 1 else None

    def titles(self) -> dict[str, str]:
        """Template name -> title, for menus and the guided journey."""
        return {name: t.title for name, t in self.templates.items()}

    def menu(self, lang: str = "zh_CN") -> Reply:
        """/draft without a name: the documents as buttons (the words around them in the person's language)."""
        buttons = tuple(Button(t.title, DRAFT_PREFIX + name) for name, t in self.templates.items())
        return Reply(self.texts.get("drafting.menu", lang), buttons=buttons)

    async def draft(
        self,
        session: Session,
        state: DraftState,
        notes: tuple[Reply, ...] = (),
        skip: str = "",
        filled: str | None = None,
        told: str = "",
        lang: str = "zh_CN",
        ask_for: str = "",
    ) -> Outcome:
        """The document with 【待填写】 where something is still missing, as text and files; the draft stays open
        for edits and asks for one missing item at a time. After a field is filled (`filled` says which), only a
        short confirmation and the next question, until nothing is missing or the person asks for the files."""
        t = self.texts
        template = self.templates.get(state.name)
        if template is None:
            return Outcome((Reply(t.get("drafting.unknown", name=state.name)), self.menu()), pending=KEEP)
        draft = await self._fill(session, template, told)
        by_label = {slot.label: slot for slot in template.slots}
        missing = [by_label[label] for label in draft.missing if label in by_label]  # in the letter's order
        skipped = tuple(dict.fromkeys((*state.skipped, *([skip] if skip else []))))  # not asked again
        open_items = [slot for slot in missing if slot.name not in skipped]
        after = [slot for i, slot in enumerate(open_items) if skip in {m.name for m in missing[: missing.index(slot)]}]
        rest = after or open_items
        asked = rest[0] if rest else None
        if ask_for in template.slot_defs:  # the item just turned down or corrected: asked again, even if filled
            asked = template.slot_defs[ask_for]
        ask = t.get("drafting.ask_one", label=asked.label, example=asked.example or "……") if asked else ""
        pending = Pending(DRAFT_FLOW, str(replace(state, asked=asked.name if asked else "", skipped=skipped)))
        buttons = self._buttons(state, asked, lang)
        if filled is not None and (open_items or asked is not None):  # one field more: say so briefly, no new files
            labels = [slot.label for slot in open_items]
            still = t.get("drafting.still_missing", n=len(labels), labels="、".join(labels)) if labels else ""
            lines = [line for line in (filled, still) if line]
            return Outcome((*notes, Reply("\n".join([*lines, ask]), buttons=buttons)), pending, session)
        files = await asyncio.to_thread(
            lambda: tuple(file_out(draft, template.title, fmt, self.texts) for fmt in ("docx", "pdf"))
        )
        lines = [draft.text.strip(), *draft.notices, filled or ""]
        if lang != "zh_CN":  # the document is Chinese; say so and how to fill it in their language
            notes = (*notes, Reply(t.get("drafting.in_chinese", lang, title=template.title)))
        if open_items:
            lines.append(t.get("drafting.missing", n=len(draft.missing), example=self._example(asked)))
            lines.append(ask)
        elif draft.missing:  # only what they could not give is left: 【待填写】 stays for them to fill in by hand
            lines.append(t.get("drafting.complete_but_blank", labels="、".join(draft.missing)))
        else:
            lines.append(t.get("drafting.complete"))
        reply = Reply("\n\n".join(line for line in lines if line), buttons=buttons, files=files)
        return Outcome((*notes, reply), pending, session)

    async def _fill(self, session: Session, template: Template, told_now: str = "") -> Draft:
        """The template filled from the evidence log, what the person told recently (and `told_now`, the request's
        own words, not yet in the memory) and the details they typed."""
        items = await self.evidence.items(session.user_key)
        memory = (*session.memory, MemoryTurn(told_now, "draft.request", "")) if told_now else session.memory

        def work() -> Draft:  # statistics over the whole log: CPU work off the event loop
            stats = compute(items) if items else None
            told = list(dict.fromkeys([*accounts(memory), *told_lines(session.slots)]))
            said = [*told, told_now, *(t.text for t in memory)]
            found = slots_from_evidence(items, stats, self.texts, said) if stats else {}
            if told and "what_happened" not in session.slots:  # what they told us, beside what the log shows
                found["what_happened"] = with_account(found.get("what_happened", ""), told, self.texts)
            what = conduct(stats, [*told, session.slots.get("what_happened", "")], self.texts)
            if what:  # the letter asks to stop only what the log or the person shows
                found["conduct"] = what
            return fill(template, {**found, **session.slots}, self.kb, self.texts)

        return await asyncio.to_thread(work)

    def _buttons(self, state: DraftState, asked: Slot | None, lang: str = "zh_CN") -> tuple[Button, ...]:
        """The way forward first: the journey's next step when a step offered this document, then the files now.
        None while an amount is asked for, so a typed "3" is the amount, not a choice."""
        if asked is not None and asked.kind == "amount":
            return ()
        out = [Button(self.texts.get("flows.next", lang), flow_payload("next", state.step))] if state.step else []
        if asked is not None:
            out.append(Button(self.texts.get("drafting.send_now"), draft_payload(state.name, state.step)))
        return tuple(out)

    async def fields(self, session: Session, text: str, details: dict[str, str] | None = None) -> Outcome | None:
        """A reply of "字段：内容" lines (or the plain answer to the item asked for) while a draft is open: validate,
        store, confirm. None if it is not that. An answer is checked against what its item expects (a name is
        name-like, an address names a place, a phone has 11 digits); a correction ("不对 名字写错了 是李思") changes
        the item it names; what does not fit is never stored as a fact."""
        state = DraftState.parse(session.pending.state if session.pending else "")
        template = self.templates.get(state.name)
        if template is None:
            return None
        asked = state.asked
        answer = text.strip()
        pairs = _labelled(template, text)
        if not pairs:
            fixed = _correction(template, answer)
            if fixed is not None:  # "哦打错了 13912345677", "不对 名字写错了 是李思": the earlier item changes
                return await self._correct(session, template, state, *fixed)
        named = {slot.name for slot, _ in pairs}
        for key, value in (details or {}).items():  # details read from a sentence: "我叫刘洋，电话158…，平台是快易花"
            slot = template.slot_defs.get(key)
            if slot is None or key in named or (pairs and key in session.slots):
                continue  # typed "字段：内容" wins; a guess beside them does not overwrite what is stored
            if slot.shape and fits_shape(slot, value) is None:
                continue  # "我是学生": not a name
            pairs.append((slot, value))
        if not pairs and _STOP.match(answer):  # "不写了": the draft stays saved, the flow closes
            return Outcome((Reply(self.texts.get("drafting.stopped")),), None, session)
        if not pairs and _SEND.search(answer) and len(answer) <= 24:  # "好的生成文件吧": the files now, as they are
            return await self.draft(session, state)
        if not pairs and asked in template.slot_defs and _GO_ON.match(answer):
            return await self.draft(session, state, filled="")  # "好，继续写吧": ask the same item again
        if not pairs and asked in template.slot_defs and _UNKNOWN.search(answer) and len(answer) <= 20:
            skip = _named_slot(template, answer) if _WITHHELD.search(answer) else None  # "名字就不写了"
            skip = skip or template.slot_defs[asked]
            skipped = self.texts.get("drafting.skipped", label=skip.label)
            return await self.draft(session, state, skip=skip.name, filled=skipped)  # "找不到了": the next one
        if (
            not pairs
            and asked in template.slot_defs
            and len(answer) <= 30
            and _PROCESS.search(answer)
            and not account_of(answer)
        ):
            return await self.draft(session, state, filled=self.texts.get("drafting.process"), ask_for=asked)
        bad_phone = _bad_phone(template, asked, answer) if not pairs else None
        if bad_phone is not None:  # "电话 1381234567" when the lender was asked: the number, not the lender
            phone = template.slot_defs["phone"]
            return await self.draft(session, state, filled=self._phone_problem(bad_phone), ask_for=phone.name)
        takes = asked in template.slot_defs and len(answer) <= 80 and not _QUESTION.search(answer)
        plain = not pairs and takes and not (answer.isdigit() and template.slot_defs[asked].kind not in _NUMERIC)
        if plain and template.slot_defs[asked].kind == "text" and is_sentence(answer):
            if not account_of(answer):  # "我真的要崩溃了": not a name or a lender; the conversation answers it
                return None
            told = replace(session, slots=told_in_draft(session.slots, answer))  # what happened, asked for a name
            return await self.draft(told, state, filled=self.texts.get("drafting.told_kept"))
        if plain and template.slot_defs[asked].shape:
            slot = template.slot_defs[asked]
            if fits_shape(slot, _unlabelled(slot, answer)) is None:  # "每天凌晨一两点几十条验证码" is no address
                return await self._misfit(session, template, state, slot, answer)
        if plain:  # the plain answer to the one item we asked for ("运营商 移动" is 移动)
            slot = template.slot_defs[asked]
            pairs = [(slot, fits_shape(slot, _unlabelled(slot, answer)) or _unlabelled(slot, answer))]
        if not pairs:
            return None
        problems: list[str] = []
        slots = told_in_draft(session.slots, text) if not plain else dict(session.slots)
        kept: list[str] = []
        last = state.last
        retry = ""
        for slot, value in pairs:
            cleaned, _problem = validate_slot(slot, value)
            # "2026-11-01" typed when a name or the account was asked for: the date it is
            if plain and (cleaned is None or slot.kind in ("text", "multiline")):
                elsewhere, found = _fits_elsewhere(template, slots, slot, value)
                if found is not None:
                    slot, cleaned = elsewhere, found
            if cleaned is None and plain and account_of(value, loose=True):  # what happened, not the item asked
                slots = told_in_draft(slots, value, loose=True)
                kept.append(self.texts.get("drafting.told_item"))
                continue
            if cleaned is None:
                problems.append(self._problem(slot, value))
                retry = retry or (slot.name if slot.kind == "phone" else "")  # a wrong number: asked for again next
                continue
            slots[slot.name] = cleaned
            last = slot.name
            shown = mask_id(cleaned) if slot.kind == "id_number" else cleaned
            kept.append(self.texts.get("drafting.kept_item", label=slot.label, value=shown[:40]))
        notes = (Reply("\n".join(problems)),) if problems else ()
        filled = self.texts.get("drafting.kept", items="；".join(kept)) if kept else ""
        after = replace(session, slots=slots)
        return await self.draft(after, replace(state, last=last), notes, filled=filled, ask_for=retry)

    def _problem(self, slot: Slot, value: str) -> str:
        """Why a typed value was not taken, kindly: a phone number says how many digits it has."""
        if slot.kind == "phone":
            return self._phone_problem(value)
        return self.texts.get("drafting.invalid", label=slot.label, example=slot.example or "")

    def _phone_problem(self, value: str) -> str:
        digits = re.sub(r"\D", "", value)
        return self.texts.get("drafting.phone_invalid", value=digits[:20] or value[:20], n=len(digits))

    async def _misfit(
        self, session: Session, template: Template, state: DraftState, slot: Slot, answer: str
    ) -> Outcome:
        """A plain answer that is not what the item asked wants: another item it fits, what happened (kept for the
        facts), or a kind word and the same question again. Never stored as the item asked."""
        elsewhere, found = _fits_elsewhere(template, session.slots, slot, answer)
        if found is not None:  # "北京市朝阳区建国路1号" when the name was asked: the address
            shown = mask_id(found) if elsewhere.kind == "id_number" else found
            kept = self.texts.get("drafting.kept_item", label=elsewhere.label, value=shown[:40])
            after = replace(session, slots={**session.slots, elsewhere.name: found})
            return await self.draft(
                after,
                replace(state, last=elsewhere.name),
                filled=self.texts.get("drafting.kept", items=kept),
                ask_for=slot.name,
            )
        if account_of(answer, loose=True):
            told = replace(session, slots=told_in_draft(session.slots, answer, loose=True))
            note = self.texts.get("drafting.told_not_item", label=slot.label)
            return await self.draft(told, state, filled=note, ask_for=slot.name)
        note = self.texts.get("drafting.not_item", label=slot.label)
        return await self.draft(session, state, filled=note, ask_for=slot.name)

    async def _correct(
        self, session: Session, template: Template, state: DraftState, named: Slot | None, value: str
    ) -> Outcome:
        """A correction: the item it names (or, by the value, the item last filled, the one asked, or another its
        value fits) takes the new value, and the reply says what changed; without a value, that item is asked."""
        t = self.texts
        slot = named or _corrected_slot(template, state, value)
        if slot is None and value and account_of(value):  # "不对，他们是半夜打的": what happened, told again
            told = replace(session, slots=told_in_draft(session.slots, value))
            return await self.draft(told, state, filled=t.get("drafting.told_kept"))
        if slot is None:  # "写错了" alone, and no telling which
            return await self.draft(session, state, filled=t.get("drafting.correct_which"))
        if not value:
            return await self.draft(
                session, state, filled=t.get("drafting.correct_ask", label=slot.label), ask_for=slot.name
            )
        cleaned, _problem = validate_slot(slot, value)
        if cleaned is not None and slot.shape:
            cleaned = fits_shape(slot, cleaned)
        if cleaned is None:
            return await self.draft(session, state, filled=self._problem(slot, value), ask_for=slot.name)
        old = session.slots.get(slot.name, "")
        shown = mask_id(cleaned) if slot.kind == "id_number" else cleaned
        was = mask_id(old) if slot.kind == "id_number" else old
        note = (
            t.get("drafting.corrected", label=slot.label, old=was[:40], value=shown[:40])
            if old and old != cleaned
            else t.get("drafting.kept", items=t.get("drafting.kept_item", label=slot.label, value=shown[:40]))
        )
        after = replace(session, slots={**session.slots, slot.name: cleaned})
        return await self.draft(after, replace(state, last=slot.name), filled=note)

    def _example(self, slot: Slot | None) -> str:
        if slot is None or not slot.example:
            return self.texts.get("drafting.example_fallback")
        return self.texts.get("drafting.example_line", label=slot.label, example=slot.example)


def _labelled(template: Template, text: str) -> list[tuple[Slot, str]]:
    """ "字段：内容" pairs with the template's labels or their aliases, also several on one line ("姓名：张伟 手机号：…")."""
    known = {w.lower(): s for s in template.slot_defs.values() for w in (s.label, s.name, *s.aliases)}
    words = "|".join(re.escape(w) for w in sorted(known, key=len, reverse=True))
    text = re.sub(rf"[\s，,；;]+(?=(?:{words})\s*[：:])", "\n", text, flags=re.IGNORECASE)
    return [(known[k.strip().lower()], v) for k, v in _FIELD.findall(text) if k.strip().lower() in known]


def _unlabelled(slot: Slot, answer: str) -> str:
    """A plain answer without the item's name typed before it: "运营商 移动" -> "移动", "姓名是王小明" -> "王小明"."""
    for word in sorted((slot.label, *slot.aliases), key=len, reverse=True):
        if answer.lower().startswith(word.lower()):
            rest = answer[len(word) :].lstrip(" 　是为叫：:")
            if rest:
                return rest
    return answer


def _fits_elsewhere(template: Template, slots: Mapping[str, str], asked: Slot, value: str) -> tuple[Slot, str | None]:
    """A plain answer that is not what was asked but unmistakably another missing item (a phone, a date, an ID
    number, an address with its city or district and street): that item and its value; else the item asked and
    None."""
    for slot in template.slots:
        if slot.name in slots or slot is asked:
            continue
        if slot.kind in _NUMERIC:
            cleaned, _problem = validate_slot(slot, value)
            if cleaned is not None:
                return slot, cleaned
        elif (
            slot.name == "address" and asked.shape != "address" and asked.kind != "multiline" and _STREET.search(value)
        ):
            place = fits_shape(slot, value)
            if place is not None:
                return slot, place
        elif slot.shape == "person_name" and asked.shape == "organisation" and _looks_like_person(value):
            return slot, value.strip()  # "张伟" when the lender was asked and no name is known: the name
    return asked, None


def _looks_like_person(value: str) -> bool:
    """A common surname and one or two characters, without a lender's word."""
    return bool(_PERSON.match(value.strip())) and not _LENDERISH.search(value)


def _named_slot(template: Template, text: str) -> Slot | None:
    """The item a message names by its label, name or one of its aliases (the longest word found wins)."""
    known = {w: s for s in template.slot_defs.values() for w in (s.label, *s.aliases, *_SAID.get(s.name, ()))}
    for word in sorted(known, key=len, reverse=True):
        if word and word.lower() in text.lower():
            return known[word]
    return None


def _correction(template: Template, answer: str) -> tuple[Slot | None, str] | None:
    """A correction of an item already given: (the item it names or None, the new value or ""); None when the
    message is not one ("他们打错人了" is not)."""
    if len(answer) > 40 or _QUESTION.search(answer) or _NOT_CORRECTION.search(answer):
        return None
    if not _CORRECTS.search(answer):
        return None
    named = _named_slot(template, answer)
    if named is None and not _CORRECTS_FIRST.match(answer):
        return None
    words = sorted(
        (named.label, *named.aliases, *_SAID.get(named.name, ()), "电话", "号码") if named else (),
        key=len,
        reverse=True,
    )
    values: list[str] = []
    for clause in _CLAUSES.split(answer):
        clause = _NOT_THIS.split(clause)[0]  # "平台是美团借钱，不是安逸花": not the old value
        for word in words:
            if clause.startswith(word):
                clause = clause[len(word) :]
                break
        clause = _CORRECTS_WORDS.sub("", clause)
        clause = _LEAD.sub("", clause).strip(" ：:")
        if clause:
            values.append(clause)
    return named, values[0] if values else ""


def _corrected_slot(template: Template, state: DraftState, value: str) -> Slot | None:
    """The item a correction without a name means: the one filled last, else the one asked, else the one its value
    fits (a phone number, a date)."""
    candidates = [template.slot_defs[n] for n in (state.last, state.asked) if n in template.slot_defs]
    if not value:
        return candidates[0] if candidates else None
    for slot in [*candidates, *(s for s in template.slots if s.kind in _NUMERIC)]:
        cleaned, _problem = validate_slot(slot, value)
        if cleaned is not None and (not slot.shape or fits_shape(slot, cleaned) is not None):
            return slot
    return None


def _bad_phone(template: Template, asked: str, answer: str) -> str | None:
    """The number when a reply tries to give the person's phone but it is not a valid one ("电话 1381234567": ten
    digits) while another item was asked; None otherwise."""
    if "phone" not in template.slot_defs or asked == "phone" or _THEIRS.search(answer):
        return None
    slot = template.slot_defs.get(asked)
    if slot is not None and slot.kind == "list":
        return None
    m = _PHONE_TRY.search(answer)
    if not m or (m.group(2) and (slot is None or not slot.shape)):  # bare digits: a contract number may look so
        return None
    number = next(g for g in m.groups() if g)
    return number if normalise_phone(number) is None else None
