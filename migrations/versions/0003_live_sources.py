"""Live sources: the hot-search rank/heat series.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hot_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=200), nullable=False),
        sa.Column("heat", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_hot_search_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hot_search")),
        sa.UniqueConstraint(
            "source_id", "fetched_at", "word", name=op.f("uq_hot_search_source_id_fetched_at_word")
        ),
    )
    op.create_index(op.f("ix_hot_search_fetched_at"), "hot_search", ["fetched_at"])
    op.create_index("ix_hot_search_word_fetched", "hot_search", ["word", "fetched_at"])


def downgrade() -> None:
    op.drop_index("ix_hot_search_word_fetched", table_name="hot_search")
    op.drop_index(op.f("ix_hot_search_fetched_at"), table_name="hot_search")
    op.drop_table("hot_search")
