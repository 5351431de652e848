"""`monitor demo`: the ZAO-2019 scenario end to end on a fresh SQLite database.

Generate the scenario as post JSONL, import it, analyze, roll up and detect exactly as
the daemon would, then summarise what an analyst would have seen and when.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.config import SHANGHAI, DatabaseSettings, PrivacySettings, Settings
from monitor.ingest.pseudonym import Pseudonymizer, load_pseudonym_key
from monitor.pipeline import (
    AnalyzeResult,
    DetectResult,
    ImportResult,
    analyze_backlog,
    count_lines,
    detect,
    floor_hour,
    import_files,
    storm_record,
)
from monitor.replay.scenario import REGULATOR_SUMMONS, SCENARIO_APPS, write_scenario
from monitor.storage import Storage
from monitor.types import App

ProgressFactory = Callable[..., AbstractContextManager[Callable[[int], None]]]


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
class DemoSummary:
    """Everything the demo prints."""

    database_url: str
    scenario_path: Path
    apps: tuple[App, ...]
    regulator_at: datetime
    imported: ImportResult
    analyzed: AnalyzeResult
    detected: DetectResult
    days: list[DayRow] = field(default_factory=list)
    seconds: float = 0.0

    def storms_of(self, app: str) -> list[Any]:
        """Stored storms of one app, oldest first."""
        return sorted((s for s in self.detected.storms if s.storm.app == app), key=lambda s: s.storm.started_at)

    def to_json(self) -> dict[str, Any]:
        """Machine form of the summary."""
        return {
            "database": self.database_url,
            "scenario": str(self.scenario_path),
            "posts": self.imported.stored,
            "rejected": self.imported.rejected,
            "analyzed": self.analyzed.analyzed,
            "analyzer_version": self.analyzed.analyzer_version,
            "storms": [storm_record(s) for s in self.detected.storms],
            "alerts": [{"app": a.app, "kind": a.kind, "concern": a.concern,
                        "data_time": a.data_time.isoformat()} for a in self.detected.alerts],
            "seconds": round(self.seconds, 1),
        }


def demo_settings(settings: Settings, out_dir: Path) -> Settings:
    """The user's settings with the scenario's apps watched and the store under `out_dir`."""
    watched = {app.name for app in settings.apps}
    from monitor.config import AppSettings

    extra = tuple(
        AppSettings(name=app.name, aliases=app.aliases, launched_at=app.launched_at)
        for app in SCENARIO_APPS if app.name not in watched
    )
    return dataclasses.replace(
        settings,
        apps=settings.apps + extra,
        database=DatabaseSettings(url=f"sqlite:///{out_dir / 'monitor.db'}"),
        privacy=PrivacySettings(
            retention_days=0, pseudonym_key_env=settings.privacy.pseudonym_key_env, data_dir=str(out_dir)
        ),
    )


def run_demo(settings: Settings, out_dir: Path, *, progress: ProgressFactory) -> DemoSummary:
    """Run the whole scenario on a fresh database in `out_dir`."""
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(settings, out_dir)
    scenario = out_dir / "zao_2019.jsonl"
    write_scenario(scenario)
    (out_dir / "monitor.db").unlink(missing_ok=True)
    storage = Storage.open(settings.database.url)
    try:
        storage.init()
        storage.sync_apps(settings.watchlist)
        pseudonymize = Pseudonymizer(load_pseudonym_key(settings.privacy))
        with progress("importing", count_lines(scenario), unit="lines") as advance:
            imported = import_files(storage, [scenario], pseudonymize=pseudonymize, source="zao-2019",
                                    fmt="posts", progress=advance)
        with progress("analyzing", imported.stored, unit="posts") as advance:
            analyzed = analyze_backlog(storage, settings, progress=advance)
        bounds = storage.data_bounds()
        assert bounds is not None, "the scenario produced no posts"
        detected = detect(storage, settings, until=floor_hour(bounds[1]) + timedelta(hours=1))
        days = daily_rows(storage, settings.watchlist)
    finally:
        storage.close()
    return DemoSummary(
        database_url=settings.database.url, scenario_path=scenario, apps=settings.watchlist,
        regulator_at=REGULATOR_SUMMONS, imported=imported, analyzed=analyzed, detected=detected,
        days=days, seconds=time.monotonic() - started,
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
