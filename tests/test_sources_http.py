"""The polite client against a real server on 127.0.0.1: pacing, backoff, Retry-After,
cool-down, typed errors, one request in flight per host, cookies never logged."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from monitor.errors import ThrottledError, TransientError
from monitor.replay.data import ReplayData
from monitor.replay.faults import Fault, FaultPlan
from monitor.replay.server import ReplayServer
from monitor.sources.base import Response
from monitor.sources.errors import BadResponseError, ForbiddenError, LoginRequiredError, VerificationError
from monitor.sources.http import Meter, PoliteClient, Politeness
from monitor.sources.weibo_api import parse_body
from tests.live_helpers import FAST, FakeClock, beijing, post, replay_server

SEARCH = {"containerid": "100103type=1&q=ZAO", "page_type": "searchall", "page": 1}
NOW = beijing(2019, 8, 31, 12, 0)


@pytest.fixture
def plan() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def server(plan: FaultPlan) -> Iterator[ReplayServer]:
    data = ReplayData([post(i, beijing(2019, 8, 31, 9, i)) for i in range(1, 30)])
    with replay_server(data, NOW, plan) as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> Iterator[PoliteClient]:
    with PoliteClient(clock=clock) as polite:
        yield polite


def search(client: PoliteClient, server: ReplayServer, meter: Meter, policy: Politeness = FAST) -> object:
    return client.fetch(server.url + "/api/container/getIndex", SEARCH, parse_body, policy, meter)


def test_a_418_burst_is_backed_off_exponentially_and_recorded(
    client: PoliteClient, server: ReplayServer, plan: FaultPlan, clock: FakeClock
) -> None:
    plan.add(Fault("status-418", times=3))
    meter = Meter()
    data = search(client, server, meter)
    assert isinstance(data, dict) and data["cards"]
    assert (meter.requests, meter.retries) == (4, 3)
    assert clock.sleeps == [5.0, 10.0, 20.0]
    assert meter.throttled_seconds == 35.0
    assert any("HTTP 418" in event for event in meter.events)


def test_retry_after_is_honoured(client: PoliteClient, server: ReplayServer, plan: FaultPlan,
                                 clock: FakeClock) -> None:
    plan.add(Fault("status-432", retry_after=42))
    meter = Meter()
    search(client, server, meter)
    assert clock.sleeps == [42.0] and meter.throttled_seconds == 42.0


def test_a_retry_after_beyond_the_cap_ends_the_request_and_blocks_the_host(
    client: PoliteClient, server: ReplayServer, plan: FaultPlan, clock: FakeClock
) -> None:
    plan.add(Fault("status-418", retry_after=3600))
    with pytest.raises(ThrottledError) as caught:
        search(client, server, Meter())
    assert caught.value.retry_after == 3600 and clock.sleeps == []
    with pytest.raises(ThrottledError, match="cooling down"):
        search(client, server, Meter())
    clock.now += 3600
    assert isinstance(search(client, server, Meter()), dict)


def test_backoff_is_capped(client: PoliteClient, server: ReplayServer, plan: FaultPlan, clock: FakeClock) -> None:
    plan.add(Fault("status-503", times=4))
    search(client, server, Meter(), replace(FAST, backoff=5.0, max_backoff=12.0))
    assert clock.sleeps == [5.0, 10.0, 12.0, 12.0]


def test_throttling_that_outlasts_retries_cools_the_host_down(
    client: PoliteClient, server: ReplayServer, plan: FaultPlan, clock: FakeClock
) -> None:
    plan.add(Fault("status-414", times=10))
    policy = replace(FAST, max_retries=2, cooldown=900.0, max_backoff=60.0)
    with pytest.raises(ThrottledError, match="HTTP 414"):
        search(client, server, Meter(), policy)
    asked = len(server.requests)
    with pytest.raises(ThrottledError, match="cooling down"):
        search(client, server, Meter(), policy)
    assert len(server.requests) == asked  # failed fast, without asking the server
    clock.now += 900.0
    meter = Meter()
    with pytest.raises(ThrottledError, match="HTTP 414"):  # cooled down: asks again
        search(client, server, meter, policy)
    assert meter.requests == 3


def test_after_throttling_the_host_is_paced_slower(
    client: PoliteClient, server: ReplayServer, plan: FaultPlan, clock: FakeClock
) -> None:
    plan.add(Fault("rate-limit"))
    policy = replace(FAST, min_delay=1.0, backoff=5.0)
    meter = Meter()
    search(client, server, meter, policy)
    assert meter.retries == 1 and meter.throttled_seconds == 5.0  # a body-level rate limit backs off too
    clock.sleeps.clear()
    search(client, server, meter, policy)
    assert clock.sleeps == [5.0]  # max(4 x 1s, backoff) during the cool-down, not 1s


def test_requests_to_a_host_are_paced_with_delay_and_jitter(
    client: PoliteClient, server: ReplayServer, clock: FakeClock
) -> None:
    policy = replace(FAST, min_delay=3.0, jitter=2.0)
    for _ in range(5):
        search(client, server, Meter(), policy)
    assert len(clock.sleeps) == 4
    assert all(3.0 <= slept <= 5.0 for slept in clock.sleeps)
    assert len(set(clock.sleeps)) > 1


@pytest.mark.parametrize("kind, error", [
    ("login", LoginRequiredError), ("captcha", VerificationError), ("visitor-redirect", VerificationError),
    ("visitor-page", VerificationError), ("status-403", ForbiddenError),
])
def test_walls_are_typed_and_not_retried(client: PoliteClient, server: ReplayServer, plan: FaultPlan,
                                         kind: str, error: type[Exception]) -> None:
    plan.add(Fault(kind, times=10))
    meter = Meter()
    with pytest.raises(error):
        search(client, server, meter)
    assert meter.requests == 1


@pytest.mark.parametrize("kind", ["truncated", "not-json", "status-500"])
def test_broken_bodies_are_retried_then_typed(client: PoliteClient, server: ReplayServer, plan: FaultPlan,
                                              kind: str) -> None:
    plan.add(Fault(kind, times=10))
    meter = Meter()
    with pytest.raises(TransientError) as caught:
        search(client, server, meter)
    assert meter.requests == FAST.max_retries + 1
    if kind != "status-500":
        assert isinstance(caught.value, BadResponseError)


def test_timeouts_are_retried(client: PoliteClient, server: ReplayServer, plan: FaultPlan) -> None:
    plan.add(Fault("slow", delay=0.6, times=1))
    meter = Meter()
    data = search(client, server, meter, replace(FAST, timeout=0.2))
    assert isinstance(data, dict) and meter.retries == 1
    assert any("timed out" in event for event in meter.events)


def test_date_header_is_the_fetch_time(client: PoliteClient, server: ReplayServer) -> None:
    response = client.fetch(server.url + "/ajax/side/hotSearch", None, lambda r: r, FAST, Meter())
    assert isinstance(response, Response) and response.fetched_at == NOW


def test_one_request_in_flight_per_host(clock: FakeClock, server: ReplayServer, plan: FaultPlan) -> None:
    plan.add(Fault("slow", delay=0.05, times=8))
    with PoliteClient() as client:  # real clock: threads really overlap
        threads = [threading.Thread(target=search, args=(client, server, Meter())) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(server.requests) == 6 and server.max_in_flight == 1


def test_the_cookie_is_sent_but_never_logged(client: PoliteClient, server: ReplayServer, plan: FaultPlan,
                                             caplog: pytest.LogCaptureFixture) -> None:
    secret = "SUB=_2A25secret-session-value"
    plan.add(Fault("status-418", times=2), Fault("login", after=3))
    caplog.set_level(logging.DEBUG)
    fetcher = client.fetcher(FAST, Meter(), cookie=secret)
    fetcher.fetch(server.url + "/api/container/getIndex", SEARCH, parse_body)
    with pytest.raises(LoginRequiredError) as caught:
        fetcher.fetch(server.url + "/api/container/getIndex", SEARCH, parse_body)
    assert server.cookies_seen and all(seen == secret for seen in server.cookies_seen)
    assert "secret-session" not in caplog.text and "GET" in caplog.text
    assert "secret-session" not in str(caught.value) and "secret-session" not in repr(fetcher)
