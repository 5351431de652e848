"""Cursors of newest-first feeds, and the descent that pages down to them (pure).

Weibo lists (search, timelines) come newest first, page by page. A key's stored
`CursorState` says what is already collected:

* `newest`: everything from the previous complete pass down to this post is stored;
  a pass pages down until it reaches a post at or below it. Posts are ordered by id
  when both ids are numeric (Weibo ids grow with time, exactly, while Weibo's shown
  times are often fuzzy: `3小时前`, `08-31`), else by time.
* `floor`: on the first pass (no `newest` yet), how far back to go (`lookback`).
* `resume`: a pass that stopped early (throttled, crashed, `max_pages`) covered the
  posts from `resume.top` down to just above `resume.params` (the request that would
  have come next). The next pass first pages down to `resume.top` (the posts that
  arrived meanwhile), then jumps to `resume.params` and goes on down to `newest`.
  With page numbers the jump can only overlap, never skip: newer posts push older
  ones to later pages. With `since_id` it is exact. Catching up comes first (fresh
  posts matter most); if it used the whole `max_pages`, one more page is fetched past
  the jump, so an interrupted backfill always progresses.

`Descent.step` is called after each fetched page and says what to store once that
page is committed, and which page to fetch next. A state is stored only when the
posts it covers are committed, so a crash at any point repeats work but loses none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["CursorState", "Descent", "Mark", "Params", "Step", "is_newer"]

Params = dict[str, str | int]
"""Paging parameters of one request, e.g. `{"page": 3}` or `{"since_id": "44..."}`."""


@dataclass(frozen=True)
class Mark:
    """A post's place in a newest-first list: its id and (resolved) time."""

    id: str
    at: datetime


def is_newer(a: Mark, b: Mark) -> bool:
    """Whether `a` comes before (is newer than) `b` in a newest-first list."""
    if a.id.isdigit() and b.id.isdigit():
        return int(a.id) > int(b.id)
    return (a.at, a.id) > (b.at, b.id)


def _newest(marks: Sequence[Mark]) -> Mark | None:
    best: Mark | None = None
    for mark in marks:
        if best is None or is_newer(mark, best):
            best = mark
    return best


def _oldest(marks: Sequence[Mark]) -> Mark | None:
    worst: Mark | None = None
    for mark in marks:
        if worst is None or is_newer(worst, mark):
            worst = mark
    return worst


@dataclass(frozen=True)
class Resume:
    """Where an interrupted pass stopped: it covered `top` down to `params`."""

    top: Mark
    params: Params


@dataclass(frozen=True)
class CursorState:
    """The stored resumption point of one key (see the module docstring)."""

    newest: Mark | None = None
    floor: datetime | None = None
    resume: Resume | None = None

    def to_json(self) -> str:
        """Compact JSON for `Storage.set_cursor`."""
        return json.dumps({
            "newest": _mark_json(self.newest),
            "floor": self.floor.isoformat() if self.floor else None,
            "resume": None if self.resume is None
            else {"top": _mark_json(self.resume.top), "params": self.resume.params},
        }, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> CursorState:
        """Parse a stored cursor; anything unreadable starts afresh (a full first pass)."""
        if not text:
            return cls()
        try:
            raw = json.loads(text)
            resume = raw.get("resume")
            return cls(
                newest=_mark_of(raw.get("newest")),
                floor=_time_of(raw.get("floor")),
                resume=None if not resume else Resume(_required(_mark_of(resume["top"])), _params(resume["params"])),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()


def _mark_json(mark: Mark | None) -> dict[str, str] | None:
    return None if mark is None else {"id": mark.id, "at": mark.at.isoformat()}


def _mark_of(raw: Any) -> Mark | None:
    if raw is None:
        return None
    at = _time_of(raw["at"])
    if not isinstance(raw["id"], str) or at is None:
        raise ValueError("bad mark")
    return Mark(raw["id"], at)


def _time_of(raw: Any) -> datetime | None:
    if raw is None:
        return None
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _required(mark: Mark | None) -> Mark:
    if mark is None:
        raise ValueError("missing mark")
    return mark


def _params(raw: Any) -> Params:
    if not isinstance(raw, dict) or not all(isinstance(v, str | int) for v in raw.values()):
        raise ValueError("bad params")
    return {str(key): value for key, value in raw.items()}


@dataclass(frozen=True)
class Step:
    """What to do after a page: store `cursor` (if not None), fetch `next` (if not None)."""

    cursor: CursorState | None
    next: Params | None
    gap: str | None = None


class Descent:
    """One pass down a newest-first list of one key (see the module docstring)."""

    def __init__(self, state: CursorState, max_pages: int, lookback: timedelta) -> None:
        """Start from the stored `state`; fetch at most `max_pages` pages."""
        self.state = state
        self.max_pages = max(1, max_pages)
        self.lookback = lookback
        self.pages = 0
        self.top: Mark | None = None
        self.catching_up = state.resume is not None

    def step(self, marks: Sequence[Mark], next_params: Params | None, fetched_at: datetime) -> Step:
        """After a page with these (non-pinned) `marks`: what to store and fetch next."""
        self.pages += 1
        self.top = _newest([*marks, *([self.top] if self.top else [])])
        if self.state.newest is None and self.state.floor is None:
            self.state = replace(self.state, floor=fetched_at - self.lookback)
        if self.catching_up:
            resume = self.state.resume
            assert resume is not None
            if not self._reaches(marks, resume.top) and next_params is not None:
                return Step(None, self._budget(next_params), self._gap(next_params))
            self.catching_up = False
            next_params = _jump(next_params, resume.params)
            # however long the catch-up took, go at least one page further down
            self.max_pages = max(self.max_pages, self.pages + 1)
        return self._normal(marks, next_params)

    def _normal(self, marks: Sequence[Mark], next_params: Params | None) -> Step:
        if next_params is None or self._reached_cursor(marks):
            return Step(self._done(), None)
        assert self.top is not None or not marks
        partial = self.state if self.top is None else replace(self.state, resume=Resume(self.top, next_params))
        return Step(partial, self._budget(next_params), self._gap(next_params))

    def _done(self) -> CursorState:
        newest = _newest([m for m in (self.top, self.state.newest) if m is not None])
        return CursorState(newest=newest, floor=self.state.floor if newest is None else None)

    def _reached_cursor(self, marks: Sequence[Mark]) -> bool:
        if self.state.newest is not None:
            return self._reaches(marks, self.state.newest)
        oldest = _oldest(marks)
        return oldest is not None and self.state.floor is not None and oldest.at <= self.state.floor

    @staticmethod
    def _reaches(marks: Sequence[Mark], target: Mark) -> bool:
        oldest = _oldest(marks)
        return oldest is not None and not is_newer(oldest, target)

    def _budget(self, next_params: Params) -> Params | None:
        return None if self.pages >= self.max_pages else next_params

    def _gap(self, next_params: Params) -> str | None:
        if self.pages < self.max_pages:
            return None
        goal = self.state.newest.at.isoformat() if self.state.newest else (
            self.state.floor.isoformat() if self.state.floor else "the end")
        return f"stopped after max_pages={self.max_pages} before reaching {goal}; resumes next pass"


def _jump(next_params: Params | None, resume: Mapping[str, str | int]) -> Params | None:
    """Continue where the interrupted pass stopped, unless the list ended first."""
    if next_params is None:
        return None
    if "since_id" in resume:
        return dict(resume)
    page, target = next_params.get("page"), resume.get("page")
    if isinstance(page, int) and isinstance(target, int) and target > page:
        return {**next_params, "page": target}
    return next_params
