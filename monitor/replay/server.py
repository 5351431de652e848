"""A Weibo-shaped HTTP server on 127.0.0.1 replaying a scenario against a virtual clock.

Endpoints (the real shapes, see `monitor.replay.shapes`):

* `/api/container/getIndex?containerid=100103type=1&q=<q>&page_type=searchall&page=N`
  — search, newest first, 10 posts a page, some inside a card_type 11 group;
* `/api/container/getIndex?containerid=107603<uid>[&page=N|&since_id=ID]` — a user's
  timeline with `page` paging (2019 shape) or `since_id` paging (2022 shape), a pinned
  post on top of the first page;
* `/statuses/extend?id=<mid>`, `/statuses/show?id=<mid>`;
* `/ajax/side/hotSearch` — hot words: the topics (`#...#`) of the last three hours by
  heat, plus an advert;
* `/rss/weibo/keyword/<q>`, `/rss/weibo/user/<uid>` — RSSHub-style feeds.

Only posts created at or before the clock's `now()` exist; the `Date` header is the
virtual now, as Weibo's relative times are relative to its own clock. Failure modes
come from a `FaultPlan`. `ReplayServer.start` runs it in a background thread (tests,
the demo, benchmarks); `serve_forever` in the foreground (`monitor replay serve`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from monitor.replay.clock import VirtualClock
from monitor.replay.data import ReplayData
from monitor.replay.faults import Fault, FaultPlan
from monitor.replay.routes import Routes

__all__ = ["ReplayServer", "at"]

log = logging.getLogger(__name__)

Reply = tuple[int, dict[str, str], bytes]
VISITOR_URL = "https://passport.weibo.cn/visitor/visitor?entry=miniblog&a=enter&url=https%3A%2F%2Fm.weibo.cn%2F"
VISITOR_PAGE = (b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sina Visitor System</title></head>"
                b"<body><script src=\"/js/visitor/mini_original.js\"></script></body></html>")
ERROR_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"


class ReplayServer:
    """The replay server on `127.0.0.1:<port>` (0 picks a free port); see the module docstring."""

    def __init__(
        self,
        data: ReplayData,
        clock: VirtualClock,
        *,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        date_style: str = "full",
        timeline_paging: str = "page",
        page_size: int = 10,
    ) -> None:
        """`date_style` `full` or `short` (older posts as `08-31`); `timeline_paging`
        `page` or `since_id`."""
        self.data, self.clock = data, clock
        self.faults = faults or FaultPlan()
        self.routes = Routes(data, date_style=date_style, timeline_paging=timeline_paging,
                             page_size=page_size, edits=self.faults.edits)
        self.requests: list[str] = []
        self.cookies_seen: list[str] = []
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        """Serve in a background thread; return self."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="replay-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in this thread until `stop` (or KeyboardInterrupt)."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, path: str, query: str, cookie: str | None) -> tuple[Reply, float]:
        """The reply to one GET, and how long to stall before sending it."""
        with self._lock:
            self.requests.append(f"{path}?{query}")
            if cookie:
                self.cookies_seen.append(cookie)
        required = self.faults.require_cookie
        if required is not None and cookie != required:
            return (302, {"Location": VISITOR_URL}, b""), 0.0
        decoded = unquote_plus(query)
        fault = self.faults.pick(path, decoded)
        if fault is not None and fault.kind not in ("truncated", "slow", "bad-post"):
            return _fault_reply(fault), 0.0
        now = self.clock.now()
        params = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
        def duplicate() -> bool:
            return self.faults.pick(path, decoded, duplicate=True) is not None

        try:
            status, body = self.routes.reply(unquote(path), params, now, duplicate=duplicate)
        except Exception:  # a bug in the replay must show as a 500, not a dropped connection
            log.exception("replay server failed on %s?%s", path, query)
            return (500, {"Content-Type": "text/plain"}, b"internal error"), 0.0
        if fault is not None and fault.kind == "bad-post":
            _garble_first_post(body)
        reply = _reply(status, body)
        if fault is not None and fault.kind == "truncated":
            reply = (reply[0], reply[1], reply[2][: max(1, len(reply[2]) // 2)])
        return reply, fault.delay if fault is not None and fault.kind == "slow" else 0.0

    def enter(self) -> None:
        """A request started (for the per-host concurrency check)."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        """A request ended."""
        with self._lock:
            self.in_flight -= 1


def _garble_first_post(body: Any) -> None:
    cards = body.get("data", {}).get("cards") if isinstance(body, dict) else None
    for card in cards or []:
        group = card.get("card_group") or [card]
        for item in group:
            if isinstance(item.get("mblog"), dict):
                item["mblog"]["created_at"] = "某个时候"
                return


def _reply(status: int, body: Any) -> Reply:
    if isinstance(body, str):
        return status, {"Content-Type": "application/rss+xml; charset=utf-8"}, body.encode("utf-8")
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=utf-8"}, payload


def _fault_reply(fault: Fault) -> Reply:
    if fault.status is not None:
        headers = {"Content-Type": "text/html"}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:.0f}"
        return fault.status, headers, b"<html><body>blocked</body></html>"
    if fault.kind == "visitor-redirect":
        return 302, {"Location": VISITOR_URL}, b""
    if fault.kind == "visitor-page":
        return 200, {"Content-Type": "text/html; charset=utf-8"}, VISITOR_PAGE
    if fault.kind == "not-json":
        return 200, {"Content-Type": "text/html"}, ERROR_PAGE
    bodies: dict[str, Any] = {
        "rate-limit": {"ok": 0, "msg": fault.message or "操作过于频繁"},
        "login": {"ok": -100, "url": "https://passport.weibo.cn/signin/welcome?entry=mweibo&r=https%3A%2F%2Fm.weibo.cn%2F"},
        "captcha": {"ok": 1, "url": "https://security.weibo.com/captcha/geetest?type=mobile"},
    }
    return _reply(200, bodies[fault.kind])


def _handler_for(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "replay-weibo/1.0"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            server.enter()
            try:
                self._answer()
            finally:
                server.leave()

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            (status, headers, body), stall = server.handle(parts.path, parts.query, self.headers.get("Cookie"))
            if stall:
                time.sleep(stall)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (e.g. timed out)

        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(server.clock.now(), usegmt=True)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
            log.debug("%s %s", self.address_string(), format % args)

    return Handler


def at(moment: str) -> datetime:
    """An ISO time for `--start` (no offset means Beijing time), as aware UTC."""
    from monitor.config import to_utc

    return to_utc(moment, "command line", "--start")
