"""The analyst views (migration 0002): present on both databases, same meaning, same rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from analyst_data import VIEWS, WALL_CLOCK, rows_of, sort_key

from monitor.storage import Storage
from monitor.storage.engine import make_alembic_config
from monitor.types import Post


def view_names(storage: Storage) -> set[str]:
    return set(sa.inspect(storage.engine).get_view_names())


def test_init_creates_every_view_and_downgrade_drops_them(storage: Storage) -> None:
    assert set(VIEWS) <= view_names(storage)
    with storage.engine.begin() as conn:
        command.downgrade(make_alembic_config(storage.engine.url, conn), "0001")
    assert view_names(storage) & set(VIEWS) == set()
    storage.init()
    assert set(VIEWS) <= view_names(storage)


def test_views_agree_between_sqlite_and_postgresql(scenario_sqlite_url: str, scenario_pg_url: str) -> None:
    for view in VIEWS:
        query = f"SELECT * FROM {view}"
        lite_names, lite = rows_of(scenario_sqlite_url, query, WALL_CLOCK)
        pg_names, pg = rows_of(scenario_pg_url, query, WALL_CLOCK)
        assert lite_names == pg_names, view
        assert lite, f"{view} is empty on the scenario"
        assert sorted(lite, key=sort_key) == sorted(pg, key=sort_key), view


def test_v_hourly_derives_shares_and_means_from_rollups(scenario_url: str) -> None:
    names, rows = rows_of(scenario_url, (
        "SELECT h.posts, h.negative, h.negative_share, h.mean_sentiment, h.sentiment_sum, h.mentions,"
        " h.share_of_mentions, r.posts FROM v_hourly h JOIN apps a ON a.name = h.app"
        " JOIN hourly_rollups r ON r.app_id = a.id AND r.concern = h.concern AND r.hour = h.hour"
    ))
    assert len(rows) > 100
    for posts, negative, share, mean, total, mentions, of_mentions, raw_posts in rows:
        assert posts == raw_posts
        assert share == pytest.approx(negative / posts)  # real division, not integer division
        assert mean == pytest.approx(total / posts)
        assert of_mentions == pytest.approx(posts / mentions) and 0 < of_mentions <= 1


def test_v_posts_flags_apps_and_days(scenario_url: str) -> None:
    _, rows = rows_of(scenario_url, (
        "SELECT COUNT(*), SUM(CASE WHEN privacy = TRUE THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN any_concern = TRUE THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN apps = 'ZAO' OR apps = 'Pintu,ZAO' THEN 1 ELSE 0 END),"  # names sorted, comma-joined
        " (SELECT COUNT(*) FROM v_app_posts WHERE app = 'ZAO') FROM v_posts"
    ))
    _, raw = rows_of(scenario_url, (
        "SELECT (SELECT COUNT(*) FROM posts), (SELECT COUNT(*) FROM analyses WHERE privacy = TRUE),"
        " (SELECT COUNT(*) FROM analyses WHERE privacy = TRUE OR biometric = TRUE OR fraud = TRUE"
        "  OR security = TRUE OR regulatory = TRUE),"
        " (SELECT COUNT(*) FROM post_apps pa JOIN apps a ON a.id = pa.app_id WHERE a.name = 'ZAO'),"
        " (SELECT COUNT(*) FROM post_apps pa JOIN apps a ON a.id = pa.app_id WHERE a.name = 'ZAO')"
    ))
    assert rows == raw and raw[0][1] > 0
    _, days = rows_of(scenario_url, "SELECT MIN(beijing_day), MAX(beijing_day) FROM v_posts")
    assert days == [("2019-08-23", "2019-09-07")]  # the scenario's window in Beijing time


def test_storm_and_alert_views(scenario_url: str) -> None:
    names, storms = rows_of(scenario_url, "SELECT * FROM v_storms")
    storm = dict(zip(names, storms[0], strict=True))
    assert storm["app"] == "ZAO" and storm["alerts"] >= 1
    assert storm["detection_delay_hours"] >= 0 and storm["hours_after_launch"] > 0
    _, alerts = rows_of(scenario_url, "SELECT kind, concern, hours_into_storm FROM v_alerts ORDER BY data_time")
    assert alerts[0][0] == "open" and alerts[0][1] is None
    assert all(kind == "open" or concern for kind, concern, _ in alerts if kind != "close")


def test_coverage_counts_posts_and_runs(scenario_url: str) -> None:
    _, rows = rows_of(scenario_url, (
        "SELECT source, SUM(posts), SUM(runs), SUM(ok_runs), SUM(incomplete_runs) FROM v_coverage GROUP BY source"
        " ORDER BY source"
    ))
    _, total = rows_of(scenario_url, "SELECT COUNT(*) FROM posts")
    assert rows[0][0] == "weibo-search" and rows[0][2:] == (2, 1, 1)
    assert rows[1][0] == "zao-2019" and rows[1][1] == total[0][0]
    _, runs = rows_of(scenario_url, "SELECT duration_seconds, error_count, complete FROM v_scrape_runs ORDER BY run_id")
    assert runs == [(42.0, 0, 1), (300.0, 2, 0)]


def test_unanalyzed_post_and_beijing_day_boundary(storage: Storage) -> None:
    late = datetime(2019, 8, 30, 16, 30, tzinfo=UTC)  # 00:30 on 08-31 in Beijing
    storage.upsert_posts([Post("file", "x1", late, "还没分析")])
    with storage.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT analyzed, any_concern, privacy, beijing_day, apps FROM v_posts")).one()
    assert (bool(row[0]), row[1], row[2], row[3], row[4]) == (False, None, None, "2019-08-31", None)


def test_a_later_migration_adding_columns_keeps_the_views(storage: Storage) -> None:
    with storage.engine.begin() as conn:
        operations = Operations(MigrationContext.configure(conn))
        with operations.batch_alter_table("posts") as batch:
            batch.add_column(sa.Column("lang", sa.String(8), nullable=True))
        with operations.batch_alter_table("analyses") as batch:
            batch.add_column(sa.Column("sarcasm", sa.Boolean(), nullable=True))
    storage.upsert_posts([Post("file", "x2", datetime(2019, 9, 1, tzinfo=UTC), "新列")])
    with storage.engine.connect() as conn:
        for view in VIEWS:
            conn.execute(sa.text(f"SELECT * FROM {view}")).all()
        assert conn.execute(sa.text("SELECT COUNT(*) FROM v_posts")).scalar() == 1
