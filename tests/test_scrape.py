"""`monitor.scrape` on SQLite and PostgreSQL against the replay server through sockets:
the scenario collected exactly once across restarts and faults, failures isolated and
recorded, cursors stored after their posts, hot-search series, cookies kept secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from monitor.config import Settings, SourceSettings
from monitor.replay.clock import VirtualClock
from monitor.replay.data import ReplayData
from monitor.replay.faults import Fault, FaultPlan
from monitor.replay.server import ReplayServer
from monitor.scrape import SourceRun, run_sources
from monitor.sources.http import PoliteClient
from monitor.storage import Storage
from monitor.storage.models import PostRow, SourceRow
from monitor.text import html_to_text
from tests.live_helpers import PSEUDONYMIZE, FakeClock, beijing, post, replay_server, source_settings

QUERIES = ("ZAO", "换脸")


class CrashingStorage(Storage):
    """The process dies (KeyboardInterrupt) right after a page's posts are committed,
    before its cursor is: the worst moment for resumption."""

    crash_on = 0
    calls = 0

    def set_cursor(self, source: str, key: str, value: str) -> None:
        self.calls += 1
        if self.calls == self.crash_on:
            raise KeyboardInterrupt
        super().set_cursor(source, key, value)


def stored(storage: Storage, source: str) -> dict[str, tuple[Any, ...]]:
    """external id -> (text, created_at (aware UTC), repost_of) of a source's posts."""
    query = (select(PostRow.external_id, PostRow.text, PostRow.created_at, PostRow.repost_of)
             .join(SourceRow, SourceRow.id == PostRow.source_id).where(SourceRow.name == source))
    with Session(storage.engine) as session:
        return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def expected_ids(data: ReplayData, found: list[Any]) -> set[str]:
    """The posts a source must end up with: what it lists, plus reposted originals."""
    ids = {p.id for p in found}
    return ids | {p.repost_of for p in found if p.repost_of and p.repost_of in data.by_id}


def one_pass(url: str, settings: Settings, at: datetime, crash_on: int = 0) -> list[SourceRun]:
    """A fresh process: new storage connection, new client (no politeness memory)."""
    storage = CrashingStorage.open(url)
    storage.crash_on = crash_on
    try:
        with PoliteClient(clock=FakeClock()) as client:
            return run_sources(storage, settings, at, client=client, pseudonymize=PSEUDONYMIZE)
    finally:
        storage.close()


FAULTS_BY_PASS: dict[int, list[Fault]] = {
    1: [Fault("status-418", times=3)],
    2: [Fault("status-432", retry_after=30)],
    3: [Fault("rate-limit", times=2)],
    4: [Fault("truncated", after=1), Fault("not-json", after=2)],
    5: [Fault("slow", delay=1.5)],
    6: [Fault("duplicate", times=3)],
    7: [Fault("login", match="q=ZAO")],
    8: [Fault("status-418", times=4)],  # outlasts max_retries=3: the host cools down, the pass fails fast
    10: [Fault("captcha", match="containerid=107603", after=1)],
    11: [Fault("visitor-redirect", match="q=换脸")],
    17: [Fault("status-403", match="q=ZAO", after=1)],  # in the storm: fails ZAO after its first page
}
CRASH_PASS = 9


