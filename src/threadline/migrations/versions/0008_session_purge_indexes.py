"""Indexes for the expired-session purge: it selects ended sessions and those past their
absolute lifetime, and without these two indexes each purge read the whole sessions table
(about 0.6 s per statement with a million sessions).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENDED = sa.text("NOT is_active")


def upgrade() -> None:
    op.create_index("ix_sessions_created_at", "sessions", ["created_at"])
    # Partial: ended sessions are few (the purge removes them), so this index stays small.
    op.create_index(
        "ix_sessions_ended",
        "sessions",
        ["session_id"],
        sqlite_where=ENDED,
        postgresql_where=ENDED,
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_ended", table_name="sessions")
    op.drop_index("ix_sessions_created_at", table_name="sessions")
