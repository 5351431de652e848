"""The replay server over real HTTP on 127.0.0.1: Weibo's shapes, the virtual clock, faults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx
import pytest

from monitor.replay.clock import VirtualClock
from monitor.replay.data import ReplayData
from monitor.replay.faults import Fault, FaultPlan
from monitor.replay.server import ReplayServer
from monitor.replay.shapes import bid_of, to_html, weibo_time
from monitor.text import html_to_text
from tests.live_helpers import beijing, post

NOW = beijing(2019, 8, 31, 12, 0)
LONG = "我仔细读了这份用户协议#ZAO用户协议#，" + "授权是永久且不可撤销的，" * 20 + "[怒]"
POSTS = [
    post(100, beijing(2019, 8, 30, 9, 0), LONG, author="2000000001", likes=123456),
    post(101, beijing(2019, 8, 31, 11, 0), "转发微博//@用户甲:太可怕了", author="2000000002", repost_of="100"),
    *[post(200 + i, beijing(2019, 8, 31, 10, i), f"#ZAO# 第{i}条[哈哈]", author="2000000003") for i in range(25)],
    post(900, beijing(2019, 8, 31, 13, 0), "未来的ZAO帖子"),
]


@pytest.fixture
def plan() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def server(plan: FaultPlan) -> Iterator[ReplayServer]:
    with ReplayServer(ReplayData(POSTS), VirtualClock(NOW), faults=plan) as running:
        yield running


def get(server: ReplayServer, path: str, **params: Any) -> httpx.Response:
    return httpx.get(server.url + path, params=params, follow_redirects=False)


def search(server: ReplayServer, q: str = "ZAO", page: int = 1) -> dict[str, Any]:
    body: dict[str, Any] = get(server, "/api/container/getIndex", containerid=f"100103type=1&q={q}",
                               page_type="searchall", page=page).json()
    return body


def mblogs(body: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for card in body["data"]["cards"]:
        for item in card.get("card_group", [card]):
            if item.get("card_type") == 9:
                found.append(item["mblog"])
    return found


def test_only_posts_before_now_are_visible_newest_first(server: ReplayServer) -> None:
    first = mblogs(search(server))
    ids = [m["id"] for m in first]
    assert "900" not in ids and ids == sorted(ids, reverse=True)
    server.clock.advance(timedelta(hours=2))
    assert mblogs(search(server))[0]["id"] == "900"


def test_search_pages_mix_grouped_and_top_level_cards_then_end_empty(server: ReplayServer) -> None:
    body = search(server)
    kinds = [card["card_type"] for card in body["data"]["cards"]]
    assert kinds.count(9) == 8 and kinds.count(11) == 3
    assert body["data"]["cardlistInfo"]["page"] == 2
    assert "page" not in search(server, page=3)["data"]["cardlistInfo"]
    assert search(server, page=4) == {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}


def test_date_header_and_relative_times_follow_the_virtual_clock(server: ReplayServer) -> None:
    response = get(server, "/ajax/side/hotSearch")
    assert response.headers["Date"] == "Sat, 31 Aug 2019 04:00:00 GMT"
    shown = {m["id"]: m["created_at"] for m in mblogs(search(server))}
    assert shown["224"] == "1小时前"
    assert get(server, "/statuses/show", id="100").json()["data"]["created_at"] == "Fri Aug 30 09:00:00 +0800 2019"


@pytest.mark.parametrize("age, style, shown", [
    (timedelta(seconds=20), "full", "刚刚"),
    (timedelta(minutes=5, seconds=30), "full", "5分钟前"),
    (timedelta(hours=3, minutes=59), "full", "3小时前"),
    (timedelta(hours=13), "full", "昨天 23:00"),
    (timedelta(days=2), "full", "Thu Aug 29 12:00:00 +0800 2019"),
    (timedelta(days=2), "short", "08-29"),
    (timedelta(days=400), "short", "2018-07-27"),
])
def test_weibo_times(age: timedelta, style: str, shown: str) -> None:
    assert weibo_time(NOW - age, NOW, style) == shown


def test_long_posts_are_cut_and_completed_by_extend(server: ReplayServer) -> None:
    body = get(server, "/statuses/show", id="100").json()["data"]
    assert body["isLongText"] is True and body["text"].endswith('...<a href="/status/100">全文</a>')
    assert len(html_to_text(body["text"])) == 140
    full = get(server, "/statuses/extend", id="100").json()["data"]["longTextContent"]
    assert html_to_text(full) == LONG
    assert body["attitudes_count"] == "12.3万"
    gone = get(server, "/statuses/extend", id="900").json()
    assert gone["ok"] == 0 and "删除" in gone["msg"]


def test_reposts_carry_the_original(server: ReplayServer) -> None:
    repost = get(server, "/statuses/show", id="101").json()["data"]
    assert repost["retweeted_status"]["id"] == "100" and repost["retweeted_status"]["user"]["id"] == 2000000001
    assert "//<a href='/n/用户甲'>@用户甲</a>:" in repost["text"]


def test_html_round_trips_to_the_plain_text() -> None:
    for text in ("#ZAO换脸# 好玩[哈哈][doge]\n第二行 @某人 说 a<b & c", LONG):
        assert html_to_text(to_html(text)) == html_to_text(text.replace("<", "&lt;"))
    assert bid_of("4383180406740606") == "HyTTWshxs"  # Weibo's own short id of that mid


def test_user_timelines_page_by_number_with_a_pinned_post(server: ReplayServer) -> None:
    body = get(server, "/api/container/getIndex", containerid="1076032000000003").json()
    cards = body["data"]["cards"]
    assert cards[0]["mblog"]["isTop"] == 1 and cards[0]["mblog"]["id"] == "200"
    assert [c["mblog"]["id"] for c in cards[1:4]] == ["224", "223", "222"]
    assert body["data"]["cardlistInfo"]["page"] == 2
    info = get(server, "/api/container/getIndex", type="uid", value="2000000003").json()["data"]
    assert info["userInfo"]["statuses_count"] == 25 and info["tabsInfo"]["tabs"][1]["containerid"] == "1076032000000003"


def test_user_timelines_page_by_since_id() -> None:
    with ReplayServer(ReplayData(POSTS), VirtualClock(NOW), timeline_paging="since_id") as server:
        first = get(server, "/api/container/getIndex", containerid="1076032000000003").json()["data"]
        assert first["cardlistInfo"]["since_id"] == 214 and "page" not in first["cardlistInfo"]
        second = get(server, "/api/container/getIndex", containerid="1076032000000003", since_id=214).json()
        assert [m["id"] for m in mblogs(second)][:2] == ["214", "213"]


def test_hot_search_lists_recent_topics_by_heat_with_an_advert(server: ReplayServer) -> None:
    realtime = get(server, "/ajax/side/hotSearch").json()["data"]["realtime"]
    words = [entry["word"] for entry in realtime if not entry.get("is_ad")]
    assert "ZAO" in words and any(entry.get("is_ad") == 1 for entry in realtime)
    zao = next(entry for entry in realtime if entry["word"] == "ZAO")
    assert zao["realpos"] == zao["rank"] + 1 and zao["num"] > 0 and zao["label_name"] == "新"


def test_rss_feed_is_a_real_feed(server: ReplayServer) -> None:
    feed = feedparser.parse(get(server, "/rss/weibo/keyword/ZAO").content)
    assert not feed.bozo and len(feed.entries) == 20
    newest = feed.entries[0]
    assert newest.link.startswith("https://weibo.com/2000000003/") and "[哈哈]" in html_to_text(newest.summary)
    assert datetime(*newest.published_parsed[:6], tzinfo=UTC) == beijing(2019, 8, 31, 10, 24)
    assert get(server, "/rss/weibo/user/2000000001").status_code == 200
    assert get(server, "/nothing/here").status_code == 404


@pytest.mark.parametrize("kind, status", [("status-418", 418), ("status-432", 432), ("status-414", 414),
                                          ("status-503", 503), ("visitor-redirect", 302)])
def test_status_faults(server: ReplayServer, plan: FaultPlan, kind: str, status: int) -> None:
    plan.add(Fault(kind, retry_after=30 if status == 418 else None))
    response = get(server, "/api/container/getIndex", containerid="100103type=1&q=ZAO")
    assert response.status_code == status
    assert response.headers.get("Retry-After") == ("30" if status == 418 else None)
    assert get(server, "/api/container/getIndex", containerid="100103type=1&q=ZAO").status_code == 200
    assert plan.kinds_served() == [kind]


def test_body_faults(server: ReplayServer, plan: FaultPlan) -> None:
    plan.add(Fault("rate-limit"), Fault("login", after=1), Fault("captcha", after=2), Fault("truncated", after=3),
             Fault("not-json", after=4), Fault("visitor-page", after=5), Fault("bad-post", after=6))
    bodies = [get(server, "/api/container/getIndex", containerid="100103type=1&q=ZAO").text for _ in range(7)]
    assert '"msg":"操作过于频繁"' in bodies[0] and '"ok":-100' in bodies[1] and "captcha" in bodies[2]
    assert bodies[3].startswith('{"ok":1') and not bodies[3].endswith("}")
    assert "502" in bodies[4] and "Sina Visitor System" in bodies[5] and "某个时候" in bodies[6]


def test_faults_match_a_query_and_skip_the_first_requests(server: ReplayServer, plan: FaultPlan) -> None:
    plan.add(Fault("status-418", match="q=换脸", after=1, times=2))
    statuses = [get(server, "/api/container/getIndex", containerid=f"100103type=1&q={q}").status_code
                for q in ("换脸", "ZAO", "换脸", "换脸", "换脸")]
    assert statuses == [200, 200, 418, 418, 200]


def test_duplicate_fault_repeats_the_previous_pages_last_post(server: ReplayServer, plan: FaultPlan) -> None:
    plan.add(Fault("duplicate"))
    last_of_first = mblogs(search(server, page=1))[-1]["id"]
    assert mblogs(search(server, page=2))[0]["id"] == last_of_first


def test_edits_change_the_text_from_their_time_on(server: ReplayServer, plan: FaultPlan) -> None:
    plan.edits["224"] = (NOW + timedelta(minutes=30), "#ZAO# 第24条（已编辑）")
    assert mblogs(search(server))[0]["text"].startswith('<a href')
    assert "edit_count" not in mblogs(search(server))[0]
    server.clock.advance(timedelta(hours=1))
    edited = next(m for m in mblogs(search(server)) if m["id"] == "224")
    assert "已编辑" in edited["text"] and edited["edit_count"] == 1


def test_missing_cookie_goes_to_the_visitor_system(plan: FaultPlan) -> None:
    plan.require_cookie = "SUB=abc"
    with ReplayServer(ReplayData(POSTS), VirtualClock(NOW), faults=plan) as server:
        assert get(server, "/ajax/side/hotSearch").status_code == 302
        ok = httpx.get(server.url + "/ajax/side/hotSearch", headers={"Cookie": "SUB=abc"})
        assert ok.status_code == 200 and server.cookies_seen == ["SUB=abc"]


def test_virtual_clock_runs_at_its_speed() -> None:
    wall = [0.0]
    clock = VirtualClock(NOW, speed=60, wall=lambda: wall[0])
    wall[0] = 10.0
    assert clock.now() == NOW + timedelta(minutes=10)
    clock.speed = 0
    wall[0] = 99.0
    assert clock.now() == NOW + timedelta(minutes=10)
    clock.set(NOW)
    assert clock.advance(timedelta(hours=1)) == NOW + timedelta(hours=1)


def test_scenario_and_jsonl_data(tmp_path: Any) -> None:
    data = ReplayData.load("zao-2019:0.05")
    assert data.posts and data.top_authors(2)
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "1", "created_at": "2019-08-31T12:00:00+08:00", "text": "hi", "author_id": 7}\n'
                    "not json\n\n" + '{"id": "2", "text": "no time"}\n', encoding="utf-8")
    loaded = ReplayData.load(str(path))
    assert [p.id for p in loaded.posts] == ["1"] and loaded.skipped == 2 and loaded.posts[0].author_id == "7"
