"""The `monitor` command line: thin commands over the library.

Each command loads settings, opens what it needs, calls one library function and
renders the result. Library errors (`MonitorError`) become one clean `error:` line on
stderr and exit code 1; usage errors exit 2. Heavy imports happen inside commands so
`monitor --help` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from monitor.errors import MonitorError

if TYPE_CHECKING:
    from monitor.config import Settings
    from monitor.storage import Storage


class _Group(click.Group):
    """Turns MonitorError into a one-line message instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@dataclass
class _State:
    config: str | None
    db: str | None
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from monitor.config import DatabaseSettings, load_settings

            settings = load_settings(self.config)
            if self.db:
                settings = replace(settings, database=DatabaseSettings(url=self.db))
            self._settings = settings
        return self._settings


@contextmanager
def _storage(state: _State, *, check: bool = True) -> Iterator[Storage]:
    from monitor.storage import Storage

    storage = Storage.open(state.settings.database.url)
    try:
        if check:
            storage.ensure_current()
        yield storage
    finally:
        storage.close()


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="Human table or machine JSON on stdout.",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", envvar="MONITOR_CONFIG", type=click.Path(dir_okay=False),
              help="Config file [env MONITOR_CONFIG; default config/monitor.toml if present].")
@click.option("--db", envvar="MONITOR_DATABASE_URL",
              help="Database URL [env MONITOR_DATABASE_URL; default sqlite:///var/monitor.db].")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.version_option(package_name="monitor")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str | None, verbose: int) -> None:
    """Watch Chinese social media for privacy storms around app launches."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = _State(config=config, db=db)


@cli.command()
@click.pass_obj
def init(state: _State) -> None:
    """Create or upgrade the database to the latest migration."""
    with _storage(state, check=False) as storage:
        storage.init()
        storage.sync_apps(state.settings.watchlist)
    click.echo(f"database ready: {state.settings.database.url}", err=True)


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default="file", show_default=True, help="Source name the posts are stored under.")
@click.option("--format", "fmt", type=click.Choice(["posts", "weibo", "csv"]),
              help="Input format [default: guessed from each file].")
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Summary as a table or JSON on stdout.")
@click.pass_obj
def import_(state: _State, files: tuple[Path, ...], source: str, fmt: str | None, output: str) -> None:
    """Load posts from JSONL, CSV or raw Weibo JSON files (streaming, idempotent)."""
    from monitor import render
    from monitor.ingest.pseudonym import Pseudonymizer, load_pseudonym_key
    from monitor.pipeline import count_lines, import_files

    pseudonymize = Pseudonymizer(load_pseudonym_key(state.settings.privacy))
    total = sum(count_lines(path) for path in files)
    with _storage(state) as storage, render.progress("importing", total, unit="lines") as advance:
        result = import_files(storage, files, pseudonymize=pseudonymize, source=source, fmt=fmt,
                              progress=advance)
    if output == "json":
        _echo_json({**result.__dict__, "rejects": result.rejects[:100]})
    else:
        render.import_summary(result)


@cli.command()
@click.argument("file", type=click.File("rb"), default="-")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="Where to write analysis JSONL [default: stdout].")
@click.option("--workers", "-j", type=click.IntRange(0), default=1, show_default=True,
              help="Processes to analyze in (0: one per core); the output is the same.")
@click.pass_obj
def analyze(state: _State, file: IO[bytes], output: IO[str], workers: int) -> None:
    """Offline NLP: post JSONL in, analysis JSONL out (one line per input line); no database."""
    import os

    from monitor.nlp.runner import analyze_stream

    analyze_stream(file, output, state.settings.watchlist, state.settings.nlp,
                   workers=workers or os.cpu_count() or 1)


def _parse_when(value: str | None) -> datetime | None:
    if value is None:
        return None
    from monitor.config import to_utc

    return to_utc(value, "command line", "--until")


@cli.command()
@click.option("--until", help="Detect on hours before this time (ISO; default: now). Data time for backtests.")
@FORMAT
@click.pass_obj
def detect(state: _State, until: str | None, fmt: str) -> None:
    """Analyze pending posts, update rollups, run detection up to the last complete hour."""
    from monitor import render
    from monitor.alerts import make_sinks, send_alerts
    from monitor.pipeline import analyze_backlog, backlog_size, default_until, storm_record
    from monitor.pipeline import detect as run_detect

    settings = state.settings
    with _storage(state) as storage:
        storage.sync_apps(settings.watchlist)
        with render.progress("analyzing", backlog_size(storage, settings), unit="posts") as advance:
            analyzed = analyze_backlog(storage, settings, progress=advance)
        result = run_detect(storage, settings, until=_parse_when(until) or default_until())
    send_alerts(result.alerts, make_sinks(settings.alerts))
    if fmt == "json":
        _echo_json({"analyzed": analyzed.analyzed, "analyzer_version": analyzed.analyzer_version,
                    "until": result.until.isoformat(), "rollup_rows": result.rollup_rows,
                    "alerts": len(result.alerts), "storms": [storm_record(s) for s in result.storms]})
    else:
        render.detect_summary(analyzed, result)


@cli.command()
@click.option("--app", help="Only storms of this watched app.")
@FORMAT
@click.pass_obj
def storms(state: _State, app: str | None, fmt: str) -> None:
    """List storms (newest first)."""
    from monitor import render
    from monitor.pipeline import storm_record

    with _storage(state) as storage:
        found = storage.list_storms(app)
    if fmt == "json":
        _echo_json([storm_record(s) for s in found])
    else:
        render.storms_table(found)


@cli.command()
@FORMAT
@click.pass_obj
def status(state: _State, fmt: str) -> None:
    """Sources (last and next run, outcome, throttling, gaps), backlog, open storms, daemon."""
    from monitor import render
    from monitor.pipeline import backlog_size, storm_record
    from monitor.status import live_status

    with _storage(state) as storage:
        stats = storage.stats()
        backlog = backlog_size(storage, state.settings)
        open_storms = [s for s in storage.list_storms() if s.storm.status == "open"]
        live = live_status(storage, state.settings, datetime.now(UTC))
    data = {"database": _redact(state.settings.database.url), **stats, "backlog": backlog, **live,
            "open_storms": [storm_record(s) for s in open_storms]}
    if fmt == "json":
        _echo_json(data)
    else:
        render.status(data, open_storms)


def _redact(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cli.command()
@click.option("--days", type=int, help="Keep this many days [default: privacy.retention_days].")
@click.pass_obj
def purge(state: _State, days: int | None) -> None:
    """Apply the retention policy: delete posts older than the retention period."""
    from datetime import timedelta

    keep = state.settings.privacy.retention_days if days is None else days
    if keep <= 0:
        click.echo("retention is 0 (keep forever): nothing to purge", err=True)
        return
    cutoff = datetime.now(UTC) - timedelta(days=keep)
    with _storage(state) as storage:
        removed = storage.purge(cutoff)
    click.echo(f"purged {removed} posts created before {cutoff:%Y-%m-%d %H:%M} UTC", err=True)


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("var/demo"),
              show_default=True, help="Folder for the scenario file and the demo database.")
@FORMAT
@click.pass_obj
def demo(state: _State, out_dir: Path, fmt: str) -> None:
    """Replay the ZAO-2019 privacy storm end to end on a fresh SQLite database."""
    from monitor import render
    from monitor.demo import run_demo

    summary = run_demo(state.settings, out_dir, progress=render.progress)
    if fmt == "json":
        _echo_json(summary.to_json())
    else:
        render.demo_timeline(summary)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="monitor")


from monitor import cli_analyst  # noqa: E402  (analysts' commands; heavy imports stay inside them)

cli.add_command(cli_analyst.report)
cli.add_command(cli_analyst.export)
cli.add_command(cli_analyst.db)

from monitor import cli_live  # noqa: E402  (live-path commands; httpx and feedparser stay inside them)

cli.add_command(cli_live.scrape)
cli.add_command(cli_live.replay)

from monitor import cli_daemon  # noqa: E402  (the daemon; APScheduler stays inside the command)

cli.add_command(cli_daemon.run)

from monitor import cli_nlp  # noqa: E402  (NLP upkeep; the analyzer stays inside the command)

cli.add_command(cli_nlp.reanalyze)
