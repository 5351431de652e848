"""Weibo response bodies to data or typed errors (pure; no I/O).

`parse_body` turns a response into the `data` object of a successful envelope, or
None when Weibo says there is nothing (`ok: 0` + "这里还没有内容", empty cards), or
raises: `LoginRequiredError` (`ok: -100`), `VerificationError` (no `data` but a `url`
to a verification page; the Sina Visitor System HTML page), `ThrottledError` (`ok: 0`
+ "操作过于频繁"/"访问频次过高"), `BadResponseError` (empty, truncated or non-JSON
bodies, unknown shapes). `read_index` and `read_hot_search` then read a getIndex page
and a hot-search list; bad posts and rows become rejects with reasons, never crashes.
The mapping of one post reuses `monitor.ingest.weibo` (`iter_mblogs`, `mblog_to_posts`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from monitor.errors import RecordError, ThrottledError
from monitor.ingest.pseudonym import PseudonymFn
from monitor.ingest.weibo import iter_mblogs, json_type_name, mblog_to_posts, parse_count
from monitor.sources.base import Response
from monitor.sources.cursor import Mark, Params
from monitor.sources.errors import BadResponseError, LoginRequiredError, VerificationError
from monitor.storage.live import HotSearchEntry
from monitor.types import Post

__all__ = [
    "IndexPage",
    "MappedPosts",
    "created_at_slack",
    "is_pinned",
    "long_text_of",
    "map_mblogs",
    "parse_body",
    "read_hot_search",
    "read_index",
]

RATE_LIMIT_HINTS = ("频繁", "频次", "稍后再试", "过多", "too many", "rate")
EMPTY_HINTS = ("还没有内容", "暂无", "没有更多", "结果为空", "没有找到", "删除", "不存在", "no content")
VISITOR_PAGE_HINTS = ("sina visitor system", "visitor", "passport.weibo", "captcha", "验证码")
_ZERO = timedelta(0)


# --- envelopes -------------------------------------------------------------------------


def parse_body(response: Response) -> dict[str, Any] | None:
    """The `data` object of a Weibo JSON response, None if Weibo says it is empty."""
    return check_envelope(decode_json(response), response.url)


def parse_body_with_time(response: Response) -> tuple[dict[str, Any] | None, datetime]:
    """`parse_body` and when the response was fetched (the clock for relative times)."""
    return parse_body(response), response.fetched_at


def decode_json(response: Response) -> Any:
    """The JSON value of a body; `BadResponseError`/`VerificationError` if it is none."""
    text = response.text
    if not text.strip():
        raise BadResponseError(f"{response.url}: empty body")
    try:
        return json.loads(text)
    except RecursionError:
        raise BadResponseError(f"{response.url}: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("<"):
            lowered = text[:4000].lower()
            if any(hint in lowered for hint in VISITOR_PAGE_HINTS):
                raise VerificationError(f"{response.url}: a visitor-verification page instead of data") from None
            raise BadResponseError(f"{response.url}: an HTML page instead of JSON") from None
        raise BadResponseError(
            f"{response.url}: truncated or invalid JSON ({exc.msg} at char {exc.pos} of {len(text)})"
        ) from None


def check_envelope(body: Any, url: str) -> dict[str, Any] | None:
    """The `data` of an `{"ok": ..., "data": ...}` envelope (see `parse_body`)."""
    if not isinstance(body, dict):
        raise BadResponseError(f"{url}: expected a JSON object, got {json_type_name(body)}")
    ok, message, data = _ok_of(body.get("ok")), _message(body), body.get("data")
    if ok == -100:
        raise LoginRequiredError(f"{url}: login required{_said(message)}")
    if ok == 0:
        return _not_ok(body, url, message)
    if ok not in (1, None):
        raise BadResponseError(f"{url}: unexpected ok={body.get('ok')!r:.16}{_said(message)}")
    if isinstance(data, dict):
        return data
    if data is None and isinstance(body.get("url"), str):
        raise VerificationError(f"{url}: no data, only a link to a verification page{_said(message)}")
    raise BadResponseError(f"{url}: no data object (data is {json_type_name(data)}){_said(message)}")


def _not_ok(body: dict[str, Any], url: str, message: str) -> dict[str, Any] | None:
    lowered = message.lower()
    if any(hint in lowered for hint in RATE_LIMIT_HINTS):
        raise ThrottledError(f"{url}: rate limited{_said(message)}")
    data = body.get("data")
    cards = data.get("cards") if isinstance(data, dict) else None
    if any(hint in lowered for hint in EMPTY_HINTS) or cards == []:
        return None
    if data is None and isinstance(body.get("url"), str):
        raise VerificationError(f"{url}: no data, only a link to a verification page{_said(message)}")
    raise BadResponseError(f"{url}: not ok{_said(message) or ' (no message)'}")


def _ok_of(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,4}", value.strip()):
        return int(value)
    return None if value is None else 99


def _message(body: dict[str, Any]) -> str:
    for key in ("msg", "message", "errmsg"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:80]
    return ""


def _said(message: str) -> str:
    return f': "{message}"' if message else ""


# --- getIndex pages --------------------------------------------------------------------


@dataclass(frozen=True)
class IndexPage:
    """The posts of a getIndex page, in page order, and how to ask for the next one."""

    mblogs: list[dict[str, Any]]
    rejects: list[str]
    next_params: Params | None


def read_index(data: Mapping[str, Any] | None, params: Mapping[str, str | int]) -> IndexPage:
    """Read a getIndex `data` object (None = empty) requested with paging `params`.

    Posts are the card_type 9 cards at top level and inside card_type 11 groups.
    The next page is `cardlistInfo.since_id` (cursor paging) if given and non-zero,
    else `cardlistInfo.page` if it moves forward, else the next page number while
    pages still hold posts; None at the end.
    """
    if data is None:
        return IndexPage([], [], None)
    cards = data.get("cards")
    mblogs, rejects = _mblogs_of(cards)
    info = data.get("cardlistInfo")
    info = info if isinstance(info, dict) else {}
    return IndexPage(mblogs, rejects, _next_params(info, params, bool(mblogs)))


def _mblogs_of(cards: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if cards is None:
        return [], []
    if not isinstance(cards, list):
        return [], [f"cards: expected a list, got {json_type_name(cards)}"]
    mblogs: list[dict[str, Any]] = []
    rejects: list[str] = []
    for card in cards:
        if not isinstance(card, dict) or not ("card_type" in card or "mblog" in card):
            continue  # unknown card shapes are skipped, as Weibo adds new ones
        try:
            mblogs.extend(iter_mblogs(card))
        except RecordError as exc:
            rejects.append(str(exc))
    return mblogs, rejects


def _next_params(info: Mapping[str, Any], params: Mapping[str, str | int], has_posts: bool) -> Params | None:
    since = info.get("since_id")
    if isinstance(since, int | str) and not isinstance(since, bool) and str(since).strip() not in ("", "0"):
        if str(since) != str(params.get("since_id", "")):
            return {"since_id": str(since).strip()}
        return None
    current = params.get("page", 1)
    current = current if isinstance(current, int) else 1
    page = info.get("page")
    if isinstance(page, int) and not isinstance(page, bool) and page > current:
        return {"page": page}
    if "since_id" in params or not has_posts or "page" in info:
        return None  # a page field that does not move forward means: last page
    return {"page": current + 1}


def is_pinned(mblog: Mapping[str, Any]) -> bool:
    """A timeline's pinned (置顶) post: shown first whatever its age."""
    return mblog.get("isTop") in (1, True, "1") or mblog.get("mblogtype") == 2


