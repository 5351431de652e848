"""One pass of the configured live sources into the store (`monitor scrape`, the daemon).

For each source, for each key (query, uid, feed): read the key's cursor, page through
the source, and for every page store its posts (or hot-search rows) in one
transaction and *then* its cursor, so a crash or restart resumes without loss and
without duplicates. Every pass of a source is recorded with `Storage.record_scrape_run`:
pages, posts new/updated/unchanged, rejects with reasons, time spent throttled, and
whether coverage is complete (no failed key, no gap).

Failures are isolated: a failing key is recorded and the next key runs; a login wall
or verification page skips the source's remaining keys (they would hit the same
wall); a failing source never stops the others. Only a database failure
(`StorageError`) stops the pass.

Weibo shows recent times as `3小时前` or `08-31`; when a page shows a post already
stored with a time inside the reading's slack (plus two minutes of clock skew), the
stored time is kept, so re-seeing a post does not churn it; a reading that is
clearly more precise (`08-31` stored, the exact time seen now) replaces it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.config import Settings, SourceSettings
from monitor.errors import ConfigError, MonitorError, StorageError
from monitor.ingest.pseudonym import PseudonymFn
from monitor.storage import Storage, UpsertCounts
from monitor.types import Post, ScrapeResult

if TYPE_CHECKING:
    from monitor.sources.base import Page, ScrapeContext, Source
    from monitor.sources.http import Meter, PoliteClient

__all__ = ["SourceRun", "run_source", "run_sources"]

log = logging.getLogger(__name__)

TIME_TOLERANCE = timedelta(minutes=2)
"""Clock skew allowed when matching a time to a stored one (a `昨天 12:00` reading
stored first and the exact `12:00:37` seen later are the same time)."""
_EXACT = (timedelta(0), timedelta(0))
MAX_MESSAGES = 30
MAX_CURSOR_KEY = 180


@dataclass(frozen=True)
class SourceRun:
    """A recorded pass of one source: the result, its run id, timing and cost."""

    result: ScrapeResult
    run_id: int
    status: str
    started_at: datetime
    finished_at: datetime
    throttled_seconds: float
    requests: int


def run_sources(
    storage: Storage,
    settings: Settings,
    now: datetime,
    only: str | Sequence[str] | None = None,
    *,
    client: PoliteClient | None = None,
    pseudonymize: PseudonymFn | None = None,
    env: Mapping[str, str] | None = None,
) -> list[SourceRun]:
    """One pass of every configured source (or those named in `only`): a run record each,
    holding its `ScrapeResult`. `ConfigError` for an unknown `only`.

    `client` (default: a new `PoliteClient`, closed afterwards) is shared by all sources
    so politeness is per host; `pseudonymize` defaults to the configured key; `env`
    (default `os.environ`) holds the cookies named by `cookie_env`.
    """
    from monitor.sources.http import PoliteClient

    chosen = _select(settings.sources, only)
    if pseudonymize is None:
        from monitor.ingest.pseudonym import Pseudonymizer, load_pseudonym_key

        pseudonymize = Pseudonymizer(load_pseudonym_key(settings.privacy))
    own = client is None
    shared = client or PoliteClient()
    try:
        return [run_source(storage, entry, now, client=shared, pseudonymize=pseudonymize, env=env)
                for entry in chosen]
    finally:
        if own:
            shared.close()


def _select(sources: Sequence[SourceSettings], only: str | Sequence[str] | None) -> list[SourceSettings]:
    if only is None:
        return list(sources)
    names = [only] if isinstance(only, str) else list(only)
    known = {source.name for source in sources}
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none configured"
        raise ConfigError(f"no source named {unknown[0]!r} (sources: {listed})", key="sources")
    return [source for source in sources if source.name in names]


def run_source(
    storage: Storage,
    entry: SourceSettings,
    now: datetime,
    *,
    client: PoliteClient,
    pseudonymize: PseudonymFn,
    env: Mapping[str, str] | None = None,
) -> SourceRun:
    """One recorded pass of one source (see the module docstring); never raises for
    source failures, only `StorageError`."""
    from monitor.sources.base import ScrapeContext
    from monitor.sources.http import Meter, Politeness

    began = time.monotonic()
    meter = Meter()
    tally = _Tally()
    storage.ensure_source(entry.name, entry.kind)
    cookie = (os.environ if env is None else env).get(entry.cookie_env) if entry.cookie_env else None
    fetcher = client.fetcher(Politeness.from_settings(entry), meter, cookie=cookie or None)
    ctx = ScrapeContext(fetcher, pseudonymize, lambda: now + timedelta(seconds=time.monotonic() - began))
    try:
        from monitor.sources.registry import make_source

        _run_keys(storage, make_source(entry), ctx, tally)
    except ConfigError as exc:
        tally.fail(str(exc))
    return _record(storage, entry.name, tally, meter, now, now + timedelta(seconds=time.monotonic() - began))


def _run_keys(storage: Storage, source: Source, ctx: ScrapeContext, tally: _Tally) -> None:
    from monitor.sources.errors import LoginRequiredError, VerificationError

    keys = source.keys()
    for index, key in enumerate(keys):
        try:
            _run_key(storage, source, key, ctx, tally)
        except StorageError:
            raise
        except (LoginRequiredError, VerificationError) as exc:
            tally.fail(f"{key}: {exc}")
            if index + 1 < len(keys):
                tally.fail(f"skipped {len(keys) - index - 1} more key(s) behind the same wall")
            return
        except MonitorError as exc:
            tally.fail(f"{key}: {exc}")
        except Exception as exc:  # a bug must not stop the other keys and sources
            log.exception("source %s, key %r failed unexpectedly", source.name, key)
            tally.fail(f"{key}: internal error {type(exc).__name__}: {exc}")


def _run_key(storage: Storage, source: Source, key: str, ctx: ScrapeContext, tally: _Tally) -> None:
    cursor_key = _cursor_key(key)
    for page in source.scrape(key, storage.get_cursor(source.name, cursor_key), ctx):
        counts = storage.upsert_posts(_keep_precise_times(storage, source.name, page))
        hot_new = storage.save_hot_search(source.name, page.fetched_at, page.hot) if page.hot and page.fetched_at else 0
        if page.cursor is not None:
            storage.set_cursor(source.name, cursor_key, page.cursor)
        tally.add(page, counts, hot_new)


def _cursor_key(key: str) -> str:
    if len(key) <= MAX_CURSOR_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _keep_precise_times(storage: Storage, source: str, page: Page) -> list[Post]:
    """The page's posts, each time replaced by the stored one if that is compatible."""
    if not page.posts:
        return []
    stored = storage.post_times(source, [post.external_id for post in page.posts])
    return [_reconciled(post, stored.get(post.external_id), page.slack.get(post.external_id, _EXACT))
            for post in page.posts]


