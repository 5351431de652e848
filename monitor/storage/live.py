"""Storage for the live path: the hot-search series and post times for scrapers.

Functions over a `Session`, exposed through `Storage` (`save_hot_search`,
`hot_search_series`, `post_times`). The hot-search table holds no personal data
(public trending words and their heat), so the retention policy leaves it alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.storage.engine import dialect_insert, utc
from monitor.storage.models import HotSearchRow, PostRow, SourceRow, table
from monitor.storage.scrapes import _known_source

__all__ = ["HotSearchEntry", "HotSearchPoint", "hot_search_series", "post_times", "save_hot_search"]

_CHUNK = 500


@dataclass(frozen=True)
class HotSearchEntry:
    """One row of a hot-search list as fetched: 1-based rank, the word, its heat."""

    rank: int
    word: str
    heat: int
    label: str | None = None


@dataclass(frozen=True)
class HotSearchPoint:
    """A stored hot-search observation: which source saw `entry` at `fetched_at` (UTC)."""

    source: str
    fetched_at: datetime
    entry: HotSearchEntry


def save_hot_search(
    session: Session, source: str, fetched_at: datetime, entries: Sequence[HotSearchEntry]
) -> int:
    """Store one fetched list (idempotent per source, time and word); return new rows."""
    if not entries:
        return 0
    sid = _known_source(session, source)
    moment = utc(fetched_at)
    rows = [
        {"source_id": sid, "fetched_at": moment, "rank": e.rank, "word": e.word[:200],
         "heat": e.heat, "label": e.label[:32] if e.label else None}
        for e in {entry.word[:200]: entry for entry in entries}.values()
    ]
    hot = table("hot_search")
    stmt = dialect_insert(session, hot).on_conflict_do_nothing(
        index_elements=["source_id", "fetched_at", "word"]
    )
    return len(session.execute(stmt.returning(hot.c.id), rows).all())


def hot_search_series(
    session: Session,
    terms: Sequence[str] | None,
    since: datetime | None,
    until: datetime | None,
) -> list[HotSearchPoint]:
    """Observations whose word contains any of `terms` (all if None), oldest first."""
    query = select(HotSearchRow, SourceRow.name).join(SourceRow, SourceRow.id == HotSearchRow.source_id)
    if terms is not None:
        if not terms:
            return []
        query = query.where(or_(*(HotSearchRow.word.contains(term, autoescape=True) for term in terms)))
    if since is not None:
        query = query.where(HotSearchRow.fetched_at >= utc(since))
    if until is not None:
        query = query.where(HotSearchRow.fetched_at < utc(until))
    query = query.order_by(HotSearchRow.fetched_at, HotSearchRow.rank, HotSearchRow.id)
    return [
        HotSearchPoint(name, row.fetched_at, HotSearchEntry(row.rank, row.word, row.heat, row.label))
        for row, name in session.execute(query)
    ]


def post_times(session: Session, source: str, external_ids: Sequence[str]) -> dict[str, datetime]:
    """The stored `created_at` of these posts of `source` (missing ones left out)."""
    found: dict[str, datetime] = {}
    ids = list(dict.fromkeys(external_ids))
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(PostRow.external_id, PostRow.created_at)
            .join(SourceRow, SourceRow.id == PostRow.source_id)
            .where(SourceRow.name == source, PostRow.external_id.in_(ids[start : start + _CHUNK]))
        )
        found.update((ext, at) for ext, at in session.execute(query))
    return found