@dataclass
class MappedPosts:
    """Posts of a page, reasons for rejected ones, order marks and time slack."""

    posts: list[Post] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    slack: dict[str, tuple[timedelta, timedelta]] = field(default_factory=dict)


def map_mblogs(
    mblogs: list[dict[str, Any]], *, source: str, fetched_at: datetime, pseudonymize: PseudonymFn
) -> MappedPosts:
    """Map each mblog (and its retweeted original) to posts; collect marks and slack."""
    mapped = MappedPosts()
    for mblog in mblogs:
        try:
            posts = mblog_to_posts(mblog, source=source, fetched_at=fetched_at, pseudonymize=pseudonymize)
        except RecordError as exc:
            mapped.rejects.append(str(exc))
            continue
        mapped.posts.extend(posts)
        outer = posts[-1]
        if not is_pinned(mblog):
            mapped.marks.append(Mark(outer.external_id, outer.created_at))
        for post, raw in zip(posts, _raw_of(mblog, len(posts)), strict=True):
            slack = created_at_slack(raw.get("created_at"))
            if slack != (_ZERO, _ZERO):
                mapped.slack[post.external_id] = slack
    return mapped


def _raw_of(mblog: dict[str, Any], count: int) -> list[dict[str, Any]]:
    original = mblog.get("retweeted_status")
    return [original, mblog] if count == 2 and isinstance(original, dict) else [mblog]


