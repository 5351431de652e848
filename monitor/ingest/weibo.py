"""Weibo mobile API (m.weibo.cn) JSON to `Post` records: pure functions, no I/O.

Shapes handled (see `../shared/data/README.md`): `api/container/getIndex` pages
(`data.cards[]`, posts in `card_type` 9 cards at top level and inside the
`card_group` of `card_type` 11 cards), `statuses/show` (`data` is one post), a bare
post ("mblog"), a `{"mblog": ...}` card, or a list of any of these. A post that
reposts another carries it as `retweeted_status`; both become records.

Weibo shows times in Beijing time and often relative to the moment of the request
(`刚刚`, `5分钟前`, `昨天 12:00`, `08-31`), so every time is resolved against the
caller's `fetched_at` in Asia/Shanghai and returned in UTC. Relative forms are only
as precise as Weibo made them (a `08-31` post is placed at midnight).

Malformed input raises `RecordError` with a short reason naming the field; no other
exception escapes for any JSON value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from monitor.config import SHANGHAI
from monitor.errors import RecordError
from monitor.ingest.pseudonym import PseudonymFn
from monitor.text import html_to_text
from monitor.types import Post

__all__ = [
    "AUTHOR_NAMESPACE",
    "STATUS_URL",
    "iter_mblogs",
    "mblog_to_posts",
    "parse_count",
    "parse_created_at",
]

AUTHOR_NAMESPACE = "weibo"
"""The pseudonym namespace of Weibo user ids, whatever configured source fetched them,
so an author keeps one pseudonym across searches, timelines and file imports."""

STATUS_URL = "https://m.weibo.cn/status/{}"
MAX_COUNT = 2**63 - 1
"""Counts must fit a signed 64-bit database column."""

_FUTURE_GRACE = timedelta(hours=1)
"""A year-less date up to this far ahead of the fetch is clock skew, not last year."""

_MAX_DEPTH = 8
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_FULL = re.compile(
    r"(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})"
    r"\s+([+-])(\d{2}):?(\d{2})\s+(\d{4})",
    re.ASCII,
)
_AGO = re.compile(r"(\d{1,9})\s*(秒|分钟|小时|天)前", re.ASCII)
_AGO_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_DAY_WORD = re.compile(r"(今天|昨天|前天)\s*(\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII)
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2}
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_COUNT = re.compile(
    r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?\s*([千万亿kKwW]?)\s*\+?", re.ASCII
)
_MULTIPLIERS = {"": 1, "千": 10**3, "k": 10**3, "K": 10**3, "万": 10**4, "w": 10**4, "W": 10**4,
                "亿": 10**8}
_FOREIGN_DATA = {
    "longTextContent": "a statuses/extend response (merge its longTextContent into the mblog)",
    "userInfo": "a user-info response",
    "data": "a comments response",
}
_BID = re.compile(r"[0-9A-Za-z]{1,32}", re.ASCII)


# --- times -------------------------------------------------------------------------


def parse_created_at(value: Any, fetched_at: datetime) -> datetime:
    """A Weibo `created_at` in UTC, relative forms resolved against `fetched_at`.

    Forms: `Sat Aug 31 12:00:00 +0800 2019`; ISO 8601 (`2019-08-31`,
    `2019-08-31 12:00`, with or without offset; no offset means Beijing time);
    `MM-DD` and `MM-DD HH:MM` (the fetch's year in Asia/Shanghai, or the year before if
    that would be in the future); `刚刚`; `N秒前`, `N分钟前`, `N小时前`, `N天前`;
    `今天 HH:MM`, `昨天 HH:MM`, `前天 HH:MM`. A naive `fetched_at` is taken as UTC.
    Raises `RecordError` for anything else.
    """
    if not isinstance(value, str):
        raise RecordError(f"created_at: expected a string, got {_kind(value)}")
    text = value.strip()
    try:
        parsed = _parse_time(text, _as_utc(fetched_at))
        if parsed is None:
            raise RecordError(f"created_at: unrecognized date {text!r:.48}")
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise RecordError(f"created_at: not a valid date {text!r:.48}") from None


def _parse_time(text: str, now: datetime) -> datetime | None:
    """The aware datetime `text` names, None if no form matches; ValueError if invalid."""
    local = now.astimezone(SHANGHAI)
    if text == "刚刚":
        return now
    if match := _AGO.fullmatch(text):
        return now - timedelta(**{_AGO_UNITS[match[2]]: int(match[1])})
    if match := _DAY_WORD.fullmatch(text):
        day = local.date() - timedelta(days=_DAYS_BACK[match[1]])
        return _at(day, match[2], match[3], match[4])
    if match := _MONTH_DAY.fullmatch(text):
        return _recent_month_day(local, int(match[1]), int(match[2]), match.group(3, 4, 5))
    if match := _FULL.fullmatch(text):
        return _full_form(match)
    if match := _DATE.fullmatch(text):  # also 2019-8-31, which fromisoformat refuses
        return _at(date(int(match[1]), int(match[2]), int(match[3])), *match.group(4, 5, 6))
    if _ISO_START.match(text):
        parsed = datetime.fromisoformat(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
    return None


def _at(day: date, hour: str | None, minute: str | None, second: str | None) -> datetime:
    clock = time(int(hour or 0), int(minute or 0), int(second or 0))
    return datetime.combine(day, clock, tzinfo=SHANGHAI)


def _recent_month_day(
    local: datetime, month: int, day: int, clock: tuple[str | None, ...]
) -> datetime:
    """`MM-DD [HH:MM]` in the fetch's year, or the year before if that is in the future."""
    for year in (local.year, local.year - 1):
        try:
            candidate = _at(date(year, month, day), *clock)
        except ValueError:
            continue  # 02-29 in a common year: try the year before
        if candidate <= local + _FUTURE_GRACE:
            return candidate
    raise ValueError("no such recent date")


