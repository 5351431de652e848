"""Human output: progress bars, tables and the demo timeline (the only rich import).

Everything goes to stderr except tables a user asked for, which go to stdout. Times are
shown in Beijing time (Asia/Shanghai), the time the watched posts were written in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from monitor.config import SHANGHAI

if TYPE_CHECKING:
    from monitor.demo import DemoSummary
    from monitor.pipeline import AnalyzeResult, DetectResult, ImportResult
    from monitor.scrape import SourceRun
    from monitor.storage import StoredStorm

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@contextmanager
def progress(description: str, total: int | None, unit: str = "items") -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields `advance(n)`. Silent when stderr is not a terminal."""
    bar = Progress(
        TextColumn(f"[bold]{description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
        TimeRemainingColumn(), console=err, transient=False, disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task(description, total=total or None)
        yield lambda n: bar.advance(task, n)


def beijing(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime shown in Beijing time, or '-'."""
    return moment.astimezone(SHANGHAI).strftime(fmt) if moment else "-"


def import_summary(result: ImportResult) -> None:
    """What an import did, and the first bad lines."""
    table = Table(title="import", show_header=True)
    names = ("files", "lines", "new", "updated", "unchanged", "rejected")
    for name in names:
        table.add_column(name, justify="right")
    table.add_row(*(str(getattr(result, name)) for name in names))
    out.print(table)
    for message in result.rejects[:20]:
        err.print(f"[yellow]skipped[/] {message}", markup=True, highlight=False)
    if result.rejected > 20:
        err.print(f"... and {result.rejected - 20} more bad lines")


def _concerns(concerns: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(concerns.items(), key=lambda kv: -kv[1]))


def storms_table(storms: Sequence[StoredStorm]) -> None:
    """Storms as a table, times in Beijing time."""
    if not storms:
        out.print("no storms")
        return
    table = Table(title="storms (Beijing time)")
    for name in ("id", "app", "status", "started", "detected", "peak", "ended", "posts", "peak/h",
                 "concerns", "neg", "severity"):
        table.add_column(name, justify="right" if name in ("id", "posts", "peak/h", "neg", "severity") else "left")
    for stored in storms:
        s = stored.storm
        table.add_row(
            str(stored.id), s.app, s.status, beijing(s.started_at), beijing(s.detected_at), beijing(s.peak_at),
            beijing(s.ended_at), str(s.posts), str(s.peak_hourly), _concerns(s.concerns),
            f"{s.negative_share:.0%}", f"{s.severity:.1f}",
        )
    out.print(table)


def detect_summary(analyzed: AnalyzeResult, result: DetectResult) -> None:
    """What `monitor detect` did."""
    err.print(f"analyzed {analyzed.analyzed} posts ({analyzed.analyzer_version}); "
              f"{result.rollup_rows} rollup rows; detection up to {beijing(result.until)} Beijing; "
              f"{len(result.alerts)} new alerts")
    storms_table(result.storms)


_LIVE_KEYS = ("open_storms", "sources", "jobs", "daemon")


def status(data: dict[str, Any], open_storms: Sequence[StoredStorm]) -> None:
    """The `monitor status` view: counts, the sources and schedule, the daemon, open storms."""
    table = Table(title="monitor status", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for key, value in data.items():
        if key not in _LIVE_KEYS:
            table.add_row(key, str(value))
    out.print(table)
    _sources_table(data.get("sources") or [])
    jobs = ", ".join(f"{job['id']} {_when(job['next_run'])}" for job in data.get("jobs") or [])
    out.print(f"next runs (Beijing): {jobs}" if jobs else "no schedule stored: the daemon has not run here")
    out.print(_daemon_line(data.get("daemon")))
    storms_table(open_storms)


def _when(iso: str | None) -> str:
    return beijing(datetime.fromisoformat(iso), "%m-%d %H:%M") if iso else "-"


def _sources_table(sources: Sequence[dict[str, Any]]) -> None:
    if not sources:
        out.print("no sources configured")
        return
    table = Table(title="sources (Beijing time)")
    for name in ("source", "kind", "every", "last run", "outcome", "pages", "new", "throttled", "coverage",
                 "next run"):
        table.add_column(name, justify="right" if name in ("pages", "new", "throttled") else "left")
    for source in sources:
        run = source["last_run"] or {}
        every = f"{source['interval_minutes']} min" if source["interval_minutes"] else "not configured"
        coverage = "-" if not run else "complete" if run["complete"] else f"{run['gaps']} gap(s)" if run["gaps"] \
            else "incomplete"
        table.add_row(source["name"], source["kind"] or "-", every, _when(run.get("started_at")),
                      run.get("status", "never run"), str(run.get("pages", "")), str(run.get("new", "")),
                      f"{run['throttled_seconds']:.0f}s" if run else "", coverage, _when(source["next_run"]))
    out.print(table)
    for source in sources:
        for message in (source["last_run"] or {}).get("problems", [])[:3]:
            err.print(f"[yellow]{source['name']}[/]: {message}", markup=True, highlight=False)


def _daemon_line(daemon: dict[str, Any] | None) -> str:
    if daemon is None:
        return "daemon: never ran on this database"
    age = daemon["age_seconds"]
    ago = f"{age:.0f} s" if age < 120 else f"{age / 60:.0f} min" if age < 7200 else f"{age / 3600:.1f} h"
    return (f"daemon: {daemon['status']} (pid {daemon.get('pid')} on {daemon.get('host')}, "
            f"started {_when(daemon.get('started_at'))}); last heartbeat {ago} ago")


def demo_timeline(summary: DemoSummary) -> None:
    """The story the demo tells: when the storm was caught, what it was about, the control app."""
    scraped = summary.scraped
    out.print(f"[bold]ZAO-2019 replay[/] through the live sources ({summary.server_url}, {summary.steps} steps of "
              f"virtual time): {scraped.passes} scrape passes, {scraped.pages} pages; {scraped.stored} posts stored, "
              f"{scraped.reached} of the {scraped.reachable} scenario posts the queries reach ({scraped.coverage:.1%}; "
              f"{scraped.scenario} in all, the rest name no watched app); {scraped.rejected} rejected, "
              f"{summary.analyzed.analyzed} analyzed; database {summary.database_url}")
    _daily_table(summary)
    for app in summary.apps:
        _app_story(summary, app.name, app.launched_at)
    out.print(f"alerts recorded: {len(summary.detected.alerts)}; "
              f"took {summary.seconds:.1f} s. Query it: monitor --db {summary.database_url} storms")


_SHORT = {"privacy": "priv", "biometric": "bio", "fraud": "fraud", "security": "sec", "regulatory": "reg"}


def _daily_table(summary: DemoSummary) -> None:
    table = Table(title="per Beijing day: posts mentioning the app, and concern posts", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for name in ("app", "day", "posts", "concern", "share", "neg", *_SHORT.values()):
        table.add_column(name, justify="left" if name in ("app", "day") else "right", min_width=len(name))
    for row in summary.days:
        share = row.concern_posts / row.mentions if row.mentions else 0.0
        table.add_row(row.app, row.day, str(row.mentions), str(row.concern_posts), f"{share:.0%}",
                      f"{row.negative_share:.0%}", *(str(row.concerns.get(c, "")) for c in _SHORT))
    out.print(table)


def _app_story(summary: DemoSummary, app: str, launched_at: datetime | None) -> None:
    storms = summary.storms_of(app)
    launched = f"launched {beijing(launched_at, '%Y-%m-%d')}" if launched_at else "no launch date"
    if not storms:
        out.print(f"[bold]{app}[/] ({launched}): [green]no storm[/] — launch excitement without a concern surge")
        return
    for stored in storms:
        s = stored.storm
        lines = [f"[bold red]{app}[/] ({launched}): storm #{stored.id} {s.status}",
                 f"  started   {beijing(s.started_at)}  detected {beijing(s.detected_at)} (data time)"
                 f"; alert raised {beijing(summary.raised_at(stored.id))} (replay clock)"]
        if launched_at:
            lines.append(f"  caught {(s.detected_at - launched_at).total_seconds() / 3600:.0f} h after launch, "
                         f"{(summary.regulator_at - s.detected_at).total_seconds() / 86400:.1f} days before "
                         f"the regulator summoned the company ({beijing(summary.regulator_at, '%Y-%m-%d')})")
        lines += [f"  peak      {beijing(s.peak_at)}  {s.peak_hourly} concern posts/h; ended {beijing(s.ended_at)}",
                  f"  concerns  {_concerns(s.concerns)}",
                  f"  negative  {s.negative_share:.0%} of {s.posts} concern posts; severity {s.severity:.1f}",
                  f"  evidence  {' '.join(stored.top_terms)}"]
        for when, concern in s.escalations:
            lines.append(f"  escalated {beijing(when)}: {concern} joined")
        out.print("\n".join(lines))


def scrape_record(run: SourceRun) -> dict[str, Any]:
    """The JSON form of one source's pass (`monitor scrape --format json`)."""
    result = run.result
    return {"source": result.source, "status": run.status, "pages": result.pages, "new": result.new,
            "updated": result.updated, "unchanged": result.unchanged, "rejected": result.rejected,
            "complete": result.complete, "throttled_seconds": round(run.throttled_seconds, 1),
            "requests": run.requests, "errors": list(result.errors), "run_id": run.run_id}


def scrape_table(runs: Sequence[SourceRun]) -> None:
    """One row per source pass; problems (failures, rejects, gaps) on stderr."""
    table = Table(title="scrape")
    names = ("source", "status", "pages", "new", "updated", "unchanged", "rejected", "throttled", "complete")
    for name in names:
        table.add_column(name, justify="left" if name in ("source", "status") else "right")
    for run in runs:
        r = run.result
        table.add_row(r.source, run.status, str(r.pages), str(r.new), str(r.updated), str(r.unchanged),
                      str(r.rejected), f"{run.throttled_seconds:.0f}s", "yes" if r.complete else "no")
    out.print(table)
    for run in runs:
        for message in run.result.errors[:10]:
            err.print(f"[yellow]{run.result.source}[/]: {message}", markup=True, highlight=False)
