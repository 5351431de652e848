"""The post-record contract (JSONL interchange) to Post."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.errors import RecordError
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.ingest.records import POST_FIELDS, post_from_record
from monitor.types import Post

PSEUDONYMIZE = Pseudonymizer(b"records-test-key-0123456789abcdef")

RECORD: dict[str, Any] = {
    "id": "9000000000000001",
    "created_at": "2019-08-31T12:00:00+08:00",
    "text": "用户协议说<a href='/n/某人'>@某人</a>的脸永久授权<br />太可怕",
    "author_id": "1000000001",
    "reposts": 3,
    "comments": "43.4万",
    "likes": "1.2亿",
    "url": "https://m.weibo.cn/status/Aa1Bb2Cc3",
    "repost_of": 9000000000000000,
}


def parse(record: Any, source: str = "file") -> Post:
    return post_from_record(record, source, PSEUDONYMIZE)


def test_a_full_record() -> None:
    assert parse(RECORD) == Post(
        source="file",
        external_id="9000000000000001",
        created_at=datetime(2019, 8, 31, 4, 0, tzinfo=UTC),
        text="用户协议说@某人的脸永久授权\n太可怕",
        author=PSEUDONYMIZE("file", "1000000001"),
        reposts=3,
        comments=434000,
        likes=120000000,
        url="https://m.weibo.cn/status/Aa1Bb2Cc3",
        repost_of="9000000000000000",
    )
    assert POST_FIELDS == tuple(RECORD)


def test_only_id_created_at_and_text_are_needed_and_unknown_fields_are_ignored() -> None:
    post = parse({"id": 17, "created_at": "2019-08-31T04:00:00Z", "text": "hi", "lang": "zh"})
    assert post == Post(
        source="file", external_id="17", created_at=datetime(2019, 8, 31, 4, tzinfo=UTC), text="hi"
    )


def test_created_at_is_converted_to_utc() -> None:
    post = parse({**RECORD, "created_at": "2019-08-30T20:00:00-05:00"})
    assert post.created_at == datetime(2019, 8, 31, 1, 0, tzinfo=UTC)
    assert post.created_at.tzinfo == UTC


@pytest.mark.parametrize("naive", ["2019-08-31T12:00:00", "2019-08-31 12:00", "2019-08-31"])
def test_a_timestamp_without_offset_is_refused(naive: str) -> None:
    with pytest.raises(RecordError, match="^created_at has no UTC offset"):
        parse({**RECORD, "created_at": naive})


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "^id: missing"),
        ({"id": ""}, "^id: must not be empty"),
        ({"id": 1.5}, "^id: expected a string or integer"),
        ({"id": True}, "^id: expected"),
        ({"created_at": None}, "^created_at: missing"),
        ({"created_at": "Sat Aug 31 12:00:00 +0800 2019"}, "^created_at: expected ISO 8601"),
        ({"created_at": 1567224000}, "^created_at: expected a string"),
        ({"created_at": "0001-01-01T00:00:00+08:00"}, "^created_at: out of range"),
        ({"text": None}, "^text: missing"),
        ({"text": ["a"]}, "^text: expected a string"),
        ({"reposts": -1}, "^reposts: "),
        ({"comments": "many"}, "^comments: "),
        ({"likes": 2.5}, "^likes: "),
        ({"url": 5}, "^url: "),
        ({"repost_of": {"id": 1}}, "^repost_of: "),
        ({"author_id": ["1000000001"]}, "^author_id: "),
    ],
)
def test_each_problem_names_its_field(change: dict[str, Any], reason: str) -> None:
    record = {**RECORD, **change}
    with pytest.raises(RecordError, match=reason) as caught:
        parse({key: value for key, value in record.items() if value is not None})
    assert "1000000001" not in str(caught.value)  # raw author ids never in messages


@pytest.mark.parametrize("record", [None, [], "text", 5])
def test_a_record_must_be_an_object(record: Any) -> None:
    with pytest.raises(RecordError, match="expected a JSON object"):
        parse(record)


def test_authors_are_pseudonymized_per_source_and_empty_ones_dropped() -> None:
    assert parse(RECORD).author == parse({**RECORD, "author_id": 1000000001}).author
    assert parse(RECORD, "rss").author != parse(RECORD, "file").author
    assert "1000000001" not in repr(parse(RECORD))
    for empty in ("", "  ", None):
        assert parse({**RECORD, "author_id": empty}).author is None


def test_optional_fields_may_be_null_or_empty() -> None:
    post = parse({**RECORD, "reposts": None, "comments": "", "url": "", "repost_of": None})
    assert (post.reposts, post.comments, post.url, post.repost_of) == (0, 0, None, None)
