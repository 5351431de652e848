"""CLI command of the NLP stage's upkeep: `monitor reanalyze`.

Registered on the main group at the bottom of `monitor.cli`; the analyzer is imported
inside the command, so `monitor --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from monitor.cli import _State

__all__ = ["reanalyze"]


@click.command()
@click.option("--batch-size", type=click.IntRange(1), default=500, show_default=True,
              help="Posts analyzed and committed together.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Human summary on stderr or machine JSON on stdout.")
@click.pass_obj
def reanalyze(state: _State, batch_size: int, fmt: str) -> None:
    """Re-tag stored posts analyzed by another analyzer version, then refresh rollups.

    The version names the sentiment model, the lexicon, the segmenter and the polarity
    thresholds, so this redoes exactly what a change made stale. Batches are committed
    as they go: an interrupted run loses nothing, and running it again goes on from
    where it stopped. Posts never analyzed are left to `monitor detect`; run it after
    this to bring storms up to date.
    """
    from monitor import render
    from monitor.cli import _echo_json, _storage
    from monitor.pipeline import analyze_backlog, backlog_size

    settings = state.settings
    with _storage(state) as storage:
        storage.sync_apps(settings.watchlist)
        stale = backlog_size(storage, settings, stale_only=True)
        with render.progress("re-analyzing", stale, unit="posts") as advance:
            result = analyze_backlog(storage, settings, batch_size=batch_size, progress=advance,
                                     stale_only=True)
        rows = storage.refresh_rollups()
    if fmt == "json":
        _echo_json({"reanalyzed": result.analyzed, "analyzer_version": result.analyzer_version,
                    "rollup_rows": rows})
    else:
        click.echo(f"re-analyzed {result.analyzed} posts with {result.analyzer_version}; "
                   f"{rows} rollup rows refreshed", err=True)
