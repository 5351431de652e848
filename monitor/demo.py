"""`monitor demo`: the ZAO-2019 scenario through the live path, on the scenario's own clock.

The scenario is written as post JSONL and served by a replay server on 127.0.0.1 (an
ephemeral port): search results and the hot-search list show each post only once its
virtual time has come, with Weibo's relative times (`5分钟前`). The demo points a
`weibo-search` source (the watch-list's names and aliases) and a `weibo-hot` source at
it, politeness off, then steps a `VirtualClock` through the sixteen days. At each step
it runs the daemon's own jobs (`monitor.jobs`) on that clock: every source's scrape,
then analysis and detection up to the virtual now. So what it prints is what the daemon
would have told an analyst in 2019, and when: the storm's onset in data time, the virtual
time its alert fired, and no storm for the control app Pintu.

Posts that name no watched app (everyday chatter) are not reachable by the sources'
queries; they never count towards an app's rollups, so detection is the same without
them. The summary reports the coverage of what the queries reach.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor import jobs
from monitor.config import SHANGHAI, AppSettings, DatabaseSettings, PrivacySettings, Settings, SourceSettings
from monitor.pipeline import AnalyzeResult, DetectResult, storm_record
from monitor.replay.scenario import REGULATOR_SUMMONS, SCENARIO_APPS, WINDOW_END, WINDOW_START, write_scenario
from monitor.storage import AlertEvent, Storage
from monitor.types import App

if TYPE_CHECKING:
    from monitor.replay.clock import VirtualClock
    from monitor.replay.data import ReplayData
    from monitor.scrape import SourceRun

ProgressFactory = Callable[..., AbstractContextManager[Callable[[int], None]]]

STEP = timedelta(minutes=60)
"""Virtual time between steps. At most an hour: Weibo shows posts younger than an hour
as `N分钟前` (minute precision), older ones of the same day as `N小时前`."""
HOT_EVERY = 2
"""The hot-search list is fetched every this many steps (it feeds no detection)."""
SEARCH_SOURCE = "weibo-search"
HOT_SOURCE = "weibo-hot"


@dataclass(frozen=True)
class DayRow:
    """One Beijing day of one app: mentions, concern posts, negative share of concern posts."""

    app: str
    day: str
    mentions: int
    concern_posts: int
    negative_share: float
    concerns: dict[str, int]


@dataclass
class ScrapeTally:
    """What the demo's scrape passes did, summed, and how much of the scenario they reached.

    `reachable`: scenario posts the search queries find by the end; `reached`: those of
    them stored; `stored`: all stored posts (also reposted originals that do not name
    an app themselves); `scenario`: every scenario post.
    """

    passes: int = 0
    pages: int = 0
    requests: int = 0
    new: int = 0
    rejected: int = 0
    incomplete: int = 0
    stored: int = 0
    reached: int = 0
    reachable: int = 0
    scenario: int = 0

    def add(self, run: SourceRun) -> None:
        """Count one source pass."""
        self.passes += 1
        self.pages += run.result.pages
        self.requests += run.requests
        self.new += run.result.new
        self.rejected += run.result.rejected
        self.incomplete += not run.result.complete

    @property
    def coverage(self) -> float:
        """Share of the reachable scenario posts that were stored."""
        return self.reached / self.reachable if self.reachable else 0.0

    def to_json(self) -> dict[str, Any]:
        """Machine form."""
        return {**dataclasses.asdict(self), "coverage": round(self.coverage, 4)}


@dataclass
class DemoSummary:
    """Everything the demo prints."""

    database_url: str
    scenario_path: Path
    server_url: str
    apps: tuple[App, ...]
    regulator_at: datetime
    scraped: ScrapeTally
    analyzed: AnalyzeResult
    detected: DetectResult
    raised: list[tuple[AlertEvent, datetime]] = field(default_factory=list)
    """Each alert with the virtual time the detection that recorded it ran."""
    steps: int = 0
    days: list[DayRow] = field(default_factory=list)
    seconds: float = 0.0

    def storms_of(self, app: str) -> list[Any]:
        """Stored storms of one app, oldest first."""
        return sorted((s for s in self.detected.storms if s.storm.app == app), key=lambda s: s.storm.started_at)

    def raised_at(self, storm_id: int, kind: str = "open") -> datetime | None:
        """The virtual time the first `kind` alert of a storm fired."""
        return next((at for event, at in self.raised if event.storm_id == storm_id and event.kind == kind), None)

    def to_json(self) -> dict[str, Any]:
        """Machine form of the summary."""
        return {
            "database": self.database_url,
            "scenario": str(self.scenario_path),
            "server": self.server_url,
            "posts": self.scraped.stored,
            "rejected": self.scraped.rejected,
            "scrape": self.scraped.to_json(),
            "steps": self.steps,
            "analyzed": self.analyzed.analyzed,
            "analyzer_version": self.analyzed.analyzer_version,
            "storms": [storm_record(s) for s in self.detected.storms],
            "alerts": [{"app": a.app, "kind": a.kind, "concern": a.concern, "data_time": a.data_time.isoformat(),
                        "raised_at": at.isoformat()} for a, at in self.raised],
            "seconds": round(self.seconds, 1),
        }


def demo_settings(settings: Settings, out_dir: Path, base_url: str = "") -> Settings:
    """The user's settings with the scenario's apps watched, the store under `out_dir`,
    alerts only recorded, and the demo's sources pointed at `base_url`."""
    watched = {app.name for app in settings.apps}
    extra = tuple(
        AppSettings(name=app.name, aliases=app.aliases, launched_at=app.launched_at)
        for app in SCENARIO_APPS if app.name not in watched
    )
    settings = dataclasses.replace(
        settings,
        apps=settings.apps + extra,
        database=DatabaseSettings(url=f"sqlite:///{out_dir / 'monitor.db'}"),
        privacy=PrivacySettings(
            retention_days=0, pseudonym_key_env=settings.privacy.pseudonym_key_env, data_dir=str(out_dir)
        ),
        alerts=(),
    )
    return dataclasses.replace(settings, sources=demo_sources(settings, base_url))


