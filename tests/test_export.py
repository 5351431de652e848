"""`monitor export`: posts and hourly series as CSV or Parquet, streamed in chunks."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from analyst_data import rows_of

from monitor.export import export


def monitor(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", "--db", url, *args], capture_output=True,
                          text=True, timeout=300)


def count(url: str, query: str) -> int:
    return int(rows_of(url, query)[1][0][0])  # type: ignore[call-overload]


def test_csv_posts_to_stdout(scenario_url: str) -> None:
    done = monitor(scenario_url, "export", "posts", "--app", "ZAO", "--concern", "privacy",
                   "--since", "2019-08-31", "--until", "2019-09-02")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    expected = count(scenario_url, "SELECT COUNT(*) FROM v_app_posts WHERE app = 'ZAO' AND privacy = TRUE"
                     " AND created_at >= '2019-08-30 16:00:00' AND created_at < '2019-09-01 16:00:00'")
    assert len(rows) == expected > 0
    assert f"exported {expected} posts rows" in done.stderr
    assert all(row["privacy"] == "true" and row["created_at"].endswith("Z") for row in rows)
    assert {row["beijing_day"] for row in rows} == {"2019-08-31", "2019-09-01"}
    assert rows[0]["terms"].startswith("[") and rows[0]["author"].startswith("p_")


def test_parquet_streams_in_chunks(scenario_url: str, tmp_path: Path) -> None:
    chunks: list[int] = []
    path = tmp_path / "posts.parquet"
    with path.open("wb") as out:
        written = export(scenario_url, "posts", "parquet", out, chunk_size=200, progress=chunks.append)
    total = count(scenario_url, "SELECT COUNT(*) FROM posts")
    assert written == total and sum(chunks) == total
    assert len(chunks) == -(-total // 200) and max(chunks) == 200  # read and written 200 rows at a time
    table = pq.read_table(path)
    assert table.num_rows == total
    assert str(table.schema.field("created_at").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("privacy").type) == "bool"
    assert str(table.schema.field("terms").type) == "list<element: string>"


def test_hourly_series_via_cli(scenario_url: str, tmp_path: Path) -> None:
    path = tmp_path / "hourly.parquet"
    done = monitor(scenario_url, "export", "hourly", "--format", "parquet", "--out", str(path), "--app", "ZAO")
    assert done.returncode == 0, done.stderr
    table = pq.read_table(path)
    assert table.num_rows == count(scenario_url, "SELECT COUNT(*) FROM v_hourly WHERE app = 'ZAO'")
    assert set(table.column("concern").to_pylist()) == {"all", "any", "privacy", "biometric", "fraud",
                                                        "security", "regulatory"}
    refused = monitor(scenario_url, "export", "hourly", "--format", "parquet")
    assert refused.returncode == 2 and "Parquet needs --out" in refused.stderr


@pytest.mark.postgres
def test_same_csv_from_sqlite_and_postgresql(scenario_sqlite_url: str, scenario_pg_url: str) -> None:
    for table in ("posts", "hourly"):
        lite, pg = io.StringIO(), io.StringIO()
        export(scenario_sqlite_url, table, "csv", lite)
        export(scenario_pg_url, table, "csv", pg)
        assert lite.getvalue() == pg.getvalue(), table
