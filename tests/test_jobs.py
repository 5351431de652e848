"""The daemon's jobs and schedule in-process, on SQLite and PostgreSQL: the jobs on an
injected (virtual) clock, stopping after the current batch, job locks, stored schedules."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor import jobs
from monitor.config import (
    SHANGHAI,
    AppSettings,
    DaemonSettings,
    DatabaseSettings,
    Settings,
    SourceSettings,
    load_settings,
)
from monitor.errors import ConfigError, MonitorError
from monitor.replay.clock import VirtualClock
from monitor.replay.data import ReplayData
from monitor.replay.server import ReplayServer
from monitor.schedule import install_jobs, make_scheduler, plan_jobs
from monitor.storage import Storage
from monitor.types import Analysis, Post

APPS = (AppSettings("ZAO", ("ZAO", "逢脸造戏"), datetime(2019, 8, 29, 16, tzinfo=UTC)),
        AppSettings("Pintu", ("Pintu", "拼图岛"), datetime(2019, 8, 28, 16, tzinfo=UTC)))
KEY = "jobs-test-key-0123456789abcdef"
QUERIES = ("ZAO", "逢脸造戏", "Pintu", "拼图岛")


@pytest.fixture(scope="module")
def scenario() -> ReplayData:
    return ReplayData.from_scenario()


def search_source(base_url: str, **values: Any) -> SourceSettings:
    options: dict[str, Any] = dict(queries=QUERIES, base_url=base_url, min_delay_seconds=0.0,
                                   jitter_seconds=0.0, max_pages=200, lookback_hours=24 * 7, timeout_seconds=5.0)
    return SourceSettings(name="weibo", kind="weibo-search", **{**options, **values})


def settings_for(url: str, *sources: SourceSettings, **daemon: Any) -> Settings:
    return Settings(database=DatabaseSettings(url=url), apps=APPS, sources=sources, alerts=(),
                    daemon=DaemonSettings(**daemon))


class Results:
    """The context's `on_result`: job id -> results, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def __call__(self, job_id: str, result: Any) -> None:
        self.seen.append((job_id, result))

    def of(self, job_id: str) -> list[Any]:
        return [result for seen, result in self.seen if seen == job_id]


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", KEY)


@pytest.fixture
def context_for(storage: Storage) -> Iterator[Any]:
    """Make and install a JobContext over the test's storage; closed afterwards."""
    made: list[jobs.JobContext] = []

    def make(settings: Settings, **options: Any) -> jobs.JobContext:
        made.append(jobs.JobContext(settings, storage, **options))
        return made[-1]

    yield make
    for context in made:
        context.close()


# -- the jobs on a virtual clock -----------------------------------------------------


def test_jobs_on_a_virtual_clock_catch_the_storm_and_detect_only_when_something_changed(
    storage: Storage, scenario: ReplayData, context_for: Any
) -> None:
    clock = VirtualClock(datetime(2019, 8, 31, 8, 0, tzinfo=SHANGHAI))
    results = Results()
    with ReplayServer(scenario, clock) as server:
        ctx = context_for(settings_for(storage.url, search_source(server.url)), now=clock.now, alerts=False,
                          on_result=results)
        with jobs.installed(ctx):
            assert jobs.job_scrape("weibo") > 200
            analyzed = jobs.job_analyze()
            assert analyzed == storage.stats()["posts"] and storage.stats()["analyzed"] == analyzed
            assert [r.until for r in results.of("detect")] == [datetime(2019, 8, 31, 0, tzinfo=UTC)]
            assert jobs.job_detect() == 0 and len(results.of("detect")) == 1  # nothing changed: skipped
            for _ in range(6):  # hourly, as the daemon would
                clock.advance(timedelta(hours=1))
                jobs.job_scrape("weibo")
                jobs.job_analyze()
                jobs.job_detect()
    detections = results.of("detect")
    assert [r.until.hour for r in detections] == [0, 1, 2, 3, 4, 5, 6]  # once per new hour (UTC)
    (storm,) = storage.list_storms()
    assert storm.storm.app == "ZAO" and storm.storm.status == "open"
    assert storm.storm.detected_at <= datetime(2019, 8, 31, 14, tzinfo=SHANGHAI)
    opened = [a for r in detections for a in r.alerts if a.kind == "open"]
    assert [a.app for a in opened] == ["ZAO"]
    run = storage.last_scrape_runs()[0]
    assert run.started_at == clock.now() and run.status == "ok"  # runs are recorded in the clock's time