def demo_sources(settings: Settings, base_url: str) -> tuple[SourceSettings, ...]:
    """Search for the watched apps' names, plus the hot-search list; politeness off (the
    server is ours). A name that contains another (`ZAO换脸`) is left out: keyword search
    for the shorter one finds it too."""
    names = list(dict.fromkeys(alias for app in settings.watchlist for alias in app.aliases))
    queries = tuple(a for a in names if not any(b != a and b.casefold() in a.casefold() for b in names))
    step = int(STEP / timedelta(minutes=1))
    common: dict[str, Any] = dict(
        base_url=base_url, min_delay_seconds=0.0, jitter_seconds=0.0, max_retries=1, backoff_seconds=0.1,
        timeout_seconds=10.0, max_pages=100, lookback_hours=STEP / timedelta(hours=1),
    )
    return (SourceSettings(name=SEARCH_SOURCE, kind="weibo-search", queries=queries, interval_minutes=step, **common),
            SourceSettings(name=HOT_SOURCE, kind="weibo-hot", interval_minutes=step * HOT_EVERY, **common))


def run_demo(settings: Settings, out_dir: Path, *, progress: ProgressFactory) -> DemoSummary:
    """Replay the whole scenario through the live path into a fresh database in `out_dir`."""
    from monitor.replay.clock import VirtualClock
    from monitor.replay.data import ReplayData
    from monitor.replay.server import ReplayServer

    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    scenario = out_dir / "zao_2019.jsonl"
    write_scenario(scenario)
    data = ReplayData.from_jsonl(scenario)
    clock = VirtualClock(WINDOW_START)
    for suffix in ("", "-wal", "-shm"):
        (out_dir / f"monitor.db{suffix}").unlink(missing_ok=True)
    with ReplayServer(data, clock) as server:
        settings = demo_settings(settings, out_dir, server.url)
        with Storage.open(settings.database.url) as storage:
            storage.init()
            storage.sync_apps(settings.watchlist)
            recorder = _Recorder(clock.now)
            steps = _replay(jobs.JobContext(settings, storage, now=clock.now, alerts=False, on_result=recorder),
                            clock, progress)
            summary = recorder.summary(settings, storage, steps)
            _count_coverage(summary.scraped, storage, data, settings.sources[0].queries)
    summary.scenario_path, summary.server_url = scenario, server.url
    summary.seconds = time.monotonic() - started
    return summary


