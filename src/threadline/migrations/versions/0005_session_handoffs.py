"""Handoff tickets: the kiosk's QR code that moves a conversation to the shopper's phone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_handoffs",
        sa.Column("handoff_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("from_channel", sa.String(length=16), nullable=False),
        sa.Column("token_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_channel", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.customer_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.session_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["token_id"], ["session_tokens.token_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("handoff_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        "ix_session_handoffs_session_id", "session_handoffs", ["session_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_session_handoffs_session_id", table_name="session_handoffs")
    op.drop_table("session_handoffs")
