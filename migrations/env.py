"""Alembic environment for monitor.

Run through `monitor init` (`Storage.init`), which passes its own connection in
`config.attributes["connection"]` and owns the transaction. Run standalone (e.g.
`alembic.command.revision(make_alembic_config(url), "...", autogenerate=True)`), it
connects to `sqlalchemy.url` or, if unset, the URL from `monitor.config`.
Batch mode is always on so SQLite can ALTER by copying tables; on PostgreSQL it
emits plain ALTERs.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from monitor.storage.engine import make_engine, parse_url
from monitor.storage.models import Base, JSONText, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    configured = config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    from monitor.config import load_settings

    return load_settings().database.url


def _render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Render our column types as their plain SQL types: migrations must not import models."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    if kind == "type" and isinstance(obj, JSONText):
        return "sa.Text()"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )


def run_offline() -> None:
    """Emit SQL text instead of running it (`alembic upgrade --sql`)."""
    context.configure(
        url=parse_url(_url()).render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate over the caller's connection, or one of our own."""
    given = config.attributes.get("connection")
    if given is not None:
        _configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(parse_url(_url()))
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
