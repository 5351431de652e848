"""Initial schema: sources, scraping, posts, analyses, apps, rollups, spikes, storms, alerts.

All DateTime columns are TIMESTAMP WITHOUT TIME ZONE holding UTC; Text columns named
aliases/errors/terms/concerns/top_terms/sample_post_ids hold JSON.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _fk(
    table: str, column: str, target: str, ondelete: str | None = "CASCADE"
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        _pk("sources", "id"),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "scrape_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("throttled_seconds", sa.Float(), nullable=False),
        _fk("scrape_runs", "source_id", "sources"),
        _pk("scrape_runs", "id"),
    )
    op.create_index("ix_scrape_runs_source_started", "scrape_runs", ["source_id", "started_at"])
    op.create_table(
        "source_cursors",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("source_cursors", "source_id", "sources"),
        _pk("source_cursors", "source_id", "key"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_hour", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=True),
        sa.Column("reposts", sa.Integer(), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("repost_of", sa.String(length=512), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("posts", "source_id", "sources", ondelete=None),
        _pk("posts", "id"),
        sa.UniqueConstraint(
            "source_id", "external_id", name=op.f("uq_posts_source_id_external_id")
        ),
    )
    op.create_index(op.f("ix_posts_created_at"), "posts", ["created_at"])
    op.create_index(op.f("ix_posts_created_hour"), "posts", ["created_hour"])
    op.create_table(
        "analyses",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("analyzer_version", sa.String(length=64), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=False),
        sa.Column("polarity", sa.String(length=8), nullable=False),
        sa.Column("privacy", sa.Boolean(), nullable=False),
        sa.Column("biometric", sa.Boolean(), nullable=False),
        sa.Column("fraud", sa.Boolean(), nullable=False),
        sa.Column("security", sa.Boolean(), nullable=False),
        sa.Column("regulatory", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("analyzed_at", sa.DateTime(), nullable=False),
        _fk("analyses", "post_id", "posts"),
        _pk("analyses", "post_id"),
    )
    op.create_table(
        "apps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("launched_at", sa.DateTime(), nullable=True),
        _pk("apps", "id"),
        sa.UniqueConstraint("name", name=op.f("uq_apps_name")),
    )
    op.create_table(
        "post_apps",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        _fk("post_apps", "post_id", "posts"),
        _fk("post_apps", "app_id", "apps"),
        _pk("post_apps", "post_id", "app_id"),
    )
    op.create_index(op.f("ix_post_apps_app_id"), "post_apps", ["app_id"])
    op.create_table(
        "hourly_rollups",
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("concern", sa.String(length=16), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("sentiment_sum", sa.Float(), nullable=False),
        sa.Column("engagement", sa.BigInteger(), nullable=False),
        _fk("hourly_rollups", "app_id", "apps"),
        _pk("hourly_rollups", "app_id", "concern", "hour"),
    )
    op.create_table(
        "spikes",
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        _fk("spikes", "app_id", "apps"),
        _pk("spikes", "app_id", "hour"),
    )
    op.create_table(
        "storms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("peak_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("peak_hourly", sa.Integer(), nullable=False),
        sa.Column("concerns", sa.Text(), nullable=False),
        sa.Column("negative_share", sa.Float(), nullable=False),
        sa.Column("severity", sa.Float(), nullable=False),
        sa.Column("top_terms", sa.Text(), nullable=False),
        sa.Column("sample_post_ids", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_storms_status")),
        _fk("storms", "app_id", "apps"),
        _pk("storms", "id"),
    )
    op.create_index("ix_storms_app_started", "storms", ["app_id", "started_at"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("storm_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("concern", sa.String(length=16), nullable=False),
        sa.Column("data_time", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('open', 'escalate', 'close')", name=op.f("ck_alerts_kind")),
        _fk("alerts", "storm_id", "storms"),
        _pk("alerts", "id"),
        sa.UniqueConstraint(
            "storm_id", "kind", "concern", name=op.f("uq_alerts_storm_id_kind_concern")
        ),
    )
    op.create_table(
        "state",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _pk("state", "key"),
    )


def downgrade() -> None:
    for name in (
        "state", "alerts", "storms", "spikes", "hourly_rollups", "post_apps", "apps",
        "analyses", "posts", "source_cursors", "scrape_runs", "sources",
    ):
        op.drop_table(name)
