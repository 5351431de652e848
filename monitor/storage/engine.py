"""Engine setup and schema migrations.

SQLite gets WAL, enforced foreign keys, a generous busy timeout and real transactions
(SQLAlchemy emits `BEGIN`, so reads inside a transaction are repeatable; write
transactions use `BEGIN IMMEDIATE` so they queue for the lock instead of failing on
upgrade). PostgreSQL goes through psycopg 3 (`postgresql://` URLs are mapped to it).

Migrations live in `<repo>/migrations` (override with env `MONITOR_MIGRATIONS_DIR`);
`make_alembic_config` builds the Alembic configuration in code, no `alembic.ini`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    URL,
    Connection,
    CursorResult,
    Engine,
    Executable,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from monitor.errors import StorageError

WRITE_OPTIONS: dict[str, Any] = {"monitor_sqlite_begin": "BEGIN IMMEDIATE"}
"""Execution options of the write engine (only SQLite looks at them)."""

_MIGRATION_LOCK = 0x6D6F6E69  # PostgreSQL advisory lock key serialising `monitor init`


def utc(value: datetime) -> datetime:
    """`value` as aware UTC; `StorageError` if it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise StorageError(naive_message(value))
    return value.astimezone(UTC)


def naive_message(value: datetime) -> str:
    """Why a naive datetime is refused."""
    return f"refusing naive datetime {value.isoformat()}: pass an aware UTC time"


def hour_of(value: datetime) -> datetime:
    """The start of the UTC hour containing `value`."""
    return utc(value).replace(minute=0, second=0, microsecond=0)


def utcnow() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


def parse_url(url: str) -> URL:
    """Parse and normalise a database URL; only SQLite and PostgreSQL are supported."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"not a database URL: {url!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageError(f"unsupported database {parsed.drivername!r}: use sqlite or postgresql")
    return parsed


def safe_url(url: URL) -> str:
    """The URL as text with any password hidden, for messages."""
    return url.render_as_string(hide_password=True)


def make_engine(url: URL) -> Engine:
    """An engine for `url`; for SQLite the parent folder is created."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = 10
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create folder {folder} for the database: {exc}") from None
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take BEGIN away from the sqlite3 module (it skips it before SELECT and DDL).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get("monitor_sqlite_begin", "BEGIN"))


def check_connection(engine: Engine) -> None:
    """Connect once; a friendly `StorageError` if the database cannot be reached."""
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StorageError(f"cannot open database at {safe_url(engine.url)}: {reason}") from None


def migrations_dir() -> Path:
    """Where the Alembic scripts are: env `MONITOR_MIGRATIONS_DIR` or `<repo>/migrations`."""
    override = os.environ.get("MONITOR_MIGRATIONS_DIR")
    path = Path(override) if override else Path(__file__).resolve().parents[2] / "migrations"
    if not (path / "env.py").is_file():
        raise StorageError(f"migration scripts not found in {path} (set MONITOR_MIGRATIONS_DIR)")
    return path


def make_alembic_config(
    url: URL | str | None = None, connection: Connection | None = None
) -> Config:
    """An Alembic `Config` for our migrations, built in code.

    With `connection`, `migrations/env.py` runs on it (inside the caller's transaction);
    otherwise it connects to `url` (default: the configured database URL).
    """
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Create or upgrade the schema to the latest migration, in one transaction.

    On SQLite, foreign keys are off while migrating (batch mode recreates tables, and
    dropping a referenced table would otherwise cascade) and checked afterwards.
    """
    with engine.connect() as conn:
        is_sqlite = engine.dialect.name == "sqlite"
        if is_sqlite:
            _raw_pragma(conn, "PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if not is_sqlite:
                    lock = text("SELECT pg_advisory_xact_lock(:key)")
                    conn.execute(lock, {"key": _MIGRATION_LOCK})
                command.upgrade(make_alembic_config(engine.url, conn), "head")
                if is_sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise StorageError("migration left rows violating foreign keys; rolled back")
        finally:
            if is_sqlite:
                _raw_pragma(conn, "PRAGMA foreign_keys=ON")


def _raw_pragma(conn: Connection, pragma: str) -> None:
    # PRAGMA foreign_keys is a no-op inside a transaction: run it on the bare driver.
    conn.connection.driver_connection.execute(pragma)  # type: ignore[union-attr]


def schema_problem(engine: Engine) -> str | None:
    """None if the database is at the latest migration, else what is wrong."""
    heads = set(ScriptDirectory.from_config(make_alembic_config(engine.url)).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return None
    if not current:
        return "is not initialised"
    script = ScriptDirectory.from_config(make_alembic_config(engine.url))
    known = {rev.revision for rev in script.walk_revisions()}
    if current - known:
        return f"was migrated by a newer monitor (revision {', '.join(sorted(current))})"
    at, expected = ", ".join(sorted(current)), ", ".join(sorted(heads))
    return f"is out of date (revision {at}, expected {expected})"


def dialect_insert(session: Session, table: Any) -> Any:
    """`INSERT` with `on_conflict_do_nothing/do_update` for the session's dialect.

    Both SQLite and PostgreSQL constructs share that API; typed `Any` because mypy
    cannot see through the union of the two classes.
    """
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def execute_count(session: Session, statement: Executable) -> int:
    """Run an INSERT/UPDATE/DELETE and return how many rows it touched."""
    result = session.execute(
        statement, execution_options={"preserve_rowcount": True, "synchronize_session": False}
    )
    return max(cast(CursorResult[Any], result).rowcount, 0)


class EngineHolder:
    """Owns a SQLAlchemy engine: its safe URL, the engine itself, closing, `with` support.

    Shared by `Storage` (writes) and `monitor.analysis.Database` (analysts' reads).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return safe_url(self._engine.url)

    @property
    def engine(self) -> Engine:
        """The underlying engine, for read-only SQL and streaming readers."""
        return self._engine

    def close(self) -> None:
        """Release all connections."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
