"""Fault injection for the replay server: Weibo's failure modes, on purpose.

A `FaultPlan` holds `Fault`s. Each fault matches requests by path prefix and a
substring of the URL-decoded query (`match="q=ZAO"`, `match="page=2"`), lets `after`
matching requests through, then fires on the next `times` of them. Kinds:

| kind | the response |
|---|---|
| `status-418`, `-432`, `-414`, `-403`, `-500`, `-503` | that status (`Retry-After` if `retry_after`) |
| `rate-limit` | `{"ok": 0, "msg": "操作过于频繁"}` (or `message`) |
| `login` | `{"ok": -100, "url": "https://passport.weibo.cn/signin/welcome?..."}` |
| `captcha` | `{"ok": 1, "url": "https://security.weibo.com/captcha/..."}`, no `data` |
| `visitor-redirect` | HTTP 302 to the Sina Visitor System |
| `visitor-page` | the Sina Visitor System HTML page with status 200 |
| `truncated` | the real body cut in half |
| `not-json` | an HTML error page with status 200 |
| `slow` | the real body after `delay` real seconds |
| `duplicate` | on a list page after the first, the previous page's last post again on top |
| `bad-post` | the real body with its first post's `created_at` garbled (one reject) |

`edits` changes a post's text from a virtual time on (`edit_count: 1`), and
`require_cookie` sends every request without that cookie to the visitor system.
`served` logs what was injected, for tests to check.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["FAULT_KINDS", "Fault", "FaultPlan"]

STATUS_KINDS = {"status-418": 418, "status-432": 432, "status-414": 414, "status-403": 403,
                "status-500": 500, "status-503": 503}
FAULT_KINDS = (*STATUS_KINDS, "rate-limit", "login", "captcha", "visitor-redirect", "visitor-page",
               "truncated", "not-json", "slow", "duplicate", "bad-post")
INDEX_PATH = "/api/container/getIndex"


@dataclass(frozen=True)
class Fault:
    """One injected failure (see the module docstring)."""

    kind: str
    path: str = INDEX_PATH
    match: str = ""
    after: int = 0
    times: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    message: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (expected one of {', '.join(FAULT_KINDS)})")

    @property
    def status(self) -> int | None:
        """The HTTP status of a `status-*` fault."""
        return STATUS_KINDS.get(self.kind)


@dataclass
class FaultPlan:
    """The faults of one server, the edits, and a log of what was injected."""

    faults: list[Fault] = field(default_factory=list)
    edits: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    require_cookie: str | None = None
    served: list[tuple[str, str]] = field(default_factory=list)
    _seen: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *faults: Fault) -> FaultPlan:
        """Add faults (thread-safe, also while serving); return the plan."""
        with self._lock:
            self.faults.extend(faults)
        return self

    def pick(self, path: str, query: str, *, duplicate: bool = False) -> Fault | None:
        """The fault that fires on this request, if any (counts the request)."""
        fired: Fault | None = None
        with self._lock:
            for index, fault in enumerate(self.faults):  # every matching fault counts the request
                if (fault.kind == "duplicate") != duplicate or not path.startswith(fault.path):
                    continue
                if fault.match and fault.match not in query:
                    continue
                seen = self._seen.get(index, 0)
                self._seen[index] = seen + 1
                if fired is None and fault.after <= seen < fault.after + fault.times:
                    fired = fault
            if fired is not None:
                self.served.append((f"{path}?{query}", fired.kind))
        return fired

    def kinds_served(self) -> list[str]:
        """The kinds of the faults injected so far, in order."""
        with self._lock:
            return [kind for _, kind in self.served]
