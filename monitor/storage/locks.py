"""Daemon coordination through the database: job locks and the stored schedule.

On PostgreSQL several daemons may share one database. `job_lock(name)` takes a
session-level advisory lock (`pg_try_advisory_lock`) keyed by a hash of the job's name,
on a connection held for as long as the job runs, so a job runs in one daemon at a
time; a daemon that does not get the lock skips that run. The lock belongs to the
connection, so a daemon that dies never leaves one behind. SQLite serves one daemon per
file: there the lock is always granted.

`scheduled_jobs` reads APScheduler's job table (`apscheduler_jobs`, see
`SchedulerJobRow`) without unpickling anything: ids and next run times only.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from monitor.errors import StorageError
from monitor.storage.engine import safe_url
from monitor.storage.models import SchedulerJobRow

log = logging.getLogger(__name__)

_TRY = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")


@dataclass(frozen=True)
class ScheduledJob:
    """A job in the daemon's store: its id and next run (None when paused)."""

    id: str
    next_run_time: datetime | None


def lock_key(name: str) -> int:
    """The signed 64-bit advisory lock key of job `name`."""
    digest = hashlib.sha256(b"monitor-job:" + name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def job_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Yield whether this process may run job `name` now (see the module docstring)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    conn = _try_lock(engine, name, key)
    if conn is None:
        yield False
        return
    try:
        yield True
    finally:
        _unlock(conn, name, key)


def _try_lock(engine: Engine, name: str, key: int) -> Connection | None:
    """A connection holding the lock, or None if another session holds it."""
    try:
        conn = engine.connect()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot lock job {name!r} on {safe_url(engine.url)}: {_reason(exc)}") from None
    try:
        acquired = bool(conn.execute(_TRY, {"key": key}).scalar())
        conn.commit()
    except SQLAlchemyError as exc:
        conn.invalidate()
        conn.close()
        raise StorageError(f"cannot lock job {name!r} on {safe_url(engine.url)}: {_reason(exc)}") from None
    if not acquired:
        conn.close()
        return None
    return conn


def _unlock(conn: Connection, name: str, key: int) -> None:
    try:
        conn.execute(_UNLOCK, {"key": key})
        conn.commit()
    except SQLAlchemyError as exc:
        # never hand a connection that may still hold the lock back to the pool
        log.warning("could not release the lock of job %r (%s); dropping its connection", name, _reason(exc))
        conn.invalidate()
    finally:
        conn.close()


def _reason(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def scheduled_jobs(session: Session) -> list[ScheduledJob]:
    """The daemon's stored jobs, by id."""
    rows = session.execute(select(SchedulerJobRow.id, SchedulerJobRow.next_run_time).order_by(SchedulerJobRow.id))
    return [ScheduledJob(job_id, None if at is None else datetime.fromtimestamp(at, UTC)) for job_id, at in rows]
