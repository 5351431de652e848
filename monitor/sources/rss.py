"""RSS and Atom feeds (`rss`), e.g. RSSHub's Weibo keyword routes (the only feedparser user).

`url` is the feed; a `{query}` in it makes one feed (and one key) per configured
query (`https://rsshub.app/weibo/keyword/{query}`); a `url` starting with `/` is
joined to `base_url`. The body is fetched by the polite client and handed to
feedparser as bytes, so feedparser never makes a request of its own.

Each entry becomes a post: id from `id`/`guid` (else `link`), time from `published`
(else `updated`), text from the HTML `content`/`summary` (else `title`) made plain,
author pseudonymized; for Weibo links (`weibo.com/<uid>/<bid>`) the uid is the author,
in the same pseudonym namespace as the Weibo sources. A feed only shows its latest
items, so if even its oldest item is newer than the key's cursor, the run records a
possible gap.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from monitor.config import SourceSettings
from monitor.errors import RecordError
from monitor.ingest.pseudonym import PseudonymFn
from monitor.ingest.weibo import AUTHOR_NAMESPACE
from monitor.sources.base import Page, Response, ScrapeContext
from monitor.sources.cursor import CursorState, Mark, is_newer
from monitor.sources.errors import BadResponseError
from monitor.text import html_to_text
from monitor.types import Post

__all__ = ["RssSource", "parse_feed"]

MAX_ID_CHARS = 512
_WEIBO_LINK = re.compile(r"https?://(?:www\.|m\.)?weibo\.(?:com|cn)/(\d{5,12})/", re.ASCII)


class RssSource:
    """One feed per key: the `url`, or one per query when it holds `{query}`."""

    kind = "rss"

    def __init__(self, settings: SourceSettings) -> None:
        """Built from a validated `SourceSettings`."""
        self.settings = settings
        self.name = settings.name
        url = settings.url
        self.url = (settings.base_url.rstrip("/") + url) if url.startswith("/") else url

    def keys(self) -> tuple[str, ...]:
        """The queries, or `feed` for a single feed."""
        return self.settings.queries if "{query}" in self.url else ("feed",)

    def feed_url(self, key: str) -> str:
        """The URL of `key`'s feed."""
        return self.url.replace("{query}", quote(key, safe="")) if "{query}" in self.url else self.url

    def scrape(self, key: str, cursor: str | None, ctx: ScrapeContext) -> Iterator[Page]:
        """Fetch the feed once; store every entry; note a gap if the feed skipped ahead."""
        def parse(response: Response) -> tuple[list[Post], list[str], datetime]:
            return (*parse_feed(response, source=self.name, pseudonymize=ctx.pseudonymize), response.fetched_at)

        posts, rejects, fetched_at = ctx.http.fetch(self.feed_url(key), None, parse)  # a broken feed is retried
        state = CursorState.from_json(cursor)
        marks = [Mark(post.external_id, post.created_at) for post in posts]
        newest = max(marks, key=lambda m: (m.at, m.id), default=None)
        oldest = min(marks, key=lambda m: (m.at, m.id), default=None)
        gap = None
        if state.newest is not None and oldest is not None and is_newer(oldest, state.newest):
            gap = (f"the feed's oldest item ({oldest.at.isoformat()}) is newer than the last one collected; "
                   "items between may be missed")
        if newest is not None and (state.newest is None or is_newer(newest, state.newest)):
            state = CursorState(newest=newest)
        yield Page(key=key, posts=tuple(posts), rejects=tuple(rejects), cursor=state.to_json(),
                   fetched_at=fetched_at, gap=gap)


def parse_feed(response: Response, *, source: str, pseudonymize: PseudonymFn) -> tuple[list[Post], list[str]]:
    """The posts of an RSS/Atom body and reasons for entries that could not be used."""
    import feedparser

    parsed = feedparser.parse(
        io.BytesIO(response.text.encode("utf-8")),
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    entries = parsed.get("entries") or []
    if not entries and parsed.get("bozo") and not parsed.get("feed"):
        raise BadResponseError(f"{response.url}: not an RSS or Atom feed")
    posts: list[Post] = []
    rejects: list[str] = []
    for number, entry in enumerate(entries, 1):
        try:
            posts.append(_entry_post(entry, source, response.url, pseudonymize))
        except RecordError as exc:
            rejects.append(f"feed entry {number}: {exc}")
    return posts, rejects


def _entry_post(entry: Any, source: str, feed_url: str, pseudonymize: PseudonymFn) -> Post:
    link = entry.get("link") if isinstance(entry.get("link"), str) else None
    ident = entry.get("id") or link
    if not isinstance(ident, str) or not ident.strip():
        raise RecordError("no id or link")
    ident = ident.strip()
    if len(ident) > MAX_ID_CHARS:
        ident = "sha256:" + hashlib.sha256(ident.encode("utf-8")).hexdigest()
    return Post(
        source=source, external_id=ident, created_at=_entry_time(entry), text=_entry_text(entry),
        author=_entry_author(entry, link, feed_url, pseudonymize), url=link,
    )


def _entry_time(entry: Any) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                continue
    raise RecordError("no usable published or updated date")


def _entry_text(entry: Any) -> str:
    content = entry.get("content")
    if isinstance(content, list) and content and isinstance(content[0].get("value"), str):
        return html_to_text(content[0]["value"])
    for key in ("summary", "title"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return html_to_text(value)
    return ""


def _entry_author(entry: Any, link: str | None, feed_url: str, pseudonymize: PseudonymFn) -> str | None:
    match = _WEIBO_LINK.match(link or "")
    if match:
        return pseudonymize(AUTHOR_NAMESPACE, match[1])
    author = entry.get("author")
    if isinstance(author, str) and author.strip():
        return pseudonymize(f"rss:{urlsplit(feed_url).netloc.lower()}", author.strip())
    return None