def test_the_storm_opens_when_hour_precise_times_begin_inside_its_onset(
    storage: Storage, context_for: Any
) -> None:
    """Weibo shows today's posts as `N小时前`, which resolve up to an hour late, and
    yesterday's to the minute. At 11:00 Beijing that line falls at 13:00 of the storm
    day of a scenario shifted so that 09-01 00:00 is now: one hour gets almost no posts.
    The storm opens all the same (it did not until thin hours were bridged; see
    `monitor.detect.episodes`)."""
    now = datetime(2026, 11, 27, 3, 0, 7, tzinfo=UTC)
    shift = now - datetime(2019, 9, 1, tzinfo=SHANGHAI)
    data = ReplayData.from_scenario(scale=0.5)
    data = ReplayData(replace(post, created_at=post.created_at + shift) for post in data.posts)
    apps = tuple(replace(app, launched_at=app.launched_at + shift) for app in APPS)
    clock = VirtualClock(now)
    with ReplayServer(data, clock) as server:
        source = search_source(server.url, lookback_hours=24 * 30, max_pages=1000)
        settings = replace(settings_for(storage.url, source), apps=apps)
        with jobs.installed(context_for(settings, now=clock.now, alerts=False)):
            jobs.job_scrape("weibo")
            jobs.job_analyze()
    series = storage.hourly_series("ZAO", until=now)
    mentions = {row.hour: row.posts for row in series if row.concern == "all"}
    assert mentions[datetime(2026, 11, 26, 16, tzinfo=UTC)] < 5  # the thin hour (00:00 Beijing)
    (storm,) = storage.list_storms()
    assert storm.storm.app == "ZAO" and storm.storm.status == "open"
    assert storm.storm.started_at < datetime(2026, 11, 26, 16, tzinfo=UTC)


def test_jobs_need_a_context() -> None:
    with pytest.raises(MonitorError, match="no job context"):
        jobs.job_detect()


# -- stopping after the current batch ------------------------------------------------


class StoppingStorage(Storage):
    """Sets the stop flag right after the first commit of posts or analyses (as if SIGTERM came then)."""

    stop: threading.Event

    def upsert_posts(self, posts: Sequence[Post]) -> Any:
        counts = super().upsert_posts(posts)
        self.stop.set()
        return counts

    def save_analyses(self, rows: Sequence[tuple[int, Analysis]]) -> None:
        super().save_analyses(rows)
        self.stop.set()


def stopping(db_url: str) -> tuple[StoppingStorage, threading.Event]:
    store = StoppingStorage.open(db_url)
    store.init()
    store.stop = threading.Event()
    return store, store.stop


@pytest.mark.parametrize("pace", [60.0, 0.0], ids=["polite-wait", "no-wait"])
def test_a_stop_ends_the_scrape_before_the_next_request_and_the_next_pass_resumes(
    db_url: str, scenario: ReplayData, pace: float
) -> None:
    clock = VirtualClock(datetime(2019, 8, 31, 20, 0, tzinfo=SHANGHAI))
    found = [p for q in QUERIES for p in scenario.search(q, clock.now())]
    expected = {p.id for p in found} | {p.repost_of for p in found if p.repost_of}
    store, stop = stopping(db_url)
    with ReplayServer(scenario, clock) as server, store:
        # The stop comes while the first page is stored: a long pace's wait ends at once,
        # and with no pace at all the next request is not made either.
        patient = search_source(server.url, min_delay_seconds=pace)
        first = jobs.JobContext(settings_for(db_url, patient), store, now=clock.now, stop=stop)
        with jobs.installed(first):
            jobs.job_scrape("weibo")
        first.close()
        run = store.last_scrape_runs()[0]
        assert run.status == "partial" and not run.complete and run.pages == 1
        assert any("shutting down" in message for message in run.errors)
        assert first.interrupted == {"scrape:weibo"} and store.stats()["posts"] < len(expected)

        source = search_source(server.url, min_delay_seconds=0.05)
        again = jobs.JobContext(settings_for(db_url, source), Storage(store.engine), now=clock.now)
        with jobs.installed(again):
            jobs.job_scrape("weibo")
        again.close()
        ids = _external_ids(store)
        assert sorted(ids) == sorted(expected)  # each exactly once
        assert store.last_scrape_runs()[0].status == "ok"


