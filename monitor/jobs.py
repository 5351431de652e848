"""The daemon's jobs: plain functions the scheduler stores by name (`monitor.jobs:job_scrape`).

A stored job is a textual reference plus arguments, so jobs take no objects: they use
the `JobContext` installed by whoever runs them. `monitor run` installs one with the
wall clock (see `monitor.schedule`); `monitor demo` installs one with the replay's
virtual clock and calls the same functions step by step. So the daemon, the demo and
tests run the same code, and every decision gets its time from `context.now()`.

Every job:

* takes its job lock (`Storage.job_lock`): on PostgreSQL a job runs in one daemon at a
  time, the others skip that run; in one process, runs of one lock wait for each other;
* stops after its current committed batch once `context.stop` is set (SIGTERM): analysis
  between batches, scraping before its next request, ending a polite wait early (each page is
  committed with its cursor first, so the next pass resumes where this one stopped);
* records in `context.interrupted` that it was cut short, so the next start runs it
  again right away instead of a whole interval later.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.config import Settings
from monitor.errors import MonitorError, ThrottledError
from monitor.storage import Storage

if TYPE_CHECKING:
    from monitor.ingest.pseudonym import PseudonymFn
    from monitor.nlp.analyzer import Analyzer
    from monitor.pipeline import DetectResult
    from monitor.sources.http import PoliteClient

__all__ = [
    "HEARTBEAT_KEY", "INTERRUPTED_KEY", "JobContext", "ShutdownError", "current", "installed",
    "job_analyze", "job_detect", "job_heartbeat", "job_purge", "job_scrape", "preload", "read_heartbeat",
    "write_heartbeat",
]

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "daemon_heartbeat"
"""State key of the daemon's heartbeat: JSON `{pid, host, started_at, at, state}`."""
INTERRUPTED_KEY = "daemon_interrupted"
"""State key of the job ids a shutdown cut short (JSON list), run first at the next start."""


def wall_now() -> datetime:
    """The wall clock, aware UTC (the daemon's `now`)."""
    return datetime.now(UTC)


class ShutdownError(ThrottledError):
    """The daemon is stopping: raised from the polite client's waits between requests.

    A `ThrottledError` because sources must treat it as they treat a wall: fail the
    page being fetched rather than store it half done (e.g. without its long texts).
    """


class _StoppableClock:
    """The polite client's clock: a wait ends early, with `ShutdownError`, once `stop` is set."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if self._stop.wait(max(0.0, seconds)):
            raise ShutdownError("stopped: the daemon is shutting down; the next pass resumes from the cursor")


@dataclass
class JobContext:
    """What the jobs run against: settings, an open store, a clock and a stop flag.

    `alerts` says whether new alerts go to the configured sinks (the demo only records
    them). The polite client is shared by all scrape jobs, so pacing is per host across
    sources; it is made on first use and closed by `close`.
    """

    settings: Settings
    storage: Storage
    now: Callable[[], datetime] = wall_now
    stop: threading.Event = field(default_factory=threading.Event)
    alerts: bool = True
    on_result: Callable[[str, Any], None] | None = None
    """Called with each job's id and full result (the demo's tally)."""
    started_at: datetime = field(default_factory=wall_now)
    interrupted: set[str] = field(default_factory=set)
    running: Counter[str] = field(default_factory=Counter)
    detected_until: datetime | None = None
    """The `until` of the last detection in this process."""
    _client: PoliteClient | None = field(default=None, repr=False)
    _pseudonymize: PseudonymFn | None = field(default=None, repr=False)
    _analyzer: Analyzer | None = field(default=None, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self) -> PoliteClient:
        """The shared polite HTTP client (its waits end early on `stop`)."""
        with self._guard:
            if self._client is None:
                from monitor.sources.http import PoliteClient

                self._client = PoliteClient(clock=_StoppableClock(self.stop), wall=self.now)
            return self._client

    def pseudonymize(self) -> PseudonymFn:
        """The configured author pseudonymizer (the key is read once)."""
        with self._guard:
            if self._pseudonymize is None:
                from monitor.ingest.pseudonym import Pseudonymizer, load_pseudonym_key

                self._pseudonymize = Pseudonymizer(load_pseudonym_key(self.settings.privacy))
            return self._pseudonymize

    def analyzer(self) -> Analyzer:
        """The analyzer of the configured watch-list and lexicon, built once (a changed
        lexicon is picked up at the next start, when its new version re-analyzes)."""
        with self._guard:
            if self._analyzer is None:
                from monitor.nlp.analyzer import make_analyzer

                self._analyzer = make_analyzer(self.settings.watchlist, self.settings.nlp)
            return self._analyzer

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Hold job lock `name`: wait for it in this process, try it across daemons."""
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock, self.storage.job_lock(name) as acquired:
            if not acquired:
                log.info("job %s is running in another daemon; skipping this run", name)
            yield acquired

    @contextmanager
    def tracked(self, job_id: str) -> Iterator[bool]:
        """Count job `job_id` as running; yield False if a stop came before it began
        (the job then does nothing and is noted as cut short)."""
        if self.stop.is_set():
            self.interrupted.add(job_id)
            yield False
            return
        with self._guard:
            self.running[job_id] += 1
        try:
            yield True
        finally:
            with self._guard:
                self.running[job_id] -= 1
                if self.running[job_id] <= 0:
                    del self.running[job_id]

    def is_running(self, job_id: str) -> bool:
        """Whether a run of `job_id` is in progress in this process."""
        with self._guard:
            return self.running[job_id] > 0

    def close(self) -> None:
        """Close the HTTP client (the store belongs to whoever opened it)."""
        if self._client is not None:
            self._client.close()
            self._client = None