def _full_form(match: re.Match[str]) -> datetime:
    month = _MONTHS.get(match[1].lower())
    if month is None:
        raise ValueError("unknown month")
    offset = timedelta(hours=int(match[7]), minutes=int(match[8]))
    zone = timezone(-offset if match[6] == "-" else offset)
    return datetime(
        int(match[9]), month, int(match[2]), int(match[3]), int(match[4]), int(match[5]),
        tzinfo=zone,
    )


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --- counts ------------------------------------------------------------------------


def parse_count(value: Any, field: str = "count") -> int:
    """A non-negative count from an int or Weibo's display strings.

    `12`, `"12"`, `"1,234"`, `"43.4万"` (434000), `"1.2亿"`, `"100万+"`, `"3.5k"`;
    `None` and `""` are 0. Raises `RecordError` naming `field` for anything else,
    including negatives, booleans and fractions without a unit.
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise RecordError(f"{field}: expected a count, got a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        number = _count_from_text(value.strip(), field)
    else:
        raise RecordError(f"{field}: expected a count like 12 or '43.4万', got {_kind(value)}")
    if not 0 <= number <= MAX_COUNT:
        raise RecordError(f"{field}: expected a count from 0 to {MAX_COUNT}, got {value!r:.32}")
    return number


def _count_from_text(text: str, field: str) -> int:
    if not text:
        return 0
    match = _COUNT.fullmatch(text) if len(text) <= 40 else None
    if match is None:
        raise RecordError(f"{field}: expected a count like 12 or '43.4万', got {text!r:.32}")
    whole, fraction, unit = match[1].replace(",", ""), match[2] or "", match[3]
    amount = Decimal(f"{whole}.{fraction or 0}") * _MULTIPLIERS[unit]
    if not unit and amount != amount.to_integral_value():
        raise RecordError(f"{field}: expected a whole number, got {text!r:.32}")
    return int(amount)  # truncates: "43.45万" is shown rounded anyway


# --- responses and posts -------------------------------------------------------------


def iter_mblogs(body: Any) -> Iterator[dict[str, Any]]:
    """The posts ("mblogs") in a Weibo response body, in page order.

    Accepts a getIndex response (card_type 9 cards at top level and inside card_type 11
    `card_group`s; other cards are skipped), a statuses/show response, a bare `cards`
    data object, a `{"mblog": ...}` card, a bare mblog, or a list of these. A response
    with `ok` other than 1 and no cards raises `RecordError` with Weibo's message, as
    does anything that is none of the above (e.g. a comments or user-info response).
    """
    yield from _walk(body, 0)


def _walk(node: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        raise RecordError("weibo: nested too deeply")
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)
    elif not isinstance(node, dict):
        raise RecordError(f"weibo: expected a JSON object, got {_kind(node)}")
    elif "card_type" in node:
        yield from _card(node, depth)
    elif "cards" in node:
        yield from _cards(node["cards"], depth)
    elif "mblog" in node:
        yield _object(node["mblog"], "mblog")
    elif _looks_like_mblog(node):
        yield node
    elif "data" in node or "ok" in node:
        yield from _response(node, depth)
    else:
        raise RecordError("weibo: not a post, a card or an API response")


def _response(node: dict[str, Any], depth: int) -> Iterator[dict[str, Any]]:
    data = node.get("data")
    cards = data.get("cards") if isinstance(data, dict) else None
    ok = node.get("ok", 1)
    if ok != 1 and not isinstance(cards, list):
        raise RecordError(f"weibo: response not ok (ok={ok!r:.12}){_failure_detail(node)}")
    if cards is not None:
        yield from _cards(cards, depth)
    elif isinstance(data, dict) and _looks_like_mblog(data):
        yield data
    elif data is None:
        raise RecordError(f"weibo: response has no data{_failure_detail(node)}")
    else:
        keys = data.keys() if isinstance(data, dict) else ()
        kind = next((name for key, name in _FOREIGN_DATA.items() if key in keys), "a response")
        raise RecordError(f"weibo: {kind} holds no posts (expected data.cards or a post)")


def _failure_detail(node: dict[str, Any]) -> str:
    """Weibo's own message, or what a known failure shape means."""
    message = node.get("msg")
    if isinstance(message, str) and message:
        return f": {message:.80}"
    if node.get("ok") == -100:
        return ": login required"
    if "url" in node:
        return ": a redirect to a login or verification page"
    return ""


