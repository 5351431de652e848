"""Frozen records passed between the stages of the flow.

All datetimes are timezone-aware UTC. Records carry no behaviour beyond small
derived properties, so each stage is a function over plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CONCERNS: tuple[str, ...] = ("privacy", "biometric", "fraud", "security", "regulatory")
"""The concern taxonomy, in its canonical (sorted output) order."""

POLARITIES: tuple[str, ...] = ("negative", "neutral", "positive")
ROLLUP_CONCERNS: tuple[str, ...] = ("all", "any", *CONCERNS)
"""The `concern` values of hourly rollups: all mentions, any concern, then each concern."""


@dataclass(frozen=True)
class Post:
    """One public post as ingested. `author` is already a pseudonym (or None)."""

    source: str
    external_id: str
    created_at: datetime
    text: str
    author: str | None = None
    reposts: int = 0
    comments: int = 0
    likes: int = 0
    url: str | None = None
    repost_of: str | None = None


@dataclass(frozen=True)
class Analysis:
    """What the NLP stage says about one text."""

    concerns: tuple[str, ...]
    sentiment: float
    polarity: str
    apps: tuple[str, ...]
    terms: tuple[str, ...]
    analyzer_version: str


@dataclass(frozen=True)
class App:
    """A watched app: its name, the aliases that mention it, and its launch time (UTC)."""

    name: str
    aliases: tuple[str, ...]
    launched_at: datetime | None = None


@dataclass(frozen=True)
class HourlyCount:
    """Posts about one app in one UTC hour.

    `concern` is `"all"` (every post mentioning the app), `"any"` (posts with at least
    one concern, each counted once) or one of `CONCERNS`.
    """

    app: str
    concern: str
    hour: datetime
    posts: int
    negative: int = 0
    sentiment_sum: float = 0.0
    engagement: int = 0


@dataclass(frozen=True)
class Spike:
    """One hour in which an app's concern posts were well above expectation."""

    app: str
    hour: datetime
    observed: int
    expected: float
    score: float


@dataclass(frozen=True)
class Storm:
    """A storm episode as decided by the detector (pure; no database ids)."""

    app: str
    started_at: datetime
    detected_at: datetime
    peak_at: datetime
    ended_at: datetime | None
    posts: int
    peak_hourly: int
    concerns: dict[str, int]
    negative_share: float
    severity: float
    escalations: tuple[tuple[datetime, str], ...] = ()
    """(data time, concern) for each concern that joined after the storm opened."""

    @property
    def status(self) -> str:
        """`open` until the detector has seen the storm end."""
        return "open" if self.ended_at is None else "closed"


@dataclass(frozen=True)
class ScrapeResult:
    """The outcome of one pass of one source (filled in by the live path)."""

    source: str
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: tuple[str, ...] = field(default_factory=tuple)
    complete: bool = True
