"""Posts rendered in Weibo's real response shapes (see `shared/data/README.md`).

* times: `刚刚`, `N分钟前`, `N小时前` (today), `昨天 HH:MM`, then either the full form
  `Sat Aug 31 12:00:00 +0800 2019` (2022-era responses) or `08-31` / `2018-08-31`
  (2019-era cards), all in Beijing time relative to the server's "now";
* text: HTML, emoticons as `<span class="url-icon"><img alt=[哈哈] ...></span>`,
  `#话题#` and `@名字` as links, newlines as `<br />`; posts longer than
  `LONG_TEXT_CHARS` are cut with `...<a href="/status/<id>">全文</a>` and
  `isLongText: true` (the full text is at `statuses/extend`);
* counts of 10,000 and more as display strings (`1.2万`, `3.4亿`);
* reposts carry the original as `retweeted_status` (a deleted original has no user).
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from monitor.config import SHANGHAI
from monitor.replay.data import ReplayData, ReplayPost

__all__ = [
    "LONG_TEXT_CHARS",
    "extend_body",
    "hot_search_body",
    "mblog",
    "rss_body",
    "to_html",
    "weibo_count",
    "weibo_time",
]

LONG_TEXT_CHARS = 140
DATE_STYLES = ("full", "short")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TOKENS = re.compile(r"(\[[^\[\]\s]{1,8}\])|#([^#\n]{1,40})#|@([\w\u4e00-\u9fff\-]{1,30})|(\n)")
_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UNQUOTED_ALT = re.compile(r"alt=(\[[^\[\]\s]{1,8}\])")
_DELETED_TEXT = "抱歉，此微博已被作者删除。查看帮助：<a href='https://kefu.weibo.com'>网页链接</a>"


def weibo_time(created: datetime, now: datetime, style: str = "full") -> str:
    """`created` as Weibo shows it at `now`: relative when recent, else `style`.

    Style `exact` is always the full form (as `statuses/show` answers).
    """
    if style == "exact":
        return full_time(created)
    age = now - created
    local, today = created.astimezone(SHANGHAI), now.astimezone(SHANGHAI).date()
    if age < timedelta(minutes=1):
        return "刚刚"
    if age < timedelta(hours=1):
        return f"{int(age.total_seconds() // 60)}分钟前"
    if local.date() == today:
        return f"{int(age.total_seconds() // 3600)}小时前"
    if local.date() == today - timedelta(days=1):
        return f"昨天 {local:%H:%M}"
    if style == "short":
        return f"{local:%m-%d}" if local.year == today.year else f"{local:%Y-%m-%d}"
    return full_time(created)


def full_time(created: datetime) -> str:
    """`Sat Aug 31 12:00:00 +0800 2019` (locale-independent)."""
    local = created.astimezone(SHANGHAI)
    return f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local:%d %H:%M:%S +0800 %Y}"


def weibo_count(value: int) -> int | str:
    """A count as Weibo displays it: exact below 10,000, else `1.2万` / `3.4亿`."""
    if value >= 10**8:
        return f"{value / 10**8:.1f}亿"
    if value >= 10**4:
        return f"{value / 10**4:.1f}万"
    return value


def to_html(text: str) -> str:
    """Plain post text as Weibo's HTML (escaped; emoticons, topics, mentions, breaks)."""
    out: list[str] = []
    position = 0
    for match in _TOKENS.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=False))
        out.append(_token_html(match))
        position = match.end()
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def _token_html(match: re.Match[str]) -> str:
    emoticon, topic, mention, newline = match.groups()
    if emoticon:
        return (f'<span class="url-icon"><img alt={html.escape(emoticon)} '
                'src="//h5.sinaimg.cn/m/emoticon/icon/default/d_hehe-0.png" '
                'style="width:1em; height:1em;" /></span>')
    if topic:
        link = quote(f"231522type=1&t=10&q=#{topic}#", safe="")
        return (f'<a href="https://m.weibo.cn/search?containerid={link}" data-hide="">'
                f'<span class="surl-text">#{html.escape(topic)}#</span></a>')
    if mention:
        return f"<a href='/n/{html.escape(mention)}'>@{html.escape(mention)}</a>"
    assert newline
    return "<br />"


def bid_of(post_id: str) -> str | None:
    """Weibo's base62 short id of a numeric mid (groups of 7 digits), None otherwise."""
    if not post_id.isdigit():
        return None
    digits, parts = post_id, []
    while digits:
        group, digits = int(digits[-7:]), digits[:-7]
        encoded = ""
        while group:
            group, rest = divmod(group, 62)
            encoded = _BASE62[rest] + encoded
        parts.append(encoded.rjust(4, "0") if digits else encoded or "0")
    return "".join(reversed(parts))


def user(uid: str) -> dict[str, Any]:
    """A made-up public profile for `uid` (no real names, no avatars)."""
    number = int(uid) if uid.isdigit() else sum(map(ord, uid))
    return {
        "id": int(uid) if uid.isdigit() else uid, "screen_name": f"用户{uid[-6:]}",
        "profile_url": f"https://m.weibo.cn/u/{uid}", "verified": False, "verified_type": -1,
        "followers_count": weibo_count(number % 500_000), "follow_count": number % 700,
        "gender": "mf"[number % 2], "urank": number % 40, "mbrank": number % 7,
    }


