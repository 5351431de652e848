"""Analysts' commands: `monitor report`, `monitor export`, `monitor db grant-readonly`.

Registered on the main group at the bottom of `monitor.cli`. Like every command they
open what they need, call one library function and print the result; heavy imports
(pandas, matplotlib, pyarrow) happen inside the commands.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from monitor.errors import MonitorError

if TYPE_CHECKING:
    from monitor.cli import _State


@click.command()
@click.option("--app", required=True, help="The watched app to report on.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("var/reports"),
              show_default=True, help="Folder for the PNG charts and the HTML file.")
@click.option("--days-before", type=float, default=2, show_default=True, help="Days charted before the launch.")
@click.option("--days-after", type=float, default=9, show_default=True, help="Days charted after the launch.")
@click.pass_obj
def report(state: _State, app: str, out_dir: Path, days_before: float, days_after: float) -> None:
    """Charts (PNG) and one self-contained HTML report of an app's launch and storms.

    Prints the path of the HTML file on stdout.
    """
    from monitor.report import build_report

    result = build_report(state.settings.database.url, app, out_dir, days_before=days_before,
                          days_after=days_after)
    click.echo(f"{app}: {result.storms} storm(s), {len(result.charts)} charts in {out_dir}", err=True)
    click.echo(str(result.html))


@click.command()
@click.argument("table", type=click.Choice(["posts", "hourly"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="Output format.")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file [default: stdout, CSV only].")
@click.option("--app", help="Only posts mentioning / series of this app.")
@click.option("--concern", help="Only posts with this concern (or `any`); for hourly, that rollup concern.")
@click.option("--since", help="From this time (ISO; no offset means Beijing time).")
@click.option("--until", help="Before this time (ISO; no offset means Beijing time).")
@click.pass_obj
def export(state: _State, table: str, fmt: str, out: Path | None, app: str | None, concern: str | None,
           since: str | None, until: str | None) -> None:
    """Stream posts or hourly series to CSV or Parquet (chunked reads, flat memory)."""
    from monitor.export import export as run_export

    options: dict[str, Any] = {"app": app, "concern": concern, "since": since, "until": until}
    url = state.settings.database.url
    if out is None or str(out) == "-":
        if fmt == "parquet":
            raise click.UsageError("Parquet needs --out FILE")
        rows = run_export(url, table, fmt, sys.stdout, **options)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            with out.open("w", encoding="utf-8", newline="") as text_out:
                rows = run_export(url, table, fmt, text_out, **options)
        else:
            with out.open("wb") as binary_out:
                rows = run_export(url, table, fmt, binary_out, **options)
    click.echo(f"exported {rows} {table} rows" + (f" to {out}" if out else ""), err=True)


@click.group()
def db() -> None:
    """Database administration for analysts' access."""


@db.command("grant-readonly")
@click.argument("role")
@click.option("--password-env", metavar="VAR",
              help="Environment variable holding a password for the role (never pass it as an argument).")
@click.pass_obj
def grant_readonly(state: _State, role: str, password_env: str | None) -> None:
    """Give PostgreSQL ROLE read-only access: SELECT on monitor's tables and views, nothing else.

    Creates the role (LOGIN) if it does not exist. Its sessions default to read-only
    transactions. The pseudonym key is never in the database.
    """
    from monitor.storage import Storage
    from monitor.storage.roles import grant_readonly as grant

    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise MonitorError(f"--password-env {password_env}: that environment variable is empty or unset")
    with Storage.open(state.settings.database.url) as storage:
        if storage.engine.dialect.name == "postgresql":
            storage.ensure_current()
        result = grant(storage.engine, role, password)
    verb = "created and granted" if result.created else "granted"
    click.echo(f"{verb} read-only role {role}: SELECT on {len(result.relations)} tables and views", err=True)
    if result.can_create_in_schema:
        click.echo("warning: PUBLIC may still CREATE in this schema (PostgreSQL < 15 default); "
                   "run REVOKE CREATE ON SCHEMA public FROM PUBLIC if that is acceptable", err=True)
    click.echo("\n".join(result.relations))
