"""Frozen records returned by `Storage` (in addition to those in `monitor.types`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.types import Storm


@dataclass(frozen=True)
class UpsertCounts:
    """What `Storage.upsert_posts` did, counted over distinct (source, external id) keys."""

    new: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class StoredStorm:
    """A storm as stored: its database id, the detector's record and the evidence."""

    id: int
    storm: Storm
    top_terms: tuple[str, ...]
    sample_post_ids: tuple[str, ...]


@dataclass(frozen=True)
class AlertEvent:
    """An alert recorded for the first time: `kind` is `open`, `escalate` or `close`.

    `concern` is the joining concern of an escalation, else None. `data_time` is when
    the data showed it (detected_at, the escalation hour, ended_at).
    """

    storm_id: int
    app: str
    kind: str
    concern: str | None
    data_time: datetime
    storm: Storm


@dataclass(frozen=True)
class ScrapeRun:
    """One recorded pass of a source."""

    id: int
    source: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    pages: int
    new: int
    updated: int
    unchanged: int
    rejected: int
    errors: tuple[str, ...]
    complete: bool
    throttled_seconds: float
