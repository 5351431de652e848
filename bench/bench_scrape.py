"""Live-path throughput: Weibo bodies parsed per second, posts scraped per second.

    python bench/bench_scrape.py [--scale 1.0] [--repeat 3]

* `mblog parse`: getIndex pages of the ZAO-2019 scenario in Weibo's real shapes (HTML
  text, relative times, string counts, reposts) read to `Post`s by the sources' own
  readers (`parse_body` + `read_index` + `map_mblogs`); baseline: `json.loads` alone.
* `scrape replay (politeness off)`: a first pass of a `weibo-search` and a `weibo-user`
  source against the replay server on 127.0.0.1, into a fresh SQLite file, with no
  delay or jitter; baseline: the same page requests with httpx alone (no parsing, no
  storing, no long-text completion).

Each line gives the rate, the baseline rate in the same run, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.config import Settings, SourceSettings
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.replay.clock import VirtualClock
from monitor.replay.data import ReplayData
from monitor.replay.routes import Routes
from monitor.replay.server import ReplayServer
from monitor.scrape import run_sources
from monitor.sources.base import Response
from monitor.sources.http import PoliteClient
from monitor.sources.weibo_api import map_mblogs, parse_body, read_index
from monitor.storage import Storage

PSEUDONYMIZE = Pseudonymizer(b"bench-key-0123456789abcdef")
QUERIES = ("ZAO", "换脸")


def best_of(repeat: int, work: Callable[[], int]) -> tuple[int, float]:
    """(units, seconds) of the fastest of `repeat` runs."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        units = work()
        runs.append((time.perf_counter() - started, units))
    seconds, units = min(runs)
    return units, seconds


def index_bodies(data: ReplayData, now: datetime) -> list[str]:
    """Every search page of the scenario's queries, as the server would send it."""
    routes = Routes(data)
    bodies = []
    for query in QUERIES:
        page = 1
        while True:
            body = routes.index({"containerid": f"100103type=1&q={query}", "page": str(page)}, now, lambda: False)
            if body.get("ok") != 1:
                break
            bodies.append(json.dumps(body, ensure_ascii=False))
            page += 1
    return bodies


def bench_parse(data: ReplayData, now: datetime, repeat: int) -> None:
    bodies = index_bodies(data, now)

    def baseline() -> int:
        return sum(len(json.loads(body)["data"]["cards"]) for body in bodies)

    def ours() -> int:
        count = 0
        for body in bodies:
            data_ = parse_body(Response("bench", 200, body, {}, now))
            index = read_index(data_, {"page": 1})
            count += len(map_mblogs(index.mblogs, source="s", fetched_at=now, pseudonymize=PSEUDONYMIZE).marks)
        return count

    raw_units, raw_seconds = best_of(repeat, baseline)
    units, seconds = best_of(repeat, ours)
    report("mblog parse", units / seconds, "mblogs/s", raw_units / raw_seconds, "cards/s json.loads")


def bench_scrape(data: ReplayData, now: datetime, repeat: int) -> None:
    uids = tuple(data.top_authors(20))
    with ReplayServer(data, VirtualClock(now)) as server:
        fast: dict[str, Any] = {"base_url": server.url, "min_delay_seconds": 0.0, "jitter_seconds": 0.0,
                                "lookback_hours": 24 * 30.0, "max_pages": 1000}
        settings = Settings(sources=(SourceSettings(name="search", kind="weibo-search", queries=QUERIES, **fast),
                                     SourceSettings(name="users", kind="weibo-user", uids=uids, **fast)))

        def ours() -> int:
            with tempfile.TemporaryDirectory() as folder:
                storage = Storage.open(f"sqlite:///{Path(folder) / 'bench.db'}")
                storage.init()
                with PoliteClient() as client:
                    runs = run_sources(storage, settings, now, client=client, pseudonymize=PSEUDONYMIZE)
                storage.close()
            return sum(run.result.new for run in runs)

        def baseline() -> int:
            return raw_fetch(server.url, uids, now)

        raw_units, raw_seconds = best_of(repeat, baseline)
        units, seconds = best_of(repeat, ours)
    report("scrape replay (politeness off)", units / seconds, "posts/s", raw_units / raw_seconds,
           "posts/s raw httpx GETs")


def raw_fetch(url: str, uids: tuple[str, ...], now: datetime) -> int:
    """Fetch every page of the same lists with bare httpx; count the cards."""
    import httpx

    containers = [f"100103type=1&q={q}" for q in QUERIES] + [f"107603{uid}" for uid in uids]
    count = 0
    with httpx.Client() as client:
        for container in containers:
            page = 1
            while True:
                body = client.get(url + "/api/container/getIndex", params={"containerid": container, "page": page})
                cards = body.json().get("data", {}).get("cards", [])
                if not cards:
                    break
                count += len(cards)
                page += 1
    return count


def report(name: str, rate: float, unit: str, baseline: float, baseline_unit: str) -> None:
    print(f"{name}: {rate:,.0f} {unit} (baseline {baseline:,.0f} {baseline_unit}; ratio {rate / baseline:.2f})")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="scenario volume (1.0: ~4,000 posts)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the best counts)")
    args = parser.parse_args(argv)
    data = ReplayData.from_scenario(scale=args.scale)
    window = data.window()
    if window is None:
        return 1
    now = (window[1] + timedelta(hours=1)).astimezone(UTC)
    bench_parse(data, now, args.repeat)
    bench_scrape(data, now, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
