"""Composition root: the only place that turns settings into concrete stores, index, QA service and engine."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from prometheus_client import CollectorRegistry

from bot.documents.account import TOLD
from bot.documents.handler import DraftHandler
from bot.documents.templates import Template, load_templates
from bot.engine.commands import CommandsHandler, Names
from bot.engine.engine import Engine
from bot.engine.gate import Answers, EngineGate
from bot.engine.lender import LenderHandler
from bot.engine.questions import QuestionHandler
from bot.engine.smalltalk import SmallTalkHandler
from bot.flows.journey import JourneyHandler
from bot.flows.runner import FlowRunner
from bot.flows.seven_steps import SEVEN_STEPS
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.legal_qa.answer import Answerer
from bot.legal_qa.bm25 import Tokenizer
from bot.legal_qa.contact_answer import ContactQuestions
from bot.legal_qa.corpora import AddedCorpora, merge_sources
from bot.legal_qa.embeddings import make_embeddings
from bot.legal_qa.index import IndexReport, VectorIndex, clear_local_store, open_client
from bot.legal_qa.ingest import Chunk, all_chunks
from bot.legal_qa.retrieve import Retriever
from bot.legal_qa.service import LegalQA
from bot.llm.answer import ModelPhraser
from bot.llm.client import Model, chat_model
from bot.llm.guard import Breaker, Deadlines, Guard, Limits
from bot.llm.prompts import Prompts
from bot.llm.sms import ModelSmsOpinion
from bot.llm.understand import ModelReader
from bot.ops.health import READY, Readiness, failed
from bot.ops.metrics import Metrics
from bot.settings import Settings
from bot.sms.classify import Classifier
from bot.sms.handler import SmsHandler
from bot.sms.import_queue import ImportQueue
from bot.sms.meaning import Meaning
from bot.sms.ocr import RapidOcr
from bot.sms.ocr_queue import OcrQueue, OcrReader
from bot.sms.rules import load_rules
from bot.storage.buttons_repo import ButtonPayloads
from bot.storage.crypto import Crypto, load_key
from bot.storage.db import Database
from bot.storage.evidence_repo import EvidenceStore
from bot.storage.files_repo import FileStore
from bot.storage.inbox_repo import Inbox
from bot.storage.nonce_repo import CallbackNonces
from bot.storage.outbox_repo import Outbox
from bot.storage.rates_repo import RateCounts
from bot.storage.repositories import SqlSessionStore
from bot.storage.saved_files import SavedFiles
from bot.storage.tokens_repo import TokenStore
from bot.storage.turns import Turns, turns_for
from bot.texts import Texts
from bot.understand.intents import IntentModel, load_intents, load_typos
from bot.understand.lender import SLOT as LENDER_SLOT
from bot.understand.lender import LenderRouting
from bot.understand.reader import Reader

if TYPE_CHECKING:  # the web channels are imported only when serving: `anning chat` starts faster without them
    from aiohttp import ClientSession

    from bot.channels.base import Channel, Deps
    from bot.channels.file_links import FileLinks
    from bot.web import Route

Notice = Callable[[str], None]
log = logging.getLogger(__name__)


@dataclass
class QAParts:
    """The knowledge base and the services built on it."""

    kb: KnowledgeBase
    index: VectorIndex
    qa: LegalQA
    report: IndexReport | None  # what the startup freshness check rebuilt, if anything
    intents: IntentModel | None = None  # what people mean (nearest neighbours on the intent examples)
    second: VectorIndex | None = None  # the second dense model's index (settings.index.second_embedding)
    timings: dict[str, float] = field(default_factory=dict)  # seconds each index's sync took, by model name
    filling: threading.Thread | None = None  # the main index being filled in the background (index.fill_later)


def build_qa(
    settings: Settings,
    notice: Notice | None = None,
    embeddings: Embeddings | None = None,
    texts: Texts | None = None,
    *,
    with_intents: bool = True,
    fill_later: bool | None = None,
    background: bool = True,
    second_embeddings: Embeddings | None = None,
) -> QAParts:
    """Load knowledge/, make sure the vector index matches it (incremental rebuild), build the QA service; and the
    intent model unless told not to (`anning index` needs none: embedding its examples on a new data dir costs
    about 10 s). `fill_later` (default: settings.index.fill_later) leaves a main index that needs embedding to a
    background thread, BM25 and the second model answering meanwhile (`background` False: no thread; the main index
    stays unfilled and out of retrieval, for `anning index`, which exits)."""
    texts = texts or load_texts()
    corpora = AddedCorpora(settings.data_dir)
    kept, gone = corpora.present()
    if notice and kept:
        notice(texts.get("index.corpora_kept", n=len(kept), manifest=corpora.path, sources="、".join(map(str, kept))))
    if notice and gone:
        notice(texts.get("index.corpora_missing", sources="、".join(map(str, gone))))
    kb = knowledge(settings)
    chunks = all_chunks(kb)
    emb = embeddings or make_embeddings(settings.index.embedding)
    index = open_index(settings, emb, notice, texts)
    # the second model (embeddings given by a caller, as tests do, mean that model alone unless a second is given)
    name2 = settings.index.second_embedding if embeddings is None else ""
    emb2 = second_embeddings or (make_embeddings(name2) if name2 and name2 != settings.index.embedding else None)
    second = open_index(settings, emb2, notice, texts) if emb2 is not None else None
    later = fill_later if fill_later is not None else settings.index.fill_later
    report, timings, pending = sync_indexes(chunks, index, second, later and second is not None, notice, texts)
    tok = Tokenizer(settings.data_dir / "cache", [c.text for c in chunks])
    retriever = Retriever(kb, chunks, index, tok, second=second)
    qa = LegalQA(retriever, Answerer(kb, texts, tok, retriever.successors))
    filling = None
    if pending:
        retriever.dense_ready = False
        filling = fill_in_background(index, chunks, retriever, timings) if background else None
    if not with_intents:
        return QAParts(kb, index, qa, report, second=second, timings=timings, filling=filling)
    # one model in memory when two settings name it
    loaded = {i.name: i.embeddings for i in (index, second) if i is not None} if embeddings is None else {}
    intents = IntentModel(
        load_intents(settings.knowledge_dir / "intents.yaml"),
        loaded.get(settings.understand.embedding) or make_embeddings(settings.understand.embedding),
        settings.data_dir / "cache",
    )
    return QAParts(kb, index, qa, report, intents, second, timings, filling)


def sync_indexes(
    chunks: list[Chunk],
    index: VectorIndex,
    second: VectorIndex | None,
    later: bool,
    notice: Notice | None,
    texts: Texts,
) -> tuple[IndexReport | None, dict[str, float], bool]:
    """Bring the indexes up to date, the second (fast) one first; with `later`, the main one is left for
    fill_in_background. Returns the main index's report, each sync's seconds by model, and whether the main index is
    still to fill."""
    timings: dict[str, float] = {}
    report = None
    for idx in (second, index):
        if idx is None or idx.is_fresh(chunks):
            continue
        if idx is index and later:
            if notice and second is not None:
                notice(texts.get("index.filling", fast=second.name, slow=index.name))
            return report, timings, True
        if notice:
            notice(texts.get("index.updating"))
        started = time.perf_counter()
        done = idx.sync(chunks)
        timings[idx.name] = time.perf_counter() - started
        report = done if idx is index else report
        if notice:
            notice(texts.get("index.updated", added=done.added, updated=done.updated, removed=done.removed))
    return report, timings, False


def fill_in_background(
    index: VectorIndex, chunks: list[Chunk], retriever: Retriever, timings: dict[str, float]
) -> threading.Thread:
    """Fill the main index in a daemon thread while BM25 and the second model answer; its list joins retrieval when
    the fill is done. Stopped half way, the next start goes on where it stopped (the vectors already embedded are in
    the passage-vector cache and the store)."""

    def fill() -> None:
        started = time.perf_counter()
        try:
            done = index.sync(chunks)
        except Exception:  # the bot keeps answering without this list
            log.exception("filling the %s index failed; retrieval goes on without it", index.name)
            return
        timings[index.name] = time.perf_counter() - started
        retriever.dense_ready = True
        log.info(
            "the %s index is filled (%d embedded) in %.1f s", index.name, done.added + done.updated, timings[index.name]
        )

    thread = threading.Thread(target=fill, name=f"fill-{index.name}", daemon=True)
    thread.start()
    return thread


def open_index(settings: Settings, emb: Embeddings, notice: Notice | None, texts: Texts) -> VectorIndex:
    """The vector index on settings.index; a damaged local store (a truncated or corrupt file) is deleted and
    rebuilt from knowledge/ by the freshness check that follows."""
    folder = settings.data_dir / "chroma"

    def attempt() -> VectorIndex:
        i = settings.index
        client = open_client(i.chroma_mode, folder, i.chroma_host, i.chroma_port, settings.chroma.url)
        manifest = folder / f"manifest-{index_name(emb)}.json"
        index = VectorIndex(client, i.collection, emb, manifest, settings.data_dir / "cache", i.embed_chars)
        index.check()
        return index

    try:
        return attempt()
    except Exception as exc:  # chromadb raises its own InternalError, sqlite3 errors or OSError for damaged files
        if settings.index.chroma_mode != "persistent" or settings.chroma.url:
            raise  # a server's store is the server's to repair
        log.warning("the local index at %s is damaged (%s): rebuilding it from knowledge/", folder, type(exc).__name__)
        if notice:
            notice(texts.get("index.damaged", path=folder))
        clear_local_store(folder)
        return attempt()


def load_texts() -> Texts:
    """Every user-facing text in every locale (the one place that loads them; the rest is handed them)."""
    return Texts()


def knowledge(settings: Settings, *, extra_sources: bool = True) -> KnowledgeBase:
    """The knowledge base from settings.knowledge_dir, plus (unless told not to) settings.index.extra_sources and the
    corpora `anning index --source` recorded for settings.data_dir that are still on disk."""
    if not extra_sources:
        return load_knowledge(settings.knowledge_dir, None)
    recorded, _ = AddedCorpora(settings.data_dir).present()
    return load_knowledge(settings.knowledge_dir, merge_sources(settings.index.extra_sources, recorded))


def classifier(settings: Settings, kb: KnowledgeBase, embeddings: Embeddings | None = None) -> Classifier:
    """The SMS classifier on knowledge/sms_rules.yaml, reading undecided messages by meaning on the understanding
    embedding (`embeddings`, when one is already loaded; else the one settings.understand names) when it is the one
    the rules' meaning thresholds are calibrated for; otherwise by the rules alone."""
    rules = load_rules(kb, settings.knowledge_dir / "sms_rules.yaml")
    if rules.meaning is None or settings.understand.embedding != rules.meaning.embedding:
        return Classifier(rules)
    emb = embeddings or make_embeddings(settings.understand.embedding)
    if index_name(emb) != rules.meaning.embedding:
        return Classifier(rules)
    return Classifier(rules, Meaning(rules.meaning, emb, settings.data_dir / "cache"))


