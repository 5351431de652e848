"""The polite HTTP client of the live sources (the only module that imports httpx).

`PoliteClient` is shared by every source of a pass, so politeness is per *host*:

* pacing: a request to a host starts no sooner than `min_delay + uniform(0, jitter)`
  seconds after the previous one to that host ended; at most `max_in_flight` (default
  1) requests to a host are in flight at once;
* backoff: HTTP 418/432/414/429, 5xx, timeouts, connection failures and broken bodies
  are retried up to `max_retries` times, waiting `backoff * 2**n` seconds capped at
  `max_backoff`; a `Retry-After` header is honoured (the whole host waits; one longer
  than `max_backoff` ends the request at once and blocks the host that long);
* cool-down: after throttling the host is paced at least 4x slower for `cooldown`
  seconds; once retries run out it is blocked that long, and requests to it fail fast
  with `ThrottledError` instead of waiting more than `max_backoff`.

Time comes from an injected `Clock` (monotonic + sleep) so tests and benchmarks run
without real waiting; the wall clock of a response is its `Date` header (the server's
"now"), which is what Weibo's relative times are relative to. Cookies are sent as a
header taken from the source's settings and are never logged, stored or put into an
error message; cookies the server sets are dropped after each response.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import httpx

from monitor.config import SourceSettings
from monitor.errors import MonitorError, ThrottledError, TransientError
from monitor.sources.base import Response
from monitor.sources.errors import (
    BadResponseError,
    ForbiddenError,
    LoginRequiredError,
    VerificationError,
)

__all__ = ["Clock", "Meter", "PoliteClient", "Politeness", "SystemClock"]

log = logging.getLogger(__name__)
T = TypeVar("T")

USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1"
)
THROTTLE_STATUSES = frozenset({414, 418, 429, 432})
SLOW_FACTOR = 4.0
_LOGIN_HINTS = ("passport.weibo", "login", "signin")
_VISITOR_HINTS = ("visitor", "captcha", "verify", "security")


class Clock(Protocol):
    """Monotonic seconds and a way to wait; injected so tests never really sleep."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, never going back."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """`time.sleep(seconds)`."""
        time.sleep(max(0.0, seconds))


