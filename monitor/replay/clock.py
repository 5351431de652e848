"""The replay server's virtual clock: "now" for the scenario, frozen or running.

Only posts created at or before `now()` are visible, and relative times (`5分钟前`) are
relative to it. Tests freeze it and move it with `set`/`advance`; `monitor replay
serve --speed 60` runs it sixty times faster than real time. Thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["VirtualClock"]


class VirtualClock:
    """A clock that starts at `start` and runs at `speed` virtual seconds per real second."""

    def __init__(self, start: datetime, speed: float = 0.0, *, wall: Callable[[], float] = time.monotonic) -> None:
        """`speed` 0 freezes the clock (move it with `set` and `advance`)."""
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware start time")
        self._lock = threading.Lock()
        self._wall = wall
        self._anchor = start.astimezone(UTC)
        self._anchor_wall = wall()
        self._speed = float(speed)

    def now(self) -> datetime:
        """The current virtual time (aware UTC)."""
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        elapsed = (self._wall() - self._anchor_wall) * self._speed
        return self._anchor + timedelta(seconds=elapsed)

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (aware); the speed is kept."""
        if moment.tzinfo is None:
            raise ValueError("VirtualClock.set needs an aware time")
        with self._lock:
            self._anchor, self._anchor_wall = moment.astimezone(UTC), self._wall()

    def advance(self, delta: timedelta) -> datetime:
        """Move forward (or back) by `delta`; return the new time."""
        with self._lock:
            self._anchor, self._anchor_wall = self._now_locked() + delta, self._wall()
            return self._anchor

    @property
    def speed(self) -> float:
        """Virtual seconds per real second (0 = frozen)."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        with self._lock:
            self._anchor, self._anchor_wall = self._now_locked(), self._wall()
            self._speed = float(value)

    def __repr__(self) -> str:
        return f"VirtualClock(now={self.now().isoformat()}, speed={self._speed:g})"
