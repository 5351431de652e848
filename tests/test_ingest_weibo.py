"""Weibo API JSON to Post: times, counts, cards, reposts, long text (anonymized fixtures)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import RecordError
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.ingest.weibo import (
    AUTHOR_NAMESPACE,
    iter_mblogs,
    mblog_to_posts,
    parse_count,
    parse_created_at,
)
from monitor.types import Post

FIXTURES = Path(__file__).parent / "fixtures" / "weibo"
BEIJING = timezone(timedelta(hours=8))
FETCHED = datetime(2019, 8, 31, 12, 0, tzinfo=BEIJING)
PSEUDONYMIZE = Pseudonymizer(b"weibo-test-key-0123456789abcdef!")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def posts_of(body: Any, fetched_at: datetime = FETCHED) -> list[Post]:
    return [
        post
        for mblog in iter_mblogs(body)
        for post in mblog_to_posts(
            mblog, source="weibo-search", fetched_at=fetched_at, pseudonymize=PSEUDONYMIZE
        )
    ]


# --- created_at --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sat Aug 31 12:00:00 +0800 2019", utc(2019, 8, 31, 4, 0)),
        ("Fri Aug 30 23:59:59 +0800 2019", utc(2019, 8, 30, 15, 59, 59)),
        ("Sat Aug 31 04:00:00 +0000 2019", utc(2019, 8, 31, 4, 0)),
        ("08-30", utc(2019, 8, 29, 16, 0)),  # MM-DD: midnight Beijing, the fetch's year
        ("8-31", utc(2019, 8, 30, 16, 0)),
        ("09-01", utc(2018, 8, 31, 16, 0)),  # would be in the future: the year before
        ("08-30 20:15", utc(2019, 8, 30, 12, 15)),
        ("2018-12-31", utc(2018, 12, 30, 16, 0)),  # YYYY-MM-DD: an earlier year
        ("2019-08-31 11:30", utc(2019, 8, 31, 3, 30)),  # naive ISO is Beijing time
        ("2019-8-1 08:00:30", utc(2019, 8, 1, 0, 0, 30)),
        ("2019-08-31T11:30:00", utc(2019, 8, 31, 3, 30)),
        ("2019-08-31T12:00:00+08:00", utc(2019, 8, 31, 4, 0)),
        ("2019-08-31T04:00:00Z", utc(2019, 8, 31, 4, 0)),
        ("刚刚", utc(2019, 8, 31, 4, 0)),
        ("30秒前", utc(2019, 8, 31, 3, 59, 30)),
        ("5分钟前", utc(2019, 8, 31, 3, 55)),
        ("59分钟前", utc(2019, 8, 31, 3, 1)),
        ("2小时前", utc(2019, 8, 31, 2, 0)),
        ("3天前", utc(2019, 8, 28, 4, 0)),
        ("今天 09:05", utc(2019, 8, 31, 1, 5)),
        ("今天09:05", utc(2019, 8, 31, 1, 5)),
        ("昨天 23:40", utc(2019, 8, 30, 15, 40)),
        ("昨天 00:00", utc(2019, 8, 29, 16, 0)),
        ("前天 12:00", utc(2019, 8, 29, 4, 0)),
        ("  5分钟前  ", utc(2019, 8, 31, 3, 55)),
    ],
)
def test_every_created_at_form(value: str, expected: datetime) -> None:
    parsed = parse_created_at(value, FETCHED)
    assert parsed == expected
    assert parsed.tzinfo == UTC


def test_relative_times_use_the_beijing_date_of_the_fetch() -> None:
    fetched = datetime(2019, 8, 30, 17, 0, tzinfo=UTC)  # already 08-31 01:00 in Beijing
    assert parse_created_at("今天 00:30", fetched) == utc(2019, 8, 30, 16, 30)
    assert parse_created_at("昨天 00:30", fetched) == utc(2019, 8, 29, 16, 30)
    assert parse_created_at("08-31", fetched) == utc(2019, 8, 30, 16, 0)


def test_month_day_across_new_year() -> None:
    fetched = datetime(2020, 1, 1, 0, 30, tzinfo=BEIJING)
    assert parse_created_at("12-31 23:00", fetched) == utc(2019, 12, 31, 15, 0)
    assert parse_created_at("01-01", fetched) == utc(2019, 12, 31, 16, 0)


def test_february_29_goes_to_the_last_year_that_had_one() -> None:
    assert parse_created_at("02-29", datetime(2021, 3, 1, tzinfo=BEIJING)) == utc(2020, 2, 28, 16)
    with pytest.raises(RecordError, match="created_at"):
        parse_created_at("02-29", datetime(2019, 3, 1, tzinfo=BEIJING))


def test_a_naive_fetch_time_is_utc() -> None:
    naive = datetime(2019, 8, 31, 4, 0)
    assert parse_created_at("刚刚", naive) == utc(2019, 8, 31, 4, 0)


@pytest.mark.parametrize(
    "value",
    ["", "yesterday", "13-45", "02-30", "2019-02-30", "Sat Foo 31 12:00:00 +0800 2019",
     "Sat Aug 31 25:00:00 +0800 2019", "Sat Aug 31 12:00:00 +9900 2019", "今天 24:00",
     "5 minutes ago", "999999999天前", "0001-01-01T00:00:00+08:00", None, 1567224000, ["刚刚"]],
)
def test_unknown_or_impossible_created_at_is_a_record_error(value: Any) -> None:
    with pytest.raises(RecordError, match="created_at"):
        parse_created_at(value, FETCHED)


# --- counts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0), (348872, 348872), (12.0, 12), ("12", 12), (" 7 ", 7), ("1,234", 1234),
        ("43.4万", 434000), ("1.2亿", 120000000), ("100万+", 1000000), ("1万", 10000),
        ("8千", 8000), ("1.5w", 15000), ("3.5k", 3500), ("43.45万", 434500), ("1.23456万", 12345),
        ("", 0), (None, 0),
    ],
)
def test_counts(value: Any, expected: int) -> None:
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    "value", [-1, "-3", True, 1.5, "1.5", "万", "abc", "1e5", float("nan"), [], {}, 2**64, "1,23"]
)
def test_bad_counts_are_record_errors_naming_the_field(value: Any) -> None:
    with pytest.raises(RecordError, match="^likes: "):
        parse_count(value, "likes")


# --- responses -----------------------------------------------------------------------


def ids(body: Any) -> list[str]:
    return [str(mblog.get("id")) for mblog in iter_mblogs(body)]


def test_a_search_page_gives_top_level_and_grouped_card_type_9_posts_in_order() -> None:
    assert ids(load("search_page.json")) == [
        "9000000000000001", "9000000000000002", "9000000000000003", "9000000000000005",
        "9000000000000007",
    ]


def test_the_cards_object_alone_and_a_list_of_cards_work_too() -> None:
    data = load("search_page.json")["data"]
    assert ids(data) == ids(data["cards"]) == ids(load("search_page.json"))


def test_statuses_show_gives_its_post() -> None:
    assert ids(load("statuses_show_repost.json")) == ["9000000000000010"]


def test_bare_mblogs_lists_of_mblogs_and_mblog_wrappers_are_accepted() -> None:
    mblog = load("long_text_post.json")
    assert ids(mblog) == ids([mblog]) == ids({"mblog": mblog}) == ["9000000000000020"]
    assert ids({"card_type": 9, "mblog": mblog}) == ["9000000000000020"]
    assert ids({"card_type": "11", "card_group": [{"card_type": 9, "mblog": mblog}]}) == [
        "9000000000000020"
    ]


def test_an_empty_container_gives_nothing() -> None:
    assert ids(load("empty_container.json")) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}, "login required"),
        ({"ok": 0, "msg": "操作过于频繁"}, "操作过于频繁"),
        ({"ok": 1, "url": "https://example.invalid/verify"}, "verification page"),
        ({"ok": 1, "data": {"userInfo": {"id": 1}}}, "user-info response holds no posts"),
        ({"ok": 1, "data": {"data": [{"id": 1, "text": "a comment"}]}}, "comments response"),
        ({"ok": 1, "data": {"ok": 1, "longTextContent": "长文"}}, "merge its longTextContent"),
        ({"ok": 1, "data": 5}, "a response holds no posts"),
        ({"ok": 1, "data": {"cards": "nope"}}, "cards"),
        ({"card_type": 9, "mblog": "nope"}, "mblog"),
        ({"hello": "world"}, "not a post"),
        ("just text", "expected a JSON object"),
        ([1], "expected a JSON object"),
    ],
)
def test_failures_and_foreign_shapes_are_record_errors(body: Any, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        list(iter_mblogs(body))


def test_deeply_nested_groups_are_refused() -> None:
    body: dict[str, Any] = {"card_type": 11, "card_group": []}
    for _ in range(50):
        body = {"card_type": 11, "card_group": [body]}
    with pytest.raises(RecordError, match="nested"):
        list(iter_mblogs(body))


# --- posts ---------------------------------------------------------------------------


def test_search_page_posts() -> None:
    posts = {post.external_id: post for post in posts_of(load("search_page.json"))}
    first = posts["9000000000000001"]
    assert first.source == "weibo-search"
    assert first.created_at == utc(2019, 8, 31, 2, 15)
    assert first.text == "#换脸#用户协议说肖像权永久授权？[吃惊]\n大家小心 @测试用户乙"
    assert (first.reposts, first.comments, first.likes) == (12000, 434000, 1024)
    assert first.url == "https://m.weibo.cn/status/Aa1Bb2Cc3"
    assert first.author == PSEUDONYMIZE(AUTHOR_NAMESPACE, "1000000001")
    assert first.repost_of is None

    grouped = posts["9000000000000002"]  # inside the card_type 11 group
    assert grouped.created_at == utc(2019, 8, 31, 3, 55)
    assert (grouped.comments, grouped.likes) == (3, 0)
    assert grouped.text == "刚下载试了一下，换脸效果真好玩[哈哈]"


def test_a_repost_gives_the_original_first_and_links_to_it() -> None:
    posts = posts_of(load("search_page.json"))
    order = [post.external_id for post in posts]
    assert order.index("9000000000000004") == order.index("9000000000000003") - 1
    original = posts[order.index("9000000000000004")]
    repost = posts[order.index("9000000000000003")]
    assert repost.repost_of == "9000000000000004"
    assert original.repost_of is None
    assert original.created_at == utc(2019, 8, 29, 16, 0)
    assert (original.reposts, original.comments) == (1_000_000, 120_000_000)
    assert original.text.endswith("你的脸从此不再属于你")  # the 全文 link and "..." are gone
    assert original.url == "https://m.weibo.cn/status/Jj1Kk2Ll3"
    assert original.author == PSEUDONYMIZE(AUTHOR_NAMESPACE, "1000000004")
    assert repost.author == PSEUDONYMIZE(AUTHOR_NAMESPACE, "1000000003")


def test_a_deleted_original_is_skipped_but_still_linked() -> None:
    posts = posts_of(load("search_page.json"))
    assert "9000000000000006" not in [post.external_id for post in posts]
    repost = next(post for post in posts if post.external_id == "9000000000000005")
    assert repost.repost_of == "9000000000000006"
    assert repost.text == "转发微博"


def test_a_deleted_original_without_id_is_skipped() -> None:
    mblog = {"id": "1", "created_at": "刚刚", "text": "转", "retweeted_status": {"text": "已删除"}}
    [post] = posts_of(mblog)
    assert post.repost_of is None


def test_statuses_show_repost_with_the_originals_long_text() -> None:
    original, repost = posts_of(load("statuses_show_repost.json"))
    assert original.external_id == "9000000000000011"
    assert original.text == (
        "关于换脸APP用户协议的说明（全文）：\n我们已修改相关条款，不会存储用户的人脸生物特征信息。"
    )
    assert (original.reposts, original.comments, original.likes) == (5000, 23000, 8000)
    assert repost.repost_of == "9000000000000011"
    assert repost.created_at == utc(2019, 9, 1, 0, 30)


def test_merged_long_text_replaces_the_truncated_text() -> None:
    [post] = posts_of(load("long_text_post.json"))
    assert post.text == (
        "我仔细读了这份用户协议，有几点值得注意：\n一、授权是永久且不可撤销的；\n"
        "二、可转授权给第三方。[怒]"
    )
    assert (post.reposts, post.comments, post.likes) == (9876, 15000, 1_000_000)


def test_missing_fields_are_tolerated_and_unknown_ones_ignored() -> None:
    [post] = posts_of({"mid": 42, "created_at": "刚刚", "brand_new_field": {"x": [1]}})
    assert post == Post(
        source="weibo-search",
        external_id="42",
        created_at=utc(2019, 8, 31, 4, 0),
        text="",
        url="https://m.weibo.cn/status/42",
    )


def test_an_odd_bid_is_not_put_into_the_url() -> None:
    [post] = posts_of({"id": "7", "created_at": "刚刚", "text": "x", "bid": "../evil?x=1"})
    assert post.url == "https://m.weibo.cn/status/7"


def test_raw_author_ids_appear_nowhere_in_the_records() -> None:
    for post in posts_of(load("search_page.json")) + posts_of(load("statuses_show_repost.json")):
        assert "10000000" not in repr(post)
        assert "测试用户" not in (post.author or "")


def test_string_and_integer_user_ids_give_the_same_author() -> None:
    as_int = posts_of({"id": "1", "created_at": "刚刚", "text": "", "user": {"id": 5}})
    as_str = posts_of({"id": "1", "created_at": "刚刚", "text": "", "user": {"id": "5"}})
    assert as_int[0].author == as_str[0].author == PSEUDONYMIZE("weibo", "5")


@pytest.mark.parametrize(
    ("mblog", "reason"),
    [
        ({"created_at": "刚刚", "text": "no id"}, "id missing"),
        ({"id": [1], "created_at": "刚刚"}, "id: expected a string or integer"),
        ({"id": " ", "mid": None, "created_at": "刚刚"}, "id missing"),
        ({"id": "1", "text": "no time"}, "created_at"),
        ({"id": "1", "created_at": "someday"}, "created_at"),
        ({"id": "1", "created_at": "刚刚", "text": 5}, "text"),
        ({"id": "1", "created_at": "刚刚", "reposts_count": -2}, "reposts_count"),
        ({"id": "1", "created_at": "刚刚", "attitudes_count": "lots"}, "attitudes_count"),
        ({"id": "1", "created_at": "刚刚", "retweeted_status": "gone"}, "retweeted_status"),
        (
            {"id": "1", "created_at": "刚刚", "retweeted_status": {"id": "2", "user": {}}},
            "retweeted_status post 2: created_at",
        ),
        ("not a post", "post"),
    ],
)
def test_structurally_bad_posts_are_record_errors(mblog: Any, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        mblog_to_posts(mblog, source="s", fetched_at=FETCHED, pseudonymize=PSEUDONYMIZE)


def test_a_bad_user_id_error_does_not_echo_it() -> None:
    mblog = {"id": "1", "created_at": "刚刚", "user": {"id": {"secret": "1000000001"}}}
    with pytest.raises(RecordError, match="user.id") as caught:
        mblog_to_posts(mblog, source="s", fetched_at=FETCHED, pseudonymize=PSEUDONYMIZE)
    assert "1000000001" not in str(caught.value)


SHARED_SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "weibo_api"


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="../shared/data/weibo_api not present")
def test_the_real_response_samples_parse_without_leaking_user_ids() -> None:
    """Checks against real m.weibo.cn bodies, read in place (never copied into the repo)."""
    fetched = datetime(2022, 8, 25, tzinfo=UTC)
    for path in sorted(SHARED_SAMPLES.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        if not any(kind in path.name for kind in ("getIndex_user", "statuses_show")):
            with pytest.raises(RecordError, match="holds no posts"):
                list(iter_mblogs(body))
            continue
        posts = posts_of(body, fetched)
        assert posts, path.name
        user_ids = {str(mblog["user"]["id"]) for mblog in iter_mblogs(body)}
        for post in posts:
            assert post.created_at < fetched and post.text and post.author
            assert post.url and post.url.startswith("https://m.weibo.cn/status/")
            assert not any(uid in repr(post) for uid in user_ids)
