"""The live sources paging the replay server through real sockets (no database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from monitor.ingest.weibo import AUTHOR_NAMESPACE
from monitor.replay.data import ReplayData
from monitor.replay.faults import Fault, FaultPlan
from monitor.sources.base import Page
from monitor.sources.cursor import CursorState
from monitor.sources.http import PoliteClient
from monitor.sources.registry import make_source
from monitor.text import html_to_text
from tests.live_helpers import PSEUDONYMIZE, FakeClock, beijing, context, post, replay_server, source_settings

NOW = beijing(2019, 8, 31, 12, 0)
LONG = "这份#ZAO用户协议#说：" + "授权是永久且不可撤销的，可转授权给第三方；" * 12 + "[怒]"
POSTS = [
    post(100, beijing(2019, 8, 30, 9, 0), LONG, author="2000000001", likes=123456, reposts=9999),
    post(101, beijing(2019, 8, 31, 11, 0), "ZAO真可怕//@用户甲:转发一下", author="2000000002", repost_of="100"),
    *[post(200 + i, beijing(2019, 8, 31, 10, i), f"#ZAO# 第{i}条[哈哈]", author="2000000003") for i in range(25)],
]


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    with PoliteClient(clock=FakeClock()) as polite:
        yield polite


def scrape(client: PoliteClient, base_url: str, kind: str, key: str, cursor: str | None = None,
           **settings: Any) -> list[Page]:
    field = {"weibo-search": "queries", "weibo-user": "uids"}.get(kind)
    keys = {field: (key,)} if field else {}
    source = make_source(source_settings("s", kind, base_url, **{**keys, **settings}))
    assert key in source.keys()
    return list(source.scrape(key, cursor, context(client)))


def posts_of(pages: list[Page]) -> dict[str, Any]:
    return {p.external_id: p for page in pages for p in page.posts}


def test_search_takes_grouped_and_top_level_posts_completes_long_texts_and_links_reposts(
    client: PoliteClient,
) -> None:
    with replay_server(ReplayData(POSTS), NOW) as server:
        pages = scrape(client, server.url, "weibo-search", "ZAO")
    found = posts_of(pages)
    assert set(found) == {p.id for p in POSTS}
    assert found["100"].text == html_to_text(LONG) and len(found["100"].text) > 140
    assert (found["100"].likes, found["100"].reposts) == (123000, 9999)  # served as "12.3万" and 9999
    assert found["101"].repost_of == "100" and found["101"].text == "ZAO真可怕//@用户甲:转发一下"
    assert found["224"].text == "#ZAO# 第24条[哈哈]"
    assert timedelta(0) <= found["224"].created_at - beijing(2019, 8, 31, 10, 24) <= timedelta(hours=1)  # 1小时前
    assert found["224"].author == PSEUDONYMIZE(AUTHOR_NAMESPACE, "2000000003")
    assert [len(page.posts) > 0 for page in pages] == [True, True, True, False]  # then an empty last page
    assert all(not page.rejects for page in pages)
    state = CursorState.from_json(pages[-1].cursor)
    assert state.newest is not None and state.newest.id == "224" and state.resume is None


AGES = {  # shown form -> (age, how far off its reading may be)
    "刚刚": (timedelta(seconds=20), timedelta(minutes=1)),
    "分钟前": (timedelta(minutes=5, seconds=30), timedelta(minutes=1)),
    "小时前": (timedelta(hours=3, minutes=59), timedelta(hours=1)),
    "昨天": (timedelta(hours=13, seconds=42), timedelta(minutes=1)),
    "MM-DD": (timedelta(days=2, hours=5), timedelta(days=1)),
    "YYYY-MM-DD": (timedelta(days=400), timedelta(days=1)),
}


def test_every_created_at_form_is_resolved_against_the_fetch_time(client: PoliteClient) -> None:
    data = ReplayData([post(300 + i, NOW - age, f"ZAO {form}") for i, (form, (age, _)) in enumerate(AGES.items())])
    with replay_server(data, NOW, date_style="short") as server:
        shown = httpx.get(server.url + "/api/container/getIndex",
                          params={"containerid": "100103type=1&q=ZAO", "page": 1}).text
        pages = scrape(client, server.url, "weibo-search", "ZAO", lookback_hours=24 * 500)
    assert all(form in shown for form in ("刚刚", "分钟前", "小时前", "昨天 ", '"08-29"', '"2018-07-27"'))
    found = posts_of(pages)
    for i, (form, (age, precision)) in enumerate(AGES.items()):
        assert abs(found[str(300 + i)].created_at - (NOW - age)) <= precision, form
        assert found[str(300 + i)].created_at.utcoffset() == timedelta(0)


def test_second_pass_stops_at_the_cursor(client: PoliteClient) -> None:
    with replay_server(ReplayData(POSTS), NOW) as server:
        first = scrape(client, server.url, "weibo-search", "ZAO")
        asked = len(server.requests)
        again = scrape(client, server.url, "weibo-search", "ZAO", cursor=first[-1].cursor)
        assert len(again) == 1
        assert [r.split("&page=")[-1] for r in server.requests[asked:] if "getIndex" in r] == ["1"]


def test_user_timeline_by_page_number_ignores_the_pinned_post_for_the_cursor(client: PoliteClient) -> None:
    with replay_server(ReplayData(POSTS), NOW) as server:
        pages = scrape(client, server.url, "weibo-user", "2000000003")
        found = posts_of(pages)
        assert len(found) == 25 and any("page=3" in request for request in server.requests)
        state = CursorState.from_json(pages[-1].cursor)
        assert state.newest is not None and state.newest.id == "224"
        again = scrape(client, server.url, "weibo-user", "2000000003", cursor=pages[-1].cursor)
        assert len(again) == 1  # the pinned (oldest) post on top did not count as new, nor stop early


def test_user_timeline_by_since_id_resumes_exactly(client: PoliteClient) -> None:
    with replay_server(ReplayData(POSTS), NOW, timeline_paging="since_id") as server:
        part = scrape(client, server.url, "weibo-user", "2000000003", max_pages=1)
        assert part[-1].gap is not None
        rest = scrape(client, server.url, "weibo-user", "2000000003", cursor=part[-1].cursor)
        assert any("since_id=214" in request for request in server.requests)
    assert set(posts_of(part)) | set(posts_of(rest)) == {str(200 + i) for i in range(25)}
    assert CursorState.from_json(rest[-1].cursor).resume is None


def test_a_failed_long_text_keeps_the_truncated_text_and_says_so(client: PoliteClient) -> None:
    plan = FaultPlan([Fault("not-json", path="/statuses/extend", times=50)])
    with replay_server(ReplayData(POSTS), NOW, plan) as server:
        pages = scrape(client, server.url, "weibo-search", "ZAO")
    assert len(posts_of(pages)["100"].text) == 140
    assert any("long text of 100 not completed" in note for page in pages for note in page.notes)


def test_hot_search_source(client: PoliteClient) -> None:
    with replay_server(ReplayData(POSTS), NOW) as server:
        (page,) = scrape(client, server.url, "weibo-hot", "realtime")
    words = [entry.word for entry in page.hot]
    assert "ZAO" in words and "某品牌新品限时发售" not in words
    assert [entry.rank for entry in page.hot] == list(range(1, len(page.hot) + 1))
    assert page.fetched_at == NOW and not page.posts


def test_rss_source_maps_entries_with_the_weibo_pseudonym(client: PoliteClient) -> None:
    with replay_server(ReplayData(POSTS), NOW) as server:
        (page,) = scrape(client, server.url, "rss", "ZAO", url="/rss/weibo/keyword/{query}", queries=("ZAO",))
    found = {p.created_at: p for p in page.posts}
    newest = found[beijing(2019, 8, 31, 10, 24)]
    assert newest.text == "#ZAO# 第24条[哈哈]" and newest.author == PSEUDONYMIZE(AUTHOR_NAMESPACE, "2000000003")
    assert len(page.posts) == 20 and page.gap is None
    later = CursorState.from_json(page.cursor)
    assert later.newest is not None and later.newest.at == beijing(2019, 8, 31, 11, 0)
