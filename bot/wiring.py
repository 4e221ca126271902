"""Composition root: the only place that turns settings into concrete stores, index, QA service and engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from bot.documents.handler import DraftHandler
from bot.documents.templates import Template, load_templates
from bot.engine.commands import CommandsHandler, Names
from bot.engine.engine import Engine
from bot.engine.questions import QuestionHandler
from bot.engine.smalltalk import SmallTalkHandler
from bot.flows.journey import JourneyHandler
from bot.flows.runner import FlowRunner
from bot.flows.seven_steps import SEVEN_STEPS
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.legal_qa.answer import Answerer
from bot.legal_qa.bm25 import Tokenizer
from bot.legal_qa.corpora import AddedCorpora, merge_sources
from bot.legal_qa.embeddings import make_embeddings
from bot.legal_qa.index import IndexReport, VectorIndex, open_client
from bot.legal_qa.ingest import all_chunks
from bot.legal_qa.retrieve import Retriever
from bot.legal_qa.service import LegalQA
from bot.settings import Settings
from bot.sms.classify import Classifier
from bot.sms.handler import SmsHandler
from bot.sms.import_queue import ImportQueue
from bot.sms.ocr import RapidOcr
from bot.sms.ocr_queue import OcrQueue, OcrReader
from bot.sms.rules import load_rules
from bot.storage.crypto import Crypto, load_key
from bot.storage.db import Database
from bot.storage.evidence_repo import EvidenceStore
from bot.storage.files_repo import FileStore
from bot.storage.inbox_repo import Inbox
from bot.storage.nonce_repo import CallbackNonces
from bot.storage.outbox_repo import Outbox
from bot.storage.repositories import SqlSessionStore
from bot.storage.tokens_repo import TokenStore
from bot.storage.turns import Turns, turns_for
from bot.texts import Texts
from bot.understand.intents import IntentModel, load_intents, load_typos
from bot.understand.reader import Reader

if TYPE_CHECKING:  # the web channels are imported only when serving: `anning chat` starts faster without them
    from aiohttp import ClientSession

    from bot.channels.base import Channel, Deps
    from bot.channels.file_links import FileLinks
    from bot.web import Route

Notice = Callable[[str], None]


@dataclass
class QAParts:
    """The knowledge base and the services built on it."""

    kb: KnowledgeBase
    index: VectorIndex
    qa: LegalQA
    report: IndexReport | None  # what the startup freshness check rebuilt, if anything
    intents: IntentModel | None = None  # what people mean (nearest neighbours on the intent examples)


def build_qa(
    settings: Settings,
    notice: Notice | None = None,
    embeddings: Embeddings | None = None,
    texts: Texts | None = None,
) -> QAParts:
    """Load knowledge/, make sure the vector index matches it (incremental rebuild), build the QA service."""
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
    client = open_client(
        settings.index.chroma_mode, settings.data_dir / "chroma", settings.index.chroma_host, settings.index.chroma_port
    )
    index = VectorIndex(
        client, settings.index.collection, emb, settings.data_dir / "chroma" / f"manifest-{index_name(emb)}.json"
    )
    report = None
    if not index.is_fresh(chunks):
        if notice:
            notice(texts.get("index.updating"))
        report = index.sync(chunks)
        if notice:
            notice(texts.get("index.updated", added=report.added, updated=report.updated, removed=report.removed))
    tok = Tokenizer(settings.data_dir / "cache", [c.text for c in chunks])
    qa = LegalQA(Retriever(kb, chunks, index, tok), Answerer(kb, texts, tok))
    same = settings.understand.embedding == settings.index.embedding and embeddings is None
    intents = IntentModel(
        load_intents(settings.knowledge_dir / "intents.yaml"),
        emb if same else make_embeddings(settings.understand.embedding),  # one model in memory when both name it
        settings.data_dir / "cache",
    )
    return QAParts(kb, index, qa, report, intents)


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


def classifier(settings: Settings, kb: KnowledgeBase) -> Classifier:
    """The SMS classifier on knowledge/sms_rules.yaml."""
    return Classifier(load_rules(kb, settings.knowledge_dir / "sms_rules.yaml"))


def templates(settings: Settings, kb: KnowledgeBase) -> dict[str, Template]:
    """The document templates in knowledge/templates/, checked against the knowledge base."""
    return load_templates(settings.knowledge_dir / "templates", kb)


def index_name(emb: Embeddings) -> str:
    """The name used in index file names for an embedding model."""
    return str(getattr(emb, "name", type(emb).__name__))


@dataclass
class App:
    """Everything a channel needs: the engine, plus what must be closed at the end."""

    engine: Engine
    db: Database
    parts: QAParts
    evidence: EvidenceStore
    sms: SmsHandler
    crypto: Crypto
    outbox: Outbox
    files: FileStore
    inbox: Inbox
    tokens: TokenStore
    texts: Texts
    nonces: CallbackNonces
    ocr: OcrQueue
    turns: Turns  # per-person turns among replicas (PostgreSQL advisory locks; SQLite: this process alone)

    async def close(self) -> None:
        """Stop reading screenshots and release the database."""
        self.ocr.close()
        await self.turns.close()
        await self.db.close()


async def build_app(
    settings: Settings,
    notice: Notice | None = None,
    embeddings: Embeddings | None = None,
    parts: QAParts | None = None,
    ocr_reader: OcrReader | None = None,
) -> App:
    """Build the whole application from settings (`parts`: an already loaded knowledge base and index to share;
    `ocr_reader`: what reads screenshots, rapidocr unless given)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    texts = load_texts()
    parts = parts or build_qa(settings, notice, embeddings, texts)
    db, crypto = await open_storage(settings)
    evidence = EvidenceStore(db, crypto, settings.max_evidence_items, settings.imports.batch_size)
    outbox = Outbox(db, crypto)
    files = FileStore(db, crypto)
    inbox = Inbox(db, crypto)
    tokens = TokenStore(db, crypto)
    nonces = CallbackNonces(db, crypto, keep=nonce_memory(settings))
    ocr = ocr_queue(settings, ocr_reader)
    sms_handler = SmsHandler(
        parts.kb,
        classifier(settings, parts.kb),
        evidence,
        ocr,
        texts,
        settings.font_path,
        max_file_bytes=settings.max_file_bytes,
        imports=import_queue(settings),
    )
    documents = templates(settings, parts.kb)
    drafts = DraftHandler(documents, parts.kb, evidence, texts)
    names = Names(
        slots={n: s.label for t in documents.values() for n, s in t.slot_defs.items()},
        documents=drafts.titles(),
        steps=tuple(step.id for step in SEVEN_STEPS.steps),
    )
    runner = FlowRunner(SEVEN_STEPS, parts.kb, texts, parts.qa.answerer.quote, documents=drafts.titles())
    holders = (evidence, outbox, files)
    handlers = (
        CommandsHandler(texts, holders, names),
        sms_handler,
        JourneyHandler(runner, evidence),
        drafts,
        QuestionHandler(parts.qa, texts),
        SmallTalkHandler(texts),
    )
    engine = Engine(
        SqlSessionStore(db, crypto),
        handlers,
        texts,
        max_text_chars=settings.max_text_chars,
        max_paste_chars=settings.max_paste_chars,
        max_file_bytes=settings.max_file_bytes,
        holders=(*holders, inbox),  # /forget also drops the person's messages not yet answered
        reader=Reader(parts.intents, load_typos(settings.knowledge_dir / "intents.yaml")),
    )
    turns = turns_for(settings.resolved_database_url(), settings.database_lock_connections)
    return App(
        engine, db, parts, evidence, sms_handler, crypto, outbox, files, inbox, tokens, texts, nonces, ocr, turns
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
    app: App,
    http: ClientSession | None = None,
    links: FileLinks | None = None,
    user: str | None = None,
) -> Deps:
    """What every channel's build() gets from the application."""
    from bot.channels.base import Deps

    return Deps(
        settings=settings,
        engine=app.engine,
        texts=app.texts,
        outbox=app.outbox,
        inbox=app.inbox,
        tokens=app.tokens,
        nonces=app.nonces,
        turns=app.turns,
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
    from bot.channels.file_links import FileLinks

    hooks = Webhooks([], [], [])
    links = FileLinks(
        app.files,
        app.crypto,
        settings.web.public_url,
        settings.web.prefix,
        settings.web.file_ttl_seconds,
        app.texts,
        sweep_seconds=settings.web.file_sweep_seconds,
    )
    await links.start()
    hooks.stoppers.append(links.stop)
    hooks.routes.extend(links.routes())
    deps = channel_deps(settings, app, http, links)
    for kind in webhook_channels(settings):
        channel = kind.build(deps)
        await channel.start()
        hooks.stoppers.append(channel.stop)
        hooks.routes.extend(channel.routes())
        hooks.names.append(kind.name)
    return hooks
