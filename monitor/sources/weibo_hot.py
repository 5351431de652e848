"""The Weibo hot-search list (`weibo-hot`): a rank/heat series of trending words.

`weibo.com/ajax/side/hotSearch` answers `{"ok": 1, "data": {"realtime": [{word, num,
rank, realpos, label_name, is_ad, ...}]}}`. Each pass stores the whole list as seen
at the response's time (ads skipped) with `Storage.save_hot_search`; a watched app's
name entering the list is a signal the detector can read back with
`Storage.hot_search_series(aliases)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from monitor.config import SourceSettings
from monitor.sources.base import Page, ScrapeContext
from monitor.sources.weibo_api import parse_body_with_time, read_hot_search

__all__ = ["DESKTOP_BASE_URL", "HOT_SEARCH_PATH", "WeiboHotSource"]

DESKTOP_BASE_URL = "https://weibo.com"
HOT_SEARCH_PATH = "/ajax/side/hotSearch"


class WeiboHotSource:
    """One request per pass; one key (`realtime`)."""

    kind = "weibo-hot"

    def __init__(self, settings: SourceSettings) -> None:
        """Built from a validated `SourceSettings`."""
        self.settings = settings
        self.name = settings.name
        self.base_url = (settings.base_url or DESKTOP_BASE_URL).rstrip("/")

    def keys(self) -> tuple[str, ...]:
        """The single list this source watches."""
        return ("realtime",)

    def scrape(self, key: str, cursor: str | None, ctx: ScrapeContext) -> Iterator[Page]:
        """Fetch the list once; the page carries its entries in `hot`."""
        data, fetched_at = ctx.http.fetch(self.base_url + HOT_SEARCH_PATH, None, parse_body_with_time)
        entries, rejects = read_hot_search(data)
        yield Page(key=key, hot=tuple(entries), rejects=tuple(rejects), fetched_at=fetched_at)
