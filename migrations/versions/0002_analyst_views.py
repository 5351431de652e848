"""Analyst SQL views: the public, documented way to query the store (docs/queries.md).

Every view means the same on SQLite and PostgreSQL: timestamps are UTC without a zone,
`beijing_day` is the Asia/Shanghai date as text `YYYY-MM-DD`, booleans are true/false
(1/0 on SQLite: compare with `= TRUE`), durations are floats in whole seconds or hours.
The few dialect-specific expressions (dates, JSON, time differences) are chosen per
dialect below; the rest of each view is one text.

| view | one row per |
|---|---|
| v_posts | post, with its analysis (NULLs if not analysed yet) and its apps (`Pintu,ZAO`) |
| v_app_posts | (app, post) mention: the columns of v_posts plus `app` |
| v_post_terms | (post, lexicon term) |
| v_hourly | (app, rollup concern, UTC hour) with posts: share, sentiment, engagement |
| v_daily | (app, rollup concern, Beijing day) |
| v_storms | storm, with per-concern posts, delays and alert counts |
| v_alerts | alert, with its storm |
| v_scrape_runs | scrape run of a source |
| v_coverage | (source, Beijing day): posts written that day and scrape runs made that day |

Views list their columns explicitly, so columns added to tables later extend nothing
and break nothing. A later migration that must rebuild a table under these views (on
SQLite, batch mode copies the table) drops the views first and re-creates them after,
with its own copy of the statements: migrations never import each other or the models.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS: tuple[str, ...] = (
    "v_posts", "v_app_posts", "v_post_terms", "v_hourly", "v_daily", "v_storms", "v_alerts",
    "v_scrape_runs", "v_coverage",
)
CONCERNS: tuple[str, ...] = ("privacy", "biometric", "fraud", "security", "regulatory")

# Dialect-specific fragments: {x}, {a}, {b} are SQL expressions, {key} a JSON key.
_SQLITE = {
    "day": "strftime('%Y-%m-%d', {x}, '+8 hours')",
    "seconds": "(CAST(strftime('%s', {b}) AS INTEGER) - CAST(strftime('%s', {a}) AS INTEGER))",
    "json_int": "CAST(json_extract({x}, '$.{key}') AS INTEGER)",
    "json_len": "json_array_length({x})",
    "apps": (
        "(SELECT group_concat(n, ',') FROM (SELECT ap.name AS n FROM post_apps pa"
        " JOIN apps ap ON ap.id = pa.app_id WHERE pa.post_id = p.id ORDER BY ap.name))"
    ),
    "terms": "SELECT DISTINCT a.post_id, t.value AS term FROM analyses a, json_each(a.terms) AS t",
}
_POSTGRES = {
    "day": "to_char({x} + INTERVAL '8 hours', 'YYYY-MM-DD')",
    "seconds": "(FLOOR(EXTRACT(EPOCH FROM {b})) - FLOOR(EXTRACT(EPOCH FROM {a})))",
    "json_int": "CAST(CAST({x} AS jsonb) ->> '{key}' AS INTEGER)",
    "json_len": "json_array_length(CAST({x} AS json))",
    "apps": (
        "(SELECT string_agg(ap.name, ',' ORDER BY ap.name COLLATE \"C\") FROM post_apps pa"
        " JOIN apps ap ON ap.id = pa.app_id WHERE pa.post_id = p.id)"
    ),
    "terms": (
        "SELECT DISTINCT a.post_id, t.term FROM analyses a"
        " CROSS JOIN LATERAL jsonb_array_elements_text(CAST(a.terms AS jsonb)) AS t(term)"
    ),
}


def _hours(d: dict[str, str], a: str, b: str) -> str:
    return f"CAST({d['seconds'].format(a=a, b=b)} AS DOUBLE PRECISION) / 3600"


def _post_columns(d: dict[str, str]) -> str:
    flags = " OR ".join(f"a.{c} = TRUE" for c in CONCERNS)
    return f"""
  p.id AS post_id, s.name AS source, p.external_id, p.url,
  p.created_at, p.created_hour, {d['day'].format(x='p.created_at')} AS beijing_day,
  p.text, p.author, p.reposts, p.comments, p.likes,
  p.reposts + p.comments + p.likes AS engagement, p.repost_of,
  CASE WHEN a.post_id IS NULL THEN FALSE ELSE TRUE END AS analyzed,
  a.analyzer_version, a.sentiment, a.polarity,
  {', '.join(f'a.{c}' for c in CONCERNS)},
  CASE WHEN a.post_id IS NULL THEN NULL WHEN {flags} THEN TRUE ELSE FALSE END AS any_concern,
  a.terms, {d['apps']} AS apps"""


def _post_views(d: dict[str, str]) -> dict[str, str]:
    joins = "JOIN sources s ON s.id = p.source_id LEFT JOIN analyses a ON a.post_id = p.id"
    return {
        "v_posts": f"SELECT {_post_columns(d)}\nFROM posts p {joins}",
        "v_app_posts": (
            f"SELECT app.name AS app, {_post_columns(d)}\nFROM post_apps pm"
            f" JOIN apps app ON app.id = pm.app_id JOIN posts p ON p.id = pm.post_id {joins}"
        ),
        "v_post_terms": d["terms"],
    }


def _series_views(d: dict[str, str]) -> dict[str, str]:
    hour_day = d["day"].format(x="r.hour")
    return {
        "v_hourly": f"""SELECT ap.name AS app, r.concern, r.hour, {hour_day} AS beijing_day,
  r.posts, r.negative, CAST(r.negative AS DOUBLE PRECISION) / r.posts AS negative_share,
  r.sentiment_sum / r.posts AS mean_sentiment, r.sentiment_sum, r.engagement,
  m.posts AS mentions, CAST(r.posts AS DOUBLE PRECISION) / m.posts AS share_of_mentions