def templates(settings: Settings, kb: KnowledgeBase) -> dict[str, Template]:
    """The document templates in knowledge/templates/, checked against the knowledge base."""
    return load_templates(settings.knowledge_dir / "templates", kb)


def index_name(emb: Embeddings) -> str:
    """The name used in index file names for an embedding model."""
    return str(getattr(emb, "name", type(emb).__name__))


@dataclass
class Core:
    """The stores and queues: what channels and the engine share, opened in well under a second."""

    db: Database
    crypto: Crypto
    texts: Texts
    evidence: EvidenceStore
    outbox: Outbox
    files: FileStore
    inbox: Inbox
    tokens: TokenStore
    nonces: CallbackNonces
    ocr: OcrQueue
    imports: ImportQueue
    turns: Turns  # per-person turns among replicas (PostgreSQL advisory locks; SQLite: this process alone)
    buttons: ButtonPayloads  # long Telegram button payloads, readable by every replica and after a restart
    # rate-limit counts in the database when replicas share it (PostgreSQL); None: each channel counts in memory,
    # right for the one process SQLite serves and faster (no write per message)
    rates: RateCounts | None = None
    # what a language-model integration calls when it falls back to the offline path ("timeout", "error", ...);
    # `open_service` points it at the metrics' counter
    on_model_fallback: Callable[[str], None] = field(default=lambda reason: None)

    async def close(self) -> None:
        """Stop reading screenshots and release the database."""
        self.ocr.close()
        await self.turns.close()
        await self.db.close()


