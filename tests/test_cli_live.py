"""`monitor scrape` and `monitor replay serve` run as users run them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.replay.data import ReplayData
from monitor.replay.faults import Fault, FaultPlan
from monitor.replay.server import ReplayServer
from tests.live_helpers import beijing, post, replay_server

REPO = Path(__file__).resolve().parents[1]


def monitor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_PSEUDONYM_KEY"] = "cli-live-test-key-0123456789"
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    posts = [post(100 + i, beijing(2019, 8, 31, 10, i), f"#ZAO# 第{i}条[哈哈]", author="2000000003")
             for i in range(15)]
    plan = FaultPlan([Fault("status-418", times=1)])
    with replay_server(ReplayData(posts), beijing(2019, 8, 31, 12, 0), plan) as running:
        yield running


@pytest.fixture
def workdir(tmp_path: Path, server: ReplayServer) -> Path:
    (tmp_path / "config").mkdir()
    fast = "min_delay_seconds = 0.0\njitter_seconds = 0.0\nbackoff_seconds = 0.01\nlookback_hours = 240.0\n"
    (tmp_path / "config" / "monitor.toml").write_text(
        f'[[sources]]\nname = "search"\nkind = "weibo-search"\nqueries = ["ZAO"]\nbase_url = "{server.url}"\n{fast}'
        f'[[sources]]\nname = "hot"\nkind = "weibo-hot"\nbase_url = "{server.url}"\n{fast}'
        f'[[sources]]\nname = "down"\nkind = "weibo-user"\nuids = ["123"]\nbase_url = "http://127.0.0.1:9"\n'
        f"{fast}max_retries = 0\n",
        encoding="utf-8",
    )
    assert monitor("init", cwd=tmp_path).returncode == 0
    return tmp_path


def test_help_lists_the_live_commands(tmp_path: Path) -> None:
    result = monitor("--help", cwd=tmp_path)
    assert "  scrape" in result.stdout and "  replay" in result.stdout
    assert "serve" in monitor("replay", "--help", cwd=tmp_path).stdout


def test_scrape_runs_each_source_once_and_reports_a_table(workdir: Path) -> None:
    result = monitor("scrape", cwd=workdir)
    assert result.returncode == 1, result.stderr  # the unreachable source failed outright
    assert "search" in result.stdout and "15" in result.stdout and "failed" in result.stdout
    assert "down" in result.stderr and "Traceback" not in result.stderr
    again = monitor("scrape", "--source", "search", "--source", "hot", "--format", "json", cwd=workdir)
    assert again.returncode == 0, again.stderr
    records = {r["source"]: r for r in json.loads(again.stdout)}
    assert set(records) == {"search", "hot"}
    assert records["search"]["new"] == 0 and records["search"]["status"] == "ok"
    assert records["hot"]["new"] == 0 and records["hot"]["unchanged"] > 0  # same list at the same (frozen) time


def test_scrape_refuses_unknown_sources_cleanly(workdir: Path) -> None:
    result = monitor("scrape", "--source", "nope", cwd=workdir)
    assert result.returncode == 1 and "error:" in result.stderr and "no source named 'nope'" in result.stderr
    (workdir / "empty.toml").write_text("", encoding="utf-8")
    bare = monitor("--config", "empty.toml", "scrape", cwd=workdir)
    assert bare.returncode == 1 and "no [[sources]] configured" in bare.stderr


def test_replay_serve_serves_a_scenario_until_stopped(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "replay", "serve", "zao-2019:0.05", "--port", "0", "--speed", "0",
         "--start", "2019-08-31T12:00", "--fault", "status-418:1:1"],
        cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        url = first.split(" at ")[-1].strip()
        assert first.startswith("replaying") and url.startswith("http://127.0.0.1:")
        hot = httpx.get(url + "/ajax/side/hotSearch", timeout=10)
        assert hot.status_code == 200 and hot.headers["Date"] == "Sat, 31 Aug 2019 04:00:00 GMT"
        search = {"containerid": "100103type=1&q=ZAO", "page_type": "searchall", "page": 1}
        assert httpx.get(url + "/api/container/getIndex", params=search, timeout=10).status_code == 200
        assert httpx.get(url + "/api/container/getIndex", params=search, timeout=10).status_code == 418
    finally:
        process.terminate()
        process.wait(timeout=10)
