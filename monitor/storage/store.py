"""`Storage`: the one object through which monitor reads and writes its database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from alembic.util import CommandError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError, StatementError
from sqlalchemy.orm import Session

from monitor.errors import StorageError
from monitor.storage import live as _live
from monitor.storage import locks as _locks
from monitor.storage import posts as _posts
from monitor.storage import rollups as _rollups
from monitor.storage import scrapes as _scrapes
from monitor.storage import storms as _storms
from monitor.storage.engine import (
    WRITE_OPTIONS,
    EngineHolder,
    check_connection,
    dialect_insert,
    make_engine,
    parse_url,
    schema_problem,
    upgrade_to_head,
    utc,
    utcnow,
)
from monitor.storage.models import AnalysisRow, AppRow, PostRow, StormRow, table
from monitor.storage.records import AlertEvent, ScrapeRun, StoredStorm, UpsertCounts
from monitor.types import Analysis, App, HourlyCount, Post, ScrapeResult, Spike, Storm


class Storage(EngineHolder):
    """The SQL store (SQLite or PostgreSQL) behind every stage of monitor.

    Guarantees: datetimes go in and come out timezone-aware UTC (naive ones are
    refused with `StorageError`); each method is one transaction, committed when it
    returns; any database failure surfaces as `StorageError`. Safe to share between
    threads (each call takes its own connection). Call `ensure_current` (or `init`)
    before use: the other methods assume the latest schema.
    """

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine made by `make_engine`; prefer `Storage.open`."""
        super().__init__(engine)
        self._writer = engine.execution_options(**WRITE_OPTIONS)

    @classmethod
    def open(cls, url: str) -> Storage:
        """Connect to `url`; a SQLite file's folder is created. Does not migrate."""
        engine = make_engine(parse_url(url))
        try:
            check_connection(engine)
        except StorageError:
            engine.dispose()
            raise
        return cls(engine)

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        """One committed transaction; database errors become `StorageError`."""
        try:
            with Session(self._writer if write else self._engine) as session, session.begin():
                yield session
        except StatementError as exc:
            if isinstance(exc.orig, StorageError):
                raise exc.orig from None
            raise self._error(exc) from exc
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: SQLAlchemyError) -> StorageError:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return StorageError(f"database at {self.url} refused the operation: {reason}")

    # -- schema --------------------------------------------------------------------

    def init(self) -> None:
        """Create the schema, or upgrade it to the latest migration (idempotent)."""
        try:
            upgrade_to_head(self._engine)
        except StatementError as exc:
            raise self._error(exc) from exc
        except (SQLAlchemyError, CommandError) as exc:
            raise StorageError(f"cannot migrate database at {self.url}: {exc}") from exc

    def ensure_current(self) -> None:
        """Raise `StorageError` unless the schema is at the latest migration."""
        try:
            problem = schema_problem(self._engine)
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        if problem:
            raise StorageError(f"database at {self.url} {problem}; run `monitor init`")

    # -- sources and scraping ------------------------------------------------------

    def ensure_source(self, name: str, kind: str) -> int:
        """The id of source `name`, created if new; an existing source takes `kind`."""
        with self._session(write=True) as session:
            return _posts.source_id(session, name, kind, set_kind=True)

    def get_cursor(self, source: str, key: str) -> str | None:
        """A source's stored resumption point `key`, or None."""
        with self._session(write=False) as session:
            return _scrapes.get_cursor(session, source, key)

    def set_cursor(self, source: str, key: str, value: str) -> None:
        """Store a resumption point of an existing source."""
        with self._session(write=True) as session:
            _scrapes.set_cursor(session, source, key, value, utcnow())

    def record_scrape_run(
        self,
        result: ScrapeResult,
        started_at: datetime,
        finished_at: datetime | None = None,
        *,
        status: str | None = None,
        throttled_seconds: float = 0.0,
    ) -> int:
        """Record one pass of an existing source; status defaults to ok/partial/failed."""
        if status is None:
            ok = result.complete and not result.errors
            status = "ok" if ok else "partial" if result.pages else "failed"
        with self._session(write=True) as session:
            return _scrapes.record_scrape_run(
                session, result, started_at, finished_at, status, throttled_seconds
            )

    def last_scrape_runs(self) -> list[ScrapeRun]:
        """The latest recorded run of each source."""
        with self._session(write=False) as session:
            return _scrapes.last_scrape_runs(session)

    # -- live path (monitor.storage.live) ------------------------------------------

    def save_hot_search(
        self, source: str, fetched_at: datetime, entries: Sequence[_live.HotSearchEntry]
    ) -> int:
        """Store one fetched hot-search list of an existing source; return new rows."""
        with self._session(write=True) as session:
            return _live.save_hot_search(session, source, fetched_at, entries)

    def hot_search_series(
        self, terms: Sequence[str] | None = None, since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[_live.HotSearchPoint]:
        """Hot-search observations whose word contains any of `terms`, oldest first."""
        with self._session(write=False) as session:
            return _live.hot_search_series(session, terms, since, until)

    def post_times(self, source: str, external_ids: Sequence[str]) -> dict[str, datetime]:
        """Stored `created_at` of the given posts of `source` (unknown ids left out)."""
        with self._session(write=False) as session:
            return _live.post_times(session, source, external_ids)

    # -- posts and analyses --------------------------------------------------------

    def upsert_posts(self, posts: Sequence[Post]) -> UpsertCounts:
        """Store posts in one transaction: new ones inserted, changed ones updated.

        `Post.source` is the source name (created with kind `file` if unknown). A post
        whose content hash (text, created_at, author, counts, url, repost_of) changed
        is updated and loses its analysis, so it is analysed again.
        """
        if not posts:
            return UpsertCounts(new=0, updated=0, unchanged=0)
        with self._session(write=True) as session:
            return _posts.upsert_posts(session, posts, utcnow())

    def sync_apps(self, apps: Sequence[App]) -> None:
        """Insert or update watched apps by name (apps not listed are kept)."""
        if not apps:
            return
        values = [
            {"name": app.name, "aliases": list(app.aliases),
             "launched_at": None if app.launched_at is None else utc(app.launched_at)}
            for app in apps
        ]
        with self._session(write=True) as session:
            stmt = dialect_insert(session, table("apps"))
            stmt = stmt.on_conflict_do_update(
                index_elements=["name"],
                set_={"aliases": stmt.excluded.aliases, "launched_at": stmt.excluded.launched_at},
            )
            session.execute(stmt, values)

    def count_unanalyzed(self, analyzer_version: str, *, stale_only: bool = False) -> int:
        """Posts with no analysis or one by another analyzer version (`stale_only`: the
        latter only)."""
        with self._session(write=False) as session:
            return _posts.count_unanalyzed(session, analyzer_version, stale_only)

    def iter_unanalyzed(
        self, analyzer_version: str, batch_size: int = 500, *, stale_only: bool = False
    ) -> Iterator[list[tuple[int, str]]]:
        """Batches of (post id, text) to analyse, by increasing id (`stale_only`: only
        posts analyzed by another version).

        Each batch is read in its own short transaction (keyset pagination), so the
        caller may `save_analyses` between batches.
        """
        after = 0
        while True:
            with self._session(write=False) as session:
                batch = _posts.unanalyzed_batch(session, analyzer_version, after, batch_size, stale_only)
            if not batch:
                return
            yield batch
            after = batch[-1][0]

    def save_analyses(self, rows: Sequence[tuple[int, Analysis]]) -> None:
        """Store analyses and app mentions; mark the posts' hours for rollup refresh."""
        if not rows:
            return
        with self._session(write=True) as session:
            _posts.save_analyses(session, rows, utcnow())

    def purge(self, older_than: datetime) -> int:
        """Delete posts created before `older_than` (and their analyses, mentions)."""
        cutoff = utc(older_than)
        with self._session(write=True) as session:
            return _posts.purge(session, cutoff)

    # -- rollups -------------------------------------------------------------------

    def refresh_rollups(self) -> int:
        """Recompute hourly rollups from the dirty watermark on; return rows written."""
        with self._session(write=True) as session:
            return _rollups.refresh(session)

    def rollups_stale_since(self) -> datetime | None:
        """The earliest hour whose rollups wait for `refresh_rollups` (None: all fresh;
        the minimum datetime if they were never computed)."""
        with self._session(write=False) as session:
            mark = _scrapes.get_state(session, _rollups.WATERMARK_KEY)
        if mark == "":
            return None
        if mark in (None, "all"):
            return datetime.min.replace(tzinfo=UTC)
        hour = datetime.fromisoformat(mark)
        return hour.astimezone(UTC) if hour.tzinfo else hour.replace(tzinfo=UTC)

    def hourly_series(
        self, app: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[HourlyCount]:
        """Rollups of `app` for hours in [since, until), sparse, by hour then concern."""
        since = None if since is None else utc(since)
        until = None if until is None else utc(until)
        with self._session(write=False) as session:
            return _rollups.hourly_series(session, app, since, until)

    def data_bounds(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest `created_at` of stored posts, or None if none."""
        with self._session(write=False) as session:
            query = select(func.min(PostRow.created_at), func.max(PostRow.created_at))
            first, last = session.execute(query).one()
        return None if first is None or last is None else (first, last)

    # -- detection -----------------------------------------------------------------

    def save_storms(self, app: str, storms: Sequence[Storm]) -> list[AlertEvent]:
        """Upsert `app`'s storms (matched by overlapping interval); return new alerts."""
        with self._session(write=True) as session:
            return _storms.save_storms(session, app, storms, utcnow())

    def list_storms(self, app: str | None = None) -> list[StoredStorm]:
        """Stored storms, oldest first (of one app, or all)."""
        with self._session(write=False) as session:
            return _storms.list_storms(session, app)

    def save_spikes(self, app: str, spikes: Sequence[Spike]) -> None:
        """Upsert `app`'s spikes by hour."""
        with self._session(write=True) as session:
            _storms.save_spikes(session, app, spikes)

    # -- state and status ----------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        """A small durable value (e.g. the last detected hour), or None."""
        with self._session(write=False) as session:
            return _scrapes.get_state(session, key)

    def set_state(self, key: str, value: str) -> None:
        """Set a small durable value."""
        with self._session(write=True) as session:
            _scrapes.set_state(session, key, value)

    # -- the daemon (monitor.storage.locks) ---------------------------------------

    @contextmanager
    def job_lock(self, name: str) -> Iterator[bool]:
        """Whether this process may run job `name` now: on PostgreSQL an advisory lock
        held until the block ends (False if another daemon holds it); SQLite: True."""
        with _locks.job_lock(self._engine, name) as acquired:
            yield acquired

    def scheduled_jobs(self) -> list[_locks.ScheduledJob]:
        """The daemon's stored schedule: job ids and next run times (UTC)."""
        with self._session(write=False) as session:
            return _locks.scheduled_jobs(session)

    def stats(self) -> dict[str, int]:
        """Counts: posts, analyzed, apps, storms_open, storms_total."""
        count = select(func.count())
        queries = {
            "posts": count.select_from(PostRow),
            "analyzed": count.select_from(AnalysisRow),
            "apps": count.select_from(AppRow),
            "storms_open": count.select_from(StormRow).where(StormRow.status == "open"),
            "storms_total": count.select_from(StormRow),
        }
        with self._session(write=False) as session:
            return {name: int(session.scalar(query) or 0) for name, query in queries.items()}
