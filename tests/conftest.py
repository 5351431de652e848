"""Shared fixtures: real databases (a SQLite file and PostgreSQL), never mocks.

PostgreSQL comes from env `MONITOR_TEST_PG_URL` (default below). Each test session
works in a private database created next to it (so parallel runs do not collide),
and each test gets an empty `public` schema. If PostgreSQL is unreachable the
PostgreSQL cases are skipped, or fail when `MONITOR_REQUIRE_POSTGRES=1` (CI).
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, Engine, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.nlp.lexicon import Lexicon
from monitor.nlp.segment import Segmenter
from monitor.nlp.tagger import Tagger
from monitor.storage import Storage
from tests.tagging_helpers import shipped_tools

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_url() -> URL:
    url = make_url(os.environ.get("MONITOR_TEST_PG_URL", DEFAULT_PG_URL))
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _unreachable(reason: str) -> None:
    message = f"PostgreSQL is not reachable at {_pg_url().render_as_string()}: {reason}"
    if os.environ.get("MONITOR_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{message} (MONITOR_REQUIRE_POSTGRES=1, so this is an error)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """URL of a private PostgreSQL database for this session, dropped at the end.

    Falls back to the configured database itself if we may not create databases.
    """
    base = _pg_url()
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect():
            pass
    except SQLAlchemyError as exc:
        admin.dispose()
        _unreachable(str(getattr(exc, "orig", exc)).strip().splitlines()[0])
    name = f"{base.database}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        private: str | None = name
    except SQLAlchemyError:
        private = None
    url = base.set(database=private) if private else base
    yield url.render_as_string(hide_password=False)
    if private:
        _drop_database(admin, private)
    admin.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    # WITH (FORCE) (PostgreSQL 13+) also ends connections a failed test left open.
    for suffix in (" WITH (FORCE)", ""):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"{suffix}'))
            return
        except SQLAlchemyError as exc:
            failure = exc
    warnings.warn(f"could not drop test database {name}: {failure}", stacklevel=1)


def _reset_schema(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database: a fresh SQLite file, or a PostgreSQL with a clean schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'monitor.db'}"
    url: str = request.getfixturevalue("pg_database_url")
    _reset_schema(url)
    return url


@pytest.fixture
def storage(db_url: str) -> Iterator[Storage]:
    """An initialised `Storage` on each database kind."""
    store = Storage.open(db_url)
    store.init()
    try:
        yield store
    finally:
        store.close()


# -- analysts' side: databases holding the ZAO scenario, shared by a whole session ----


@pytest.fixture(scope="session")
def scenario_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database holding the half-scale ZAO scenario, detected. Read only."""
    from analyst_data import load_scenario

    folder = tmp_path_factory.mktemp("scenario")
    url = f"sqlite:///{folder / 'monitor.db'}"
    load_scenario(url, folder)
    return url


@pytest.fixture(scope="session")
def scenario_pg_url(pg_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL database (of its own) holding the same scenario as `scenario_sqlite_url`."""
    from analyst_data import load_scenario

    admin = create_engine(_pg_url(), isolation_level="AUTOCOMMIT")
    name = f"{make_url(pg_database_url).database}_scenario"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_database_url).set(database=name).render_as_string(hide_password=False)
    try:
        load_scenario(url, tmp_path_factory.mktemp("scenario_pg"))
        yield url
    finally:
        _drop_database(admin, name)
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def scenario_url(request: pytest.FixtureRequest) -> str:
    """The scenario database of each kind (shared: tests must not write to it)."""
    return str(request.getfixturevalue(f"scenario_{'pg' if request.param == 'postgresql' else 'sqlite'}_url"))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh `monitor demo` database (full-scale ZAO scenario) made by `run_demo`."""
    from analyst_data import make_demo_database

    return make_demo_database(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    """The shipped lexicon's tagger, watching ZAO (`tests.tagging_helpers.WATCHLIST`)."""
    return shipped_tools()[1]


@pytest.fixture(scope="session")
def segmenter() -> Segmenter:
    """A segmenter with the shipped lexicon's words."""
    return shipped_tools()[2]


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    """The shipped lexicon."""
    return shipped_tools()[0]
