"""Storms, their alerts and evidence (top terms, sample posts), and spikes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from monitor.errors import StorageError
from monitor.storage.engine import dialect_insert, execute_count, utc
from monitor.storage.models import (
    AlertRow,
    AnalysisRow,
    AppRow,
    PostAppRow,
    PostRow,
    StormRow,
    table,
)
from monitor.storage.records import AlertEvent, StoredStorm
from monitor.storage.rollups import concern_flags
from monitor.types import Spike, Storm

TOP_TERMS = 10
SAMPLE_POSTS = 5


def app_id(session: Session, app: str) -> int:
    """The id of watched app `app`; `StorageError` if `sync_apps` never saw it."""
    found = session.scalar(select(AppRow.id).where(AppRow.name == app))
    if found is None:
        raise StorageError(f"unknown app {app!r}: it is not in the watch list (sync apps first)")
    return found


def _overlaps(row: StormRow, storm: Storm) -> bool:
    """Open intervals [start, end) overlap; a missing end is open-ended."""
    row_before_end = storm.ended_at is None or row.started_at < storm.ended_at
    storm_before_end = row.ended_at is None or storm.started_at < row.ended_at
    return row_before_end and storm_before_end


def save_storms(
    session: Session, app: str, storms: Sequence[Storm], now: datetime
) -> list[AlertEvent]:
    """Upsert the detector's storms of `app` and record their alerts; return new alerts."""
    aid = app_id(session, app)
    stored = list(session.scalars(select(StormRow).where(StormRow.app_id == aid)))
    taken: set[int] = set()
    events: list[AlertEvent] = []
    for storm in sorted(storms, key=lambda s: utc(s.started_at)):
        if storm.app != app:
            raise StorageError(f"storm of {storm.app!r} passed to save_storms for {app!r}")
        candidates = [row for row in stored if row.id not in taken and _overlaps(row, storm)]
        row = min(candidates, key=lambda r: abs(r.started_at - storm.started_at), default=None)
        row = _write_storm(session, aid, storm, row, now)
        taken.add(row.id)
        events.extend(_record_alerts(session, row.id, storm, now))
    return sorted(events, key=lambda event: (event.data_time, event.storm_id))


def _write_storm(
    session: Session, aid: int, storm: Storm, row: StormRow | None, now: datetime
) -> StormRow:
    ended = None if storm.ended_at is None else utc(storm.ended_at)
    window = _window_posts(aid, utc(storm.started_at), ended)
    top_terms, samples = _top_terms(session, window), _sample_posts(session, window)
    if row is None:
        row = StormRow(app_id=aid)
        session.add(row)
    row.status = storm.status
    row.started_at, row.detected_at = utc(storm.started_at), utc(storm.detected_at)
    row.peak_at, row.ended_at = utc(storm.peak_at), ended
    row.posts, row.peak_hourly = storm.posts, storm.peak_hourly
    row.concerns = dict(storm.concerns)
    row.negative_share, row.severity = storm.negative_share, storm.severity
    row.top_terms, row.sample_post_ids = top_terms, samples
    row.updated_at = now
    session.flush()
    return row


def _window_posts(aid: int, start: datetime, end: datetime | None) -> list[ColumnElement[bool]]:
    """Conditions selecting the app's concern posts created in [start, end)."""
    conditions = [
        PostAppRow.app_id == aid,
        PostRow.created_at >= start,
        or_(*(flag.is_(True) for flag in concern_flags("any"))),
    ]
    if end is not None:
        conditions.append(PostRow.created_at < end)
    return conditions


def _top_terms(session: Session, window: list[ColumnElement[bool]]) -> list[str]:
    """The most frequent analysis terms (counted once per post), ties alphabetical."""
    query = (
        select(AnalysisRow.terms)
        .join(PostRow, PostRow.id == AnalysisRow.post_id)
        .join(PostAppRow, PostAppRow.post_id == AnalysisRow.post_id)
        .where(and_(*window))
    )
    counts: Counter[str] = Counter()
    for terms in session.scalars(query):
        counts.update(set(terms or ()))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [term for term, _ in ranked[:TOP_TERMS]]