def test_the_scenario_is_collected_exactly_once_across_restarts_and_faults(storage: Storage) -> None:
    url = storage.engine.url.render_as_string(hide_password=False)
    data = ReplayData.from_scenario(scale=0.15)
    uids = tuple(data.top_authors(2))
    plan = FaultPlan()
    fast: dict[str, Any] = {"max_pages": 6, "lookback_hours": 48.0, "timeout_seconds": 1.0, "max_retries": 3}
    window = data.window()
    assert window is not None
    end = window[1] + timedelta(minutes=1)
    runs: list[SourceRun] = []
    crashed_new = 0
    with ReplayServer(data, VirtualClock(window[0]), faults=plan) as server:
        settings = Settings(sources=(source_settings("search", "weibo-search", server.url, queries=QUERIES, **fast),
                                     source_settings("users", "weibo-user", server.url, uids=uids, **fast)))
        moment, number = window[0] + timedelta(hours=30), 0
        while True:
            number += 1
            server.clock.set(min(moment, end))
            plan.add(*FAULTS_BY_PASS.get(number, []))
            before = len(stored(storage, "search")) + len(stored(storage, "users"))
            try:
                runs += one_pass(url, settings, server.clock.now(), crash_on=3 if number == CRASH_PASS else 0)
            except KeyboardInterrupt:
                assert number == CRASH_PASS
                crashed_new = len(stored(storage, "search")) + len(stored(storage, "users")) - before
            if moment >= end:
                break
            moment += timedelta(hours=11)
    want_search = expected_ids(data, [p for q in QUERIES for p in data.search(q, end)])
    want_users = expected_ids(data, [p for uid in uids for p in data.timeline(uid, end)])
    got_search, got_users = stored(storage, "search"), stored(storage, "users")
    assert set(got_search) == want_search and set(got_users) == want_users
    assert len(want_search) > 300
    assert crashed_new > 0  # the crashed pass committed posts, but not its cursor, and recorded no run
    assert sum(run.result.new for run in runs) + crashed_new == len(want_search) + len(want_users)
    for ext, (body, created_at, repost_of) in {**got_search, **got_users}.items():
        truth = data.by_id[ext]
        assert body == html_to_text(truth.text)  # long texts completed
        assert timedelta(minutes=-2) <= created_at - truth.created_at <= timedelta(hours=1)
        assert repost_of is None or repost_of in got_search or repost_of in got_users
    served = set(plan.kinds_served())
    assert served >= {kind for faults in FAULTS_BY_PASS.values() for kind in (f.kind for f in faults)}
    assert any(run.throttled_seconds >= 30 for run in runs)
    walled = [run for run in runs if any("login required" in e for e in run.result.errors)]
    assert len(walled) == 1 and walled[0].status == "failed" and "skipped 1 more" in walled[0].result.errors[1]
    refused = [run for run in runs if any("HTTP 403" in e for e in run.result.errors)]
    assert len(refused) == 1 and refused[0].status == "partial" and refused[0].result.pages > 1
    assert any(not run.result.complete and "max_pages" in " ".join(run.result.errors) for run in runs)
    final = [run for run in runs[-2:]]
    assert all(run.status == "ok" and run.result.complete and run.result.new == 0 for run in final)
    assert {run.source for run in storage.last_scrape_runs()} == {"search", "users"}


@pytest.fixture
def scenario_server() -> Iterator[ReplayServer]:
    posts = [post(100 + i, beijing(2019, 8, 31, 10, i), f"#ZAO# 第{i}条", author="2000000003") for i in range(15)]
    with replay_server(ReplayData(posts), beijing(2019, 8, 31, 12, 0), FaultPlan()) as server:
        yield server


def run(storage: Storage, *sources: SourceSettings, at: datetime | None = None,
        env: dict[str, str] | None = None) -> dict[str, SourceRun]:
    with PoliteClient(clock=FakeClock()) as client:
        found = run_sources(storage, Settings(sources=sources), at or beijing(2019, 8, 31, 12, 0), client=client,
                            pseudonymize=PSEUDONYMIZE, env=env or {})
    return {r.result.source: r for r in found}


def test_one_failing_source_or_query_never_stops_the_others(storage: Storage, scenario_server: ReplayServer) -> None:
    url = scenario_server.url
    scenario_server.faults.add(Fault("login", match="q=walled"))
    runs = run(storage,
               source_settings("walled", "weibo-search", url, queries=("walled", "ZAO", "x")),
               source_settings("broken", "weibo-search", url),
               source_settings("missing", "rss", url, url="/rss/nothing"),
               source_settings("good", "weibo-search", url, queries=("nothing-matches", "ZAO")))
    assert runs["good"].status == "ok" and runs["good"].result.new == 15
    assert runs["walled"].status == "failed" and "skipped 2 more key(s)" in " ".join(runs["walled"].result.errors)
    assert runs["broken"].status == "failed" and "needs queries" in runs["broken"].result.errors[0]
    assert runs["missing"].status == "failed" and "HTTP 404" in runs["missing"].result.errors[0]
    recorded = {r.source: r for r in storage.last_scrape_runs()}
    assert recorded["walled"].status == "failed" and not recorded["walled"].complete
    assert recorded["good"].new == 15 and recorded["good"].complete


