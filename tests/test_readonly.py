"""`monitor db grant-readonly ROLE`: a PostgreSQL role that can read everything and write nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from analyst_data import PSEUDONYM_KEY, VIEWS

from monitor.ingest.pseudonym import Pseudonymizer
from monitor.pipeline import import_files
from monitor.replay.scenario import write_scenario
from monitor.storage import Storage

pytestmark = pytest.mark.postgres


def monitor(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", "--db", url, *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


@pytest.fixture
def pg_store(pg_database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A fresh schema with a small scenario imported (authors pseudonymized with a known key)."""
    engine = sa.create_engine(pg_database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    scenario = tmp_path / "scenario.jsonl"
    write_scenario(scenario, scale=0.05)
    with Storage.open(pg_database_url) as storage:
        storage.init()
        import_files(storage, [scenario], pseudonymize=Pseudonymizer(PSEUDONYM_KEY))
    yield pg_database_url, scenario


@pytest.fixture
def role(pg_database_url: str) -> Iterator[str]:
    name = f"ro_{uuid.uuid4().hex[:10]}"
    yield name
    engine = sa.create_engine(pg_database_url)
    with engine.begin() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}).first():
            conn.execute(sa.text(f'DROP OWNED BY "{name}"'))
            conn.execute(sa.text(f'DROP ROLE "{name}"'))
    engine.dispose()


def as_role(url: str, role: str, password: str) -> psycopg.Connection[tuple[object, ...]]:
    parts = sa.make_url(url)
    return psycopg.connect(host=parts.host, port=parts.port or 5432, dbname=parts.database, user=role,
                           password=password, autocommit=True)


def test_readonly_role_reads_everything_and_writes_nothing(pg_store: tuple[str, Path], role: str) -> None:
    url, scenario = pg_store
    done = monitor(url, "db", "grant-readonly", role, "--password-env", "RO_PW", env={"RO_PW": "s3cret:%pw"})
    assert done.returncode == 0, done.stderr
    granted = set(done.stdout.split())
    assert set(VIEWS) <= granted and {"posts", "analyses", "storms", "alembic_version"} <= granted
    with as_role(url, role, "s3cret:%pw") as conn:
        for relation in sorted(granted):
            conn.execute(f'SELECT * FROM "{relation}" LIMIT 1').fetchall()
        assert conn.execute("SELECT COUNT(*) FROM v_posts").fetchone()[0] > 0  # type: ignore[index]
        for statement in ("INSERT INTO state (key, value) VALUES ('x', 'y')", "UPDATE posts SET text = 'x'",
                          "DELETE FROM storms", "CREATE TABLE mine (x int)", "DROP VIEW v_posts"):
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute(statement)
        # The grants hold on their own, even if the role turns its sessions writable.
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
        for statement in ("INSERT INTO state (key, value) VALUES ('x', 'y')", "UPDATE posts SET text = 'x'",
                          "DELETE FROM analyses", "TRUNCATE alerts", "DROP VIEW v_posts"):
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedObject)):
                conn.execute(statement)
        writable = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND has_table_privilege(current_user, c.oid,"
            " 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
        ).fetchall()
        assert writable == []
        dump = "\n".join(str(row) for relation in sorted(granted)
                         for row in conn.execute(f'SELECT * FROM "{relation}"').fetchall())
    key = PSEUDONYM_KEY.decode()
    assert key not in dump and PSEUDONYM_KEY.hex() not in dump  # the pseudonym key is nowhere to read
    author_ids = {line.split('"author_id": "')[1].split('"')[0] for line in scenario.read_text("utf-8").splitlines()}
    assert "'p_" in dump and not [uid for uid in author_ids if uid in dump]


def test_tables_created_later_are_readable_too(pg_store: tuple[str, Path], role: str) -> None:
    url, _ = pg_store
    assert monitor(url, "db", "grant-readonly", role).returncode == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # as a later migration would, as the owner
        conn.execute(sa.text("CREATE TABLE later_table (x int)"))
        conn.execute(sa.text("INSERT INTO later_table VALUES (7)"))
    engine.dispose()
    with as_role(url, role, "") as conn:
        assert conn.execute("SELECT x FROM later_table").fetchall() == [(7,)]


def test_refuses_superusers_and_sqlite(pg_store: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = pg_store
    done = monitor(url, "db", "grant-readonly", "postgres")
    assert done.returncode == 1 and "cannot be made read-only" in done.stderr
    bad = monitor(url, "db", "grant-readonly", "x; DROP TABLE posts")
    assert bad.returncode == 1 and "bad role name" in bad.stderr
    lite = monitor(f"sqlite:///{tmp_path / 'm.db'}", "db", "grant-readonly", "analyst")
    assert lite.returncode == 1 and "need PostgreSQL" in lite.stderr and "Traceback" not in lite.stderr