FROM hourly_rollups r JOIN apps ap ON ap.id = r.app_id
LEFT JOIN hourly_rollups m ON m.app_id = r.app_id AND m.hour = r.hour AND m.concern = 'all'""",
        "v_daily": f"""SELECT ap.name AS app, r.concern, {hour_day} AS beijing_day,
  CAST(SUM(r.posts) AS BIGINT) AS posts, CAST(SUM(r.negative) AS BIGINT) AS negative,
  CAST(SUM(r.negative) AS DOUBLE PRECISION) / SUM(r.posts) AS negative_share,
  SUM(r.sentiment_sum) / SUM(r.posts) AS mean_sentiment,
  CAST(SUM(r.engagement) AS BIGINT) AS engagement
FROM hourly_rollups r JOIN apps ap ON ap.id = r.app_id
GROUP BY ap.name, r.concern, {hour_day}""",
    }


def _storm_views(d: dict[str, str]) -> dict[str, str]:
    per_concern = ",\n  ".join(
        f"COALESCE({d['json_int'].format(x='st.concerns', key=c)}, 0) AS {c}_posts" for c in CONCERNS
    )
    return {
        "v_storms": f"""SELECT st.id AS storm_id, ap.name AS app, st.status,
  st.started_at, st.detected_at, st.peak_at, st.ended_at, ap.launched_at AS app_launched_at,
  {_hours(d, 'ap.launched_at', 'st.started_at')} AS hours_after_launch,
  {_hours(d, 'st.started_at', 'st.detected_at')} AS detection_delay_hours,
  {_hours(d, 'st.started_at', 'st.ended_at')} AS duration_hours,
  st.posts, st.peak_hourly, st.negative_share, st.severity,
  {per_concern},
  st.concerns, st.top_terms, st.sample_post_ids,
  (SELECT COUNT(*) FROM alerts al WHERE al.storm_id = st.id) AS alerts,
  (SELECT COUNT(*) FROM alerts al WHERE al.storm_id = st.id AND al.kind = 'escalate') AS escalations
FROM storms st JOIN apps ap ON ap.id = st.app_id""",
        "v_alerts": f"""SELECT al.id AS alert_id, al.storm_id, ap.name AS app, al.kind,
  NULLIF(al.concern, '') AS concern, al.data_time,
  {_hours(d, 'st.started_at', 'al.data_time')} AS hours_into_storm,
  al.created_at AS recorded_at, al.message,
  st.status AS storm_status, st.started_at AS storm_started_at
FROM alerts al JOIN storms st ON st.id = al.storm_id JOIN apps ap ON ap.id = st.app_id""",
    }


def _coverage_views(d: dict[str, str]) -> dict[str, str]:
    post_day, run_day = d["day"].format(x="p.created_at"), d["day"].format(x="r.started_at")
    sums = ", ".join(
        f"CAST(SUM(c.{n}) AS BIGINT) AS {n}"
        for n in ("posts", "hours_with_posts", "runs", "ok_runs", "failed_runs", "incomplete_runs",
                  "records_rejected")
    )
    return {
        "v_scrape_runs": f"""SELECT r.id AS run_id, s.name AS source, s.kind, r.started_at, r.finished_at,
  {run_day} AS beijing_day,
  CAST({d['seconds'].format(a='r.started_at', b='r.finished_at')} AS DOUBLE PRECISION) AS duration_seconds,
  r.status, r.complete, r.pages, r.new AS posts_new, r.updated AS posts_updated,
  r.unchanged AS posts_unchanged, r.rejected AS records_rejected,
  {d['json_len'].format(x='r.errors')} AS error_count, r.errors, r.throttled_seconds
FROM scrape_runs r JOIN sources s ON s.id = r.source_id""",
        "v_coverage": f"""SELECT s.name AS source, s.kind, c.beijing_day, {sums},
  MIN(c.first_post_at) AS first_post_at, MAX(c.last_post_at) AS last_post_at,
  SUM(c.throttled_seconds) AS throttled_seconds
FROM (
  SELECT p.source_id, {post_day} AS beijing_day, COUNT(*) AS posts,
    COUNT(DISTINCT p.created_hour) AS hours_with_posts,
    MIN(p.created_at) AS first_post_at, MAX(p.created_at) AS last_post_at,
    0 AS runs, 0 AS ok_runs, 0 AS failed_runs, 0 AS incomplete_runs, 0 AS records_rejected,
    CAST(0 AS DOUBLE PRECISION) AS throttled_seconds
  FROM posts p GROUP BY p.source_id, {post_day}
  UNION ALL
  SELECT r.source_id, {run_day}, 0, 0, NULL, NULL, COUNT(*),
    SUM(CASE WHEN r.status = 'ok' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.complete = FALSE THEN 1 ELSE 0 END),
    SUM(r.rejected), SUM(r.throttled_seconds)
  FROM scrape_runs r GROUP BY r.source_id, {run_day}
) c JOIN sources s ON s.id = c.source_id
GROUP BY s.name, s.kind, c.beijing_day""",
    }


def view_statements(dialect: str) -> dict[str, str]:
    """The SELECT of every view for `dialect` ("sqlite" or "postgresql"), by view name."""
    d = _POSTGRES if dialect == "postgresql" else _SQLITE
    views = {**_post_views(d), **_series_views(d), **_storm_views(d), **_coverage_views(d)}
    assert tuple(views) == VIEWS
    return views


def upgrade() -> None:
    """Create the analyst views."""
    for name, select in view_statements(op.get_bind().dialect.name).items():
        op.execute(f"CREATE VIEW {name} AS\n{select}")


def downgrade() -> None:
    """Drop the analyst views."""
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