@dataclass(kw_only=True)
class App(Core):
    """Everything a channel needs: the stores, plus the engine and the knowledge it answers from."""

    engine: Engine
    parts: QAParts
    sms: SmsHandler
    llm: LLMParts | None = None  # the language model's parts, when one is configured

    async def close(self) -> None:
        """Close the model's connections, stop reading screenshots and release the database."""
        if self.llm is not None:
            await self.llm.model.aclose()
        await super().close()


async def build_app(
    settings: Settings,
    notice: Notice | None = None,
    embeddings: Embeddings | None = None,
    parts: QAParts | None = None,
    ocr_reader: OcrReader | None = None,
    model: Model | None = None,
) -> App:
    """Build the whole application from settings (`parts`: an already loaded knowledge base and index to share;
    `ocr_reader`: what reads screenshots, rapidocr unless given; `model`: a language model instead of the one the
    settings name, e.g. a fake chat model in tests)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    texts = load_texts()
    parts = parts or build_qa(settings, notice, embeddings, texts)
    return assemble(settings, await open_core(settings, texts, ocr_reader), parts, model)


async def open_core(settings: Settings, texts: Texts | None = None, ocr_reader: OcrReader | None = None) -> Core:
    """The database, the key and every store and queue; no model and no index is loaded."""
    db, crypto = await open_storage(settings)
    turns = turns_for(
        settings.resolved_database_url(), settings.database_lock_connections, settings.database_lease_seconds
    )
    return Core(
        db=db,
        crypto=crypto,
        texts=texts or load_texts(),
        evidence=EvidenceStore(db, crypto, settings.max_evidence_items, settings.imports.batch_size),
        outbox=Outbox(db, crypto),
        files=FileStore(db, crypto),
        inbox=Inbox(db, crypto),
        tokens=TokenStore(db, crypto),
        nonces=CallbackNonces(db, crypto, keep=nonce_memory(settings)),
        ocr=ocr_queue(settings, ocr_reader),
        imports=import_queue(settings),
        turns=turns,
        buttons=ButtonPayloads(db, crypto),
        rates=RateCounts(db, crypto) if turns.shared else None,
    )


def assemble(settings: Settings, core: Core, parts: QAParts, model: Model | None = None) -> App:
    """The engine and its handlers on the opened stores and the loaded knowledge (`model`: a language model instead
    of the one the settings name, if any)."""
    texts, evidence, outbox, files, inbox = core.texts, core.evidence, core.outbox, core.files, core.inbox
    llm = build_llm(settings, parts, texts, model, lambda reason: core.on_model_fallback(reason))  # set late
    sms_handler = SmsHandler(
        parts.kb,
        classifier(settings, parts.kb, parts.intents.embeddings if parts.intents else None),
        evidence,
        core.ocr,
        texts,
        settings.font_path,
        max_file_bytes=settings.max_file_bytes,
        imports=core.imports,
        second=llm.sms if llm else None,
    )
    documents = templates(settings, parts.kb)
    drafts = DraftHandler(documents, parts.kb, evidence, texts)
    names = Names(
        slots={n: s.label for t in documents.values() for n, s in t.slot_defs.items()}
        | {TOLD: texts.get("drafting.told_label"), LENDER_SLOT: texts.get("lender.slot_label")},
        documents=drafts.titles(),
        steps=tuple(step.id for step in SEVEN_STEPS.steps),
    )
    runner = FlowRunner(SEVEN_STEPS, parts.kb, texts, parts.qa.answerer.quote, documents=drafts.titles())
    holders = (evidence, outbox, files, SavedFiles(settings.data_dir / "files"))  # saved: the terminal chat's
    handlers = (
        CommandsHandler(texts, holders, names),
        sms_handler,
        JourneyHandler(runner, evidence),
        drafts,
        QuestionHandler(parts.qa, texts, ContactQuestions(parts.kb, texts), phraser=llm.phraser if llm else None),
        SmallTalkHandler(texts),
        LenderHandler(texts),
    )
    engine = Engine(
        SqlSessionStore(core.db, core.crypto),
        handlers,
        texts,
        max_text_chars=settings.max_text_chars,
        max_paste_chars=settings.max_paste_chars,
        max_file_bytes=settings.max_file_bytes,
        lanes=settings.engine_lanes,
        holders=(*holders, inbox),  # /forget also drops the person's messages not yet answered
        reader=llm.reader
        if llm and llm.reader
        else Reader(parts.intents, load_typos(settings.knowledge_dir / "intents.yaml")),
        lenders=LenderRouting.build(parts.kb, texts, _for_12378(documents)),
    )
    fields = {f: getattr(core, f) for f in Core.__dataclass_fields__}
    return App(**fields, engine=engine, parts=parts, sms=sms_handler, llm=llm)


@dataclass
class LLMParts:
    """The language model and what is built on it (bot/llm/): one guard for all calls."""

    model: Model
    guard: Guard
    reader: ModelReader | None
    phraser: ModelPhraser | None
    sms: ModelSmsOpinion | None = None


def build_llm(
    settings: Settings,
    parts: QAParts,
    texts: Texts,
    model: Model | None = None,
    on_fallback: Callable[[str], None] = lambda reason: None,
) -> LLMParts | None:
    """The model reader and answer phraser when a model is configured (or given, e.g. a fake in tests); else None.
    `on_fallback` hears why the offline answer went out (the metrics' counter)."""
    s = settings.llm
    model = model or chat_model(s)
    if model is None:
        return None
    guard = Guard(
        Breaker(s.breaker_failures, s.breaker_cooldown_seconds),
        Limits(s.calls_per_user_per_minute, s.calls_per_minute),
        on_fallback=on_fallback,
    )
    prompts = Prompts(settings.prompts_dir)
    deadlines = deadlines_of(settings)
    intents_file = settings.knowledge_dir / "intents.yaml"
    reader = None
    if s.understand:
        labels = sorted({label for label, _ in load_intents(intents_file)})
        reader = ModelReader(parts.intents, load_typos(intents_file), model.chat, guard, prompts, labels, deadlines)
    phraser = None
    if s.answers:
        phraser = ModelPhraser(model.chat, guard, prompts, parts.kb, parts.qa.answerer, texts, deadlines)
    sms = ModelSmsOpinion(model.chat, guard, prompts, deadlines) if s.sms_second_opinion else None
    return LLMParts(model, guard, reader, phraser, sms)


def deadlines_of(settings: Settings) -> Deadlines:
    """The model's deadlines by purpose and channel, from settings.llm."""
    s = settings.llm
    return Deadlines(
        understand=s.understand_deadline_seconds,
        answer=s.answer_deadline_seconds,
        stream=s.stream_deadline_seconds,
        sms=s.sms_deadline_seconds,
        tight_understand=s.wechat_understand_deadline_seconds,
        tight_answer=s.wechat_answer_deadline_seconds,
    )


def ocr_queue(settings: Settings, reader: OcrReader | None = None) -> OcrQueue:
    """Screenshot reading on its own bounded threads (settings.ocr), with rapidocr unless a reader is given."""
    o = settings.ocr
    return OcrQueue(
        reader or RapidOcr(max_slices=o.max_slices),
        workers=o.workers,
        per_user=o.max_pending_per_user,
        total=o.max_pending,
        max_slices=o.max_slices,
    )


def import_queue(settings: Settings) -> ImportQueue:
    """Backup-file imports, a few at a time, bounded per person and in all (settings.imports)."""
    i = settings.imports
    return ImportQueue(workers=i.workers, per_user=i.max_pending_per_user, total=i.max_pending)


def nonce_memory(settings: Settings) -> timedelta:
    """How long callback nonces are remembered: past twice the widest timestamp window (early or late by it)."""
    window = max(settings.wechat_mp.timestamp_window_seconds, settings.wecom.timestamp_window_seconds)
    return timedelta(seconds=max(900, 2 * window + 60))


@dataclass
class Webhooks:
    """The channels `anning serve` runs: their routes, names, and how to stop them."""

    routes: list[Route]
    names: list[str]
    stoppers: list[Callable[[], Awaitable[None]]]

    async def stop(self) -> None:
        """Stop every channel, last started first."""
        for stop in reversed(self.stoppers):
            await stop()


async def open_storage(settings: Settings) -> tuple[Database, Crypto]:
    """The database (migrated to the newest schema) and the at-rest encryption key, from settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url())
    await db.upgrade()
    crypto = Crypto(load_key(settings.encryption_key.get_secret_value(), Path(settings.data_dir) / "secret.key"))
    return db, crypto


async def open_token_store(settings: Settings) -> tuple[TokenStore, Database]:
    """The shared access-token store alone (for commands that need no engine); close the Database after use."""
    db, crypto = await open_storage(settings)
    return TokenStore(db, crypto), db


def channel_deps(
    settings: Settings,
    core: Core,
    http: ClientSession | None = None,
    links: FileLinks | None = None,
    user: str | None = None,
    engine: Answers | None = None,
) -> Deps:
    """What every channel's build() gets from the application (`engine`: what answers, the App's engine unless
    given, e.g. the gate that holds messages until the engine is built)."""
    from bot.channels.base import Deps

    if engine is None:
        if not isinstance(core, App):
            raise TypeError("channels on bare stores need the engine (or its gate)")
        engine = core.engine
    return Deps(
        settings=settings,
        engine=engine,
        texts=core.texts,
        outbox=core.outbox,
        inbox=core.inbox,
        tokens=core.tokens,
        nonces=core.nonces,
        turns=core.turns,
        rates=core.rates,
        buttons=core.buttons,
        files_dir=settings.data_dir / "files",
        http=http,
        links=links,
        user=user,
    )


def build_channel(settings: Settings, app: App, name: str, user: str | None = None) -> Channel:
    """One registered channel by name (`anning chat` runs "terminal", `anning telegram` runs "telegram")."""
    from bot import channels

    return channels.get(name).build(channel_deps(settings, app, user=user))


def webhook_channels(settings: Settings) -> list[type[Channel]]:
    """The registered webhook channels the settings turn on, in name order."""
    from bot import channels

    return [c for c in channels.discover() if c.webhook and c.enabled(settings)]


def webhook_requirements() -> list[str]:
    """What each webhook channel needs to be on (for `anning serve`'s message when none is)."""
    from bot import channels

    return [c.requirement for c in channels.discover() if c.webhook]


async def start_webhooks(settings: Settings, app: App, http: ClientSession) -> Webhooks:
    """Start every webhook channel the settings turn on and collect its routes (plus the download links)."""
    hooks, channels = await build_webhooks(settings, app, http)
    await start_channels(hooks, channels)
    return hooks


async def build_webhooks(
    settings: Settings, core: Core, http: ClientSession, engine: Answers | None = None
) -> tuple[Webhooks, list[Channel]]:
    """The download links (started) and every webhook channel the settings turn on (built, not started), with
    their routes; `start_channels` starts them."""
    from bot.channels.file_links import FileLinks

    hooks = Webhooks([], [], [])
    links = FileLinks(
        core.files,
        core.crypto,
        settings.web.public_url,
        settings.web.prefix,
        settings.web.file_ttl_seconds,
        core.texts,
        sweep_seconds=settings.web.file_sweep_seconds,
    )
    await links.start()
    hooks.stoppers.append(links.stop)
    hooks.routes.extend(links.routes())
    deps = channel_deps(settings, core, http, links, engine=engine)
    built = []
    for kind in webhook_channels(settings):
        channel = kind.build(deps)
        built.append(channel)
        hooks.routes.extend(channel.routes())
        hooks.names.append(kind.name)
    return hooks, built


async def start_channels(hooks: Webhooks, channels: list[Channel]) -> None:
    """Start the channels in order; each one started is stopped by `hooks.stop()`."""
    for channel in channels:
        await channel.start()
        hooks.stoppers.append(channel.stop)


# -- a running service (`anning serve`, `anning telegram`) ----------------------------------------------------------


@dataclass
class Service:
    """The stores, the gate channels talk to, what /readyz and /metrics report, and the engine once built."""

    settings: Settings
    core: Core
    gate: EngineGate
    metrics: Metrics
    readiness: Readiness
    app: App | None = None
    failed: bool = False  # a part could not start: the process should exit non-zero

    async def warm_up(self, notice: Notice | None = None, embeddings: Embeddings | None = None) -> App:
        """Load the knowledge, the models and the index (in a worker thread: the port stays responsive), build the
        engine and open the gate; readiness says "building" meanwhile, or the error type if it fails."""
        self.readiness.mark("index", "building")
        try:
            parts = await asyncio.to_thread(build_qa, self.settings, notice, embeddings, self.core.texts)
            self.app = assemble(self.settings, self.core, parts)
        except Exception as exc:
            self.metrics.error("index")
            self.readiness.mark("index", failed(exc))
            raise
        self.gate.open(self.app.engine)
        self.readiness.mark("index", READY)
        return self.app

    async def close(self) -> None:
        """Release the stores (the App shares them)."""
        await self.core.close()


async def open_service(settings: Settings, registry: CollectorRegistry | None = None) -> Service:
    """The stores (database checked), a gate for the engine, fresh metrics and readiness; the engine is built by
    `Service.warm_up` in the background."""
    from bot.ops.counts import held_replies, ping, unfinished

    core = await open_core(settings)
    metrics = Metrics(registry or CollectorRegistry())
    gate = EngineGate(settings.max_file_bytes, observe=metrics.observe)
    readiness = Readiness(("database", "index", "channels"), ping=lambda: ping(core.db))
    readiness.on_change = lambda ready: metrics.ready.set(1.0 if ready else 0.0)
    readiness.mark("database", READY)  # it has just answered (its tables were checked); /readyz asks it again
    core.on_model_fallback = metrics.model_fallback
    metrics.track_queue("ocr", core.ocr.pending)
    metrics.track_queue("import", core.imports.pending)
    metrics.track_queue("engine", lambda: gate.waiting)
    metrics.track_count(metrics.held_replies, lambda: held_replies(core.db))
    metrics.track_count(metrics.unfinished, lambda: unfinished(core.db))
    return Service(settings, core, gate, metrics, readiness)


def _for_12378(documents: Mapping[str, Template]) -> tuple[str, ...]:
    """The titles of the documents written for 12378 (a microloan company's borrower sends them elsewhere)."""
    return tuple(t.title for t in documents.values() if t.channels and t.channels[0] == "nfra-12378")
