"""pandas loaders for analysts and notebooks, over the analyst SQL views.

    from monitor import analysis
    db = analysis.connect("sqlite:///var/demo/monitor.db")   # or analysis.demo_database()
    db.hourly("ZAO", "privacy")                # dense hourly series, Beijing-time index
    db.launch_window("ZAO", days_before=2, days_after=7)
    db.storms("ZAO"); db.posts("ZAO", concern="privacy", since="2019-08-31")

Every query reads the views of migration 0002 (`v_hourly`, `v_app_posts`, ...; see
docs/queries.md), so the database does the counting and joining; pandas only reshapes
what comes back. Times come back timezone-aware in Asia/Shanghai. Time arguments take
aware datetimes or ISO strings; a string without an offset is Beijing time. Intervals
are half-open: `since <= t < until`. This is the only module of monitor that imports
pandas (import it lazily: `monitor --help` never does).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, bindparam, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.config import SHANGHAI
from monitor.errors import MonitorError, StorageError
from monitor.storage.engine import EngineHolder, make_engine, parse_url, safe_url, utc
from monitor.storage.models import UTCDateTime
from monitor.types import CONCERNS, ROLLUP_CONCERNS

TIMEZONE = "Asia/Shanghai"
DEMO_DB_ENV = "MONITOR_DEMO_DB"
DEFAULT_DEMO_DB = Path("var/demo/monitor.db")
TIME_COLUMNS = frozenset({
    "created_at", "created_hour", "hour", "started_at", "detected_at", "peak_at", "ended_at",
    "app_launched_at", "launched_at", "data_time", "recorded_at", "storm_started_at",
    "finished_at", "first_post_at", "last_post_at", "at",
})
BOOL_COLUMNS = frozenset({*CONCERNS, "any_concern", "analyzed", "complete"})
JSON_COLUMNS = frozenset({"terms", "concerns", "top_terms", "sample_post_ids", "errors", "aliases"})
_SUMMED = ("posts", "negative", "sentiment_sum", "engagement")
_POLARITIES = ("negative", "neutral", "positive")
When = datetime | str | None


def connect(url: str | None = None) -> Database:
    """Open the monitor database at `url` (default: the configured `[database] url`)."""
    if url is None:
        from monitor.config import load_settings

        url = load_settings().database.url
    engine = make_engine(parse_url(url))
    try:
        views = set(inspect(engine).get_view_names())
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StorageError(f"cannot open database at {safe_url(engine.url)}: {exc}") from None
    if "v_hourly" not in views:
        engine.dispose()
        raise StorageError(f"database at {safe_url(engine.url)} has no analyst views; run `monitor init`")
    return Database(engine)


def demo_database(path: str | Path | None = None) -> str:
    """The URL of the demo database, made with `monitor demo`'s code if it is missing.

    `path` defaults to env `MONITOR_DEMO_DB`, else `var/demo/monitor.db` in the current
    folder or the nearest parent that has one (or is the project root: a notebook runs
    in `notebooks/`). The file must be named `monitor.db` (the demo writes its scenario
    and key beside it). An existing database is upgraded to the latest schema.
    """
    from monitor.storage import Storage

    db = Path(path or os.environ.get(DEMO_DB_ENV) or _default_demo_path()).resolve()
    if not db.exists():
        if db.name != "monitor.db":
            raise MonitorError(f"cannot create a demo database named {db.name}: it must be monitor.db")
        from monitor.config import load_settings
        from monitor.demo import run_demo

        run_demo(load_settings(), db.parent, progress=_no_progress)
    url = f"sqlite:///{db}"
    with Storage.open(url) as storage:
        storage.init()
    return url


def _default_demo_path() -> Path:
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_DEMO_DB).exists() or (folder / "pyproject.toml").exists():
            return folder / DEFAULT_DEMO_DB
    return here / DEFAULT_DEMO_DB


@contextmanager
def _no_progress(*_args: object, **_kwargs: object) -> Iterator[Callable[[int], None]]:
    yield lambda _n: None


def to_utc(when: datetime | str) -> datetime:
    """An aware UTC datetime from an aware datetime or an ISO string (no offset: Beijing)."""
    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return utc(moment)


class Database(EngineHolder):
    """A read-only view of a monitor database for analysts; every method returns a DataFrame."""

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine; prefer `connect(url)`."""
        super().__init__(engine)
        self._pg = engine.dialect.name == "postgresql"

    # -- raw SQL -------------------------------------------------------------------

    def sql(self, query: str, **params: Any) -> pd.DataFrame:
        """Run one SELECT; known time, boolean and JSON columns are converted.

        Datetime parameters are bound as UTC timestamps; write SQL the way
        docs/queries.md does, and it runs unchanged on SQLite and PostgreSQL.
        """
        clause = text(query)
        for name, value in params.items():
            if isinstance(value, datetime):
                clause = clause.bindparams(bindparam(name, type_=UTCDateTime))
            elif isinstance(value, list | tuple):
                clause = clause.bindparams(bindparam(name, expanding=True))
        try:
            with self._engine.connect() as conn:
                frame = pd.read_sql_query(clause, conn, params=params)
        except (SQLAlchemyError, pd.errors.DatabaseError) as exc:
            cause = exc.__cause__ if isinstance(exc, pd.errors.DatabaseError) else exc
            reason = str(getattr(cause, "orig", None) or cause or exc).strip().splitlines()[0]
            raise StorageError(f"query failed on {self.url}: {reason}") from None
        return _convert(frame)

    # -- catalogue -----------------------------------------------------------------

    def apps(self) -> pd.DataFrame:
        """Watched apps: name, aliases, launched_at."""
        return self.sql("SELECT name, aliases, launched_at FROM apps ORDER BY name")

    def launched_at(self, app: str) -> pd.Timestamp:
        """When `app` launched (Beijing time); `MonitorError` if unknown or undated."""
        found = self.apps().set_index("name")
        if app not in found.index:
            raise MonitorError(f"unknown app {app!r}; watched: {', '.join(found.index) or 'none'}")
        launched = found.loc[app, "launched_at"]
        if pd.isna(launched):
            raise MonitorError(f"app {app!r} has no launch date in the watch list")
        return launched

    # -- posts ---------------------------------------------------------------------

    def posts(
        self, app: str | None = None, *, since: When = None, until: When = None,
        concern: str | None = None, polarity: str | None = None,
        ids: Sequence[str] | None = None, limit: int | None = None,
    ) -> pd.DataFrame:
        """Posts with their analysis (`v_posts`, or `v_app_posts` for one app), oldest first.

        `concern` keeps posts with that concern (`any` for at least one), `polarity` those
        of that polarity, `ids` those with these external ids.
        """
        where, params = self._window("created_at", since, until)
        if app is not None:
            where.append("app = :app")
            params["app"] = app
        if concern is not None:
            where.append(f"{_concern_column(concern)} = TRUE")
        if polarity is not None:
            if polarity not in _POLARITIES:
                raise MonitorError(f"unknown polarity {polarity!r}; one of {', '.join(_POLARITIES)}")
            where.append("polarity = :polarity")
            params["polarity"] = polarity
        if ids is not None:
            where.append("external_id IN :ids")
            params["ids"] = list(ids)
        view = "v_posts" if app is None else "v_app_posts"
        query = f"SELECT * FROM {view}{_where(where)} ORDER BY created_at, post_id"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return self.sql(query, **params)

    def top_terms(
        self, app: str, *, n: int = 10, by_day: bool = True, since: When = None, until: When = None,
        concern: str = "any",
    ) -> pd.DataFrame:
        """The `n` lexicon terms in most of `app`'s concern posts, per Beijing day (or overall).

        Columns: beijing_day (if `by_day`), rank, term, posts (posts using the term).
        """
        where, params = self._window("p.created_at", since, until)
        where += ["p.app = :app", f"p.{_concern_column(concern)} = TRUE"]
        params["app"] = app
        day = "p.beijing_day" if by_day else ""
        collate = ' COLLATE "C"' if self._pg else ""
        query = f"""
            SELECT * FROM (
              SELECT {day + ' AS beijing_day, ' if by_day else ''}t.term, COUNT(*) AS posts,
                ROW_NUMBER() OVER ({'PARTITION BY ' + day if by_day else ''}
                                   ORDER BY COUNT(*) DESC, t.term{collate}) AS rank
              FROM v_app_posts p JOIN v_post_terms t ON t.post_id = p.post_id{_where(where)}
              GROUP BY {day + ', ' if by_day else ''}t.term
            ) ranked WHERE rank <= :n ORDER BY {'beijing_day, ' if by_day else ''}rank"""
        columns = ["beijing_day", "rank", "term", "posts"] if by_day else ["rank", "term", "posts"]
        return self.sql(query, n=int(n), **params)[columns]

    # -- series --------------------------------------------------------------------

    def hourly(
        self, app: str, concern: str | None = None, freq: str = "1h", *,
        since: When = None, until: When = None,
    ) -> pd.DataFrame:
        """`app`'s series from `v_hourly`, dense (empty periods are 0), indexed in Beijing time.

        With `concern` (`all`, `any` or a concern): columns posts, negative, negative_share,
        mean_sentiment, engagement, mentions, share_of_mentions. Without: the same metrics
        for every rollup concern, as columns `(metric, concern)`, e.g. `frame["posts"]`.
        `freq` is a pandas frequency ("1h", "6h", "1D": days start at Beijing midnight).
        """
        if concern is not None:
            _concern_column(concern)
        where, params = self._window("hour", since, until)
        where.append("app = :app")
        params["app"] = app
        if concern is not None:
            where.append("concern IN :concerns")
            params["concerns"] = sorted({concern, "all"})
        rows = self.sql(
            f"SELECT concern, hour, {', '.join(_SUMMED)} FROM v_hourly{_where(where)} ORDER BY hour", **params
        )
        start = to_utc(since) if since is not None else None
        end = to_utc(until) if until is not None else None
        wide = _dense(rows, start, end, freq)
        if concern is None:
            return wide
        single = wide.xs(concern, axis=1, level="concern").copy()
        single["mentions"] = wide[("posts", "all")]
        single["share_of_mentions"] = wide[("share_of_mentions", concern)]
        single.columns.name = None
        return single

    def launch_window(
        self, app: str, days_before: float = 2, days_after: float = 7, concern: str | None = None,
        freq: str = "1h",
    ) -> pd.DataFrame:
        """`hourly` from `days_before` before `app`'s launch to `days_after` after it.

        `frame.attrs["launched_at"]` holds the launch time.
        """
        launched = self.launched_at(app).to_pydatetime()
        frame = self.hourly(
            app, concern, freq, since=launched - timedelta(days=days_before),
            until=launched + timedelta(days=days_after),
        )
        frame.attrs["launched_at"] = pd.Timestamp(launched)
        return frame

    # -- storms, alerts, coverage ---------------------------------------------------

    def storms(self, app: str | None = None) -> pd.DataFrame:
        """Storms (`v_storms`) oldest first, of one app or all."""
        where = ["app = :app"] if app is not None else []
        params = {"app": app} if app is not None else {}
        return self.sql(f"SELECT * FROM v_storms{_where(where)} ORDER BY started_at, storm_id", **params)

    def alerts(self, app: str | None = None) -> pd.DataFrame:
        """Alerts (`v_alerts`) in data-time order, of one app or all."""
        where = ["app = :app"] if app is not None else []
        params = {"app": app} if app is not None else {}
        return self.sql(f"SELECT * FROM v_alerts{_where(where)} ORDER BY data_time, alert_id", **params)

    def timeline(self, app: str) -> pd.DataFrame:
        """`app`'s events in time order: launch, and per storm its start, detection (the open
        alert), escalations, peak and end. Columns: at, event, storm_id, concern."""
        events = [pd.DataFrame({"at": [self.launched_at(app)], "event": ["launch"]})]
        storms = self.storms(app)
        for column, event in (("started_at", "storm start"), ("peak_at", "storm peak"),
                              ("ended_at", "storm end")):
            part = storms[["storm_id", column]].dropna().rename(columns={column: "at"})
            events.append(part.assign(event=event))
        alerts = self.alerts(app)
        kinds = {"open": "storm detected", "escalate": "escalation"}
        part = alerts[alerts["kind"].isin(list(kinds))]
        events.append(pd.DataFrame({
            "at": part["data_time"], "event": part["kind"].map(kinds), "storm_id": part["storm_id"],
            "concern": part["concern"],
        }))
        frame = pd.concat([e for e in events if not e.empty], ignore_index=True)
        frame = frame.reindex(columns=["at", "event", "storm_id", "concern"])
        frame["storm_id"] = frame["storm_id"].astype("Int64")
        return frame.sort_values(["at", "event"], kind="stable").reset_index(drop=True)

    def coverage(self) -> pd.DataFrame:
        """Per source and Beijing day: posts written and scrape runs made (`v_coverage`)."""
        return self.sql("SELECT * FROM v_coverage ORDER BY source, beijing_day")

    def scrape_runs(self, source: str | None = None) -> pd.DataFrame:
        """Scrape runs (`v_scrape_runs`), newest first."""
        where = ["source = :source"] if source is not None else []
        params = {"source": source} if source is not None else {}
        return self.sql(f"SELECT * FROM v_scrape_runs{_where(where)} ORDER BY started_at DESC", **params)

    # -- helpers -------------------------------------------------------------------

    def _window(self, column: str, since: When, until: When) -> tuple[list[str], dict[str, Any]]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if since is not None:
            where.append(f"{column} >= :since")
            params["since"] = to_utc(since)
        if until is not None:
            where.append(f"{column} < :until")
            params["until"] = to_utc(until)
        return where, params


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _concern_column(concern: str) -> str:
    """The v_posts column of `concern` (`any` -> any_concern); refuses anything else."""
    if concern == "any":
        return "any_concern"
    if concern in CONCERNS:
        return concern
    if concern == "all":
        return "analyzed"
    raise MonitorError(f"unknown concern {concern!r}; one of {', '.join(ROLLUP_CONCERNS)}")


