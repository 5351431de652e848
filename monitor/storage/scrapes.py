"""Scraper bookkeeping: per-source cursors, run outcomes, and small key/value state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.errors import StorageError
from monitor.storage.engine import dialect_insert, utc
from monitor.storage.models import ScrapeRunRow, SourceCursorRow, SourceRow, StateRow, table
from monitor.storage.records import ScrapeRun
from monitor.types import ScrapeResult


def _known_source(session: Session, source: str) -> int:
    found = session.scalar(select(SourceRow.id).where(SourceRow.name == source))
    if found is None:
        raise StorageError(f"unknown source {source!r} (ensure_source first)")
    return found


def get_cursor(session: Session, source: str, key: str) -> str | None:
    """The stored cursor `key` of `source`, or None."""
    query = (
        select(SourceCursorRow.value)
        .join(SourceRow, SourceRow.id == SourceCursorRow.source_id)
        .where(SourceRow.name == source, SourceCursorRow.key == key)
    )
    return session.scalar(query)


def set_cursor(session: Session, source: str, key: str, value: str, now: datetime) -> None:
    """Store cursor `key` of `source` (which must exist)."""
    values = {"source_id": _known_source(session, source), "key": key, "value": value,
              "updated_at": now}
    stmt = dialect_insert(session, table("source_cursors")).values(**values)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["source_id", "key"], set_={"value": value, "updated_at": now}
    ))


def record_scrape_run(
    session: Session,
    result: ScrapeResult,
    started_at: datetime,
    finished_at: datetime | None,
    status: str,
    throttled_seconds: float,
) -> int:
    """Store one pass of `result.source` (which must exist); return the run id."""
    row = ScrapeRunRow(
        source_id=_known_source(session, result.source), started_at=utc(started_at),
        finished_at=None if finished_at is None else utc(finished_at), status=status,
        pages=result.pages, new=result.new, updated=result.updated, unchanged=result.unchanged,
        rejected=result.rejected, errors=list(result.errors), complete=result.complete,
        throttled_seconds=float(throttled_seconds),
    )
    session.add(row)
    session.flush()
    return row.id


def last_scrape_runs(session: Session) -> list[ScrapeRun]:
    """The latest run of each source, by source name."""
    latest = (
        select(ScrapeRunRow.source_id, func.max(ScrapeRunRow.id).label("run_id"))
        .group_by(ScrapeRunRow.source_id)
        .subquery()
    )
    query = (
        select(ScrapeRunRow, SourceRow.name)
        .join(latest, latest.c.run_id == ScrapeRunRow.id)
        .join(SourceRow, SourceRow.id == ScrapeRunRow.source_id)
        .order_by(SourceRow.name)
    )
    return [
        ScrapeRun(
            id=row.id, source=name, started_at=row.started_at, finished_at=row.finished_at,
            status=row.status, pages=row.pages, new=row.new, updated=row.updated,
            unchanged=row.unchanged, rejected=row.rejected, errors=tuple(row.errors),
            complete=row.complete, throttled_seconds=row.throttled_seconds,
        )
        for row, name in session.execute(query)
    ]


def get_state(session: Session, key: str) -> str | None:
    """The value of state `key`, or None."""
    return session.scalar(select(StateRow.value).where(StateRow.key == key))


def set_state(session: Session, key: str, value: str) -> None:
    """Set state `key` to `value`."""
    stmt = dialect_insert(session, table("state")).values(key=key, value=value)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
