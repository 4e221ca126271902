"""Composition root: the only place that turns settings into concrete stores, index, QA service and engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from bot.documents.handler import DraftHandler
from bot.documents.templates import load_templates
from bot.engine.engine import Engine
from bot.flows.runner import FlowRunner
from bot.flows.seven_steps import SEVEN_STEPS
from bot.legal_qa.answer import Answerer
from bot.legal_qa.bm25 import Tokenizer
from bot.legal_qa.embeddings import make_embeddings
from bot.legal_qa.index import IndexReport, VectorIndex, open_client
from bot.legal_qa.ingest import all_chunks
from bot.legal_qa.knowledge import KnowledgeBase, load_knowledge
from bot.legal_qa.retrieve import Retriever
from bot.legal_qa.service import LegalQA
from bot.settings import Settings
from bot.sms.classify import Classifier
from bot.sms.handler import SmsHandler
from bot.sms.ocr import RapidOcr
from bot.sms.rules import load_rules
from bot.storage.crypto import Crypto, load_key
from bot.storage.db import Database
from bot.storage.evidence_repo import EvidenceStore
from bot.storage.files_repo import FileStore
from bot.storage.outbox_repo import Outbox
from bot.storage.repositories import SqlSessionStore
from bot.storage.seen_repo import SeenMessages
from bot.storage.tokens_repo import TokenStore
from bot.texts import Texts

if TYPE_CHECKING:  # the web channels are imported only when serving: `anning chat` starts faster without them
    from aiohttp import ClientSession

    from bot.channels.wechat.api import WeChatApi
    from bot.web import Route

Notice = Callable[[str], None]


@dataclass
class QAParts:
    """The knowledge base and the services built on it."""

    kb: KnowledgeBase
    index: VectorIndex
    qa: LegalQA
    report: IndexReport | None  # what the startup freshness check rebuilt, if anything


def build_qa(settings: Settings, notice: Notice | None = None, embeddings: Embeddings | None = None) -> QAParts:
    """Load knowledge/, make sure the vector index matches it (incremental rebuild), build the QA service."""
    kb = load_knowledge(settings.knowledge_dir, settings.index.extra_sources)
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
            notice("知识索引需要更新，正在建立（只处理有变化的条文）…")
        report = index.sync(chunks)
        if notice:
            notice(f"索引已更新：新增 {report.added}，更新 {report.updated}，删除 {report.removed}。")
    tok = Tokenizer(settings.data_dir / "cache")
    qa = LegalQA(Retriever(kb, chunks, index, tok), Answerer(kb, Texts(), tok))
    return QAParts(kb, index, qa, report)


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
    seen: SeenMessages
    tokens: TokenStore

    async def close(self) -> None:
        """Release the database."""
        await self.db.close()


async def build_app(settings: Settings, notice: Notice | None = None, embeddings: Embeddings | None = None) -> App:
    """Build the whole application from settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    parts = build_qa(settings, notice, embeddings)
    db, crypto = await open_storage(settings)
    texts = Texts()
    evidence = EvidenceStore(db, crypto)
    outbox = Outbox(db, crypto)
    files = FileStore(db, crypto)
    seen = SeenMessages(db, crypto)
    tokens = TokenStore(db, crypto)
    classifier = Classifier(load_rules(parts.kb, settings.knowledge_dir / "sms_rules.yaml"))
    sms_handler = SmsHandler(parts.kb, classifier, evidence, RapidOcr(), texts, settings.font_path)
    drafts = DraftHandler(load_templates(settings.knowledge_dir / "templates", parts.kb), parts.kb, evidence, texts)
    engine = Engine(
        SqlSessionStore(db, crypto),
        evidence,
        parts.qa,
        sms_handler,
        FlowRunner(SEVEN_STEPS, parts.kb, texts, parts.qa.answerer.quote, documents=drafts.titles()),
        drafts,
        texts,
        max_text_chars=settings.max_text_chars,
        max_file_bytes=settings.max_file_bytes,
        max_paste_chars=settings.max_paste_chars,
        erasers=(outbox, files),
    )
    return App(engine, db, parts, evidence, sms_handler, crypto, outbox, files, seen, tokens)


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


def wechat_api(
    settings: Settings, http: ClientSession, kind: str, tokens: TokenStore | None = None
) -> WeChatApi | None:
    """The WeChat API client for the Official Account ("mp") or WeCom ("work"), if its credentials are set."""
    from bot.channels.wechat.api import WeChatApi

    if kind == "mp":
        mp = settings.wechat_mp
        if not (mp.app_id and mp.app_secret.get_secret_value()):
            return None
        return WeChatApi(http, mp.api_base_url, "mp", mp.app_id, mp.app_secret.get_secret_value(), tokens=tokens)
    work = settings.wecom
    if not (work.corp_id and work.corp_secret.get_secret_value()):
        return None
    secret = work.corp_secret.get_secret_value()
    return WeChatApi(http, work.api_base_url, "work", work.corp_id, secret, tokens=tokens)


async def open_storage(settings: Settings) -> tuple[Database, Crypto]:
    """The database (tables created) and the at-rest encryption key, from settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url())
    await db.create_all()
    crypto = Crypto(load_key(settings.encryption_key.get_secret_value(), Path(settings.data_dir) / "secret.key"))
    return db, crypto


async def open_token_store(settings: Settings) -> tuple[TokenStore, Database]:
    """The shared access-token store alone (for commands that need no engine); close the Database after use."""
    db, crypto = await open_storage(settings)
    return TokenStore(db, crypto), db


async def start_webhooks(settings: Settings, app: App, http: ClientSession) -> Webhooks:
    """Start every channel whose settings are complete and collect its webhook routes (plus the download links)."""
    from bot.channels.file_links import FileLinks
    from bot.channels.telegram import TelegramChannel
    from bot.channels.wechat.mp import WeChatMpChannel
    from bot.channels.wechat.wecom import WeComChannel

    texts = Texts()
    hooks = Webhooks([], [], [])
    links = FileLinks(
        app.files, app.crypto, settings.web.public_url, settings.web.prefix, settings.web.file_ttl_seconds
    )
    hooks.routes.extend(links.routes())
    tg = settings.telegram
    if tg.token.get_secret_value() and tg.webhook_url and tg.webhook_secret.get_secret_value():
        telegram = TelegramChannel(app.engine, tg, texts, max_file_bytes=settings.max_file_bytes)
        await telegram.start(polling=False)
        hooks.stoppers.append(telegram.stop)
        hooks.routes.extend(telegram.routes())
        hooks.names.append("telegram")
    if settings.wechat_mp.token.get_secret_value():
        mp = WeChatMpChannel(
            app.engine,
            settings.wechat_mp,
            texts,
            app.outbox,
            wechat_api(settings, http, "mp", app.tokens),
            links,
            max_file_bytes=settings.max_file_bytes,
            seen=app.seen,
        )
        hooks.stoppers.append(mp.close)
        hooks.routes.extend(mp.routes())
        hooks.names.append("wechat_mp")
    work_api = wechat_api(settings, http, "work", app.tokens)
    if settings.wecom.token.get_secret_value() and work_api is not None:
        wecom = WeComChannel(
            app.engine,
            settings.wecom,
            texts,
            app.outbox,
            work_api,
            max_file_bytes=settings.max_file_bytes,
            seen=app.seen,
        )
        hooks.stoppers.append(wecom.close)
        hooks.routes.extend(wecom.routes())
        hooks.names.append("wecom")
    return hooks