def mblog(
    post: ReplayPost, now: datetime, data: ReplayData, *, style: str = "full",
    edits: dict[str, tuple[datetime, str]] | None = None, nested: bool = True,
) -> dict[str, Any]:
    """The `mblog` object of `post` as shown at `now` (long text cut, repost nested)."""
    text, edited_at = _current_text(post, now, edits)
    shown = to_html(text)
    long_text = len(text) > LONG_TEXT_CHARS
    if long_text:
        shown = to_html(text[:LONG_TEXT_CHARS]) + f'...<a href="/status/{post.id}">全文</a>'
    body: dict[str, Any] = {
        "visible": {"type": 0, "list_id": 0}, "created_at": weibo_time(post.created_at, now, style),
        "id": post.id, "idstr": post.id, "mid": post.id, "can_edit": False, "text": shown,
        "textLength": len(text.encode("gbk", "replace")), "source": "", "favorited": False,
        "pic_ids": [], "isLongText": long_text, "is_paid": False, "mblog_vip_type": 0,
        "reposts_count": weibo_count(post.reposts), "comments_count": weibo_count(post.comments),
        "attitudes_count": weibo_count(post.likes), "pending_approval_count": 0, "mblogtype": 0,
        "region_name": "发布于 北京",
    }
    if bid := bid_of(post.id):
        body["bid"] = bid
    if post.author_id:
        body["user"] = user(post.author_id)
    if edited_at is not None:
        body["edit_count"], body["edit_at"] = 1, full_time(edited_at)
    if nested and post.repost_of:
        body["retweeted_status"] = _original(post.repost_of, now, data, style, edits)
    return body


def _current_text(
    post: ReplayPost, now: datetime, edits: dict[str, tuple[datetime, str]] | None
) -> tuple[str, datetime | None]:
    edit = (edits or {}).get(post.id)
    if edit is not None and edit[0] <= now:
        return edit[1], edit[0]
    return post.text, None


def _original(
    post_id: str, now: datetime, data: ReplayData, style: str, edits: dict[str, tuple[datetime, str]] | None
) -> dict[str, Any]:
    original = data.by_id.get(post_id)
    if original is None or original.created_at > now:
        return {"id": post_id, "mid": post_id, "text": _DELETED_TEXT, "user": None,
                "created_at": "", "visible": {"type": 0}}
    return mblog(original, now, data, style=style, edits=edits, nested=False)


def extend_body(
    post: ReplayPost, now: datetime, edits: dict[str, tuple[datetime, str]] | None = None
) -> dict[str, Any]:
    """The `statuses/extend` answer: the full text of a (long) post."""
    text, _ = _current_text(post, now, edits)
    return {"ok": 1, "data": {"ok": 1, "longTextContent": to_html(text),
                              "reposts_count": weibo_count(post.reposts),
                              "comments_count": weibo_count(post.comments),
                              "attitudes_count": weibo_count(post.likes)}}


def hot_search_body(words: list[tuple[str, int, str]], advert: bool = True) -> dict[str, Any]:
    """A `weibo.com/ajax/side/hotSearch` answer from (word, heat, label) in rank order."""
    realtime: list[dict[str, Any]] = []
    for rank, (word, heat, label) in enumerate(words):
        realtime.append({"word": word, "word_scheme": f"#{word}#", "note": word, "num": heat, "raw_hot": heat,
                         "rank": rank, "realpos": rank + 1, "label_name": label, "icon_desc": label,
                         "category": "社会", "flag": 0, "emoticon": "", "onboard_time": 0})
    if advert and len(realtime) >= 3:
        realtime.insert(2, {"word": "某品牌新品限时发售", "note": "某品牌新品限时发售", "is_ad": 1,
                            "ad_type": "cpm", "num": 0, "label_name": "商"})
    return {"ok": 1, "data": {"realtime": realtime, "hotgov": {"word": "#关注网络安全#", "is_gov": 1}}}


def rss_body(title: str, link: str, posts: list[ReplayPost], now: datetime) -> str:
    """An RSS 2.0 feed in RSSHub's Weibo shape (description is the post's HTML)."""
    items = [_rss_item(post) for post in posts]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(title)} - Made with love by RSSHub</description>"
        f"<lastBuildDate>{format_datetime(now, usegmt=True)}</lastBuildDate><ttl>5</ttl>"
        + "".join(items) + "</channel></rss>\n"
    )


def _quote_alt(markup: str) -> str:
    """RSSHub quotes attributes (and feedparser's sanitizer needs it)."""
    return _UNQUOTED_ALT.sub(r'alt="\1"', markup)


def _rss_item(post: ReplayPost) -> str:
    uid = post.author_id or "0"
    link = f"https://weibo.com/{uid}/{bid_of(post.id) or quote(post.id, safe='')}"
    title = post.text.replace("\n", " ")[:60]
    return (
        f"<item><title>{escape(title)}</title><description>{escape(_quote_alt(to_html(post.text)))}</description>"
        f"<pubDate>{format_datetime(post.created_at, usegmt=True)}</pubDate>"
        f'<guid isPermaLink="false">{escape(link)}</guid><link>{escape(link)}</link>'
        f"<author>{escape(user(uid)['screen_name'])}</author></item>"
    )
