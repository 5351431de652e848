"""Live sources: one module per platform behind one small protocol (`base.Source`).

* `weibo` — `weibo-search` (keyword search) and `weibo-user` (timelines), m.weibo.cn;
* `weibo_hot` — `weibo-hot`, the hot-search rank/heat series;
* `rss` — `rss`, any RSS/Atom feed (feedparser);
* `http` — the polite client all of them share (httpx): per-host pacing, backoff,
  Retry-After, cool-down, typed errors (`errors`);
* `weibo_api` — pure readers of Weibo bodies; `cursor` — pure paging/cursor logic;
* `registry.make_source` — settings to source.

`monitor.scrape.run_sources` runs them against a `Storage`. Nothing here touches
the database; only this package makes HTTP requests (httpx and feedparser are
imported by the modules that need them, so `monitor --help` stays fast).
"""

from __future__ import annotations
