"""monitor.analysis: DataFrames over the analyst views, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from analyst_data import rows_of

from monitor import analysis
from monitor.errors import MonitorError, StorageError
from monitor.types import CONCERNS, ROLLUP_CONCERNS


@pytest.fixture
def db(scenario_url: str) -> analysis.Database:
    with analysis.connect(scenario_url) as database:
        yield database  # type: ignore[misc]


def sql_total(url: str, where: str) -> int:
    _, rows = rows_of(url, f"SELECT COALESCE(SUM(posts), 0) FROM v_hourly WHERE {where}")
    return int(rows[0][0])  # type: ignore[call-overload]


def test_hourly_is_dense_beijing_time_and_sums_like_sql(db: analysis.Database, scenario_url: str) -> None:
    frame = db.hourly("ZAO", "privacy")
    assert str(frame.index.tz) == "Asia/Shanghai"
    steps = frame.index.to_series().diff().dropna().unique()
    assert list(steps) == [pd.Timedelta(hours=1)]  # no gaps: empty hours are rows of 0
    assert (frame["posts"] >= 0).all() and frame["posts"].dtype == "int64"
    assert frame["posts"].sum() == sql_total(scenario_url, "app = 'ZAO' AND concern = 'privacy'")
    assert frame["mentions"].sum() == sql_total(scenario_url, "app = 'ZAO' AND concern = 'all'")
    busy = frame[frame["posts"] > 0]
    assert ((busy["negative_share"] >= 0) & (busy["negative_share"] <= 1)).all()
    assert frame.loc[frame["posts"] == 0, "negative_share"].isna().all()


def test_hourly_without_concern_has_every_metric_and_concern(db: analysis.Database, scenario_url: str) -> None:
    frame = db.hourly("ZAO")
    assert list(frame["posts"].columns) == list(ROLLUP_CONCERNS)
    for concern in ROLLUP_CONCERNS:
        assert frame[("posts", concern)].sum() == sql_total(scenario_url, f"app = 'ZAO' AND concern = '{concern}'")
    assert (frame[("posts", "any")] <= frame[("posts", "all")]).all()


def test_daily_frequency_starts_at_beijing_midnight(db: analysis.Database) -> None:
    hourly = db.hourly("ZAO", "any")
    daily = db.hourly("ZAO", "any", freq="1D")
    assert all(moment.hour == 0 for moment in daily.index)
    assert daily["posts"].sum() == hourly["posts"].sum()
    first_day = daily.index[0]
    assert daily["posts"].iloc[0] == hourly.loc[first_day:first_day + timedelta(hours=23), "posts"].sum()
    assert daily["negative_share"].iloc[1] == pytest.approx(daily["negative"].iloc[1] / daily["posts"].iloc[1])


def test_launch_window_bounds_and_attrs(db: analysis.Database) -> None:
    frame = db.launch_window("ZAO", days_before=1, days_after=3, concern="all")
    launched = frame.attrs["launched_at"]
    assert launched == pd.Timestamp("2019-08-30 00:00", tz="Asia/Shanghai")
    assert frame.index[0] == launched - timedelta(days=1)
    assert frame.index[-1] == launched + timedelta(days=3) - timedelta(hours=1)
    assert len(frame) == 4 * 24
    assert frame.loc[:launched - timedelta(hours=1), "posts"].sum() == 0  # nobody knew ZAO before
    assert frame.loc[launched:, "posts"].sum() > 0


def test_time_strings_without_offset_are_beijing_time(db: analysis.Database) -> None:
    posts = db.posts("ZAO", since="2019-08-31", until="2019-09-01", concern="privacy")
    assert len(posts) > 0
    assert posts["beijing_day"].eq("2019-08-31").all()
    assert posts["created_at"].is_monotonic_increasing
    assert posts["privacy"].all() and posts["app"].eq("ZAO").all()
    assert isinstance(posts["terms"].iloc[0], list)
    assert analysis.to_utc("2019-08-31") == datetime(2019, 8, 30, 16, tzinfo=UTC)


def test_posts_filters(db: analysis.Database) -> None:
    negative = db.posts("ZAO", polarity="negative", limit=50)
    assert len(negative) == 50 and negative["polarity"].eq("negative").all()
    everything = db.posts()
    assert "app" not in everything.columns and everything["post_id"].is_unique
    some = list(everything["external_id"].iloc[:3])
    assert sorted(db.posts(ids=some)["external_id"]) == sorted(some)
    with pytest.raises(MonitorError, match="unknown concern"):
        db.posts("ZAO", concern="privacy; DROP TABLE posts")


def test_storms_alerts_and_timeline(db: analysis.Database) -> None:
    storms = db.storms("ZAO")
    assert len(storms) == 1 and db.storms("Pintu").empty
    storm = storms.iloc[0]
    assert storm["started_at"].tzname() == "CST" and isinstance(storm["top_terms"], list)
    assert sum(int(storm[f"{c}_posts"]) for c in CONCERNS) >= storm["posts"]
    timeline = db.timeline("ZAO")
    assert timeline["at"].is_monotonic_increasing
    assert timeline["event"].iloc[0] == "launch"
    detected = timeline.loc[timeline["event"] == "storm detected", "at"].iloc[0]
    assert detected == storm["detected_at"]
    assert len(db.alerts("ZAO")) == storm["alerts"]


def test_top_terms_ranked_per_day(db: analysis.Database) -> None:
    terms = db.top_terms("ZAO", n=3)
    assert terms.groupby("beijing_day")["rank"].max().max() <= 3
    for _, day in terms.groupby("beijing_day"):
        assert day["posts"].is_monotonic_decreasing
    overall = db.top_terms("ZAO", n=5, by_day=False)
    assert list(overall["rank"]) == [1, 2, 3, 4, 5] and "beijing_day" not in overall.columns


def test_coverage_and_unknown_app(db: analysis.Database) -> None:
    coverage = db.coverage()
    assert set(coverage["source"]) == {"zao-2019", "weibo-search"}
    assert str(coverage["first_post_at"].dt.tz) == "Asia/Shanghai"
    with pytest.raises(MonitorError, match="unknown app"):
        db.launch_window("Nope")


def test_same_frames_from_sqlite_and_postgresql(scenario_sqlite_url: str, scenario_pg_url: str) -> None:
    with analysis.connect(scenario_sqlite_url) as lite, analysis.connect(scenario_pg_url) as pg:
        pd.testing.assert_frame_equal(lite.hourly("ZAO"), pg.hourly("ZAO"))
        pd.testing.assert_frame_equal(lite.top_terms("ZAO"), pg.top_terms("ZAO"))
        pd.testing.assert_frame_equal(lite.timeline("ZAO"), pg.timeline("ZAO"))
        columns = ["post_id", "created_at", "privacy", "any_concern", "sentiment", "apps"]
        pd.testing.assert_frame_equal(lite.posts("ZAO")[columns], pg.posts("ZAO")[columns])


def test_connect_refuses_a_database_without_views(tmp_path: Path) -> None:
    import sqlite3

    sqlite3.connect(tmp_path / "plain.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StorageError, match="no analyst views"):
        analysis.connect(f"sqlite:///{tmp_path / 'plain.db'}")


def test_an_app_without_posts_gives_empty_or_zero_frames(storage_sqlite_empty: str) -> None:
    with analysis.connect(storage_sqlite_empty) as db:
        assert db.hourly("ZAO", "privacy").empty and db.storms().empty
        window = db.launch_window("ZAO", days_before=1, days_after=1, concern="all")
        assert len(window) == 48 and window["posts"].sum() == 0
        assert list(db.timeline("ZAO")["event"]) == ["launch"]


@pytest.fixture
def storage_sqlite_empty(tmp_path: Path) -> str:
    from analyst_data import repo_settings

    from monitor.storage import Storage

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with Storage.open(url) as storage:
        storage.init()
        storage.sync_apps(repo_settings().watchlist)
    return url
