"""The replay server's endpoints as pure functions of (path, params, now) -> (status, body).

Bodies are JSON-ready objects, or text for RSS. The server adds faults and HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from monitor.replay.data import ReplayData, ReplayPost
from monitor.replay.shapes import bid_of, extend_body, hot_search_body, mblog, rss_body, user

__all__ = ["EMPTY", "Routes"]

EMPTY: dict[str, Any] = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
GONE: dict[str, Any] = {"ok": 0, "msg": "抱歉，此微博已被作者删除", "data": {}}
HOT_WINDOW = timedelta(hours=3)
HOT_SIZE = 50
FEED_SIZE = 20
BACKGROUND_WORDS = (("开学第一课", 820_000), ("中秋节放假安排", 640_000), ("台风玲玲", 560_000),
                    ("女排世界杯", 470_000), ("教师节礼物", 330_000), ("秋天的第一杯奶茶", 260_000))
_TOPIC = re.compile(r"#([^#\n]{1,40})#")


class Routes:
    """The endpoints over one `ReplayData` (see `monitor.replay.server`)."""

    def __init__(
        self, data: ReplayData, *, date_style: str = "full", timeline_paging: str = "page",
        page_size: int = 10, edits: dict[str, tuple[datetime, str]] | None = None,
    ) -> None:
        """Options as `ReplayServer` takes them; `edits` is shared with the fault plan."""
        if date_style not in ("full", "short") or timeline_paging not in ("page", "since_id"):
            raise ValueError("date_style is full|short, timeline_paging is page|since_id")
        self.data, self.style, self.paging = data, date_style, timeline_paging
        self.page_size = max(1, page_size)
        self.edits = edits if edits is not None else {}
        self._topics = [tuple(_TOPIC.findall(post.text)) for post in data.posts]
        self._first_seen: dict[str, datetime] = {}
        for post, topics in zip(data.posts, self._topics, strict=True):
            for topic in topics:
                self._first_seen.setdefault(topic, post.created_at)

    def reply(
        self, path: str, params: dict[str, str], now: datetime, *, duplicate: Callable[[], bool] = lambda: False
    ) -> tuple[int, Any]:
        """The status and body for a GET of `path` with query `params` at virtual `now`.

        `duplicate` is asked, only for list pages after the first, whether to repeat the
        previous page's last post on top (the `duplicate` fault).
        """
        if path == "/api/container/getIndex":
            return 200, self.index(params, now, duplicate)
        if path in ("/statuses/extend", "/statuses/show"):
            post = self._visible(params.get("id", ""), now)
            if post is None:
                return 200, GONE
            if path == "/statuses/extend":
                return 200, extend_body(post, now, self.edits)
            return 200, {"ok": 1, "data": mblog(post, now, self.data, style="exact", edits=self.edits)}
        if path == "/ajax/side/hotSearch":
            return 200, hot_search_body(self.hot_words(now))
        for prefix, finder, title in (("/rss/weibo/keyword/", self.data.search, "微博关键词搜索 - "),
                                      ("/rss/weibo/user/", self.data.timeline, "微博用户 - ")):
            if path.startswith(prefix) and len(path) > len(prefix):
                key = path[len(prefix):]
                link = f"https://s.weibo.com/weibo?q={quote(key)}"
                return 200, rss_body(title + key, link, finder(key, now)[:FEED_SIZE], now)
        return 404, {"ok": 0, "msg": "not found"}

    def _visible(self, post_id: str, now: datetime) -> ReplayPost | None:
        post = self.data.by_id.get(post_id)
        return post if post is not None and post.created_at <= now else None

    # -- getIndex ----------------------------------------------------------------------

    def index(self, params: dict[str, str], now: datetime, duplicate: Callable[[], bool]) -> dict[str, Any]:
        """Search (`100103type=1&q=`), timelines (`107603<uid>`) and user info (`type=uid`)."""
        container = params.get("containerid", "")
        if container.startswith("100103"):
            query = parse_qs(container[6:]).get("q", [""])[-1]
            return self._search(query, self.data.search(query, now), _page(params), now, duplicate)
        if container.startswith("107603") and container[6:].isdigit():
            return self._timeline(container, self.data.timeline(container[6:], now), params, now, duplicate)
        if params.get("type") == "uid" and params.get("value", "").isdigit():
            return self._user_info(params["value"], now)
        return EMPTY

    def _search(
        self, query: str, posts: list[ReplayPost], page: int, now: datetime, duplicate: Callable[[], bool]
    ) -> dict[str, Any]:
        start = (page - 1) * self.page_size
        shown = self._slice(posts, start, duplicate)
        if not shown:
            return EMPTY
        cards: list[dict[str, Any]] = []
        if page == 1:
            cards.append({"card_type": 11, "card_group": [{"card_type": 4, "desc": f"综合 {query}"}]})
        cards.append({"card_type": 11, "show_type": 1, "card_group": [self._card(p, now) for p in shown[:2]]})
        cards.extend(self._card(post, now) for post in shown[2:])
        if page == 1:
            cards.append({"card_type": 11, "is_asyn": 1, "async_api": "/api/container/getItem?itemid=hot"})
        info: dict[str, Any] = {"containerid": f"100103type=1&q={query}", "v_p": 42, "show_style": 1,
                                "total": len(posts)}
        if start + self.page_size < len(posts):
            info["page"] = page + 1
        return {"ok": 1, "data": {"cardlistInfo": info, "cards": cards, "scheme": ""}}

    def _timeline(
        self, container: str, posts: list[ReplayPost], params: dict[str, str], now: datetime,
        duplicate: Callable[[], bool],
    ) -> dict[str, Any]:
        start = _since_start(posts, params["since_id"]) if "since_id" in params else (
            (_page(params) - 1) * self.page_size)
        shown = self._slice(posts, start, duplicate)
        if not shown:
            return EMPTY
        cards = [self._card(post, now) for post in shown]
        if start == 0 and len(posts) >= 3:
            pinned = self._card(posts[-1], now)
            pinned["mblog"] = {**pinned["mblog"], "isTop": 1, "title": {"text": "置顶", "base_color": 1}}
            cards.insert(0, pinned)
        more = start + self.page_size < len(posts)
        info: dict[str, Any] = {"containerid": container, "v_p": 42, "show_style": 1}
        if self.paging == "since_id":
            info["page_type"] = "03"
            if more:
                next_id = posts[start + self.page_size].id
                info["since_id"] = int(next_id) if next_id.isdigit() else next_id
        else:
            info["total"] = len(posts)
            if more:
                info["page"] = start // self.page_size + 2
        return {"ok": 1, "data": {"cardlistInfo": info, "cards": cards, "scheme": ""}}

    def _slice(self, posts: list[ReplayPost], start: int, duplicate: Callable[[], bool]) -> list[ReplayPost]:
        if start < 0 or start >= len(posts):
            return []
        shown = posts[start : start + self.page_size]
        return [posts[start - 1], *shown] if start > 0 and duplicate() else shown

    def _card(self, post: ReplayPost, now: datetime) -> dict[str, Any]:
        bid = bid_of(post.id) or post.id
        return {"card_type": 9, "itemid": f"seqid:1|type:1|t:|pos:1-0-0|q:|ext:&mid={post.id}&",
                "scheme": f"https://m.weibo.cn/status/{bid}?mblogid={bid}&luicode=10000011&lfid=100103",
                "mblog": mblog(post, now, self.data, style=self.style, edits=self.edits), "show_type": 0}

    def _user_info(self, uid: str, now: datetime) -> dict[str, Any]:
        info = {**user(uid), "statuses_count": len(self.data.timeline(uid, now)), "description": ""}
        tabs = [{"tab_type": "profile", "containerid": f"230283{uid}"},
                {"tab_type": "weibo", "containerid": f"107603{uid}"}]
        return {"ok": 1, "data": {"userInfo": info, "tabsInfo": {"selectedTab": 1, "tabs": tabs}}}

    # -- hot search --------------------------------------------------------------------

    def hot_words(self, now: datetime) -> list[tuple[str, int, str]]:
        """(word, heat, label) by heat: topics of the last three hours, plus steady words."""
        heat: dict[str, int] = {}
        for post in self.data.since(now - HOT_WINDOW, now):
            weight = min(20_000 + 200 * post.likes + 500 * post.reposts + 300 * post.comments, 500_000)
            for topic in _TOPIC.findall(post.text):
                heat[topic] = heat.get(topic, 0) + weight
        hour = now.hour
        for number, (word, base) in enumerate(BACKGROUND_WORDS):
            heat.setdefault(word, int(base * (0.8 + 0.04 * ((hour * 7 + number * 13) % 10))))
        ranked = sorted(heat.items(), key=lambda kv: (-kv[1], kv[0]))[:HOT_SIZE]
        return [(word, value, self._label(word, rank, value, now)) for rank, (word, value) in enumerate(ranked)]

    def _label(self, word: str, rank: int, heat: int, now: datetime) -> str:
        first = self._first_seen.get(word)
        if first is not None and now - first < HOT_WINDOW:
            return "新"
        if rank == 0 and heat >= 1_000_000:
            return "爆"
        return "热" if rank < 3 else ""


def _page(params: dict[str, str]) -> int:
    raw = params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _since_start(posts: Sequence[ReplayPost], since_id: str) -> int:
    """Where a `since_id` page starts: that post, or the newest older one if it is gone."""
    for index, post in enumerate(posts):
        if post.id == since_id:
            return index
    if since_id.isdigit():
        for index, post in enumerate(posts):
            if post.id.isdigit() and int(post.id) <= int(since_id):
                return index
    return len(posts)
