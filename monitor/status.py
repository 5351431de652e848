"""What `monitor status` reports about the live path: sources, the schedule, the daemon.

Read from the store only (no APScheduler import): the last recorded run of each source
(`scrape_runs`), next run times from the daemon's job table, and its heartbeat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.config import Settings
from monitor.jobs import read_heartbeat
from monitor.storage import ScrapeRun, Storage

__all__ = ["daemon_state", "live_status"]

STALE_BEATS = 3
"""A running daemon whose heartbeat is older than this many intervals is not responding."""


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def live_status(storage: Storage, settings: Settings, now: datetime) -> dict[str, Any]:
    """`{"daemon": ..., "sources": [...], "jobs": [...]}` (see README "monitor status")."""
    next_runs = {job.id: job.next_run_time for job in storage.scheduled_jobs()}
    runs = {run.source: run for run in storage.last_scrape_runs()}
    sources: list[dict[str, Any]] = []
    for entry in settings.sources:
        sources.append({"name": entry.name, "kind": entry.kind, "interval_minutes": entry.interval_minutes,
                        "configured": True, "next_run": _iso(next_runs.get(f"scrape:{entry.name}")),
                        "last_run": _run_record(runs.pop(entry.name, None))})
    for name, run in sorted(runs.items()):  # sources with history that are no longer configured
        sources.append({"name": name, "kind": None, "interval_minutes": None, "configured": False,
                        "next_run": _iso(next_runs.get(f"scrape:{name}")), "last_run": _run_record(run)})
    jobs = [{"id": job_id, "next_run": _iso(at)} for job_id, at in sorted(next_runs.items())
            if not job_id.startswith("scrape:")]
    return {"daemon": daemon_state(storage, settings, now), "sources": sources, "jobs": jobs}


def _run_record(run: ScrapeRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    gaps = [message for message in run.errors if ": gap: " in message]
    problems = [message for message in run.errors if ": reject: " not in message and message not in gaps]
    return {"started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at), "status": run.status,
            "pages": run.pages, "new": run.new, "updated": run.updated, "unchanged": run.unchanged,
            "rejected": run.rejected, "throttled_seconds": round(run.throttled_seconds, 1),
            "complete": run.complete, "gaps": len(gaps), "problems": (problems + gaps)[:5]}


def daemon_state(storage: Storage, settings: Settings, now: datetime) -> dict[str, Any] | None:
    """The last heartbeat plus `status`: `running`, `stopped` or `not responding`; None if
    no daemon ever ran on this database."""
    beat = read_heartbeat(storage, now)
    if beat is None:
        return None
    if beat.get("state") == "stopped":
        beat["status"] = "stopped"
    elif beat["age_seconds"] > STALE_BEATS * settings.daemon.heartbeat_seconds:
        beat["status"] = "not responding"
    else:
        beat["status"] = "running"
    return beat
