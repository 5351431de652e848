"""The SQL store: SQLAlchemy 2 models, engine setup, migrations, and `Storage`.

This package is the only part of monitor that runs SQL. Everything goes through
`Storage` (`Storage.open(url)`, then `init()` or `ensure_current()`); the schema is
documented in `monitor.storage.models`, the migrations live in `<repo>/migrations`.
"""

from __future__ import annotations

from monitor.storage.records import AlertEvent, ScrapeRun, StoredStorm, UpsertCounts
from monitor.storage.store import Storage

__all__ = ["AlertEvent", "ScrapeRun", "Storage", "StoredStorm", "UpsertCounts"]
