"""`monitor run`: the daemon's APScheduler 3.x wiring (the only module importing APScheduler).

The jobs are the functions of `monitor.jobs`, added by textual reference with explicit ids:

* `scrape:<source>`: `job_scrape(source)`, every source's `interval_minutes`;
* `analyze`: `job_analyze` (and detection if it analyzed posts), every
  `daemon.analyze_seconds` and right after a scrape that brought new posts;
* `detect`: `job_detect`, every `daemon.detect_minutes`;
* `purge`: `job_purge`, every `daemon.purge_hours`;
* `heartbeat`: `job_heartbeat`, every `daemon.heartbeat_seconds` (per process, not stored).

Every job has `coalesce=True`, `max_instances=1` and a misfire grace of one interval (a
run that is late by less than an interval still happens, once).

Schedules survive restarts: jobs live in the database (`apscheduler_jobs`, APScheduler's
`SQLAlchemyJobStore`). At start, a stored job whose interval is unchanged keeps its next
run time (if that passed while the daemon was down, it runs once, now); a new or changed
job runs now, as does a job the last shutdown cut short; jobs of sources no longer
configured are removed.

Shutdown (SIGTERM or SIGINT): the stop flag is set, so running jobs stop after their
current committed batch; the scheduler shuts down and the process exits 0 within
`daemon.shutdown_seconds`. A job still stuck in a request by then is abandoned: its
uncommitted page or batch is rolled back with the connection and redone next start.
A second signal exits at once.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.interval import IntervalTrigger

from monitor import jobs
from monitor.config import Settings
from monitor.storage import Storage

__all__ = ["Daemon", "JobSpec", "plan_jobs", "run_daemon"]

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
LOCAL = "local"
"""The in-memory job store of per-process jobs (the heartbeat)."""


@dataclass(frozen=True)
class JobSpec:
    """One job the daemon schedules: id, textual function reference, arguments, interval."""

    id: str
    func: str
    interval: timedelta
    args: tuple[str, ...] = ()
    store: str = "default"

    @property
    def misfire_grace_seconds(self) -> int:
        """One interval, in whole seconds."""
        return max(1, math.ceil(self.interval.total_seconds()))


def plan_jobs(settings: Settings) -> list[JobSpec]:
    """The jobs `settings` ask for (see the module docstring)."""
    daemon = settings.daemon
    specs = [JobSpec(f"scrape:{source.name}", "monitor.jobs:job_scrape", timedelta(minutes=source.interval_minutes),
                     (source.name,)) for source in settings.sources]
    return specs + [
        JobSpec("analyze", "monitor.jobs:job_analyze", timedelta(seconds=daemon.analyze_seconds)),
        JobSpec("detect", "monitor.jobs:job_detect", timedelta(minutes=daemon.detect_minutes)),
        JobSpec("purge", "monitor.jobs:job_purge", timedelta(hours=daemon.purge_hours)),
        JobSpec("heartbeat", "monitor.jobs:job_heartbeat", timedelta(seconds=daemon.heartbeat_seconds), store=LOCAL),
    ]


class _Scheduler(BackgroundScheduler):  # type: ignore[misc]
    """A `BackgroundScheduler` that processes no jobs once shut down.

    APScheduler 3.x's loop runs one more round after `shutdown`: it fails to submit the
    due jobs to the stopped executor, yet stores their next run time as if they had run
    (agronholm/apscheduler#285, #985), so a restart would skip them.
    """

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        wait: float | None = super()._process_jobs()
        return wait


def make_scheduler(database_url: str, workers: int) -> BackgroundScheduler:
    """A UTC background scheduler storing jobs in the database at `database_url`."""
    from monitor.storage.engine import make_engine, parse_url

    store = SQLAlchemyJobStore(engine=make_engine(parse_url(database_url)), tablename=JOBS_TABLE)
    return _Scheduler(
        jobstores={"default": store, LOCAL: MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone="UTC",
    )


def install_jobs(
    scheduler: BackgroundScheduler, specs: Sequence[JobSpec], now: datetime, run_now: set[str] | None = None
) -> None:
    """Add `specs` to a started (paused) scheduler, keeping stored schedules that still
    apply; remove stored jobs not in `specs`. Jobs in `run_now` run now."""
    stored = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
    for spec in specs:
        prior = stored.pop(spec.id, None) if spec.store == "default" else None
        trigger, next_run = _schedule_of(spec, prior, now, spec.id in (run_now or set()))
        scheduler.add_job(
            spec.func, trigger=trigger, args=list(spec.args), id=spec.id, name=spec.id, jobstore=spec.store,
            replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=spec.misfire_grace_seconds, next_run_time=next_run,
        )
    for stale in stored:
        log.info("removing stored job %s: no longer configured", stale)
        scheduler.remove_job(stale, jobstore="default")


def _schedule_of(spec: JobSpec, prior: Job | None, now: datetime, run_now: bool) -> tuple[Any, datetime | None]:
    """The trigger and next run of `spec`: the stored ones if the interval is unchanged."""
    same = prior is not None and isinstance(prior.trigger, IntervalTrigger) and prior.trigger.interval == spec.interval
    if prior is not None and same and not run_now:
        return prior.trigger, prior.next_run_time
    return IntervalTrigger(seconds=spec.interval.total_seconds(), start_date=now, timezone="UTC"), now


class Daemon:
    """The scheduler plus the jobs' context: `start`, then `stop` (from a signal), then `shutdown`."""

    def __init__(self, context: jobs.JobContext) -> None:
        """Jobs run against `context` (installed by the caller with `jobs.installed`)."""
        self.context = context
        settings = context.settings
        self.scheduler = make_scheduler(settings.database.url, settings.daemon.workers)
        self.scheduler.add_listener(self._after_job, EVENT_JOB_EXECUTED)
        self._nudged = threading.Event()

    def start(self) -> None:
        """Install the jobs (keeping stored schedules) and start running them."""
        storage, now = self.context.storage, self.context.now()
        jobs.preload(self.context.settings)
        run_now = set(json.loads(storage.get_state(jobs.INTERRUPTED_KEY) or "[]"))
        self.scheduler.start(paused=True)
        install_jobs(self.scheduler, plan_jobs(self.context.settings), now, run_now)
        storage.set_state(jobs.INTERRUPTED_KEY, "[]")
        jobs.write_heartbeat(self.context, "running")
        self.scheduler.resume()
        if run_now:
            log.info("running first the jobs the last shutdown cut short: %s", ", ".join(sorted(run_now)))

    def stop(self) -> None:
        """Ask running jobs to stop after their current batch (safe from a signal handler)."""
        self.context.stop.set()

    def shutdown(self, timeout: float) -> bool:
        """Stop, wait up to `timeout` s for running jobs; True if they all finished.

        Records the jobs that were cut short (run first at the next start) and a
        `stopped` heartbeat.
        """
        self.stop()
        self.scheduler.pause()  # submit nothing more while the executor winds down
        waiter = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True}, name="shutdown",
                                  daemon=True)
        waiter.start()
        waiter.join(timeout)
        clean = not waiter.is_alive()
        cut_short = set(self.context.interrupted) | set(self.context.running)
        self.context.storage.set_state(jobs.INTERRUPTED_KEY, json.dumps(sorted(cut_short)))
        jobs.write_heartbeat(self.context, "stopped")
        if not clean:
            log.warning("jobs still running after %.0fs: %s; exiting anyway (their uncommitted batch is redone "
                        "at the next start)", timeout, ", ".join(sorted(self.context.running)) or "?")
        return clean

    def wait(self) -> None:
        """Block until `stop`; meanwhile bring analysis forward when a scrape asked for it."""
        while not self.context.stop.wait(0.5):
            if self._nudged.is_set():
                self._nudged.clear()
                self._analyze_now()

    def _after_job(self, event: JobExecutionEvent) -> None:
        """After a scrape that brought new posts, ask for analysis now rather than at its
        next interval. (From a worker thread: the main thread does it, so a job never
        touches the scheduler while `shutdown` holds its locks waiting for that job.)"""
        if event.job_id.startswith("scrape:") and event.retval:
            self._nudged.set()

    def _analyze_now(self) -> None:
        ctx = self.context
        if ctx.stop.is_set() or ctx.is_running("analyze"):
            return  # a running analysis pages through the new posts too
        try:
            self.scheduler.modify_job("analyze", jobstore="default", next_run_time=ctx.now())
        except Exception:  # the interval still applies
            log.exception("could not bring the analysis forward")


