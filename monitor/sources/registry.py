"""`make_source`: the source object of a `[[sources]]` entry, checked for its kind."""

from __future__ import annotations

from monitor.config import SourceSettings
from monitor.errors import ConfigError
from monitor.sources.base import Source

__all__ = ["make_source"]


def make_source(settings: SourceSettings) -> Source:
    """The `Source` for `settings`; `ConfigError` if the entry lacks what its kind needs."""
    _check(settings)
    if settings.kind == "weibo-search":
        from monitor.sources.weibo import WeiboSearchSource

        return WeiboSearchSource(settings)
    if settings.kind == "weibo-user":
        from monitor.sources.weibo import WeiboUserSource

        return WeiboUserSource(settings)
    if settings.kind == "weibo-hot":
        from monitor.sources.weibo_hot import WeiboHotSource

        return WeiboHotSource(settings)
    if settings.kind == "rss":
        from monitor.sources.rss import RssSource

        return RssSource(settings)
    raise ConfigError(f"unknown source kind {settings.kind!r}", key=f"sources.{settings.name}.kind")


def _check(settings: SourceSettings) -> None:
    where = f"sources.{settings.name}"
    if settings.kind == "weibo-search" and not settings.queries:
        raise ConfigError("a weibo-search source needs queries", key=f"{where}.queries")
    if settings.kind == "weibo-user" and not all(uid.isdigit() for uid in settings.uids or ("",)):
        raise ConfigError("a weibo-user source needs numeric uids", key=f"{where}.uids")
    if settings.kind == "rss":
        if not settings.url:
            raise ConfigError("an rss source needs a url", key=f"{where}.url")
        if "{query}" in settings.url and not settings.queries:
            raise ConfigError("a url with {query} needs queries", key=f"{where}.queries")
        if settings.url.startswith("/") and not settings.base_url:
            raise ConfigError("a relative url needs base_url", key=f"{where}.base_url")
    if settings.max_pages < 1:
        raise ConfigError("expected at least 1", key=f"{where}.max_pages")
    if settings.timeout_seconds <= 0:
        raise ConfigError("expected more than 0", key=f"{where}.timeout_seconds")
