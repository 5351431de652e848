"""The exception tree of monitor.

    MonitorError                  every error monitor raises on purpose
    ├── ConfigError               a config file or env value is wrong (names file and key)
    ├── InputError                a record or file line cannot be used (names file:line)
    │   └── RecordError           one record is malformed; the caller skips it and goes on
    ├── StorageError              the database refused or is at the wrong schema
    ├── SourceError               a source failed terminally (login wall, bad config)
    └── TransientError            retry later: timeouts, throttling, 5xx
        └── ThrottledError        the remote side asked us to slow down

Commands turn these into one clean line on stderr and a non-zero exit code.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error monitor raises on purpose."""


class ConfigError(MonitorError):
    """A configuration value is missing or wrong; the message names file and key."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        where = ": ".join(part for part in (path, key) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.key = key


class InputError(MonitorError):
    """An input file cannot be read; the message names the file."""


class RecordError(InputError):
    """One input record is malformed. The caller reports it and continues."""


class StorageError(MonitorError):
    """The database refused an operation or is not at the expected schema."""


class SourceError(MonitorError):
    """A source failed in a way retrying will not fix (login wall, bad query)."""


class TransientError(MonitorError):
    """A failure that may pass: retry with backoff."""


class ThrottledError(TransientError):
    """The remote side throttled us; `retry_after` is in seconds if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