@dataclass(frozen=True)
class Politeness:
    """How to treat one host (from a source's settings)."""

    min_delay: float = 3.0
    jitter: float = 2.0
    timeout: float = 20.0
    max_retries: int = 4
    backoff: float = 5.0
    max_backoff: float = 300.0
    cooldown: float = 600.0
    max_in_flight: int = 1

    @classmethod
    def from_settings(cls, settings: SourceSettings) -> Politeness:
        """The politeness a source's settings ask for."""
        return cls(
            min_delay=max(0.0, settings.min_delay_seconds), jitter=max(0.0, settings.jitter_seconds),
            timeout=settings.timeout_seconds, max_retries=max(0, settings.max_retries),
            backoff=max(0.0, settings.backoff_seconds), max_backoff=max(0.0, settings.max_backoff_seconds),
            cooldown=max(0.0, settings.cooldown_seconds), max_in_flight=max(1, settings.max_in_flight),
        )

    def retry_delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `attempt + 1`; Retry-After wins if given."""
        if retry_after is not None:
            return max(0.0, retry_after)
        return float(min(self.max_backoff, self.backoff * 2**attempt))


@dataclass
class Meter:
    """What requests of one run cost: counts, retries, time spent throttled, events."""

    requests: int = 0
    retries: int = 0
    throttled_seconds: float = 0.0
    events: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note(self, event: str, throttled: float = 0.0) -> None:
        """Record an event (kept to the first 50) and any throttled waiting."""
        with self._lock:
            self.throttled_seconds += throttled
            if len(self.events) < 50:
                self.events.append(event)


@dataclass
class _Host:
    slots: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0
    slow_until: float = 0.0
    blocked_until: float = 0.0


class _Failure(Exception):
    """A failed attempt: the error to raise and whether it may be retried."""

    def __init__(self, error: MonitorError, retry: bool) -> None:
        super().__init__(str(error))
        self.error, self.retry = error, retry


class PoliteClient:
    """An httpx client with per-host pacing, backoff, cool-down and typed errors."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = USER_AGENT,
        wall: Callable[[], datetime] | None = None,
    ) -> None:
        """`transport` is httpx's seam (e.g. for a proxy); `wall` is the fallback "now"."""
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._wall = wall or (lambda: datetime.now(UTC))
        self._client = httpx.Client(
            transport=transport, follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept": "application/json, text/plain, */*"},
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetcher(self, policy: Politeness, meter: Meter, cookie: str | None = None) -> BoundFetcher:
        """A `Fetcher` for one source: its politeness, its meter, its cookie."""
        return BoundFetcher(self, policy, meter, cookie)

    def fetch(
        self, url: str, params: Mapping[str, str | int] | None, parse: Callable[[Response], T],
        policy: Politeness, meter: Meter, cookie: str | None = None,
    ) -> T:
        """GET with pacing and retries, then `parse`; raise a typed `SourceError`/`TransientError`.

        A `TransientError` raised by `parse` (a broken body, a body-level rate limit) is
        retried like an HTTP failure; a `SourceError` is not.
        """
        request_url = str(httpx.URL(url, params=dict(params or {})))
        host = self._host(request_url, policy)
        for attempt in range(policy.max_retries + 1):
            try:
                return _parsed(parse, self._attempt(host, request_url, policy, meter, cookie))
            except _Failure as failure:
                if not failure.retry or attempt >= policy.max_retries or _waits_too_long(failure.error, policy):
                    self._give_up(host, failure.error, policy)
                    raise failure.error from None
                self._schedule_retry(host, request_url, failure.error, attempt, policy, meter)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- one attempt ---------------------------------------------------------------

    def _attempt(
        self, host: _Host, url: str, policy: Politeness, meter: Meter, cookie: str | None
    ) -> Response:
        with self._turn(host, url, policy, meter):
            headers = {"Cookie": cookie} if cookie else {}
            log.debug("GET %s", url)
            meter.requests += 1
            try:
                raw = self._client.get(url, headers=headers, timeout=policy.timeout)
            except httpx.TimeoutException:
                raise _Failure(TransientError(f"{url}: timed out after {policy.timeout:g}s"), True) from None
            except httpx.HTTPError as exc:
                raise _Failure(TransientError(f"{url}: {type(exc).__name__}"), True) from None
            finally:
                self._client.cookies.clear()
        return self._classify(url, raw)

    @contextmanager
    def _turn(self, host: _Host, url: str, policy: Politeness, meter: Meter) -> Iterator[None]:
        """Hold one of the host's slots, waiting for its pacing; pace the next request."""
        with host.slots:
            self._wait(host, url, policy, meter)
            try:
                yield
            finally:
                with host.lock:
                    now = self._clock.monotonic()
                    host.next_at = max(host.next_at, now + self._pace(host, policy, now))

    def _wait(self, host: _Host, url: str, policy: Politeness, meter: Meter) -> None:
        with host.lock:
            now = self._clock.monotonic()
            blocked = host.blocked_until - now
            if blocked > policy.max_backoff:
                raise ThrottledError(
                    f"{_host_of(url)} is cooling down after throttling ({blocked:.0f}s left)",
                    retry_after=blocked,
                )
            wait = max(host.next_at, host.blocked_until) - now
        if wait > 0 and blocked > 0:
            meter.note(f"waited {blocked:.1f}s for {_host_of(url)} to cool down", throttled=blocked)
        # Every request goes through the clock, even with nothing to wait for, so a clock
        # that can be interrupted (the daemon's, once it is stopping) is asked before each
        # request, not only when the host's pace makes it wait.
        self._clock.sleep(max(wait, 0.0))

    def _pace(self, host: _Host, policy: Politeness, now: float) -> float:
        delay = policy.min_delay + (self._rng.uniform(0.0, policy.jitter) if policy.jitter else 0.0)
        if now < host.slow_until:
            delay = max(delay * SLOW_FACTOR, policy.backoff)
        return delay

    # -- outcomes ------------------------------------------------------------------

    def _classify(self, url: str, raw: httpx.Response) -> Response:
        status = raw.status_code
        if status == 200:
            return Response(url, status, raw.text, dict(raw.headers), self._fetched_at(raw))
        if status in THROTTLE_STATUSES:
            retry_after = _retry_after(raw.headers.get("Retry-After"))
            raise _Failure(ThrottledError(f"{url}: throttled (HTTP {status})", retry_after), True)
        if 300 <= status < 400:
            raise _Failure(_redirect_error(url, raw.headers.get("Location", "")), False)
        if status >= 500:
            raise _Failure(TransientError(f"{url}: server error (HTTP {status})"), True)
        raise _Failure(ForbiddenError(f"{url}: refused (HTTP {status})"), False)

    def _fetched_at(self, raw: httpx.Response) -> datetime:
        date = raw.headers.get("Date")
        if date:
            try:
                parsed = parsedate_to_datetime(date)
                if parsed.tzinfo is not None:
                    return parsed.astimezone(UTC)
            except (TypeError, ValueError, IndexError):
                pass
        return self._wall()

    def _schedule_retry(
        self, host: _Host, url: str, error: MonitorError, attempt: int, policy: Politeness, meter: Meter
    ) -> None:
        throttled = isinstance(error, ThrottledError)
        delay = policy.retry_delay(attempt, error.retry_after if isinstance(error, ThrottledError) else None)
        with host.lock:
            now = self._clock.monotonic()
            host.next_at = max(host.next_at, now + delay)
            if throttled:
                host.slow_until = max(host.slow_until, now + policy.cooldown)
        meter.retries += 1
        meter.note(f"{error}; retry {attempt + 1}/{policy.max_retries} in {delay:.1f}s",
                   throttled=delay if throttled else 0.0)
        log.warning("%s; retry %d/%d in %.1fs", error, attempt + 1, policy.max_retries, delay)

    def _give_up(self, host: _Host, error: MonitorError, policy: Politeness) -> None:
        if isinstance(error, ThrottledError) and "cooling down" not in str(error):
            with host.lock:
                now = self._clock.monotonic()
                host.blocked_until = max(host.blocked_until, now + max(policy.cooldown, error.retry_after or 0))
                host.slow_until = max(host.slow_until, host.blocked_until + policy.cooldown)
        log.warning("giving up: %s", error)

    def _host(self, url: str, policy: Politeness) -> _Host:
        name = _host_of(url)
        with self._hosts_lock:
            if name not in self._hosts:
                self._hosts[name] = _Host(threading.Semaphore(policy.max_in_flight))
            return self._hosts[name]


class BoundFetcher:
    """`PoliteClient.fetch` with one source's politeness, meter and cookie bound."""

    def __init__(self, client: PoliteClient, policy: Politeness, meter: Meter, cookie: str | None) -> None:
        self._client, self._policy, self._meter, self._cookie = client, policy, meter, cookie

    def fetch(self, url: str, params: Mapping[str, str | int] | None, parse: Callable[[Response], T]) -> T:
        """GET `url` politely and parse it (see `PoliteClient.fetch`)."""
        return self._client.fetch(url, params, parse, self._policy, self._meter, self._cookie)


def _parsed(parse: Callable[[Response], T], response: Response) -> T:
    try:
        return parse(response)
    except MonitorError as exc:
        raise _Failure(exc, isinstance(exc, TransientError)) from None

    def __repr__(self) -> str:
        return f"BoundFetcher(policy={self._policy!r}, cookie={'<hidden>' if self._cookie else None})"


def _waits_too_long(error: MonitorError, policy: Politeness) -> bool:
    """A Retry-After beyond `max_backoff`: give up now; the host stays blocked that long."""
    return isinstance(error, ThrottledError) and (error.retry_after or 0.0) > policy.max_backoff


def _host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), None if absent or bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _redirect_error(url: str, location: str) -> MonitorError:
    target = location.lower()
    where = urlsplit(location).netloc or "elsewhere"
    if any(hint in target for hint in _VISITOR_HINTS):
        return VerificationError(f"{url}: redirected to a verification page at {where}")
    if any(hint in target for hint in _LOGIN_HINTS):
        return LoginRequiredError(f"{url}: redirected to a login page at {where}")
    return BadResponseError(f"{url}: unexpected redirect to {where}")