def _sample_posts(session: Session, window: list[ColumnElement[bool]]) -> list[str]:
    """External ids of the most engaged concern posts in the window."""
    engagement = PostRow.reposts + PostRow.comments + PostRow.likes
    query = (
        select(PostRow.external_id)
        .join(AnalysisRow, AnalysisRow.post_id == PostRow.id)
        .join(PostAppRow, PostAppRow.post_id == PostRow.id)
        .where(and_(*window))
        .order_by(engagement.desc(), PostRow.created_at, PostRow.id)
        .limit(SAMPLE_POSTS)
    )
    return list(session.scalars(query))


def _alerts_of(storm: Storm) -> list[tuple[str, str, datetime]]:
    alerts = [("open", "", utc(storm.detected_at))]
    alerts += [("escalate", concern, utc(when)) for when, concern in storm.escalations]
    if storm.ended_at is not None:
        alerts.append(("close", "", utc(storm.ended_at)))
    return alerts


def _record_alerts(
    session: Session, storm_id: int, storm: Storm, now: datetime
) -> list[AlertEvent]:
    events = []
    for kind, concern, when in _alerts_of(storm):
        values: dict[str, Any] = {
            "storm_id": storm_id, "kind": kind, "concern": concern, "data_time": when,
            "created_at": now, "message": alert_message(kind, concern, storm),
        }
        stmt = dialect_insert(session, table("alerts")).values(**values).on_conflict_do_nothing(
            index_elements=["storm_id", "kind", "concern"]
        )
        if execute_count(session, stmt) == 1:
            events.append(AlertEvent(storm_id, storm.app, kind, concern or None, when, storm))
    return events


def alert_message(kind: str, concern: str, storm: Storm) -> str:
    """A one-line human description of an alert (times in UTC)."""
    concerns = ", ".join(f"{name} {count}" for name, count in storm.concerns.items() if count)
    started = utc(storm.started_at).strftime("%Y-%m-%d %H:%M UTC")
    if kind == "open":
        return f"{storm.app}: storm opened (since {started}; {storm.posts} posts; {concerns})"
    if kind == "escalate":
        return f"{storm.app}: storm since {started} escalated: {concern} joined"
    ended = utc(storm.ended_at or storm.peak_at).strftime("%Y-%m-%d %H:%M UTC")
    return f"{storm.app}: storm since {started} closed at {ended} ({storm.posts} posts)"


def list_storms(session: Session, app: str | None) -> list[StoredStorm]:
    """Stored storms (of `app`, or all), oldest first, escalations rebuilt from alerts."""
    query = select(StormRow, AppRow.name).join(AppRow, AppRow.id == StormRow.app_id)
    if app is not None:
        query = query.where(AppRow.name == app)
    rows = session.execute(query.order_by(StormRow.started_at, StormRow.id)).all()
    escalations: dict[int, list[tuple[datetime, str]]] = {}
    ids = [row.id for row, _ in rows]
    if ids:
        alerts = select(AlertRow.storm_id, AlertRow.data_time, AlertRow.concern).where(
            AlertRow.kind == "escalate", AlertRow.storm_id.in_(ids)
        )
        for storm_id, when, concern in session.execute(alerts.order_by(AlertRow.data_time)):
            escalations.setdefault(storm_id, []).append((when, concern))
    return [_stored(row, name, tuple(escalations.get(row.id, ()))) for row, name in rows]


def _stored(row: StormRow, app: str, escalations: tuple[tuple[datetime, str], ...]) -> StoredStorm:
    storm = Storm(
        app=app, started_at=row.started_at, detected_at=row.detected_at, peak_at=row.peak_at,
        ended_at=row.ended_at, posts=row.posts, peak_hourly=row.peak_hourly,
        concerns=dict(row.concerns), negative_share=row.negative_share, severity=row.severity,
        escalations=escalations,
    )
    return StoredStorm(
        id=row.id, storm=storm, top_terms=tuple(row.top_terms),
        sample_post_ids=tuple(row.sample_post_ids),
    )


def save_spikes(session: Session, app: str, spikes: Sequence[Spike]) -> None:
    """Upsert spikes of `app` by hour."""
    if not spikes:
        return
    aid = app_id(session, app)
    values = [
        {"app_id": aid, "hour": utc(s.hour), "observed": s.observed, "expected": s.expected,
         "score": s.score}
        for s in {utc(s.hour): s for s in spikes}.values()
    ]
    stmt = dialect_insert(session, table("spikes"))
    stmt = stmt.on_conflict_do_update(
        index_elements=["app_id", "hour"],
        set_={name: stmt.excluded[name] for name in ("observed", "expected", "score")},
    )
    session.execute(stmt, values)
