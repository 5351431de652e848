"""Posts, their analyses and app mentions: upsert, analysis backlog, retention."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from monitor.errors import StorageError
from monitor.storage.engine import dialect_insert, execute_count, hour_of, utc
from monitor.storage.models import AnalysisRow, AppRow, PostAppRow, PostRow, SourceRow, table
from monitor.storage.records import UpsertCounts
from monitor.storage.rollups import lower_watermark
from monitor.types import CONCERNS, POLARITIES, Analysis, Post

CHUNK = 500
"""Keys per `IN (...)` list: well inside SQLite's and PostgreSQL's parameter limits."""

_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def source_id(session: Session, name: str, kind: str, *, set_kind: bool) -> int:
    """The id of source `name`, created with `kind` if new; `set_kind` updates an old kind."""
    query = select(SourceRow.id, SourceRow.kind).where(SourceRow.name == name)
    found = session.execute(query).first()
    if found is None:
        insert_stmt = dialect_insert(session, table("sources")).values(name=name, kind=kind)
        session.execute(insert_stmt.on_conflict_do_nothing(index_elements=["name"]))
        return session.scalars(select(SourceRow.id).where(SourceRow.name == name)).one()
    if set_kind and found.kind != kind:
        session.execute(update(SourceRow).where(SourceRow.id == found.id).values(kind=kind))
    return int(found.id)


def content_hash(post: Post) -> str:
    """A digest of everything about a post that can change between scrapes."""
    payload = [
        post.text, utc(post.created_at).isoformat(), post.author,
        post.reposts, post.comments, post.likes, post.url, post.repost_of,
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _post_values(post: Post, source: int, now: datetime) -> dict[str, Any]:
    if not post.external_id:
        raise StorageError(f"post from {post.source!r} has an empty external id")
    return {
        "source_id": source, "external_id": post.external_id,
        "created_at": utc(post.created_at), "created_hour": hour_of(post.created_at),
        "text": post.text, "author": post.author, "reposts": post.reposts,
        "comments": post.comments, "likes": post.likes, "url": post.url,
        "repost_of": post.repost_of, "content_hash": content_hash(post),
        "ingested_at": now, "updated_at": now,
    }


def upsert_posts(session: Session, posts: Sequence[Post], now: datetime) -> UpsertCounts:
    """Insert new posts, update changed ones (dropping their analysis), count the rest.

    Within the batch, a later post with the same (source, external id) wins.
    """
    latest: dict[tuple[str, str], Post] = {}
    for post in posts:
        latest[(post.source, post.external_id)] = post
    by_source: dict[str, list[Post]] = {}
    for (source, _), post in latest.items():
        by_source.setdefault(source, []).append(post)
    new = updated = 0
    for name, group in by_source.items():
        sid = source_id(session, name, "file", set_kind=False)
        rows = [_post_values(post, sid, now) for post in group]
        fresh_new, fresh_updated = _upsert_group(session, sid, rows)
        new, updated = new + fresh_new, updated + fresh_updated
    return UpsertCounts(new=new, updated=updated, unchanged=len(latest) - new - updated)


def _upsert_group(session: Session, sid: int, rows: list[dict[str, Any]]) -> tuple[int, int]:
    existing: dict[str, Any] = {}
    for part in chunks([row["external_id"] for row in rows]):
        query = (
            select(PostRow.external_id, PostRow.id, PostRow.content_hash, PostRow.created_hour,
                   AnalysisRow.post_id.label("analysed"))
            .outerjoin(AnalysisRow, AnalysisRow.post_id == PostRow.id)
            .where(PostRow.source_id == sid, PostRow.external_id.in_(part))
        )
        existing.update((found.external_id, found) for found in session.execute(query))
    fresh = [row for row in rows if row["external_id"] not in existing]
    changed = [
        row for row in rows
        if row["external_id"] in existing
        and existing[row["external_id"]].content_hash != row["content_hash"]
    ]
    inserted = 0
    if fresh:
        posts = table("posts")
        stmt = dialect_insert(session, posts).on_conflict_do_nothing(
            index_elements=["source_id", "external_id"]
        )
        inserted = len(session.execute(stmt.returning(posts.c.id), fresh).all())
    if changed:
        _update_changed(session, changed, [existing[row["external_id"]] for row in changed])
    return inserted, len(changed)


def _update_changed(session: Session, rows: list[dict[str, Any]], old: list[Any]) -> None:
    values = [
        {key: value for key, value in row.items() if key != "ingested_at"} | {"id": found.id}
        for row, found in zip(rows, old, strict=True)
    ]
    analysed_hours = [found.created_hour for found in old if found.analysed is not None]
    if analysed_hours:
        # The old version is still counted in rollups: have its hour recomputed. The
        # watermark is locked before any analysis row, as everywhere (no deadlocks).
        lower_watermark(session, min(analysed_hours))
    session.execute(update(PostRow), values)
    forget_analyses(session, [found.id for found in old])


def forget_analyses(session: Session, post_ids: Sequence[int]) -> None:
    """Delete the analyses and app mentions of these posts."""
    for part in chunks(post_ids):
        execute_count(session, delete(PostAppRow).where(PostAppRow.post_id.in_(part)))
        execute_count(session, delete(AnalysisRow).where(AnalysisRow.post_id.in_(part)))


def _pending(analyzer_version: str, stale_only: bool = False) -> ColumnElement[bool]:
    stale = AnalysisRow.analyzer_version != analyzer_version
    return stale if stale_only else or_(AnalysisRow.post_id.is_(None), stale)


def count_unanalyzed(session: Session, analyzer_version: str, stale_only: bool = False) -> int:
    """Posts with no analysis, or one made by another analyzer version (`stale_only`:
    only the latter)."""
    query = (
        select(func.count()).select_from(PostRow)
        .outerjoin(AnalysisRow, AnalysisRow.post_id == PostRow.id)
        .where(_pending(analyzer_version, stale_only))
    )
    return int(session.scalar(query) or 0)


def unanalyzed_batch(
    session: Session, analyzer_version: str, after_id: int, limit: int, stale_only: bool = False
) -> list[tuple[int, str]]:
    """The next `limit` pending (post id, text) pairs with id greater than `after_id`."""
    query = (
        select(PostRow.id, PostRow.text)
        .outerjoin(AnalysisRow, AnalysisRow.post_id == PostRow.id)
        .where(PostRow.id > after_id, _pending(analyzer_version, stale_only))
        .order_by(PostRow.id)
        .limit(limit)
    )
    return [(int(pid), str(text)) for pid, text in session.execute(query)]


def _analysis_values(post_id: int, analysis: Analysis, now: datetime) -> dict[str, Any]:
    unknown = set(analysis.concerns) - set(CONCERNS)
    if unknown:
        raise StorageError(f"post {post_id}: unknown concern(s) {sorted(unknown)}")
    if analysis.polarity not in POLARITIES:
        raise StorageError(f"post {post_id}: unknown polarity {analysis.polarity!r}")
    flags = {concern: concern in analysis.concerns for concern in CONCERNS}
    return {
        "post_id": post_id, "analyzer_version": analysis.analyzer_version,
        "sentiment": float(analysis.sentiment), "polarity": analysis.polarity,
        "terms": list(analysis.terms), "analyzed_at": now, **flags,
    }


def save_analyses(session: Session, rows: Sequence[tuple[int, Analysis]], now: datetime) -> None:
    """Replace the analyses and app mentions of these posts; mark their hours dirty.

    Posts that no longer exist (purged meanwhile) are skipped; unknown app names ignored.
    """
    latest = dict(rows)
    hours: dict[int, datetime] = {}
    for part in chunks(list(latest)):
        query = select(PostRow.id, PostRow.created_hour).where(PostRow.id.in_(part))
        hours.update((pid, hour) for pid, hour in session.execute(query))
    if not hours:
        return
    lower_watermark(session, min(hours.values()))
    ids = sorted(hours)
    values = [_analysis_values(pid, latest[pid], now) for pid in ids]
    forget_analyses(session, ids)
    session.execute(insert(table("analyses")), values)
    app_ids = {name: aid for name, aid in session.execute(select(AppRow.name, AppRow.id))}
    mentions = [
        {"post_id": pid, "app_id": app_ids[name]}
        for pid in ids
        for name in sorted(set(latest[pid].apps))
        if name in app_ids
    ]
    if mentions:
        session.execute(insert(table("post_apps")), mentions)


def purge(session: Session, older_than: datetime) -> int:
    """Delete posts created before `older_than` with their analyses and mentions.

    Hourly rollups, spikes and storms are aggregates without personal data and are
    kept, so baselines and storm history survive the retention policy.
    """
    old = select(PostRow.id).where(PostRow.created_at < utc(older_than))
    execute_count(session, delete(PostAppRow).where(PostAppRow.post_id.in_(old)))
    execute_count(session, delete(AnalysisRow).where(AnalysisRow.post_id.in_(old)))
    return execute_count(session, delete(PostRow).where(PostRow.created_at < utc(older_than)))
