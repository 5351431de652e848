"""Ingest parsers: raw records and files to pseudonymized `Post` records (no database).

* `pseudonym`: the keyed HMAC that replaces author ids, and where its key comes from.
* `records`: the post-record (JSONL) contract to `Post`.
* `weibo`: m.weibo.cn API responses to `Post`, with Weibo's many time and count forms.
* `formats`: files (post JSONL, Weibo JSON/JSONL, CSV) streamed to `(line, Post | RecordError)`.

Every parser raises `RecordError` (and only that) for a malformed record, so callers
report it and go on.
"""

from __future__ import annotations

from monitor.ingest.formats import FORMATS, RecordResult, guess_format, iter_file_records
from monitor.ingest.pseudonym import PseudonymFn, Pseudonymizer, load_pseudonym_key
from monitor.ingest.records import POST_FIELDS, post_from_record
from monitor.ingest.weibo import (
    AUTHOR_NAMESPACE,
    iter_mblogs,
    mblog_to_posts,
    parse_count,
    parse_created_at,
)

__all__ = [
    "AUTHOR_NAMESPACE",
    "FORMATS",
    "POST_FIELDS",
    "PseudonymFn",
    "Pseudonymizer",
    "RecordResult",
    "guess_format",
    "iter_file_records",
    "iter_mblogs",
    "load_pseudonym_key",
    "mblog_to_posts",
    "parse_count",
    "parse_created_at",
    "post_from_record",
]
