"""The steps of the flow, each a function over a Storage returning a result record.

ingest (`import_files`) -> analyze (`analyze_backlog`) -> rollup + detect (`detect`).
Each step commits in batches, so an interrupted run loses nothing already committed
and a rerun completes it. Decisions take an injected `until`/`now`; nothing here reads
the clock except where a caller passes `datetime.now`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.config import Settings
from monitor.errors import RecordError
from monitor.ingest.formats import guess_format, iter_file_records
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.storage import AlertEvent, Storage, StoredStorm
from monitor.types import Post

if TYPE_CHECKING:
    from monitor.nlp.analyzer import Analyzer

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
"""Called with how many units of work were just done."""


def _no_progress(_: int) -> None:
    return None


@dataclass
class ImportResult:
    """What `import_files` did."""

    files: int = 0
    lines: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Posts written or confirmed unchanged."""
        return self.new + self.updated + self.unchanged


def count_lines(path: Path) -> int:
    """Physical lines in a file, read in binary chunks (for progress totals)."""
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines


def import_files(
    storage: Storage,
    paths: Sequence[Path],
    *,
    pseudonymize: Pseudonymizer,
    source: str = "file",
    fmt: str | None = None,
    fetched_at: datetime | None = None,
    batch_size: int = 1000,
    progress: Progress = _no_progress,
    keep_rejects: int = 1000,
) -> ImportResult:
    """Stream posts from files into the store, committing every `batch_size` posts.

    Bad lines are logged as `file:line: reason`, counted and skipped. Importing the
    same file twice stores each post once; a changed post is updated.
    """
    result = ImportResult()
    fetched = fetched_at or datetime.now(UTC)
    for path in paths:
        result.files += 1
        records = iter_file_records(
            path, fmt or guess_format(path), source=source, pseudonymize=pseudonymize, fetched_at=fetched
        )
        _import_records(storage, path, records, result, batch_size, progress, keep_rejects)
    return result


def _import_records(
    storage: Storage,
    path: Path,
    records: Iterable[tuple[int, Post | RecordError]],
    result: ImportResult,
    batch_size: int,
    progress: Progress,
    keep_rejects: int,
) -> None:
    batch: list[Post] = []
    last_line = 0
    for line, item in records:
        if line != last_line:
            progress(line - last_line)
            result.lines += 1
            last_line = line
        if isinstance(item, RecordError):
            result.rejected += 1
            message = f"{path}:{line}: {item}"
            log.warning("%s", message)
            if len(result.rejects) < keep_rejects:
                result.rejects.append(message)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            _store(storage, batch, result)
            batch = []
    if batch:
        _store(storage, batch, result)


def _store(storage: Storage, batch: list[Post], result: ImportResult) -> None:
    counts = storage.upsert_posts(batch)
    result.new += counts.new
    result.updated += counts.updated
    result.unchanged += counts.unchanged


@dataclass(frozen=True)
class AnalyzeResult:
    """What `analyze_backlog` did."""

    analyzed: int
    analyzer_version: str


def analyze_backlog(
    storage: Storage, settings: Settings, *, batch_size: int = 500, progress: Progress = _no_progress,
    should_stop: Callable[[], bool] = lambda: False, stale_only: bool = False, analyzer: Analyzer | None = None,
) -> AnalyzeResult:
    """Analyze every stored post that has no analysis by the current analyzer version
    (`stale_only`: only posts analyzed by another version), a committed batch at a time.

    `should_stop` is asked after each committed batch; if it says yes, the rest waits
    for the next call (the daemon's graceful shutdown). `analyzer` (default: made from
    `settings`) lets a long-running caller build it once.
    """
    from monitor.nlp.analyzer import make_analyzer

    analyzer = analyzer or make_analyzer(settings.watchlist, settings.nlp)
    done = 0
    for batch in storage.iter_unanalyzed(analyzer.version, batch_size=batch_size, stale_only=stale_only):
        analyses = analyzer.analyze_many([text for _, text in batch])
        rows = [(post_id, analysis) for (post_id, _), analysis in zip(batch, analyses, strict=True)]
        storage.save_analyses(rows)
        done += len(rows)
        progress(len(rows))
        if should_stop():
            break
    return AnalyzeResult(analyzed=done, analyzer_version=analyzer.version)


def backlog_size(storage: Storage, settings: Settings, *, stale_only: bool = False) -> int:
    """Posts waiting for the current analyzer version (`stale_only`: of those, the ones
    analyzed by another version)."""
    from monitor.nlp.analyzer import make_analyzer

    version = make_analyzer(settings.watchlist, settings.nlp).version
    return storage.count_unanalyzed(version, stale_only=stale_only)


@dataclass(frozen=True)
class DetectResult:
    """What `detect` did: rollup rows written, storms now stored, alerts newly recorded."""

    until: datetime
    rollup_rows: int
    storms: list[StoredStorm]
    alerts: list[AlertEvent]


def floor_hour(moment: datetime) -> datetime:
    """The start of the UTC hour containing `moment`."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def detect(storage: Storage, settings: Settings, *, until: datetime) -> DetectResult:
    """Refresh hourly rollups, then run the storm detector per app on hours before `until`.

    `until` is exclusive and rounded down to the hour, so only complete hours count.
    """
    from monitor.detect import detect_storms, find_spikes

    until = floor_hour(until)
    rows = storage.refresh_rollups()
    storage.sync_apps(settings.watchlist)
    alerts: list[AlertEvent] = []
    for app in settings.watchlist:
        series = storage.hourly_series(app.name, until=until)
        storage.save_spikes(app.name, find_spikes(app, series, settings.detect, until))
        alerts += storage.save_storms(app.name, detect_storms(app, series, settings.detect, until))
    return DetectResult(until=until, rollup_rows=rows, storms=storage.list_storms(), alerts=alerts)


def default_until(now: datetime | None = None) -> datetime:
    """The end of the last complete hour (UTC)."""
    return floor_hour(now or datetime.now(UTC))


def hours_between(start: datetime, end: datetime) -> float:
    """Hours from `start` to `end`."""
    return (end - start) / timedelta(hours=1)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def storm_record(stored: StoredStorm) -> dict[str, object]:
    """The public JSON form of a stored storm (DESIGN.md "Storm records")."""
    storm = stored.storm
    return {
        "id": stored.id,
        "app": storm.app,
        "status": storm.status,
        "started_at": _iso(storm.started_at),
        "detected_at": _iso(storm.detected_at),
        "peak_at": _iso(storm.peak_at),
        "ended_at": _iso(storm.ended_at),
        "posts": storm.posts,
        "peak_hourly": storm.peak_hourly,
        "concerns": dict(storm.concerns),
        "negative_share": round(storm.negative_share, 4),
        "severity": round(storm.severity, 2),
        "top_terms": list(stored.top_terms),
        "sample_post_ids": list(stored.sample_post_ids),
    }
