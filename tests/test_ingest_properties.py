"""Property tests: the ingest parsers raise only RecordError, and valid input round-trips."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.config import SHANGHAI
from monitor.errors import InputError, RecordError
from monitor.ingest.formats import FORMATS, iter_file_records
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.ingest.records import POST_FIELDS, post_from_record
from monitor.ingest.weibo import iter_mblogs, mblog_to_posts, parse_count, parse_created_at
from monitor.text import html_to_text
from monitor.types import Post

PSEUDONYMIZE = Pseudonymizer(b"property-test-key-0123456789abcdef")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

weibo_words = st.sampled_from(
    ["刚刚", "今天 ", "昨天 ", "前天 ", "分钟前", "小时前", "秒前", "天前", "万", "亿", "+", "-",
     ":", " ", "08-31", "2019-", "T", "Z", "+0800", "Sat Aug 31 ", "12:00:00", "99", "0", ",",
     "."]
)
weibo_text = st.lists(weibo_words | st.text(max_size=4), max_size=6).map("".join)
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | weibo_text
)
keys = st.text(max_size=8) | st.sampled_from(list(POST_FIELDS))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(keys, children, max_size=5),
    max_leaves=20,
)
fetch_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
aware_times = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)


# --- nothing but RecordError ---------------------------------------------------------


@given(json_values)
def test_parse_count_raises_only_record_errors(value: Any) -> None:
    try:
        assert parse_count(value) >= 0
    except RecordError:
        pass


@given(json_values, fetch_times)
def test_parse_created_at_raises_only_record_errors(value: Any, fetched_at: datetime) -> None:
    try:
        assert parse_created_at(value, fetched_at).tzinfo == UTC
    except RecordError:
        pass


created_forms = st.sampled_from(
    ["刚刚", "5分钟前", "昨天 12:00", "08-31", "02-29", "2019-08-31",
     "Sat Aug 31 12:00:00 +0800 2019"]
)
small_json = st.recursive(scalars, lambda children: st.lists(children, max_size=3), max_leaves=4)
users = st.fixed_dictionaries({}, optional={"id": st.integers(0, 10**10) | small_json})
post_ids = st.integers(0, 10**16) | st.text(max_size=6)
counts = st.integers(0, 10**9) | st.sampled_from(["43.4万", "100万+", "", "1.2亿"])
base_mblog = st.fixed_dictionaries(
    {"id": post_ids, "created_at": created_forms},
    optional={
        "mid": post_ids, "bid": st.text(max_size=10), "text": st.text(max_size=30),
        "user": users, "reposts_count": counts, "comments_count": counts,
        "attitudes_count": counts, "longTextContent": st.text(max_size=30),
    },
)
mblog_like = st.one_of(
    base_mblog,
    st.builds(lambda m, r: {**m, "retweeted_status": r}, base_mblog, base_mblog | small_json),
    st.fixed_dictionaries(  # every field may be junk
        {},
        optional={
            name: small_json | weibo_text
            for name in ("id", "mid", "idstr", "bid", "created_at", "text", "user",
                         "reposts_count", "attitudes_count", "longText", "retweeted_status")
        },
    ),
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "ok": json_values, "msg": json_values, "url": json_values,
        "data": st.fixed_dictionaries({}, optional={"cards": st.lists(json_values | mblog_like)})
        | json_values | mblog_like,
        "card_type": st.sampled_from([9, 11, "9", 4]) | json_values,
        "card_group": st.lists(json_values | mblog_like),
        "mblog": mblog_like | json_values, "cards": st.lists(json_values | mblog_like),
    },
)


@given(json_values | mblog_like | envelopes | st.lists(mblog_like | envelopes), fetch_times)
def test_iter_mblogs_and_mblog_to_posts_raise_only_record_errors(
    body: Any, fetched_at: datetime
) -> None:
    try:
        for mblog in iter_mblogs(body):
            assert isinstance(mblog, dict)
            try:
                for post in mblog_to_posts(
                    mblog, source="s", fetched_at=fetched_at, pseudonymize=PSEUDONYMIZE
                ):
                    assert isinstance(post, Post) and post.created_at.tzinfo == UTC
            except RecordError:
                pass
    except RecordError:
        pass


records = st.fixed_dictionaries(
    {},
    optional={name: json_values | st.just("2019-08-31T12:00:00+08:00") for name in POST_FIELDS},
)


@given(json_values | records)
def test_post_from_record_raises_only_record_errors(value: Any) -> None:
    try:
        post = post_from_record(value, "s", PSEUDONYMIZE)
    except RecordError:
        return
    assert post.created_at.tzinfo == UTC and post.external_id


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.lists(json_values).map(
    lambda values: "\n".join(json.dumps(v) for v in values).encode()
), st.sampled_from(FORMATS))
def test_files_give_only_numbered_posts_and_record_errors(content: bytes, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input.{fmt}"
        path.write_bytes(content)
        line_count = content.count(b"\n") + 1
        try:
            results = list(iter_file_records(
                path, fmt, source="s", pseudonymize=PSEUDONYMIZE,
                fetched_at=datetime(2019, 8, 31, tzinfo=UTC),
            ))
        except InputError as exc:  # only a CSV whose header lacks the required columns
            assert fmt == "csv" and "header" in str(exc)
            return
    numbers = [number for number, _ in results]
    assert numbers == sorted(numbers)
    assert all(1 <= number <= line_count for number in numbers)
    assert all(isinstance(item, Post | RecordError) for _, item in results)


# --- round trips --------------------------------------------------------------------


@given(st.integers(0, 2**63 - 1))
def test_plain_and_grouped_counts_round_trip(number: int) -> None:
    assert parse_count(number) == parse_count(str(number)) == parse_count(f"{number:,}") == number


@given(st.integers(0, 10**8), st.integers(0, 9), st.sampled_from([("万", 10**4), ("亿", 10**8)]))
def test_unit_counts(whole: int, tenth: int, unit: tuple[str, int]) -> None:
    suffix, factor = unit
    assert parse_count(f"{whole}.{tenth}{suffix}") == whole * factor + tenth * factor // 10
    assert parse_count(f"{whole}{suffix}+") == whole * factor


@given(aware_times, fetch_times)
def test_full_and_iso_created_at_round_trip(moment: datetime, fetched_at: datetime) -> None:
    moment = moment.replace(microsecond=0)
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    full = (
        f"{DAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} {zone} {moment.year}"
    )
    assert parse_created_at(full, fetched_at) == moment
    assert parse_created_at(moment.isoformat(), fetched_at) == moment


@given(fetch_times, st.integers(0, 10**5), st.sampled_from(
    [("秒前", "seconds"), ("分钟前", "minutes"), ("小时前", "hours"), ("天前", "days")]
))
def test_relative_created_at(fetched_at: datetime, amount: int, unit: tuple[str, str]) -> None:
    suffix, name = unit
    expected = fetched_at - timedelta(**{name: amount})
    assert parse_created_at(f"{amount}{suffix}", fetched_at) == expected


@given(fetch_times, st.integers(1, 12), st.integers(1, 31), st.integers(0, 23), st.integers(0, 59))
def test_month_day_is_never_far_in_the_future_nor_over_a_year_back(
    fetched_at: datetime, month: int, day: int, hour: int, minute: int
) -> None:
    try:
        parsed = parse_created_at(f"{month:02d}-{day:02d} {hour:02d}:{minute:02d}", fetched_at)
    except RecordError:
        assert day > 28  # only impossible dates (02-30, 04-31, 02-29 twice over) fail
        return
    back = timedelta(days=368 if (month, day) == (2, 29) else 366)  # 02-29: the last leap year
    assert fetched_at - back <= parsed <= fetched_at + timedelta(hours=1)
    local = parsed.astimezone(SHANGHAI)
    assert (local.month, local.day, local.hour, local.minute) == (month, day, hour, minute)


ids = st.integers(0, 10**18) | st.text(min_size=1, max_size=20).filter(str.strip)


@given(
    post_id=ids,
    created=aware_times,
    text=st.text(max_size=200),
    author=st.none() | ids,
    counts=st.tuples(*[st.integers(0, 10**12)] * 3),
    url=st.none() | st.just("https://m.weibo.cn/status/Aa1"),
    repost_of=st.none() | ids,
)
def test_valid_post_records_round_trip(
    post_id: int | str, created: datetime, text: str, author: int | str | None,
    counts: tuple[int, int, int], url: str | None, repost_of: int | str | None,
) -> None:
    line = json.dumps({
        "id": post_id, "created_at": created.isoformat(), "text": text, "author_id": author,
        "reposts": counts[0], "comments": str(counts[1]), "likes": counts[2], "url": url,
        "repost_of": repost_of,
    })
    post = post_from_record(json.loads(line), "file", PSEUDONYMIZE)
    assert post == Post(
        source="file",
        external_id=str(post_id).strip(),
        created_at=created.astimezone(UTC),
        text=html_to_text(text),
        author=PSEUDONYMIZE("file", str(author).strip()) if author is not None else None,
        reposts=counts[0],
        comments=counts[1],
        likes=counts[2],
        url=url,
        repost_of=str(repost_of).strip() if repost_of is not None else None,
    )