def _reconciled(post: Post, stored: datetime | None, slack: tuple[timedelta, timedelta]) -> Post:
    if stored is None or stored == post.created_at:
        return post
    before, after = slack
    low, high = post.created_at - before - TIME_TOLERANCE, post.created_at + after + TIME_TOLERANCE
    return replace(post, created_at=stored) if low <= stored <= high else post


@dataclass
class _Tally:
    """Counts of one source pass."""

    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    failures: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    gaps: int = 0

    def add(self, page: Page, counts: UpsertCounts, hot_new: int) -> None:
        self.pages += 1
        self.new += counts.new + hot_new
        self.updated += counts.updated
        self.unchanged += counts.unchanged + len(page.hot) - hot_new
        self.rejected += len(page.rejects)
        self._say(f"{page.key}: reject: {reason}" for reason in page.rejects)
        self._say(f"{page.key}: {note}" for note in page.notes)
        if page.gap:
            self.gaps += 1
            self._say([f"{page.key}: gap: {page.gap}"])

    def fail(self, message: str) -> None:
        log.warning("%s", message)
        self.failures.append(message)

    def _say(self, messages: Iterable[str]) -> None:
        for message in messages:
            if len(self.messages) < MAX_MESSAGES:
                self.messages.append(message)

    def result(self, source: str) -> ScrapeResult:
        return ScrapeResult(
            source=source, pages=self.pages, new=self.new, updated=self.updated, unchanged=self.unchanged,
            rejected=self.rejected, errors=tuple(self.failures + self.messages),
            complete=not self.failures and not self.gaps,
        )

    def status(self) -> str:
        if not self.failures and not self.gaps:
            return "ok"
        return "partial" if self.pages else "failed"


def _record(
    storage: Storage, name: str, tally: _Tally, meter: Meter, started: datetime, finished: datetime
) -> SourceRun:
    result = tally.result(name)
    status = tally.status()
    run_id = storage.record_scrape_run(result, started, finished, status=status,
                                      throttled_seconds=meter.throttled_seconds)
    log.info("source %s: %s, %d pages, %d new, %d updated, %d unchanged, %d rejected, %.0fs throttled",
             name, status, result.pages, result.new, result.updated, result.unchanged, result.rejected,
             meter.throttled_seconds)
    return SourceRun(result, run_id, status, started, finished, meter.throttled_seconds, meter.requests)
