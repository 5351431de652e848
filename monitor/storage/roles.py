"""PostgreSQL read-only roles for analysts (`monitor db grant-readonly ROLE`).

The role gets CONNECT on the database, USAGE on the schema and SELECT on every table
and view in it (now, and by default on those later migrations create), nothing else;
its sessions default to read-only transactions as a second fence. The pseudonym key is
never in the database, so no grant can reach it. SQLite has no roles: share a SQLite
file read-only through file permissions or a `?mode=ro` URI instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StorageError
from monitor.storage.engine import safe_url

_ROLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class ReadonlyGrant:
    """What `grant_readonly` did: the role, whether it was created, what it may read."""

    role: str
    created: bool
    relations: tuple[str, ...]
    can_create_in_schema: bool
    """True on PostgreSQL < 15 with default settings: PUBLIC may create in `public`."""


def grant_readonly(engine: Engine, role: str, password: str | None = None) -> ReadonlyGrant:
    """Create `role` if needed (LOGIN) and grant it read-only access to monitor's schema."""
    if engine.dialect.name != "postgresql":
        raise StorageError(
            "read-only roles need PostgreSQL; share a SQLite database read-only with file "
            "permissions or a URI like sqlite:///file:var/monitor.db?mode=ro&uri=true"
        )
    if not _ROLE.match(role):
        raise StorageError(f"bad role name {role!r}: use letters, digits and _ (at most 63)")
    try:
        with engine.begin() as conn:
            created = _ensure_role(conn, role, password)
            for statement in _GRANTS:
                _run_formatted(conn, statement, role)
            return ReadonlyGrant(role, created, _relations(conn, role), _can_create(conn, role))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StorageError(f"cannot grant read-only access on {safe_url(engine.url)}: {reason}") from None


_GRANTS = (
    "GRANT CONNECT ON DATABASE %I TO {role}",
    "GRANT USAGE ON SCHEMA %I TO {role}",
    "REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {role}",
    "REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM {role}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA %I TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO {role}",
    "ALTER ROLE {role} SET default_transaction_read_only = on",
)
"""Each `%I` is the database (first statement) or the current schema; `{role}` the role."""


def _ensure_role(conn: Connection, role: str, password: str | None) -> bool:
    found = conn.execute(
        text("SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is not None and (found[0] or found[1]):
        raise StorageError(f"role {role!r} is a superuser or the schema owner: it cannot be made read-only")
    if found is None:
        _raw(conn, conn.scalar(text("SELECT format('CREATE ROLE %I LOGIN', CAST(:role AS text))"), {"role": role}))
    if password is not None:
        alter = "SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', CAST(:role AS text), CAST(:pw AS text))"
        statement = conn.scalar(text(alter), {"role": role, "pw": password})
        _raw(conn, statement)
    return found is None


def _run_formatted(conn: Connection, template: str, role: str) -> None:
    """Quote identifiers server-side with format(): %I is the database or schema name."""
    target = "current_database()" if "DATABASE" in template else "current_schema()"
    quoted_role = conn.scalar(text("SELECT quote_ident(CAST(:role AS text))"), {"role": role})
    pattern = template.replace("{role}", str(quoted_role))
    statement = conn.scalar(text(f"SELECT format(CAST(:pattern AS text), {target})"), {"pattern": pattern})
    _raw(conn, statement)


def _raw(conn: Connection, statement: object) -> None:
    """Run a statement built by the server's format() as is: no placeholder parsing, so a
    password holding `%` or `:` stays intact. Same connection, same transaction."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(statement))
    finally:
        cursor.close()


def _relations(conn: Connection, role: str) -> tuple[str, ...]:
    rows = conn.execute(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p')"
        " AND has_table_privilege(:role, c.oid, 'SELECT') ORDER BY c.relname"
    ), {"role": role})
    return tuple(row[0] for row in rows)


def _can_create(conn: Connection, role: str) -> bool:
    return bool(conn.scalar(text("SELECT has_schema_privilege(:role, current_schema(), 'CREATE')"),
                            {"role": role}))
