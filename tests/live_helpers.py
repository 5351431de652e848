"""Helpers for the live-path tests: a fake clock for the polite client, replay servers.

`FakeClock` is the hand-written stand-in for `monitor.sources.http.Clock`: sleeping
only moves its time, so backoff and cool-downs are checked without waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from monitor.config import SHANGHAI, SourceSettings
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.replay.clock import VirtualClock
from monitor.replay.data import ReplayData, ReplayPost
from monitor.replay.faults import FaultPlan
from monitor.replay.server import ReplayServer
from monitor.sources.base import ScrapeContext
from monitor.sources.http import Meter, PoliteClient, Politeness

PSEUDONYMIZE = Pseudonymizer(b"live-test-key-0123456789abcdef")
FAST = Politeness(min_delay=0.0, jitter=0.0, timeout=5.0, max_retries=4, backoff=5.0, max_backoff=300.0,
                  cooldown=600.0)


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if seconds > 0:  # `sleeps` holds the real waits, not the zero-second checks
            self.sleeps.append(seconds)
            self.now += seconds


def beijing(*args: int) -> datetime:
    """A Beijing-time moment, e.g. `beijing(2019, 8, 31, 12, 0)`."""
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def source_settings(name: str, kind: str, base_url: str, **values: Any) -> SourceSettings:
    """A source pointed at a replay server, with politeness off and a long lookback."""
    defaults: dict[str, Any] = dict(base_url=base_url, min_delay_seconds=0.0, jitter_seconds=0.0,
                                    lookback_hours=24 * 60, max_pages=100, timeout_seconds=5.0)
    return SourceSettings(name=name, kind=kind, **{**defaults, **values})


@contextmanager
def replay_server(data: ReplayData, at: datetime, faults: FaultPlan | None = None,
                  **options: Any) -> Iterator[ReplayServer]:
    """A replay server on 127.0.0.1 with a frozen clock at `at`."""
    with ReplayServer(data, VirtualClock(at), faults=faults, **options) as server:
        yield server


def context(client: PoliteClient, policy: Politeness = FAST, meter: Meter | None = None,
            cookie: str | None = None) -> ScrapeContext:
    """A ScrapeContext over `client` (the wall clock is only a fallback; replies carry Date)."""
    return ScrapeContext(client.fetcher(policy, meter or Meter(), cookie), PSEUDONYMIZE,
                         lambda: datetime.now(SHANGHAI))


def post(ident: int, at: datetime, text: str = "ZAO换脸[哈哈]", author: str = "1000000001", **kw: Any) -> ReplayPost:
    """A replay post."""
    return ReplayPost(id=str(ident), created_at=at, text=text, author_id=author, **kw)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
