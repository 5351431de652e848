"""The flow's steps on both databases: import (interrupted and resumed), analyze, detect."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import load_settings
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.pipeline import analyze_backlog, detect, floor_hour, import_files
from monitor.replay.scenario import iter_scenario, write_scenario
from monitor.storage import Storage

REPO = Path(__file__).resolve().parents[1]
PSEUDONYMIZE = Pseudonymizer(b"pipeline-test-key-0123456789")


class Interrupted(Exception):
    """Stands in for Ctrl-C or a crash in the middle of an import."""


def interrupt_after(n: int, progress_calls: list[int]) -> object:
    def progress(done: int) -> None:
        progress_calls.append(done)
        if sum(progress_calls) >= n:
            raise Interrupted
    return progress


def stored_ids(storage: Storage) -> set[str]:
    from sqlalchemy import text

    with storage.engine.connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT external_id FROM posts"))}


def test_interrupted_import_keeps_committed_batches_and_rerun_completes(storage: Storage, tmp_path: Path) -> None:
    path = tmp_path / "scenario.jsonl"
    total = write_scenario(path, scale=0.2)
    calls: list[int] = []
    with pytest.raises(Interrupted):
        import_files(storage, [path], pseudonymize=PSEUDONYMIZE, batch_size=100,
                     progress=interrupt_after(total // 2, calls))  # type: ignore[arg-type]
    kept = stored_ids(storage)
    assert 0 < len(kept) < total
    assert len(kept) % 100 == 0  # only whole, committed batches

    result = import_files(storage, [path], pseudonymize=PSEUDONYMIZE, batch_size=100)
    assert (result.new, result.unchanged, result.rejected) == (total - len(kept), len(kept), 0)
    assert len(stored_ids(storage)) == total


def test_bad_lines_are_skipped_and_nothing_stored_is_lost(storage: Storage, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    write_scenario(good, scale=0.05)
    first = import_files(storage, [good], pseudonymize=PSEUDONYMIZE)
    lines = good.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes("\n".join([lines[0], "{oops", '{"id": "z", "text": "x"}']).encode() + b"\n\xff\xfe\n")
    second = import_files(storage, [bad], pseudonymize=PSEUDONYMIZE)
    assert second.rejected == 3 and second.unchanged == 1
    assert [m.split(": ")[0] for m in second.rejects] == [f"{bad}:2", f"{bad}:3", f"{bad}:4"]
    assert len(stored_ids(storage)) == first.new


@pytest.fixture
def scenario_storage(storage: Storage, tmp_path: Path) -> Iterator[tuple[Storage, Path]]:
    path = tmp_path / "scenario.jsonl"
    write_scenario(path)
    yield storage, path


def test_scenario_end_to_end_catches_zao_and_spares_the_control(scenario_storage: tuple[Storage, Path]) -> None:
    storage, path = scenario_storage
    settings = load_settings(REPO / "config" / "monitor.toml", env={})
    storage.sync_apps(settings.watchlist)
    import_files(storage, [path], pseudonymize=PSEUDONYMIZE)
    analyzed = analyze_backlog(storage, settings)
    assert analyzed.analyzed == len(path.read_text(encoding="utf-8").splitlines())
    assert analyze_backlog(storage, settings).analyzed == 0  # nothing pending twice

    last = max(p.created_at for p in iter_scenario())
    result = detect(storage, settings, until=floor_hour(last) + timedelta(hours=1))
    by_app = {s.storm.app: s for s in result.storms}
    assert set(by_app) == {"ZAO"}
    zao = by_app["ZAO"].storm
    assert zao.detected_at.isoformat() < "2019-08-31T16:00:00+00:00"  # before 09-01 00:00 Beijing
    assert [a.kind for a in result.alerts].count("open") == 1

    again = detect(storage, settings, until=floor_hour(last) + timedelta(hours=1))
    assert again.alerts == []  # every alert fires once
    assert [s.id for s in again.storms] == [s.id for s in result.storms]
    assert json.dumps(sorted(zao.concerns))  # concerns recorded
