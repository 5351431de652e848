"""CLI command of the daemon: `monitor run`.

Registered on the main group at the bottom of `monitor.cli`; APScheduler and the jobs
are imported inside the command, so `monitor --help` stays fast.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from monitor.cli import _State

__all__ = ["run"]


@click.command()
@click.pass_obj
def run(state: _State) -> None:
    """The daemon: scrape each source at its interval, analyze, detect, alert, purge.

    Schedules are kept in the database and survive restarts. SIGTERM or Ctrl-C stops it
    after the current batch (exit 0 within [daemon] shutdown_seconds).
    """
    from monitor.schedule import run_daemon

    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        logging.getLogger("monitor").setLevel(logging.INFO)  # a daemon says what it does
    settings = state.settings
    if not settings.sources:
        click.echo(f"warning: no [[sources]] in {settings.path}: only analysis, detection and purges will run",
                   err=True)
    code = run_daemon(settings, announce=lambda line: click.echo(line, err=True))
    sys.exit(code)