def _cards(cards: Any, depth: int) -> Iterator[dict[str, Any]]:
    if not isinstance(cards, list):
        raise RecordError(f"weibo: cards: expected a list, got {_kind(cards)}")
    for card in cards:
        if isinstance(card, dict):  # unknown card shapes are skipped, like unknown types
            yield from _card(card, depth + 1)


def _card(card: dict[str, Any], depth: int) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        raise RecordError("weibo: card groups nested too deeply")
    kind = card.get("card_type")
    if kind in (9, "9") and card.get("mblog") is not None:
        yield _object(card["mblog"], "mblog")
    elif kind in (11, "11") and card.get("card_group") is not None:
        yield from _cards(card["card_group"], depth)


def _looks_like_mblog(node: dict[str, Any]) -> bool:
    has_id = any(node.get(key) not in (None, "") for key in ("id", "mid", "idstr"))
    return has_id and ("text" in node or "created_at" in node)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"weibo: {what}: expected an object, got {_kind(value)}")
    return value


def mblog_to_posts(
    mblog: Any, *, source: str, fetched_at: datetime, pseudonymize: PseudonymFn
) -> list[Post]:
    """The records of one Weibo post: its `retweeted_status` first (if any), then itself.

    The outer post's `repost_of` is the original's id even when the original was
    deleted (no user or no id), which is then not returned. Text is HTML made plain;
    a `longTextContent` merged into the mblog (or statuses/show's `longText`) replaces
    the truncated `text`. Authors are pseudonymized in the `AUTHOR_NAMESPACE`.
    Missing optional fields get defaults; unknown ones are ignored; a post without
    an id or a usable `created_at` raises `RecordError`.
    """
    post = _object(mblog, "post")
    records: list[Post] = []
    original = post.get("retweeted_status")
    repost_of: str | None = None
    if original is not None:
        original = _object(original, "retweeted_status")
        repost_of = _post_id(original, required=False)
        if repost_of is not None and isinstance(original.get("user"), dict):
            records.append(
                _to_post(original, source, fetched_at, pseudonymize, None, "retweeted_status ")
            )
    records.append(_to_post(post, source, fetched_at, pseudonymize, repost_of, ""))
    return records


def _to_post(
    mblog: dict[str, Any],
    source: str,
    fetched_at: datetime,
    pseudonymize: PseudonymFn,
    repost_of: str | None,
    role: str,
) -> Post:
    post_id = _post_id(mblog, required=True) or ""
    try:
        return Post(
            source=source,
            external_id=post_id,
            created_at=parse_created_at(mblog.get("created_at"), fetched_at),
            text=html_to_text(_text_of(mblog)),
            author=_author(mblog, pseudonymize),
            reposts=parse_count(mblog.get("reposts_count"), "reposts_count"),
            comments=parse_count(mblog.get("comments_count"), "comments_count"),
            likes=parse_count(mblog.get("attitudes_count"), "attitudes_count"),
            url=STATUS_URL.format(_url_key(mblog, post_id)),
            repost_of=repost_of,
        )
    except RecordError as exc:
        raise RecordError(f"weibo {role}post {post_id}: {exc}") from None


def _post_id(mblog: dict[str, Any], *, required: bool) -> str | None:
    for key in ("id", "mid", "idstr"):
        value = mblog.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            if value.strip():
                return value.strip()
        elif value is not None:
            raise RecordError(f"weibo post {key}: expected a string or integer, got {_kind(value)}")
    if required:
        raise RecordError("weibo post: id missing (no id, mid or idstr)")
    return None


def _text_of(mblog: dict[str, Any]) -> str:
    nested = mblog.get("longText")
    for long_text in (
        mblog.get("longTextContent"),
        nested.get("longTextContent") if isinstance(nested, dict) else None,
    ):
        if isinstance(long_text, str) and long_text.strip():
            return long_text
    text = mblog.get("text")
    if text is None:
        return ""
    if not isinstance(text, str):
        raise RecordError(f"text: expected a string, got {_kind(text)}")
    return text


def _author(mblog: dict[str, Any], pseudonymize: PseudonymFn) -> str | None:
    user = mblog.get("user")
    if not isinstance(user, dict):
        return None
    uid = user.get("id")
    if uid in (None, ""):
        uid = user.get("idstr")
    if uid in (None, ""):
        return None
    if isinstance(uid, bool) or not isinstance(uid, int | str):
        raise RecordError(f"user.id: expected a string or integer, got {_kind(uid)}")
    return pseudonymize(AUTHOR_NAMESPACE, str(uid))


def _url_key(mblog: dict[str, Any], post_id: str) -> str:
    bid = mblog.get("bid")
    if isinstance(bid, str) and _BID.fullmatch(bid):
        return bid
    return quote(post_id, safe="")


def json_type_name(value: Any) -> str:
    """A JSON type name for error messages (values may be personal data; never echo them)."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


_kind = json_type_name
