"""Weibo sources on the m.weibo.cn cards API: keyword search and user timelines.

* `WeiboSearchSource` (`weibo-search`): `api/container/getIndex` with containerid
  `100103type=1&q=<query>`, `page_type=searchall&page=N`; one key per query.
* `WeiboUserSource` (`weibo-user`): containerid `107603<uid>`, old `page` paging or the
  newer `since_id` cursor paging, whichever the response offers; one key per uid.
  Pinned (置顶) posts are stored but do not count towards reaching the cursor.

Both page down newest first to the key's cursor (`monitor.sources.cursor`), complete
`isLongText` posts (and long reposted originals) from `statuses/extend`, and map posts
with `monitor.ingest.weibo`. A failed long-text completion keeps the truncated text
and says so in the page's notes, unless Weibo is throttling or walling us (then the
page fails and is fetched again next pass).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from monitor.config import SourceSettings
from monitor.errors import MonitorError, ThrottledError
from monitor.sources.base import Page, ScrapeContext
from monitor.sources.cursor import CursorState, Descent, Params
from monitor.sources.errors import LoginRequiredError, VerificationError
from monitor.sources.weibo_api import (
    long_text_of,
    map_mblogs,
    parse_body,
    parse_body_with_time,
    read_index,
)

__all__ = ["MOBILE_BASE_URL", "WeiboSearchSource", "WeiboUserSource"]

MOBILE_BASE_URL = "https://m.weibo.cn"
INDEX_PATH = "/api/container/getIndex"
EXTEND_PATH = "/statuses/extend"
_FATAL = (ThrottledError, LoginRequiredError, VerificationError)


class _IndexSource:
    """Shared paging of getIndex lists; subclasses say which container and first page."""

    kind = ""

    def __init__(self, settings: SourceSettings) -> None:
        """Built from a validated `SourceSettings` (see `monitor.sources.registry`)."""
        self.settings = settings
        self.name = settings.name
        self.base_url = (settings.base_url or MOBILE_BASE_URL).rstrip("/")

    def keys(self) -> tuple[str, ...]:
        """Queries or uids."""
        raise NotImplementedError

    def container(self, key: str) -> dict[str, str | int]:
        """The getIndex parameters naming `key`'s list."""
        raise NotImplementedError

    def first_params(self) -> Params:
        """Paging parameters of the first page."""
        return {}

    def scrape(self, key: str, cursor: str | None, ctx: ScrapeContext) -> Iterator[Page]:
        """Page down `key`'s list from the newest post to the stored cursor."""
        lookback = timedelta(hours=max(0.0, self.settings.lookback_hours))
        descent = Descent(CursorState.from_json(cursor), self.settings.max_pages, lookback)
        params: Params | None = self.first_params()
        long_texts: dict[str, str | None] = {}
        while params is not None:
            data, fetched_at = ctx.http.fetch(
                self.base_url + INDEX_PATH, {**self.container(key), **params}, parse_body_with_time
            )
            index = read_index(data, params)
            notes: list[str] = []
            mblogs = [self._complete(mblog, ctx, long_texts, notes) for mblog in index.mblogs]
            mapped = map_mblogs(mblogs, source=self.name, fetched_at=fetched_at, pseudonymize=ctx.pseudonymize)
            step = descent.step(mapped.marks, index.next_params, fetched_at)
            yield Page(
                key=key, posts=tuple(mapped.posts), rejects=tuple(index.rejects + mapped.rejects),
                cursor=None if step.cursor is None else step.cursor.to_json(), slack=mapped.slack,
                fetched_at=fetched_at, gap=step.gap, notes=tuple(notes),
            )
            params = step.next

    def _complete(
        self, mblog: dict[str, Any], ctx: ScrapeContext, cache: dict[str, str | None], notes: list[str]
    ) -> dict[str, Any]:
        original = mblog.get("retweeted_status")
        if isinstance(original, dict):
            mblog = {**mblog, "retweeted_status": self._extend(original, ctx, cache, notes)}
        return self._extend(mblog, ctx, cache, notes)

    def _extend(
        self, mblog: dict[str, Any], ctx: ScrapeContext, cache: dict[str, str | None], notes: list[str]
    ) -> dict[str, Any]:
        """The mblog with its full text merged in, if it is a long one."""
        if mblog.get("isLongText") not in (True, 1, "1") or mblog.get("longTextContent"):
            return mblog
        mid = mblog.get("mid") or mblog.get("id")
        if not isinstance(mid, str | int) or isinstance(mid, bool) or not str(mid).strip():
            return mblog
        key = str(mid).strip()
        if key not in cache:
            cache[key] = self._fetch_long_text(key, ctx, notes)
        content = cache[key]
        return mblog if content is None else {**mblog, "longTextContent": content}

    def _fetch_long_text(self, mid: str, ctx: ScrapeContext, notes: list[str]) -> str | None:
        try:
            data = ctx.http.fetch(self.base_url + EXTEND_PATH, {"id": mid}, parse_body)
        except _FATAL:
            raise
        except MonitorError as exc:
            notes.append(f"long text of {mid} not completed: {exc}")
            return None
        content = long_text_of(data)
        if content is None:
            notes.append(f"long text of {mid} not completed: no longTextContent")
        return content


class WeiboSearchSource(_IndexSource):
    """Keyword search (`weibo-search`): one key per configured query."""

    kind = "weibo-search"

    def keys(self) -> tuple[str, ...]:
        """The configured queries."""
        return self.settings.queries

    def container(self, key: str) -> dict[str, str | int]:
        """`containerid=100103type=1&q=<query>` and `page_type=searchall`."""
        return {"containerid": f"100103type=1&q={key}", "page_type": "searchall"}

    def first_params(self) -> Params:
        """Search pages are numbered from 1."""
        return {"page": 1}


class WeiboUserSource(_IndexSource):
    """User timelines (`weibo-user`): one key per configured uid."""

    kind = "weibo-user"

    def keys(self) -> tuple[str, ...]:
        """The configured uids."""
        return self.settings.uids

    def container(self, key: str) -> dict[str, str | int]:
        """`containerid=107603<uid>` (the timeline tab of the user's profile)."""
        return {"containerid": f"107603{key}"}
