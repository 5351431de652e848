"""Post records (the JSONL interchange contract) to `Post`.

A post record is a JSON object `{"id", "created_at", "text", "author_id", "reposts",
"comments", "likes", "url", "repost_of"}`. `id` (string or integer), `created_at`
(ISO 8601 *with* a UTC offset) and `text` are required; the rest are optional; unknown
fields are ignored. Counts are integers >= 0 or Weibo display strings (`"43.4万"`).
`text` may be Weibo HTML and is made plain; `created_at` comes out in UTC; the author
id is replaced by its pseudonym and never kept.

Every problem raises `RecordError` with a short reason that names the field; raw
author ids never appear in messages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.errors import RecordError
from monitor.ingest.pseudonym import PseudonymFn
from monitor.ingest.weibo import json_type_name as _kind
from monitor.ingest.weibo import parse_count
from monitor.text import html_to_text
from monitor.types import Post

__all__ = ["POST_FIELDS", "REQUIRED_FIELDS", "post_from_record"]

POST_FIELDS: tuple[str, ...] = (
    "id", "created_at", "text", "author_id", "reposts", "comments", "likes", "url", "repost_of",
)
"""The contract's field names, in their documented order (also the CSV header)."""

REQUIRED_FIELDS: tuple[str, ...] = ("id", "created_at", "text")


def post_from_record(obj: Any, source: str, pseudonymize: PseudonymFn) -> Post:
    """The `Post` of one post record from `source`; raises `RecordError` naming the field."""
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {_kind(obj)}")
    for name in REQUIRED_FIELDS:
        if obj.get(name) is None:
            raise RecordError(f"{name}: missing")
    text = obj["text"]
    if not isinstance(text, str):
        raise RecordError(f"text: expected a string, got {_kind(text)}")
    author_id = _optional_id(obj.get("author_id"), "author_id")
    return Post(
        source=source,
        external_id=_required_id(obj["id"]),
        created_at=parse_iso_created_at(obj["created_at"]),
        text=html_to_text(text),
        author=pseudonymize(source, author_id) if author_id else None,
        reposts=parse_count(obj.get("reposts"), "reposts"),
        comments=parse_count(obj.get("comments"), "comments"),
        likes=parse_count(obj.get("likes"), "likes"),
        url=_optional_url(obj.get("url")),
        repost_of=_optional_id(obj.get("repost_of"), "repost_of"),
    )


def parse_iso_created_at(value: Any) -> datetime:
    """An ISO 8601 timestamp with a UTC offset, in UTC; `RecordError` otherwise."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RecordError(
                f"created_at: expected ISO 8601 like 2019-08-31T12:00:00+08:00, got {value!r:.40}"
            ) from None
    else:
        raise RecordError(f"created_at: expected a string, got {_kind(value)}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RecordError("created_at has no UTC offset (write e.g. 2019-08-31T12:00:00+08:00)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise RecordError(f"created_at: out of range {value!s:.40}") from None


def _required_id(value: Any) -> str:
    post_id = _optional_id(value, "id")
    if post_id is None:
        raise RecordError("id: must not be empty")
    return post_id


def _optional_id(value: Any, field: str) -> str | None:
    """A string or integer id as text; None or blank is None. Never echoes the value."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    raise RecordError(f"{field}: expected a string or integer, got {_kind(value)}")


def _optional_url(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"url: expected a string, got {_kind(value)}")
    return value.strip() or None