def _convert(frame: pd.DataFrame) -> pd.DataFrame:
    """Times to Beijing time, 0/1 to booleans, JSON text to Python values."""
    for column in frame.columns:
        if column in TIME_COLUMNS:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601").dt.tz_convert(TIMEZONE)
        elif column in BOOL_COLUMNS:
            frame[column] = frame[column].astype("boolean")
        elif column in JSON_COLUMNS:
            frame[column] = frame[column].map(json.loads, na_action="ignore")
    return frame


def _dense(rows: pd.DataFrame, start: datetime | None, end: datetime | None, freq: str) -> pd.DataFrame:
    """Sparse (concern, hour) rows -> every hour and rollup concern, resampled to `freq`."""
    hours = rows["hour"].dt.tz_convert("UTC")
    first = pd.Timestamp(start).floor("h") if start is not None else (hours.min() if len(rows) else None)
    last = pd.Timestamp(end) if end is not None else (hours.max() + pd.Timedelta(hours=1) if len(rows) else None)
    index = pd.date_range(first, last, freq="1h", inclusive="left") if first is not None else pd.DatetimeIndex([])
    index = (index if index.tz is not None else index.tz_localize("UTC")).tz_convert(TIMEZONE)
    columns = pd.MultiIndex.from_product([_SUMMED, ROLLUP_CONCERNS], names=[None, "concern"])
    wide = rows.pivot_table(index="hour", columns="concern", values=list(_SUMMED), aggfunc="sum")
    wide = wide.reindex(index=index, columns=columns, fill_value=0).fillna(0)
    if freq.lower() not in ("1h", "h"):
        wide = wide.resample(freq).sum()
    wide.index.name = "hour"
    posts = wide["posts"]
    share = posts.div(posts["all"], axis=0).where(posts["all"] > 0)
    derived = {
        "negative_share": wide["negative"] / posts.where(posts > 0),
        "mean_sentiment": wide["sentiment_sum"] / posts.where(posts > 0),
        "share_of_mentions": share,
    }
    parts = [wide[["posts", "negative", "engagement"]]]
    parts += [frame.set_axis(pd.MultiIndex.from_product([[name], ROLLUP_CONCERNS]), axis=1)
              for name, frame in derived.items()]
    out = pd.concat(parts, axis=1)
    out.columns.names = [None, "concern"]
    return out.astype({(m, c): "int64" for m in ("posts", "negative", "engagement") for c in ROLLUP_CONCERNS})
