"""Storage, migration 0002: turn leases, so a replica keeps a person's turn across a lost database connection."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The turn_leases table."""
    op.create_table(
        "turn_leases",
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person"),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("turn_leases")
