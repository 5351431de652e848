"""SQLAlchemy models: the database schema of monitor.

Conventions analysts can rely on when querying with SQL:

* Every datetime column is `TIMESTAMP WITHOUT TIME ZONE` holding **UTC** (on SQLite,
  text `YYYY-MM-DD HH:MM:SS.ffffff`). Python code only ever sees aware UTC datetimes:
  `UTCDateTime` refuses naive values on the way in.
* JSON-valued columns (`aliases`, `terms`, `concerns`, `top_terms`, `sample_post_ids`)
  are plain text holding JSON (UTF-8, not ASCII-escaped), so both SQLite's `json_each`
  and PostgreSQL's `::jsonb` work on them.
* `posts.author` is a keyed pseudonym or NULL, never a platform user id.

The migrations in `migrations/versions/` must produce exactly this schema; a test
compares them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from monitor.errors import StorageError

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so SQLite batch migrations can find them again."""


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as naive UTC; naive datetimes are refused."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC; raise `StorageError` on a naive one."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise StorageError(f"expected a datetime, got {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise StorageError(
                f"refusing naive datetime {value.isoformat()}: pass an aware UTC time"
            )
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark a stored value as UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


class JSONText(TypeDecorator[Any]):
    """A JSON value kept in a TEXT column (portable, readable in any SQL shell)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Serialise to compact UTF-8 JSON."""
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        """Parse stored JSON."""
        return None if value is None else json.loads(value)


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SourceRow(Base):
    """A place posts come from: a configured scraper or a file import."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))


class ScrapeRunRow(Base):
    """The outcome of one pass of one source, including its coverage gaps."""

    __tablename__ = "scrape_runs"
    __table_args__ = (Index("ix_scrape_runs_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[str]] = mapped_column(JSONText)
    complete: Mapped[bool] = mapped_column(Boolean)
    throttled_seconds: Mapped[float] = mapped_column(Float, default=0.0)


class SourceCursorRow(Base):
    """A resumption point of a source (e.g. the newest id seen for a query)."""

    __tablename__ = "source_cursors"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HotSearchRow(Base):
    """One word of a hot-search list as fetched at `fetched_at` (a rank/heat series)."""

    __tablename__ = "hot_search"
    __table_args__ = (
        UniqueConstraint("source_id", "fetched_at", "word"),
        Index("ix_hot_search_word_fetched", "word", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    rank: Mapped[int] = mapped_column(Integer)
    word: Mapped[str] = mapped_column(String(200))
    heat: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str | None] = mapped_column(String(32))


class PostRow(Base):
    """One ingested post. `created_hour` is `created_at` truncated to the UTC hour."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    external_id: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_hour: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(128))
    reposts: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str | None] = mapped_column(Text)
    repost_of: Mapped[str | None] = mapped_column(String(512))
    content_hash: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AnalysisRow(Base):
    """The NLP result for one post, one boolean column per concern."""

    __tablename__ = "analyses"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    analyzer_version: Mapped[str] = mapped_column(String(64))
    sentiment: Mapped[float] = mapped_column(Float)
    polarity: Mapped[str] = mapped_column(String(8))
    privacy: Mapped[bool] = mapped_column(Boolean)
    biometric: Mapped[bool] = mapped_column(Boolean)
    fraud: Mapped[bool] = mapped_column(Boolean)
    security: Mapped[bool] = mapped_column(Boolean)
    regulatory: Mapped[bool] = mapped_column(Boolean)
    terms: Mapped[list[str]] = mapped_column(JSONText)
    analyzed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppRow(Base):
    """A watched app."""

    __tablename__ = "apps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSONText)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PostAppRow(Base):
    """A post mentions an app (as decided by the analysis)."""

    __tablename__ = "post_apps"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    app_id: Mapped[int] = mapped_column(
        ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class HourlyRollupRow(Base):
    """Posts about one app in one UTC hour, for one rollup concern (see ROLLUP_CONCERNS)."""

    __tablename__ = "hourly_rollups"

    app_id: Mapped[int] = mapped_column(
        ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True
    )
    concern: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    posts: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)
    sentiment_sum: Mapped[float] = mapped_column(Float)
    engagement: Mapped[int] = mapped_column(BigInteger)


class SpikeRow(Base):
    """An hour in which an app's concern posts were well above expectation."""

    __tablename__ = "spikes"

    app_id: Mapped[int] = mapped_column(
        ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)


class StormRow(Base):
    """A storm episode, updated in place as the detector revises it."""

    __tablename__ = "storms"
    __table_args__ = (
        Index("ix_storms_app_started", "app_id", "started_at"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    peak_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posts: Mapped[int] = mapped_column(Integer)
    peak_hourly: Mapped[int] = mapped_column(Integer)
    concerns: Mapped[dict[str, int]] = mapped_column(JSONText)
    negative_share: Mapped[float] = mapped_column(Float)
    severity: Mapped[float] = mapped_column(Float)
    top_terms: Mapped[list[str]] = mapped_column(JSONText)
    sample_post_ids: Mapped[list[str]] = mapped_column(JSONText)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertRow(Base):
    """An alert that fired; the unique key makes each alert fire once."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("storm_id", "kind", "concern"),
        CheckConstraint("kind IN ('open', 'escalate', 'close')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    storm_id: Mapped[int] = mapped_column(ForeignKey("storms.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    concern: Mapped[str] = mapped_column(String(16), default="")
    data_time: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text)


class StateRow(Base):
    """Small durable key/value state (e.g. the rollup watermark)."""

    __tablename__ = "state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SchedulerJobRow(Base):
    """A scheduled job of the daemon, as APScheduler 3.x's `SQLAlchemyJobStore` keeps it.

    The table is the job store's own layout (created here so migrations own the whole
    schema); `next_run_time` is a UTC POSIX timestamp, NULL for a paused job, and
    `job_state` is APScheduler's pickled job. Only `monitor.schedule` writes it.
    """

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


def table(name: str) -> Table:
    """The Core table `name` (for bulk executemany and INSERT ... SELECT statements)."""
    return Base.metadata.tables[name]