def test_a_stop_ends_the_analysis_after_the_batch_in_progress(db_url: str) -> None:
    store, stop = stopping(db_url)
    with store:
        at = datetime(2019, 8, 31, 4, tzinfo=UTC)
        store.upsert_posts([Post("file", str(i), at, f"ZAO的用户协议太可怕了 {i}") for i in range(12)])
        stop.clear()
        ctx = jobs.JobContext(settings_for(db_url, analyze_batch=5), store, stop=stop, on_result=Results())
        with jobs.installed(ctx):
            assert jobs.job_analyze() == 5
            assert ctx.interrupted == {"analyze"}
            assert jobs.job_analyze() == 0  # stopping: a job that had not begun does nothing
        assert store.stats()["analyzed"] == 5 and not ctx.on_result.of("detect")  # type: ignore[union-attr]
        ctx.close()


def test_purge_uses_the_injected_clock(storage: Storage, context_for: Any) -> None:
    posts = [Post("file", f"d{day}", datetime(2019, 8, day, 12, tzinfo=UTC), "ZAO") for day in range(20, 31)]
    storage.upsert_posts(posts)
    settings = settings_for(storage.url)
    settings = replace(settings, privacy=replace(settings.privacy, retention_days=5))
    now = datetime(2019, 9, 1, 0, tzinfo=UTC)
    with jobs.installed(context_for(settings, now=lambda: now)):
        assert jobs.job_purge() == 7  # 08-20 .. 08-26 are older than 5 days
    assert sorted(_external_ids(storage)) == ["d27", "d28", "d29", "d30"]


# -- job locks -----------------------------------------------------------------------


def test_a_job_runs_in_one_daemon_at_a_time(storage: Storage, db_url: str, context_for: Any) -> None:
    other = Storage.open(db_url)  # another daemon's connection pool
    try:
        with storage.job_lock("purge") as mine:
            assert mine
            with other.job_lock("purge") as theirs, other.job_lock("detect") as unrelated:
                assert theirs is (storage.engine.dialect.name == "sqlite") and unrelated
            if storage.engine.dialect.name == "postgresql":
                settings = settings_for(db_url)
                settings = replace(settings, privacy=replace(settings.privacy, retention_days=1))
                with jobs.installed(context_for(settings)):
                    assert jobs.job_purge() == 0  # skipped: the other "daemon" holds it
        with other.job_lock("purge") as theirs:
            assert theirs  # released
    finally:
        other.close()


def test_two_daemons_make_one_pass_per_scheduled_run(
    storage: Storage, db_url: str, scenario: ReplayData, context_for: Any
) -> None:
    clock = VirtualClock(datetime(2019, 8, 30, 12, 0, tzinfo=SHANGHAI))
    other = Storage.open(db_url)
    with ReplayServer(scenario, clock) as server:
        settings = settings_for(db_url, search_source(server.url, interval_minutes=30))
        first, second = context_for(settings, now=clock.now), jobs.JobContext(settings, other, now=clock.now)
        with jobs.installed(first):
            assert jobs.job_scrape("weibo") > 0
        done = storage.last_scrape_runs()[0]
        clock.advance(timedelta(minutes=1))
        with jobs.installed(second):
            assert jobs.job_scrape("weibo") == 0  # the same run, woken a minute late: already done
            assert storage.last_scrape_runs()[0].id == done.id
            clock.advance(timedelta(minutes=29))
            jobs.job_scrape("weibo")  # the next run
        second.close()
    other.close()
    latest = storage.last_scrape_runs()[0]
    assert latest.id != done.id and latest.started_at == clock.now() and latest.status == "ok"