def run_daemon(settings: Settings, *, announce: Callable[[str], None] = print) -> int:
    """Run the daemon until SIGTERM/SIGINT; the exit code (0 after a graceful stop)."""
    storage = Storage.open(settings.database.url)
    try:
        storage.ensure_current()
        context = jobs.JobContext(settings, storage)
        with jobs.installed(context):
            clean = _serve(Daemon(context), settings, announce)
        context.close()
    finally:
        storage.close()
    if not clean:
        _exit_now(0)
    return 0


def _serve(daemon: Daemon, settings: Settings, announce: Callable[[str], None]) -> bool:
    previous = _handle_signals(daemon)
    try:
        daemon.start()
        announce(f"monitor daemon running (pid {os.getpid()}): {len(settings.sources)} sources, "
                 f"database {daemon.context.storage.url}; SIGTERM or Ctrl-C stops it")
        daemon.wait()
        announce("stopping: finishing the current batches")
        return daemon.shutdown(settings.daemon.shutdown_seconds)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _handle_signals(daemon: Daemon) -> dict[int, Any]:
    """First SIGTERM/SIGINT: graceful stop. Second: exit at once."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if daemon.context.stop.is_set():
            log.warning("second %s: exiting now", signal.Signals(signum).name)
            _exit_now(1)
        log.info("%s: stopping after the current batches", signal.Signals(signum).name)
        daemon.stop()

    return {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}


def _exit_now(code: int) -> None:
    """Exit without waiting for worker threads (they are stuck in I/O); flush first."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