_installed: JobContext | None = None


def current() -> JobContext:
    """The installed context; `MonitorError` if the jobs are run outside one."""
    if _installed is None:
        raise MonitorError("no job context installed: run jobs through `monitor run` or `monitor.jobs.installed`")
    return _installed


@contextmanager
def installed(context: JobContext) -> Iterator[JobContext]:
    """Make `context` the one the jobs use until the block ends."""
    global _installed
    previous, _installed = _installed, context
    try:
        yield context
    finally:
        _installed = previous


def preload(settings: Settings) -> None:
    """Import what the jobs import lazily, before they run in parallel threads: first
    imports of modules that import each other, racing in two threads, can fail. Raises
    `ConfigError` for a source entry that lacks what its kind needs."""
    import monitor.alerts
    import monitor.detect
    import monitor.nlp.analyzer
    import monitor.pipeline
    import monitor.scrape
    import monitor.sources.http  # noqa: F401  (the imports are the point)
    from monitor.sources.registry import make_source

    for entry in settings.sources:
        make_source(entry)


# -- the jobs ------------------------------------------------------------------------


def job_scrape(source: str) -> int:
    """One pass of configured source `source` (`monitor.scrape`); its new posts."""
    from monitor.scrape import run_sources

    ctx, job_id = current(), f"scrape:{source}"
    with ctx.tracked(job_id) as go, ctx.exclusive(job_id) as mine:
        if not (go and mine) or _scraped_lately(ctx, source):
            return 0
        runs = run_sources(ctx.storage, ctx.settings, ctx.now(), only=source, client=ctx.client(),
                           pseudonymize=ctx.pseudonymize())
    _report(ctx, job_id, runs)
    _note_stop(ctx, job_id)
    return sum(run.result.new for run in runs)


def _scraped_lately(ctx: JobContext, source: str) -> bool:
    """Whether a complete pass of `source` began less than half its interval ago: two
    daemons sharing a database woke for the same run, and the other one did it."""
    entry = next((s for s in ctx.settings.sources if s.name == source), None)
    last = next((run for run in ctx.storage.last_scrape_runs() if run.source == source), None)
    if entry is None or last is None or last.status != "ok":
        return False
    if ctx.now() - last.started_at >= timedelta(minutes=entry.interval_minutes) / 2:
        return False
    log.info("source %s: a complete pass began at %s; skipping this run", source, last.started_at.isoformat())
    return True