def _replay(context: jobs.JobContext, clock: VirtualClock, progress: ProgressFactory) -> int:
    """Step `clock` from the window's start to its end; at each step run the scrapes that
    are due (each source at its interval), then analysis and detection. The steps taken."""
    sources = context.settings.sources
    steps = 0
    with jobs.installed(context), progress("replaying", int((WINDOW_END - WINDOW_START) / STEP),
                                            unit="virtual hours") as advance:
        jobs.preload(context.settings)
        while (moment := WINDOW_START + STEP * (steps + 1)) <= WINDOW_END:
            clock.set(moment)
            steps += 1
            for source in sources:
                if steps % max(1, round(timedelta(minutes=source.interval_minutes) / STEP)) == 0:
                    jobs.job_scrape(source.name)
            jobs.job_analyze()
            jobs.job_detect()
            advance(1)
    context.close()
    return steps


def _count_coverage(tally: ScrapeTally, storage: Storage, data: ReplayData, queries: tuple[str, ...]) -> None:
    """How many of the posts the queries reach (by the end) were stored; the totals."""
    reachable = sorted({post.id for query in queries for post in data.search(query, WINDOW_END)})
    tally.reachable, tally.scenario = len(reachable), len(data.posts)
    tally.stored = storage.stats()["posts"]
    tally.reached = len(storage.post_times(SEARCH_SOURCE, reachable))


class _Recorder:
    """Collects the jobs' results (the context's `on_result`) for the summary."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.scraped = ScrapeTally()
        self.analyzed = AnalyzeResult(0, "")
        self.last: DetectResult | None = None
        self.rollup_rows = 0
        self.raised: list[tuple[AlertEvent, datetime]] = []

    def __call__(self, job_id: str, result: Any) -> None:
        if job_id.startswith("scrape:"):
            for run in result:
                self.scraped.add(run)
        elif job_id == "analyze":
            self.analyzed = AnalyzeResult(self.analyzed.analyzed + result.analyzed, result.analyzer_version)
        elif job_id == "detect":
            self.last, self.rollup_rows = result, self.rollup_rows + result.rollup_rows
            self.raised += [(event, self.now()) for event in result.alerts]

    def summary(self, settings: Settings, storage: Storage, steps: int) -> DemoSummary:
        """The summary so far, storms as stored now."""
        assert self.last is not None, "the replay ran no detection"
        detected = DetectResult(until=self.last.until, rollup_rows=self.rollup_rows, storms=storage.list_storms(),
                                alerts=[event for event, _ in self.raised])
        return DemoSummary(
            database_url=settings.database.url, scenario_path=Path(), server_url="", apps=settings.watchlist,
            regulator_at=REGULATOR_SUMMONS, scraped=self.scraped, analyzed=self.analyzed, detected=detected,
            raised=self.raised, steps=steps, days=daily_rows(storage, settings.watchlist),
        )


def daily_rows(storage: Storage, apps: tuple[App, ...]) -> list[DayRow]:
    """Per app and Beijing day: mentions, concern posts and the negative share of those."""
    rows: list[DayRow] = []
    for app in apps:
        per_day: dict[str, dict[str, list[int]]] = {}
        for count in storage.hourly_series(app.name):
            day = count.hour.astimezone(SHANGHAI).strftime("%m-%d")
            slot = per_day.setdefault(day, {}).setdefault(count.concern, [0, 0])
            slot[0] += count.posts
            slot[1] += count.negative
        for day, by_concern in sorted(per_day.items()):
            concern_posts, negative = by_concern.get("any", [0, 0])
            rows.append(DayRow(
                app=app.name, day=day, mentions=by_concern.get("all", [0, 0])[0],
                concern_posts=concern_posts,
                negative_share=negative / concern_posts if concern_posts else 0.0,
                concerns={c: v[0] for c, v in by_concern.items() if c not in ("all", "any") and v[0]},
            ))
    return rows


__all__ = ["STEP", "DayRow", "DemoSummary", "ScrapeTally", "daily_rows", "demo_settings", "run_demo"]