# -- the stored schedule -------------------------------------------------------------


def _schedule(url: str, settings: Settings, now: datetime, run_now: set[str] | None = None) -> dict[str, Any]:
    """One daemon start (paused, so nothing runs): install the jobs, read them back."""
    scheduler = make_scheduler(url, 2)
    scheduler.start(paused=True)
    try:
        install_jobs(scheduler, plan_jobs(settings), now, run_now)
        return {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


def test_schedules_survive_restarts(storage: Storage) -> None:
    sources = [search_source("http://127.0.0.1:9", interval_minutes=minutes) for minutes in (30, 60, 15)]
    sources = [replace(s, name=name) for s, name in zip(sources, ("a", "b", "c"), strict=True)]
    t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    first = _schedule(storage.url, settings_for(storage.url, *sources), t0)
    assert set(first) == {"scrape:a", "scrape:b", "scrape:c", "analyze", "detect", "purge", "heartbeat"}
    job = first["scrape:a"]
    assert job.func_ref == "monitor.jobs:job_scrape" and job.args == ("a",)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 1800)
    assert first["heartbeat"]._jobstore_alias == "local"
    stored = {j.id: j.next_run_time for j in storage.scheduled_jobs()}
    assert set(stored) == set(first) - {"heartbeat"} and set(stored.values()) == {t0}  # new jobs run at once

    changed = [sources[0], replace(sources[1], interval_minutes=120)]  # "c" is no longer configured
    second = _schedule(storage.url, settings_for(storage.url, *changed), t1, run_now={"purge"})
    assert set(second) == {"scrape:a", "scrape:b", "analyze", "detect", "purge", "heartbeat"}
    stored = {j.id: j.next_run_time for j in storage.scheduled_jobs()}
    assert stored == {"scrape:a": t0, "analyze": t0, "detect": t0,  # unchanged: kept
                      "scrape:b": t1,  # new interval
                      "purge": t1}  # cut short by the last shutdown
    assert second["scrape:b"].trigger.interval == timedelta(hours=2)


# -- storage support and settings ------------------------------------------------------


def test_rollups_stale_since_tracks_the_watermark(storage: Storage) -> None:
    assert storage.rollups_stale_since() == datetime.min.replace(tzinfo=UTC)  # never computed
    storage.refresh_rollups()
    assert storage.rollups_stale_since() is None
    at = datetime(2019, 8, 31, 4, 30, tzinfo=UTC)
    storage.upsert_posts([Post("file", "1", at, "ZAO")])
    (batch,) = storage.iter_unanalyzed("v1")
    storage.save_analyses([(batch[0][0], Analysis((), 0.5, "neutral", ("ZAO",), (), "v1"))])
    assert storage.rollups_stale_since() == datetime(2019, 8, 31, 4, tzinfo=UTC)


def test_daemon_settings_are_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text("[daemon]\nanalyze_seconds = 5\nworkers = 2\n", encoding="utf-8")
    daemon = load_settings(config, env={"MONITOR_DAEMON_DETECT_MINUTES": "15"}).daemon
    assert (daemon.analyze_seconds, daemon.workers, daemon.detect_minutes) == (5.0, 2, 15.0)
    config.write_text("[daemon]\nworkers = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="daemon.workers: expected a number above 0"):
        load_settings(config, env={})
    config.write_text("[daemon]\ntick = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="daemon.tick: unknown key"):
        load_settings(config, env={})


def _external_ids(storage: Storage) -> list[str]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from monitor.storage.models import PostRow

    with Session(storage.engine) as session:
        return list(session.scalars(select(PostRow.external_id)))
