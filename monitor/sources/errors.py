"""Typed failures of the live sources, under the tree drawn in `monitor.errors`.

    SourceError                  retrying soon will not help
    ├── LoginRequiredError       `ok: -100` or a redirect to a login page (cookie missing/expired)
    ├── VerificationError        a captcha or Sina Visitor System page instead of data
    └── ForbiddenError           HTTP 403 (or another refusal that is not throttling)
    TransientError               retry later (timeouts, 5xx, connection failures)
    ├── BadResponseError         a truncated, non-JSON or unexpectedly shaped body
    └── ThrottledError           HTTP 418/432/414, `ok: 0` "操作过于频繁", a host cooling down

Every error carries the URL it concerns (never a cookie). Messages name Weibo's own
`msg` when there is one, so a run record says what Weibo said.
"""

from __future__ import annotations

from monitor.errors import SourceError, ThrottledError, TransientError

__all__ = [
    "BadResponseError",
    "ForbiddenError",
    "LoginRequiredError",
    "SourceError",
    "ThrottledError",
    "TransientError",
    "VerificationError",
]


class LoginRequiredError(SourceError):
    """Weibo wants a login: `ok: -100`, or a redirect to passport/login pages."""


class VerificationError(SourceError):
    """Weibo answered with a captcha or visitor-system challenge instead of data."""


class ForbiddenError(SourceError):
    """The server refused the request (HTTP 403 and other non-throttling 4xx)."""


class BadResponseError(TransientError):
    """The body was truncated, not JSON, or not the expected shape."""
