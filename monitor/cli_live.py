"""CLI commands of the live path: `monitor scrape` and `monitor replay serve`.

Registered on the main group at the bottom of `monitor.cli`. httpx, feedparser and the
scenario generator are imported inside the commands, so `monitor --help` stays fast.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.cli import _State

__all__ = ["replay", "scrape"]


@click.command()
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help="Only this configured source (repeatable) [default: all].")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Human table or machine JSON on stdout.")
@click.pass_obj
def scrape(state: _State, sources: tuple[str, ...], fmt: str) -> None:
    """One pass of the configured sources; exits 1 if a source failed outright."""
    from monitor import render
    from monitor.cli import _echo_json, _storage
    from monitor.scrape import run_sources

    settings = state.settings
    if not settings.sources:
        raise ConfigError("no [[sources]] configured", path=settings.path, key="sources")
    with _storage(state) as storage:
        runs = run_sources(storage, settings, datetime.now(UTC), only=list(sources) or None)
    if fmt == "json":
        _echo_json([render.scrape_record(run) for run in runs])
    else:
        render.scrape_table(runs)
    if any(run.status == "failed" for run in runs):
        sys.exit(1)


@click.group()
def replay() -> None:
    """A Weibo-shaped server on 127.0.0.1 replaying a scenario (demo, tests, benchmarks)."""


@replay.command()
@click.argument("scenario")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--speed", type=click.FloatRange(0), default=60.0, show_default=True,
              help="Virtual seconds per real second (0 freezes the clock).")
@click.option("--start", help="Virtual start time, ISO (no offset = Beijing time) [default: first post].")
@click.option("--seed", type=int, default=2019, show_default=True, help="Seed of the generated scenario.")
@click.option("--date-style", type=click.Choice(["full", "short"]), default="full", show_default=True,
              help="Older posts' created_at: full (2022 shape) or MM-DD (2019 shape).")
@click.option("--timeline-paging", type=click.Choice(["page", "since_id"]), default="page", show_default=True,
              help="User timelines page by page number or by since_id cursor.")
@click.option("--fault", "faults", multiple=True, metavar="KIND[:AFTER[:TIMES]]",
              help="Inject a fault on getIndex (repeatable), e.g. status-418:0:3 or rate-limit:5.")
def serve(scenario: str, port: int, speed: float, start: str | None, seed: int, date_style: str,
          timeline_paging: str, faults: tuple[str, ...]) -> None:
    """Serve SCENARIO (`zao-2019`, `zao-2019:0.3` for a third of it, or a post JSONL file).

    Point sources at it with `base_url = "http://127.0.0.1:PORT"`; Ctrl-C stops it.
    """
    from monitor.replay.clock import VirtualClock
    from monitor.replay.data import ReplayData
    from monitor.replay.server import ReplayServer, at

    data = ReplayData.load(scenario, seed=seed)
    window = data.window()
    if window is None:
        raise ConfigError("the scenario holds no usable posts", path=scenario)
    clock = VirtualClock(at(start) if start else window[0], speed=speed)
    try:
        server = ReplayServer(data, clock, port=port, faults=_fault_plan(faults), date_style=date_style,
                              timeline_paging=timeline_paging)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    _announce(server.url, data, clock, window)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _fault_plan(specs: tuple[str, ...]) -> Any:
    from monitor.replay.faults import Fault, FaultPlan

    plan = FaultPlan()
    for spec in specs:
        kind, *numbers = spec.split(":")
        try:
            after, times = (int(numbers[0]) if numbers else 0), (int(numbers[1]) if len(numbers) > 1 else 1)
            plan.add(Fault(kind, after=after, times=times))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--fault") from None
    return plan


def _announce(url: str, data: Any, clock: Any, window: tuple[datetime, datetime]) -> None:
    from monitor import render

    first, last = (render.beijing(moment) for moment in window)
    click.echo(f"replaying {len(data.posts)} posts ({first} .. {last} Beijing) at {url}", err=True)
    click.echo(f"virtual time {render.beijing(clock.now())} Beijing, {clock.speed:g}x; Ctrl-C stops", err=True)
    click.echo(f'sources: base_url = "{url}"; users e.g. uids = {data.top_authors(3)}', err=True)
    sys.stderr.flush()