def test_rejects_are_recorded_with_reasons_and_edits_update_posts(
    storage: Storage, scenario_server: ReplayServer
) -> None:
    search = source_settings("search", "weibo-search", scenario_server.url, queries=("ZAO",))
    scenario_server.faults.add(Fault("bad-post"))
    first = run(storage, search)["search"]
    assert first.result.rejected == 1 and first.result.new == 14
    assert any("reject:" in e and "created_at" in e for e in first.result.errors)
    assert "114" not in stored(storage, "search")  # the garbled one
    scenario_server.faults.edits["113"] = (beijing(2019, 8, 31, 12, 30), "#ZAO# 第13条（已编辑）")
    scenario_server.clock.set(beijing(2019, 8, 31, 13, 0))
    second = run(storage, search, at=beijing(2019, 8, 31, 13, 0))["search"]
    assert (second.result.new, second.result.updated) == (1, 1)  # the rejected post seen again; the edit
    assert stored(storage, "search")["113"][0] == "#ZAO# 第13条（已编辑）"
    assert storage.last_scrape_runs()[0].rejected == 0


def test_a_pass_cut_short_by_max_pages_is_resumed_by_the_next(storage: Storage) -> None:
    posts = [post(100 + i, beijing(2019, 8, 31, 10, i), f"#ZAO# 第{i}条") for i in range(25)]
    with replay_server(ReplayData(posts), beijing(2019, 8, 31, 12, 0)) as server:
        search = source_settings("search", "weibo-search", server.url, queries=("ZAO",), max_pages=1)
        passes = [run(storage, search)["search"] for _ in range(5)]
    news = [p.result.new for p in passes]
    assert news == [10, 10, 5, 0, 0] and len(stored(storage, "search")) == 25
    assert [p.result.complete for p in passes] == [False, False, False, True, True]
    assert "max_pages=1" in passes[0].result.errors[0] and passes[0].status == "partial"
    assert '"resume":null' in (storage.get_cursor("search", "ZAO") or "")


def test_hot_search_is_stored_as_a_rank_and_heat_series(storage: Storage, scenario_server: ReplayServer) -> None:
    hot = source_settings("hot", "weibo-hot", scenario_server.url)
    for hour in (11, 12, 13):
        scenario_server.clock.set(beijing(2019, 8, 31, hour, 0))
        assert run(storage, hot, at=beijing(2019, 8, 31, hour, 0))["hot"].result.new > 0
    series = storage.hot_search_series(["ZAO"])
    assert [point.fetched_at for point in series] == [beijing(2019, 8, 31, h, 0) for h in (11, 12, 13)]
    assert all(point.entry.word == "ZAO" and point.entry.rank >= 1 and point.entry.heat > 0 for point in series)
    assert len(storage.hot_search_series()) > len(series)
    assert storage.hot_search_series(["ZAO"], since=beijing(2019, 8, 31, 12, 30)) == series[2:]


def test_the_cookie_is_used_but_never_logged_or_stored(
    storage: Storage, scenario_server: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "SUB=_2A25-very-secret-cookie"
    scenario_server.faults.require_cookie = secret
    caplog.set_level(logging.DEBUG)
    search = source_settings("search", "weibo-search", scenario_server.url, queries=("ZAO",), cookie_env="WB_COOKIE")
    ok = run(storage, search, env={"WB_COOKIE": secret})["search"]
    assert ok.status == "ok" and ok.result.new == 15 and secret in scenario_server.cookies_seen
    refused = run(storage, search, env={"WB_COOKIE": "SUB=wrong"})["search"]
    assert refused.status == "failed" and "verification" in refused.result.errors[0]
    with storage.engine.connect() as conn:
        dumped = " ".join(str(row) for table in ("scrape_runs", "source_cursors", "posts")
                          for row in conn.execute(text(f"SELECT * FROM {table}")))
    assert "very-secret" not in dumped and "very-secret" not in caplog.text


def test_run_sources_returns_results_and_refuses_unknown_names(
    storage: Storage, scenario_server: ReplayServer
) -> None:
    settings = Settings(sources=(source_settings("a", "weibo-search", scenario_server.url, queries=("ZAO",)),))
    with PoliteClient(clock=FakeClock()) as client:
        runs = run_sources(storage, settings, beijing(2019, 8, 31, 12, 0), only="a", client=client,
                           pseudonymize=PSEUDONYMIZE)
        assert [run.result.new for run in runs] == [15]
        from monitor.errors import ConfigError

        with pytest.raises(ConfigError, match="no source named 'b'"):
            run_sources(storage, settings, beijing(2019, 8, 31, 12, 0), only=["b"], client=client,
                        pseudonymize=PSEUDONYMIZE)
