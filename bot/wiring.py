"""Composition root: the only place that turns settings into concrete stores, index, QA service and engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
from bot.storage.repositories import SqlSessionStore
from bot.texts import Texts

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

    async def close(self) -> None:
        """Release the database."""
        await self.db.close()


async def build_app(settings: Settings, notice: Notice | None = None, embeddings: Embeddings | None = None) -> App:
    """Build the whole application from settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    parts = build_qa(settings, notice, embeddings)
    db = Database(settings.resolved_database_url())
    await db.create_all()
    crypto = Crypto(load_key(settings.encryption_key.get_secret_value(), Path(settings.data_dir) / "secret.key"))
    texts = Texts()
    evidence = EvidenceStore(db, crypto)
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
    )
    return App(engine, db, parts, evidence, sms_handler)
