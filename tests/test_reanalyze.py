"""Versioned analyses and `monitor reanalyze`, on SQLite and PostgreSQL.

Every stored analysis carries the analyzer version; when the version changes (another
model, lexicon, backend or thresholds), reanalysis re-tags exactly the stale posts, in
committed batches, and an interrupted run goes on where it stopped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.config import NlpSettings, Settings, load_settings
from monitor.nlp.sentiment import register_sentiment_model
from monitor.pipeline import analyze_backlog, backlog_size
from monitor.storage import Storage
from monitor.storage.models import AnalysisRow, PostRow
from monitor.types import Analysis, Post

REPO = Path(__file__).resolve().parents[1]
H0 = datetime(2019, 8, 30, 16, tzinfo=UTC)
TEXTS = [
    "ZAO的用户协议要永久授权，太可怕了",
    "逢脸造戏好好玩[哈哈]",
    "工信部约谈ZAO",
    "今天天气真好",
    "刷脸支付被盗刷了",
]
N = 45


class Fixed:
    """A hand-written sentiment model: every text gets `value`."""

    def __init__(self, value: float, name: str) -> None:
        self.value, self.name = value, name

    def score(self, text: str) -> float:
        return self.value


register_sentiment_model("test-low", lambda: Fixed(0.2, "test-low"))
register_sentiment_model("test-high", lambda: Fixed(0.9, "test-high"))


def settings(model: str = "test-low", **nlp: object) -> Settings:
    base = load_settings(REPO / "config" / "monitor.toml", env={})
    return replace(base, nlp=replace(base.nlp, model=model, **nlp))  # type: ignore[arg-type]


def fill(storage: Storage) -> None:
    storage.sync_apps(settings().watchlist)
    storage.upsert_posts([
        Post("weibo", f"p{i}", H0 + timedelta(minutes=10 * i), TEXTS[i % len(TEXTS)]) for i in range(N)
    ])


def stored(storage: Storage) -> list[tuple[str, str, str, float, bool]]:
    """(external id, version, polarity, sentiment, privacy) of every analysis."""
    query = (select(PostRow.external_id, AnalysisRow.analyzer_version, AnalysisRow.polarity,
                    AnalysisRow.sentiment, AnalysisRow.privacy)
             .join(AnalysisRow, AnalysisRow.post_id == PostRow.id).order_by(PostRow.id))
    with storage.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


class PowerCut(Exception):
    pass


class CrashingStorage(Storage):
    """The real store, whose process dies after `batches` committed batches."""

    def __init__(self, storage: Storage, batches: int) -> None:
        super().__init__(storage.engine)
        self.left = batches

    def save_analyses(self, rows: object) -> None:
        if self.left == 0:
            raise PowerCut
        self.left -= 1
        super().save_analyses(rows)  # type: ignore[arg-type]


def test_each_analysis_records_the_analyzer_version(storage: Storage) -> None:
    fill(storage)
    result = analyze_backlog(storage, settings())
    rows = stored(storage)
    assert result.analyzed == N == len(rows)
    assert {version for _, version, *_ in rows} == {result.analyzer_version}
    assert result.analyzer_version.startswith("a2-test-low-")
    assert {polarity for _, _, polarity, *_ in rows} == {"negative"}
    assert rows[0][4] is True  # p0: the user agreement is a privacy concern


def test_a_new_version_is_reanalyzed_in_full(storage: Storage) -> None:
    fill(storage)
    old = analyze_backlog(storage, settings()).analyzer_version
    new_settings = settings("test-high")
    assert backlog_size(storage, new_settings, stale_only=True) == N
    result = analyze_backlog(storage, new_settings, batch_size=7, stale_only=True)
    assert result.analyzed == N and result.analyzer_version != old
    rows = stored(storage)
    assert Counter(version for _, version, *_ in rows) == {result.analyzer_version: N}
    assert {polarity for _, _, polarity, *_ in rows} == {"positive"}
    assert backlog_size(storage, new_settings, stale_only=True) == 0
    assert analyze_backlog(storage, new_settings, stale_only=True).analyzed == 0


def test_thresholds_are_part_of_the_version(storage: Storage) -> None:
    fill(storage)
    analyze_backlog(storage, settings())
    stricter = settings(negative_below=0.1)
    assert backlog_size(storage, stricter, stale_only=True) == N
    analyze_backlog(storage, stricter, stale_only=True)
    assert {polarity for _, _, polarity, *_ in stored(storage)} == {"neutral"}


def test_an_interrupted_reanalysis_goes_on_where_it_stopped(storage: Storage) -> None:
    fill(storage)
    analyze_backlog(storage, settings())
    new_settings = settings("test-high")
    with pytest.raises(PowerCut):
        analyze_backlog(CrashingStorage(storage, batches=2), new_settings, batch_size=10, stale_only=True)
    versions = Counter(version for _, version, *_ in stored(storage))
    assert sorted(versions.values()) == [20, N - 20]  # two batches committed, nothing half-done
    assert backlog_size(storage, new_settings, stale_only=True) == N - 20
    resumed = analyze_backlog(storage, new_settings, batch_size=10, stale_only=True)
    assert resumed.analyzed == N - 20
    assert Counter(version for _, version, *_ in stored(storage)) == {resumed.analyzer_version: N}


def test_reanalysis_leaves_unanalyzed_posts_to_detect(storage: Storage) -> None:
    fill(storage)
    assert analyze_backlog(storage, settings(), stale_only=True).analyzed == 0
    assert backlog_size(storage, settings()) == N


def test_rollups_follow_the_new_analyses(storage: Storage) -> None:
    fill(storage)
    analyze_backlog(storage, settings())
    storage.refresh_rollups()
    before = storage.hourly_series("ZAO")
    analyze_backlog(storage, settings("test-high"), stale_only=True)
    storage.refresh_rollups()
    after = storage.hourly_series("ZAO")
    assert sum(h.negative for h in before) > 0 and sum(h.negative for h in after) == 0
    assert sum(h.posts for h in before) == sum(h.posts for h in after)


def test_reanalyze_command_and_its_rerun(db_url: str, tmp_path: Path) -> None:
    with Storage.open(db_url) as storage:
        storage.init()
        fill(storage)
        storage.save_analyses([(pid, Analysis((), 0.5, "neutral", (), (), "a0-old"))
                               for batch in storage.iter_unanalyzed("x") for pid, _ in batch])
    config = tmp_path / "monitor.toml"
    config.write_text(
        (REPO / "config" / "monitor.toml").read_text(encoding="utf-8").replace(
            'lexicon_dir = "lexicon"', f'lexicon_dir = "{REPO / "config" / "lexicon"}"'),
        encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    command = [sys.executable, "-m", "monitor", "--config", str(config), "--db", db_url,
               "reanalyze", "--batch-size", "20", "--format", "json"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["reanalyzed"] == N and report["rollup_rows"] > 0
    assert report["analyzer_version"].startswith("a2-weibo-charlr-")
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert json.loads(again.stdout)["reanalyzed"] == 0
    with Storage.open(db_url) as storage:
        rows = stored(storage)
    assert {version for _, version, *_ in rows} == {report["analyzer_version"]}
    assert any(privacy for *_, privacy in rows)


def test_default_settings_use_the_weibo_model() -> None:
    assert NlpSettings().model == "weibo" and NlpSettings().segmenter == "auto"
