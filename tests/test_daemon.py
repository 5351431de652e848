"""`monitor run` as a process against the replay server: SIGTERM mid-run, restart, every
post stored exactly once, schedules kept in the database; `monitor status` as a process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import jobs
from monitor.config import SHANGHAI, load_settings
from monitor.replay.clock import VirtualClock
from monitor.replay.data import ReplayData
from monitor.replay.server import ReplayServer
from monitor.storage import Storage
from monitor.storage.models import PostRow

REPO = Path(__file__).resolve().parents[1]
CUT = datetime(2019, 9, 1, 0, 0, tzinfo=SHANGHAI)
"""The scenario moment the tests replay "now" (the storm is a day old)."""
QUERIES = ("ZAO", "逢脸造戏", "Pintu", "拼图岛")
KEY = "daemon-test-key-0123456789"


def scenario_now(scale: float = 0.5) -> tuple[ReplayData, timedelta]:
    """The scenario shifted so that `CUT` is the wall clock's now: the daemon's clock
    and the data agree, as they do live. Returns the data and the shift."""
    data = ReplayData.from_scenario(scale=scale)
    shift = datetime.now(UTC).replace(microsecond=0) - CUT
    return ReplayData(replace(post, created_at=post.created_at + shift) for post in data.posts), shift


def expected_ids(data: ReplayData, now: datetime) -> set[str]:
    """What the search source must end up with: what the queries list, plus reposted originals."""
    found = [post for query in QUERIES for post in data.search(query, now)]
    return {p.id for p in found} | {p.repost_of for p in found if p.repost_of and p.repost_of in data.by_id}


def write_config(path: Path, db_url: str, base_url: str, shift: timedelta, **source: Any) -> Path:
    """A config watching ZAO and Pintu, one search source at `base_url`, quick daemon jobs."""
    zao, pintu = (datetime(2019, 8, day, tzinfo=SHANGHAI) + shift for day in (30, 29))
    options = {"min_delay_seconds": 0.05, "jitter_seconds": 0.0, "max_pages": 1000, "lookback_hours": 720.0,
               "interval_minutes": 60, "timeout_seconds": 5.0, **source}
    lines = [
        f'[database]\nurl = "{db_url}"\n',
        f'[nlp]\nlexicon_dir = "{REPO / "config" / "lexicon"}"\n',
        "[daemon]\nanalyze_seconds = 5.0\nheartbeat_seconds = 1.0\nshutdown_seconds = 8.0\n",
        f'[[apps]]\nname = "ZAO"\naliases = ["ZAO", "逢脸造戏"]\nlaunched_at = "{zao.isoformat()}"\n',
        f'[[apps]]\nname = "Pintu"\naliases = ["Pintu", "拼图岛"]\nlaunched_at = "{pintu.isoformat()}"\n',
        f'[[sources]]\nname = "weibo"\nkind = "weibo-search"\nqueries = {json.dumps(list(QUERIES))}\n'
        f'base_url = "{base_url}"\n' + "".join(f"{k} = {json.dumps(v)}\n" for k, v in options.items()),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def monitor_env(config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return {**env, "MONITOR_CONFIG": str(config), "MONITOR_PSEUDONYM_KEY": KEY}


@pytest.fixture
def start_daemon() -> Iterator[Callable[[Path, Path], subprocess.Popen[bytes]]]:
    """Start `monitor run` with a config, logging to a file; any still running at the end is killed."""
    started: list[subprocess.Popen[bytes]] = []

    def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen([sys.executable, "-m", "monitor", "run"], env=monitor_env(config),
                                        cwd=config.parent, stdout=subprocess.DEVNULL, stderr=log.open("ab")))
        return started[-1]

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_for(condition: Any, what: str, proc: subprocess.Popen[bytes], log: Path, limit: float = 120.0) -> None:
    """Poll `condition()` (a failure deadline, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert proc.poll() is None, f"the daemon died while waiting for {what}:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}:\n{log.read_text()[-3000:]}"
        time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM; the daemon must exit 0 within 10 s."""
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"no exit within 10 s of SIGTERM:\n{log.read_text()[-3000:]}") from None
    assert code == 0, log.read_text()[-3000:]
    assert time.monotonic() - began < 10


def last_run_complete(storage: Storage, source: str) -> bool:
    """Whether the latest recorded scrape run of `source` got through every page."""
    runs = {run.source: run for run in storage.last_scrape_runs()}
    return source in runs and runs[source].complete


def stored_ids(storage: Storage) -> Counter[str]:
    with Session(storage.engine) as session:
        return Counter(session.scalars(select(PostRow.external_id)))


def test_sigterm_mid_run_then_restart_stores_every_post_exactly_once(
    db_url: str, tmp_path: Path, start_daemon: Callable[[Path, Path], subprocess.Popen[bytes]]
) -> None:
    data, shift = scenario_now()
    clock = VirtualClock(datetime.now(UTC))  # frozen: what the server shows stays put
    expected = expected_ids(data, clock.now())
    log = tmp_path / "daemon.log"
    with ReplayServer(data, clock) as server, Storage.open(db_url) as storage:
        storage.init()
        config = write_config(tmp_path / "monitor.toml", db_url, server.url, shift)
        daemon = start_daemon(config, log)
        wait_for(lambda: len(stored_ids(storage)) >= 20, "the first pages", daemon, log)
        stop(daemon, log)

        first = stored_ids(storage)
        assert 20 <= len(first) < len(expected), "SIGTERM came after the pass ended: not mid-run"
        assert set(first) <= expected and max(first.values()) == 1
        between = {job.id: job.next_run_time for job in storage.scheduled_jobs()}
        assert set(between) == {"scrape:weibo", "analyze", "detect", "purge"}
        assert "scrape:weibo" in json.loads(storage.get_state(jobs.INTERRUPTED_KEY) or "[]")
        assert "stopping" in log.read_text()

        daemon = start_daemon(config, log)  # the cut-short pass runs first, from its cursor
        wait_for(lambda: set(stored_ids(storage)) >= expected, "every post", daemon, log)
        wait_for(lambda: storage.stats()["analyzed"] == len(expected), "the analysis", daemon, log)
        # Every post can be stored, and analyzed, before the pass has read its last page and
        # recorded itself: stopping then would cut that pass short, as the daemon should.
        wait_for(lambda: last_run_complete(storage, "weibo"), "the resumed pass to end", daemon, log)
        stop(daemon, log)

        ids = stored_ids(storage)
        assert set(ids) == expected and len(ids) == len(expected) and max(ids.values()) == 1
        after = {job.id: job.next_run_time for job in storage.scheduled_jobs()}
        assert set(after) == set(between) and after["purge"] == between["purge"]  # kept, not reset
        runs = {run.source: run for run in storage.last_scrape_runs()}
        assert runs["weibo"].status == "ok" and runs["weibo"].complete
        beat = jobs.read_heartbeat(storage)
        assert beat is not None and beat["state"] == "stopped" and beat["pid"] == daemon.pid


def test_status_shows_sources_schedule_backlog_storms_and_heartbeat(
    db_url: str, tmp_path: Path, start_daemon: Callable[[Path, Path], subprocess.Popen[bytes]]
) -> None:
    data, shift = scenario_now(scale=0.5)
    clock = VirtualClock(datetime.now(UTC))
    log = tmp_path / "daemon.log"
    with ReplayServer(data, clock) as server, Storage.open(db_url) as storage:
        storage.init()
        config = write_config(tmp_path / "monitor.toml", db_url, server.url, shift, min_delay_seconds=0.0)
        settings = load_settings(config)
        daemon = start_daemon(config, log)
        wait_for(lambda: bool(storage.last_scrape_runs()) and jobs.read_heartbeat(storage) is not None,
                 "a scrape run", daemon, log)
        wait_for(lambda: storage.stats()["analyzed"] >= len(expected_ids(data, clock.now())), "analysis", daemon, log)
        wait_for(lambda: storage.stats()["storms_open"] > 0, "the open storm", daemon, log)
        shown = subprocess.run([sys.executable, "-m", "monitor", "status", "--format", "json"],
                               env=monitor_env(config), cwd=tmp_path, capture_output=True, text=True, timeout=120)
        wide = {**monitor_env(config), "COLUMNS": "200"}
        table = subprocess.run([sys.executable, "-m", "monitor", "status"], env=wide, cwd=tmp_path,
                               capture_output=True, text=True, timeout=120)
        stop(daemon, log)

    assert shown.returncode == 0, shown.stderr
    status = json.loads(shown.stdout)
    (source,) = status["sources"]
    assert (source["name"], source["kind"], source["interval_minutes"]) == ("weibo", "weibo-search", 60)
    run = source["last_run"]
    assert run["status"] == "ok" and run["complete"] and run["gaps"] == 0 and run["new"] > 0
    assert run["throttled_seconds"] == 0.0 and run["pages"] > 1
    assert datetime.fromisoformat(source["next_run"]) > datetime.fromisoformat(run["started_at"])
    assert {job["id"] for job in status["jobs"]} == {"analyze", "detect", "purge"}
    assert status["backlog"] == 0 and status["storms_open"] == 1
    assert [s["app"] for s in status["open_storms"]] == ["ZAO"]
    assert status["daemon"]["status"] == "running" and status["daemon"]["age_seconds"] < 60
    assert settings.daemon.heartbeat_seconds == 1.0

    assert table.returncode == 0, table.stderr
    for expected in ("sources (Beijing time)", "weibo-search", "complete", "60 min", "daemon: running",
                     "next runs (Beijing): analyze", "ZAO"):
        assert expected in table.stdout, table.stdout


def test_help_lists_run_without_importing_the_scheduler(tmp_path: Path) -> None:
    code = ("import sys; from click.testing import CliRunner; from monitor.cli import cli; "
            "out = CliRunner().invoke(cli, ['--help']).output; "
            "assert '  run ' in out, out; "
            "heavy = {'apscheduler', 'httpx', 'jieba', 'pandas', 'monitor.jobs'} & set(sys.modules); "
            "assert not heavy, heavy")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
