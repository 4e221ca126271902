"""Storage, migration 0001: the tables of December 2026, created where missing (adopts a create_all database)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("sessions", "evidence", "outbox", "files", "inbox", "callback_nonces", "api_tokens")


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{columns[0]}"), table, list(columns), unique=False)


def upgrade() -> None:
    """Create each table (with its indexes) unless a database made before migrations has it already."""
    if _missing("sessions"):
        op.create_table(
            "sessions",
            sa.Column("user_id", sa.String(length=64), nullable=False),
            sa.Column("data", sa.LargeBinary(), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("user_id"),
        )
    if _missing("evidence"):
        op.create_table(
            "evidence",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("user_id", sa.String(length=64), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("dedupe_key", sa.String(length=64), nullable=False),
            sa.Column("item_hash", sa.String(length=64), nullable=False),
            sa.Column("chain_hash", sa.String(length=64), nullable=False),
            sa.Column("payload", sa.LargeBinary(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("user_id", "dedupe_key", name="uq_evidence_user_dedupe"),
            sa.UniqueConstraint("user_id", "seq", name="uq_evidence_user_seq"),
        )
        _index("evidence", "user_id")
    if _missing("outbox"):
        op.create_table(
            "outbox",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("user_id", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("payload", sa.LargeBinary(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        _index("outbox", "user_id")
    if _missing("files"):
        op.create_table(
            "files",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("user_id", sa.String(length=64), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("payload", sa.LargeBinary(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        _index("files", "expires_at")
        _index("files", "user_id")
    if _missing("inbox"):
        op.create_table(
            "inbox",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("key", sa.String(length=64), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("user_id", sa.String(length=64), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("payload", sa.LargeBinary(), nullable=False),
            sa.Column("answer", sa.LargeBinary(), nullable=False),
            sa.Column("sent", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("key"),
        )
        _index("inbox", "received_at")
        _index("inbox", "state")
        _index("inbox", "user_id")
    if _missing("callback_nonces"):
        op.create_table(
            "callback_nonces",
            sa.Column("key", sa.String(length=64), nullable=False),
            sa.Column("body", sa.String(length=64), nullable=False),
            sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
        _index("callback_nonces", "seen_at")
    if _missing("api_tokens"):
        op.create_table(
            "api_tokens",
            sa.Column("name", sa.String(length=160), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("payload", sa.LargeBinary(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )
    if not _missing("seen_messages"):  # message ids before the inbox (keyed hashes only); the inbox replaced it
        op.drop_table("seen_messages")


def downgrade() -> None:
    """Drop every table (and its data)."""
    for name in reversed(TABLES):
        op.drop_table(name)