def job_analyze() -> int:
    """Analyze the backlog in committed batches; if it found posts, run detection."""
    from monitor.pipeline import analyze_backlog

    ctx = current()
    with ctx.tracked("analyze") as go:
        if not go:
            return 0
        with ctx.exclusive("analyze") as mine:
            if not mine:
                return 0
            ctx.storage.sync_apps(ctx.settings.watchlist)  # mentions link only to apps the store knows
            result = analyze_backlog(ctx.storage, ctx.settings, batch_size=ctx.settings.daemon.analyze_batch,
                                     should_stop=ctx.stop.is_set, analyzer=ctx.analyzer())
        _report(ctx, "analyze", result)
        if _note_stop(ctx, "analyze"):
            return result.analyzed
        if result.analyzed:
            log.info("analyzed %d posts (%s)", result.analyzed, result.analyzer_version)
            _detect(ctx)
        return result.analyzed


def job_detect() -> int:
    """Refresh rollups and run detection on the hours before now; the new alerts."""
    ctx = current()
    with ctx.tracked("detect") as go:
        result = _detect(ctx) if go else None
    return 0 if result is None else len(result.alerts)


def job_purge() -> int:
    """Apply the retention policy; posts deleted (0 when retention is 0: keep all)."""
    ctx = current()
    days = ctx.settings.privacy.retention_days
    if days <= 0:
        return 0
    with ctx.tracked("purge") as go, ctx.exclusive("purge") as mine:
        if not (go and mine):
            return 0
        cutoff = ctx.now() - timedelta(days=days)
        removed = ctx.storage.purge(cutoff)
    log.info("purged %d posts created before %s", removed, cutoff.isoformat())
    return removed


def job_heartbeat() -> None:
    """Write the daemon's heartbeat (`monitor status` shows its age)."""
    write_heartbeat(current(), "running")


def _detect(ctx: JobContext) -> DetectResult | None:
    """Detection up to now, unless nothing it looks at changed since the last one here:
    same complete hours, and no stale rollups before them."""
    from monitor.alerts import make_sinks, send_alerts
    from monitor.pipeline import detect, floor_hour

    with ctx.exclusive("detect") as mine:
        until = floor_hour(ctx.now())
        if not mine or not _detection_due(ctx, until):
            return None
        result = detect(ctx.storage, ctx.settings, until=until)
        ctx.detected_until = until
    _report(ctx, "detect", result)
    log.info("detection up to %s: %d new alerts", result.until.isoformat(), len(result.alerts))
    if result.alerts and ctx.alerts:
        send_alerts(result.alerts, make_sinks(ctx.settings.alerts))
    return result


def _detection_due(ctx: JobContext, until: datetime) -> bool:
    if ctx.detected_until != until:
        return True
    stale = ctx.storage.rollups_stale_since()
    return stale is not None and stale < until


def _report(ctx: JobContext, job_id: str, result: Any) -> None:
    if ctx.on_result is not None:
        ctx.on_result(job_id, result)


def _note_stop(ctx: JobContext, job_id: str) -> bool:
    """Whether a stop was requested; if so, remember `job_id` may have been cut short."""
    if not ctx.stop.is_set():
        return False
    ctx.interrupted.add(job_id)
    return True


# -- heartbeat -----------------------------------------------------------------------


def write_heartbeat(ctx: JobContext, state: str) -> None:
    """Record that this daemon is `running` (or `stopped`), with its pid and host."""
    beat = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": ctx.started_at.isoformat(),
            "at": wall_now().isoformat(), "state": state}
    ctx.storage.set_state(HEARTBEAT_KEY, json.dumps(beat))


def read_heartbeat(storage: Storage, now: datetime | None = None) -> dict[str, Any] | None:
    """The last heartbeat with its age in seconds (`age_seconds`), or None if never written."""
    raw = storage.get_state(HEARTBEAT_KEY)
    if not raw:
        return None
    try:
        beat = dict(json.loads(raw))
        at = datetime.fromisoformat(beat["at"])
    except (ValueError, TypeError, KeyError):
        return None
    beat["age_seconds"] = round(((now or wall_now()) - at).total_seconds(), 1)
    return beat
