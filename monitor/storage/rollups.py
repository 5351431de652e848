"""Hourly rollups per app and concern, recomputed in SQL from a durable watermark.

The watermark (state key `rollups_dirty_since`) is the earliest hour whose rollups may
be stale: `""` when clean, `"all"` when never computed (or the row is missing), else an
ISO hour. Writers lower it in the same transaction as their data change and refreshes
read and clear it under a row lock (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite write
transactions are serialised anyway), so no change is ever left out of the rollups.
Every writer locks the watermark before touching analyses, so locks are always taken
in the same order and concurrent daemons cannot deadlock on them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from monitor.storage.engine import dialect_insert, execute_count
from monitor.storage.models import (
    AnalysisRow,
    AppRow,
    HourlyRollupRow,
    PostAppRow,
    PostRow,
    StateRow,
    table,
)
from monitor.types import CONCERNS, ROLLUP_CONCERNS, HourlyCount

WATERMARK_KEY = "rollups_dirty_since"
_CLEAN = ""
_ALL = "all"


def lock_watermark(session: Session) -> str:
    """Read the watermark, locking its row until the transaction ends."""
    query = select(StateRow.value).where(StateRow.key == WATERMARK_KEY).with_for_update()
    value = session.scalar(query)
    if value is None:
        missing = dialect_insert(session, table("state")).values(key=WATERMARK_KEY, value=_ALL)
        session.execute(missing.on_conflict_do_nothing(index_elements=["key"]))
        value = session.scalar(query)
    return value if value is not None else _ALL


def _set_watermark(session: Session, value: str) -> None:
    session.execute(
        update(StateRow).where(StateRow.key == WATERMARK_KEY).values(value=value),
        execution_options={"synchronize_session": False},
    )


def lower_watermark(session: Session, hour: datetime) -> None:
    """Mark rollups from `hour` on as stale (never raises an existing lower mark)."""
    current = lock_watermark(session)
    if current == _ALL:
        return
    if current == _CLEAN or datetime.fromisoformat(current) > hour:
        _set_watermark(session, hour.isoformat())


def refresh(session: Session) -> int:
    """Recompute rollups for every hour at or after the watermark; return rows written."""
    mark = lock_watermark(session)
    if mark == _CLEAN:
        return 0
    since = None if mark == _ALL else datetime.fromisoformat(mark)
    stale = delete(HourlyRollupRow)
    if since is not None:
        stale = stale.where(HourlyRollupRow.hour >= since)
    session.execute(stale, execution_options={"synchronize_session": False})
    written = sum(_insert_rollup(session, concern, since) for concern in ROLLUP_CONCERNS)
    _set_watermark(session, _CLEAN)
    return written


def concern_flags(concern: str = "any") -> list[InstrumentedAttribute[bool]]:
    """The analysis flag columns of one concern, or of every concern for `any`."""
    names = CONCERNS if concern == "any" else (concern,)
    return [getattr(AnalysisRow, name) for name in names]


def _concern_filter(concern: str) -> ColumnElement[bool]:
    if concern == "all":
        return true()
    return or_(*(flag.is_(True) for flag in concern_flags(concern)))


def _insert_rollup(session: Session, concern: str, since: datetime | None) -> int:
    """One `INSERT ... SELECT ... GROUP BY` for one rollup concern."""
    negative = case((AnalysisRow.polarity == "negative", 1), else_=0)
    engagement = PostRow.reposts + PostRow.comments + PostRow.likes
    where = [_concern_filter(concern)]
    if since is not None:
        where.append(PostRow.created_hour >= since)
    source = (
        select(
            PostAppRow.app_id,
            literal(concern, String(16)),
            PostRow.created_hour,
            func.count(),
            func.coalesce(func.sum(negative), 0),
            func.coalesce(func.sum(AnalysisRow.sentiment), 0.0),
            func.coalesce(func.sum(engagement), literal(0, Integer)),
        )
        .select_from(PostAppRow)
        .join(PostRow, PostRow.id == PostAppRow.post_id)
        .join(AnalysisRow, AnalysisRow.post_id == PostAppRow.post_id)
        .where(and_(*where))
        .group_by(PostAppRow.app_id, PostRow.created_hour)
    )
    columns = ["app_id", "concern", "hour", "posts", "negative", "sentiment_sum", "engagement"]
    return execute_count(session, insert(table("hourly_rollups")).from_select(columns, source))


def hourly_series(
    session: Session, app: str, since: datetime | None, until: datetime | None
) -> list[HourlyCount]:
    """Rollup rows of `app` with `since <= hour < until`, by hour then ROLLUP_CONCERNS order.

    Sparse: an hour with no posts for a concern has no row.
    """
    query = (
        select(HourlyRollupRow)
        .join(AppRow, AppRow.id == HourlyRollupRow.app_id)
        .where(AppRow.name == app)
    )
    if since is not None:
        query = query.where(HourlyRollupRow.hour >= since)
    if until is not None:
        query = query.where(HourlyRollupRow.hour < until)
    order = {concern: index for index, concern in enumerate(ROLLUP_CONCERNS)}
    rows = sorted(
        session.scalars(query),
        key=lambda row: (row.hour, order.get(row.concern, len(order)), row.concern),
    )
    return [
        HourlyCount(
            app=app, concern=row.concern, hour=row.hour, posts=row.posts,
            negative=row.negative, sentiment_sum=row.sentiment_sum, engagement=row.engagement,
        )
        for row in rows
    ]
