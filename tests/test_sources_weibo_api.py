"""Weibo bodies to data or typed errors (pure), including the property that any body
yields posts or a typed error, never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import SourceError, ThrottledError, TransientError
from monitor.sources.base import Response
from monitor.sources.errors import BadResponseError, LoginRequiredError, VerificationError
from monitor.sources.weibo_api import (
    created_at_slack,
    map_mblogs,
    parse_body,
    read_hot_search,
    read_index,
)
from monitor.storage.live import HotSearchEntry
from tests.live_helpers import PSEUDONYMIZE

FIXTURES = Path(__file__).parent / "fixtures" / "weibo"
FETCHED = datetime(2019, 9, 1, 4, tzinfo=UTC)


def response(body: Any) -> Response:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return Response("http://127.0.0.1/api", 200, text, {}, FETCHED)


def read_page(text: str) -> list[Any]:
    """Everything a source does with a getIndex body, minus HTTP."""
    data = parse_body(response(text))
    index = read_index(data, {"page": 1})
    mapped = map_mblogs(index.mblogs, source="s", fetched_at=FETCHED, pseudonymize=PSEUDONYMIZE)
    hot, _ = read_hot_search(data)
    return [*mapped.posts, *hot]


# -- envelopes -------------------------------------------------------------------------


@pytest.mark.parametrize("body, error", [
    ({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}, LoginRequiredError),
    ({"ok": 0, "msg": "操作过于频繁"}, ThrottledError),
    ({"ok": 0, "msg": "访问频次过高，请稍后再试"}, ThrottledError),
    ({"ok": 1, "url": "https://security.weibo.com/captcha/geetest"}, VerificationError),
    ({"url": "https://passport.weibo.cn/visitor/visitor"}, VerificationError),
    ({"ok": 0, "msg": "参数错误"}, BadResponseError),
    ({"ok": 7, "data": {}}, BadResponseError),
    ([{"ok": 1}], BadResponseError),
    ('{"ok":1,"data":{"cards":[{"card_type":9,"mb', BadResponseError),
    ("<html><title>Sina Visitor System</title></html>", VerificationError),
    ("<html><body>502 Bad Gateway</body></html>", BadResponseError),
    ("   ", BadResponseError),
])
def test_failure_bodies_are_typed(body: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_body(response(body))


def test_login_wall_and_rate_limit_are_terminal_and_transient_respectively() -> None:
    assert issubclass(LoginRequiredError, SourceError) and issubclass(VerificationError, SourceError)
    assert issubclass(ThrottledError, TransientError) and issubclass(BadResponseError, TransientError)


def test_empty_container_is_no_data_not_an_error() -> None:
    empty = json.loads((FIXTURES / "empty_container.json").read_text(encoding="utf-8"))
    assert parse_body(response(empty)) is None
    assert parse_body(response({"ok": 0, "msg": "抱歉，此微博已被作者删除", "data": {}})) is None
    with pytest.raises(LoginRequiredError):
        parse_body(response((FIXTURES / "login_wall.json").read_text(encoding="utf-8")))


# -- getIndex pages --------------------------------------------------------------------


def card(ident: int, **mblog: Any) -> dict[str, Any]:
    return {"card_type": 9, "mblog": {"id": str(ident), "created_at": "Sat Aug 31 12:00:00 +0800 2019",
                                      "text": f"post {ident}", "user": {"id": 1}, **mblog}}


def test_posts_at_top_level_and_inside_card_groups_in_page_order() -> None:
    data = {"cardlistInfo": {"page": 2}, "cards": [
        {"card_type": 11, "card_group": [{"card_type": 4, "desc": "info"}, card(3), card(2)]},
        card(1), {"card_type": 11, "is_asyn": 1}, {"card_type": 42}, "junk",
        {"card_type": 9, "mblog": "not an object"},
    ]}
    index = read_index(data, {"page": 1})
    assert [m["id"] for m in index.mblogs] == ["3", "2", "1"]
    assert len(index.rejects) == 1 and "mblog" in index.rejects[0]
    assert index.next_params == {"page": 2}


def test_real_shaped_search_fixture() -> None:
    data = parse_body(response((FIXTURES / "search_page.json").read_text(encoding="utf-8")))
    index = read_index(data, {"page": 1})
    mapped = map_mblogs(index.mblogs, source="s", fetched_at=FETCHED, pseudonymize=PSEUDONYMIZE)
    assert mapped.posts and not mapped.rejects and index.next_params == {"page": 2}


@pytest.mark.parametrize("info, params, has_posts, expected", [
    ({"since_id": 4806110650831915}, {}, True, {"since_id": "4806110650831915"}),
    ({"since_id": 0}, {"since_id": "5"}, True, None),
    ({"since_id": "7"}, {"since_id": "7"}, True, None),
    ({"page": 3}, {"page": 2}, True, {"page": 3}),
    ({"page": None}, {"page": 2}, True, None),
    ({}, {"page": 2}, True, {"page": 3}),
    ({}, {"page": 2}, False, None),
])
def test_next_page_from_cardlist_info(info: dict[str, Any], params: dict[str, Any], has_posts: bool,
                                      expected: Any) -> None:
    cards = [card(1)] if has_posts else []
    assert read_index({"cardlistInfo": info, "cards": cards}, params).next_params == expected


def test_pinned_posts_carry_no_mark_and_bad_posts_are_rejected_with_reasons() -> None:
    mblogs = [card(9, isTop=1)["mblog"], card(8)["mblog"], {"id": "7", "created_at": "昨天的某个时候", "text": "x"}]
    mapped = map_mblogs(mblogs, source="s", fetched_at=FETCHED, pseudonymize=PSEUDONYMIZE)
    assert [p.external_id for p in mapped.posts] == ["9", "8"]
    assert [m.id for m in mapped.marks] == ["8"]
    assert len(mapped.rejects) == 1 and "created_at" in mapped.rejects[0]


def test_reposts_map_to_the_original_and_the_repost_with_slack_for_relative_times() -> None:
    repost = card(20, created_at="5分钟前", retweeted_status={
        "id": "10", "created_at": "08-31", "text": "原文", "user": {"id": 2}})["mblog"]
    mapped = map_mblogs([repost], source="s", fetched_at=FETCHED, pseudonymize=PSEUDONYMIZE)
    original, outer = mapped.posts
    assert (original.external_id, outer.repost_of) == ("10", "10")
    assert mapped.slack == {"20": (timedelta(minutes=1), timedelta(0)), "10": (timedelta(0), timedelta(days=1))}


@pytest.mark.parametrize("shown, before, after", [
    ("刚刚", timedelta(minutes=1), timedelta(0)),
    ("12秒前", timedelta(seconds=1), timedelta(0)),
    ("5分钟前", timedelta(minutes=1), timedelta(0)),
    ("3小时前", timedelta(hours=1), timedelta(0)),
    ("昨天 12:03", timedelta(0), timedelta(minutes=1)),
    ("08-31", timedelta(0), timedelta(days=1)),
    ("2018-08-31", timedelta(0), timedelta(days=1)),
    ("08-31 12:00", timedelta(0), timedelta(minutes=1)),
    ("Sat Aug 31 12:00:00 +0800 2019", timedelta(0), timedelta(0)),
])
def test_created_at_slack(shown: str, before: timedelta, after: timedelta) -> None:
    assert created_at_slack(shown) == (before, after)


def test_hot_search_skips_ads_and_converts_heat() -> None:
    data = {"realtime": [
        {"word": "ZAO换脸", "num": 1234567, "rank": 0, "realpos": 1, "label_name": "爆"},
        {"word": "广告", "is_ad": 1, "num": 0},
        {"word": "开学第一课", "num": "43.4万", "rank": 1, "label_name": ""},
        {"word": "", "num": 5}, "junk", {"word": "无排名", "num": None},
    ]}
    entries, rejects = read_hot_search(data)
    assert entries == [HotSearchEntry(1, "ZAO换脸", 1234567, "爆"), HotSearchEntry(2, "开学第一课", 434000, None),
                       HotSearchEntry(3, "无排名", 0, None)]
    assert len(rejects) == 1 and "word" in rejects[0]


# -- property --------------------------------------------------------------------------

weibo_keys = st.sampled_from(["ok", "msg", "data", "url", "cards", "card_type", "card_group", "mblog", "id",
                              "mid", "created_at", "text", "user", "retweeted_status", "isLongText",
                              "cardlistInfo", "page", "since_id", "realtime", "word", "num", "is_ad",
                              "reposts_count", "isTop", "longTextContent"])
scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12)
           | st.sampled_from([9, 11, 1, 0, -100, "9", "刚刚", "3小时前", "08-31", "43.4万", "操作过于频繁"]))
json_values = st.recursive(
    scalars, lambda children: st.lists(children, max_size=4) | st.dictionaries(weibo_keys | st.text(max_size=5),
                                                                               children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_body_yields_posts_or_a_typed_error(body: Any) -> None:
    try:
        text = json.dumps(body, ensure_ascii=False)
    except ValueError:
        return
    try:
        read_page(text)
    except (SourceError, TransientError):
        pass


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.text(max_size=20))
def test_any_cut_or_garbled_real_body_yields_posts_or_a_typed_error(cut: int, junk: str) -> None:
    text = (FIXTURES / "search_page.json").read_text(encoding="utf-8")
    for body in (text[:cut], text[:cut] + junk, junk + text[cut:]):
        try:
            read_page(body)
        except (SourceError, TransientError):
            pass
