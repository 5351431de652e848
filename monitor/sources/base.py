"""The small protocol every live source implements, and the records it produces.

A source is built from its `SourceSettings` (see `monitor.sources.registry`). It has
`keys()`: the independent units of work (queries, uids, feeds; one failing key never
stops the others) and `scrape(key, cursor, ctx)`: a generator of `Page`s, newest data
first. The caller stores each page's posts, *then* the page's `cursor` (so a crash
between the two only repeats work), and records the run. Sources never touch the
database and make HTTP requests only through `ctx.http` (the polite client).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from monitor.ingest.pseudonym import PseudonymFn
from monitor.storage.live import HotSearchEntry
from monitor.types import Post

__all__ = ["Fetcher", "Page", "Response", "ScrapeContext", "Source"]

T = TypeVar("T")


@dataclass(frozen=True)
class Response:
    """A successful HTTP response: body text, status, and the server's idea of "now".

    `fetched_at` is the response's `Date` header when it has one (Weibo's relative
    times are relative to the server's clock), else the local clock; aware UTC.
    """

    url: str
    status: int
    text: str
    headers: Mapping[str, str]
    fetched_at: datetime


class Fetcher(Protocol):
    """What a source needs from HTTP: polite GETs that raise typed errors."""

    def fetch(self, url: str, params: Mapping[str, str | int] | None, parse: Callable[[Response], T]) -> T:
        """GET `url` and return `parse(response)`.

        `parse` raises typed errors for bad bodies; `TransientError`s from it (e.g. a
        truncated body, an `ok: 0` rate limit) are retried like HTTP failures.
        """
        ...


@dataclass(frozen=True)
class ScrapeContext:
    """What one pass gives a source: its fetcher, the pseudonymizer and a clock."""

    http: Fetcher
    pseudonymize: PseudonymFn
    now: Callable[[], datetime]


@dataclass(frozen=True)
class Page:
    """One fetched page of one key, ready to store.

    `cursor` (if not None) is stored for `key` after `posts` and `hot` are committed.
    `slack` maps post ids whose `created_at` came in a relative form to how far the
    true time may be from the resolved one, so a stored precise time is not replaced
    by a fuzzier reading of the same post. `gap` says, on a key's last page, why
    coverage is incomplete (e.g. `max_pages` reached before the cursor).
    """

    key: str
    posts: tuple[Post, ...] = ()
    hot: tuple[HotSearchEntry, ...] = ()
    rejects: tuple[str, ...] = ()
    cursor: str | None = None
    slack: Mapping[str, tuple[timedelta, timedelta]] = field(default_factory=dict)
    fetched_at: datetime | None = None
    gap: str | None = None
    notes: tuple[str, ...] = ()


class Source(Protocol):
    """A configured live source: `name`, `kind`, its keys, and how to page one key."""

    name: str
    kind: str

    def keys(self) -> tuple[str, ...]:
        """The independent units of work, e.g. one per query or uid."""
        ...

    def scrape(self, key: str, cursor: str | None, ctx: ScrapeContext) -> Iterator[Page]:
        """Fetch `key` from its newest data down to the stored `cursor`, page by page."""
        ...


def describe(params: Mapping[str, Any]) -> str:
    """Request parameters as short text for messages (values only, no secrets here)."""
    return "&".join(f"{key}={value}" for key, value in params.items())