_AGO = re.compile(r"\d{1,9}\s*(秒|分钟|小时|天)前")
_AGO_SLACK = {"秒": timedelta(seconds=1), "分钟": timedelta(minutes=1), "小时": timedelta(hours=1),
              "天": timedelta(days=1)}
_DAY_WORD_MINUTE = re.compile(r"(今天|昨天|前天)\s*\d{1,2}:\d{2}")
_MINUTE = re.compile(r"(\d{4}-)?\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}")
_DAY = re.compile(r"(\d{4}-)?\d{1,2}-\d{1,2}")


def created_at_slack(value: Any) -> tuple[timedelta, timedelta]:
    """How far before and after its resolved time a post shown with `value` may be.

    `刚刚` may be up to a minute old, `3小时前` up to an hour older than now - 3h,
    `昨天 12:00` up to a minute later, `08-31` any time that day; full forms are exact.
    """
    text = value.strip() if isinstance(value, str) else ""
    if text == "刚刚":
        return timedelta(minutes=1), _ZERO
    if match := _AGO.fullmatch(text):
        return _AGO_SLACK[match[1]], _ZERO
    if _DAY_WORD_MINUTE.fullmatch(text) or _MINUTE.fullmatch(text):
        return _ZERO, timedelta(minutes=1)
    if _DAY.fullmatch(text):
        return _ZERO, timedelta(days=1)
    return _ZERO, _ZERO


def long_text_of(data: Mapping[str, Any] | None) -> str | None:
    """The `longTextContent` of a statuses/extend `data` object, if it has one."""
    if data is None:
        return None
    content = data.get("longTextContent")
    return content if isinstance(content, str) and content.strip() else None


# --- hot search ------------------------------------------------------------------------


def read_hot_search(data: Mapping[str, Any] | None) -> tuple[list[HotSearchEntry], list[str]]:
    """The entries of a hot-search `data` (`realtime[]`), ads skipped, and rejects.

    Rank is `realpos` if given, else `rank + 1` (Weibo's rank is 0-based), else the
    position among non-ad entries; heat is `num` (or `raw_hot`), strings like "43.4万"
    converted.
    """
    realtime = data.get("realtime") if data is not None else None
    if realtime is None:
        return [], []
    if not isinstance(realtime, list):
        return [], [f"realtime: expected a list, got {json_type_name(realtime)}"]
    entries: list[HotSearchEntry] = []
    rejects: list[str] = []
    for item in realtime:
        if not isinstance(item, dict) or item.get("is_ad") not in (None, 0, False, "0", ""):
            continue
        try:
            entries.append(_hot_entry(item, len(entries) + 1))
        except RecordError as exc:
            rejects.append(f"hot search entry {len(entries) + 1}: {exc}")
    return entries, rejects


def _hot_entry(item: Mapping[str, Any], position: int) -> HotSearchEntry:
    word = item.get("word")
    if not isinstance(word, str) or not word.strip():
        raise RecordError(f"word: expected a non-empty string, got {json_type_name(word)}")
    heat = parse_count(item.get("num") if item.get("num") is not None else item.get("raw_hot"), "num")
    label = item.get("label_name")
    return HotSearchEntry(_rank(item, position), word.strip(), heat,
                          label.strip() or None if isinstance(label, str) else None)


def _rank(item: Mapping[str, Any], position: int) -> int:
    realpos, rank = item.get("realpos"), item.get("rank")
    if isinstance(realpos, int) and not isinstance(realpos, bool) and 0 < realpos < 10_000:
        return realpos
    if isinstance(rank, int) and not isinstance(rank, bool) and 0 <= rank < 10_000:
        return rank + 1
    return position

