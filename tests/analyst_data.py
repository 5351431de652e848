"""Test data for the analysts' side: the ZAO scenario loaded through the real pipeline.

The same scenario goes into SQLite and PostgreSQL in the same order, so both get the
same ids; analyses are computed once per text and reused, which halves the slow part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.config import Settings, load_settings
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.pipeline import detect, floor_hour, import_files
from monitor.replay.scenario import write_scenario
from monitor.storage import Storage
from monitor.types import Analysis, ScrapeResult

REPO = Path(__file__).resolve().parents[1]
SCENARIO_SCALE = 0.5
"""Half the demo's volume: small enough to be quick, large enough to raise the ZAO storm."""
PSEUDONYM_KEY = b"analyst-test-pseudonym-key-0123456789"

_analyses: dict[tuple[str, str], Analysis] = {}


def repo_settings() -> Settings:
    """The project's own config, ignoring the environment."""
    return load_settings(REPO / "config" / "monitor.toml", env={})


def load_scenario(url: str, folder: Path, scale: float = SCENARIO_SCALE) -> None:
    """Import, analyse, roll up and detect the scenario into the empty database at `url`."""
    settings = repo_settings()
    path = folder / f"scenario-{scale}.jsonl"
    if not path.exists():
        write_scenario(path, scale=scale)
    storage = Storage.open(url)
    try:
        storage.init()
        storage.sync_apps(settings.watchlist)
        import_files(storage, [path], pseudonymize=Pseudonymizer(PSEUDONYM_KEY), source="zao-2019")
        _analyze(storage, settings)
        bounds = storage.data_bounds()
        assert bounds is not None
        detect(storage, settings, until=floor_hour(bounds[1]) + timedelta(hours=1))
        _record_runs(storage)
    finally:
        storage.close()


def _analyze(storage: Storage, settings: Settings) -> None:
    from monitor.nlp.analyzer import make_analyzer

    analyzer = make_analyzer(settings.watchlist, settings.nlp)
    for batch in storage.iter_unanalyzed(analyzer.version):
        rows = []
        for post_id, text in batch:
            key = (analyzer.version, text)
            if key not in _analyses:
                _analyses[key] = analyzer.analyze(text)
            rows.append((post_id, _analyses[key]))
        storage.save_analyses(rows)


def _record_runs(storage: Storage) -> None:
    """Two scrape runs of a live source (one ok, one throttled and incomplete), fixed times."""
    storage.ensure_source("weibo-search", "weibo-search")
    start = datetime(2019, 8, 31, 3, 0, tzinfo=UTC)
    storage.record_scrape_run(ScrapeResult("weibo-search", pages=4, new=12, unchanged=3), start,
                              start + timedelta(seconds=42))
    later = start + timedelta(hours=20)
    failed = ScrapeResult("weibo-search", pages=1, new=2, rejected=1, errors=("HTTP 418", "ok: 0"), complete=False)
    storage.record_scrape_run(failed, later, later + timedelta(seconds=300), throttled_seconds=240.0)


@contextmanager
def _silent(*_args: object, **_kwargs: object) -> Iterator[Callable[[int], None]]:
    yield lambda _n: None


def make_demo_database(folder: Path) -> Path:
    """A fresh demo database (`monitor demo`'s, made by `run_demo`) in `folder`."""
    from monitor.demo import run_demo

    run_demo(repo_settings(), folder, progress=_silent)
    return folder / "monitor.db"


VIEWS = ("v_posts", "v_app_posts", "v_post_terms", "v_hourly", "v_daily", "v_storms", "v_alerts",
         "v_scrape_runs", "v_coverage")
WALL_CLOCK = frozenset({"recorded_at"})
"""View columns holding when something happened on this machine, not in the data."""


def normalize(value: object) -> object:
    """One comparable form for values the two drivers return differently.

    SQLite gives text timestamps and 0/1 booleans, PostgreSQL datetimes and bools; sums
    of floats may differ in the last bits.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == " " and value[13] == ":":
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None).isoformat(sep=" ")
        except ValueError:
            return value
    if isinstance(value, float):
        return round(value, 9)
    if hasattr(value, "as_integer_ratio") and not isinstance(value, int):  # Decimal
        return round(float(value), 9)  # type: ignore[arg-type]
    return value


def rows_of(url: str, query: str, skip: frozenset[str] = frozenset()) -> tuple[list[str], list[tuple[object, ...]]]:
    """Column names and normalized rows of `query` on the database at `url` (order kept)."""
    from sqlalchemy import create_engine, text

    from monitor.storage.engine import parse_url

    engine = create_engine(parse_url(url))
    try:
        with engine.connect() as conn:
            result = conn.execute(text(query))
            names = list(result.keys())
            keep = [i for i, name in enumerate(names) if name not in skip]
            rows = [tuple(normalize(row[i]) for i in keep) for row in result]
    finally:
        engine.dispose()
    return [names[i] for i in keep], rows


def sort_key(row: tuple[object, ...]) -> tuple[str, ...]:
    """Order rows of mixed types (None included) deterministically."""
    return tuple(repr(value) for value in row)
