"""The CLI run as users run it: `monitor ...` as a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BEIJING_MIDNIGHT_0901 = datetime.fromisoformat("2019-09-01T00:00:00+08:00")


def monitor(*args: str, cwd: Path, env: dict[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script's module the way `monitor` runs it."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    full_env.update({"MONITOR_PSEUDONYM_KEY": "test-key-0123456789", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], cwd=cwd, env=full_env, input=stdin,
        capture_output=True, text=True, timeout=300,
    )


def post(i: int, text: str = "ZAO换脸太好玩了[哈哈]", author: str = "9876543210") -> str:
    return json.dumps({"id": f"p{i}", "created_at": f"2019-08-31T{10 + i % 10:02d}:00:00+08:00",
                       "text": text, "author_id": author, "likes": i}, ensure_ascii=False)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "monitor.toml").write_text(
        (REPO / "config" / "monitor.toml").read_text(encoding="utf-8").replace(
            'lexicon_dir = "lexicon"', f'lexicon_dir = "{REPO / "config" / "lexicon"}"'),
        encoding="utf-8",
    )
    return tmp_path


def test_help_lists_every_command(workdir: Path) -> None:
    result = monitor("--help", cwd=workdir)
    assert result.returncode == 0
    for command in ("init", "import", "analyze", "detect", "storms", "status", "purge", "demo"):
        assert f"  {command}" in result.stdout


def test_bad_config_is_one_clean_error_line(workdir: Path) -> None:
    (workdir / "bad.toml").write_text("[privacy]\nretention_days = 'soon'\n", encoding="utf-8")
    result = monitor("--config", "bad.toml", "storms", cwd=workdir)
    assert result.returncode == 1
    assert "error: bad.toml: privacy.retention_days: expected an integer" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_refuse_an_uninitialised_database(workdir: Path) -> None:
    result = monitor("storms", cwd=workdir)
    assert result.returncode == 1
    assert "monitor init" in result.stderr


def test_import_is_idempotent_and_reports_bad_lines(workdir: Path) -> None:
    data = workdir / "posts.jsonl"
    lines = [post(1), "{not json", post(2), json.dumps({"id": "x", "text": "no time"}), post(3)]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert monitor("init", cwd=workdir).returncode == 0

    first = monitor("import", "posts.jsonl", "--output", "json", cwd=workdir)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["new"], summary["rejected"]) == (3, 2)
    assert "posts.jsonl:2:" in first.stderr and "posts.jsonl:4:" in first.stderr

    again = json.loads(monitor("import", "posts.jsonl", "--output", "json", cwd=workdir).stdout)
    assert (again["new"], again["unchanged"]) == (0, 3)

    lines[0] = post(1, text="ZAO的用户协议要永久授权我的脸？删了删了[怒]")
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    changed = json.loads(monitor("import", "posts.jsonl", "--output", "json", cwd=workdir).stdout)
    assert (changed["new"], changed["updated"], changed["unchanged"]) == (0, 1, 2)


def test_database_never_holds_the_raw_author_id(workdir: Path) -> None:
    raw_author = "5551234567"
    (workdir / "posts.jsonl").write_text(post(1, author=raw_author) + "\n", encoding="utf-8")
    monitor("init", cwd=workdir)
    assert monitor("import", "posts.jsonl", cwd=workdir).returncode == 0
    db = workdir / "var" / "monitor.db"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(FULL)")
    (author,) = connection.execute("SELECT author FROM posts").fetchone()
    connection.close()
    assert author and raw_author not in author
    assert raw_author.encode() not in db.read_bytes()


def test_analyze_contract_from_stdin(workdir: Path) -> None:
    stdin = "\n".join([
        json.dumps({"id": "a", "text": "ZAO的用户协议说对我的脸拥有永久不可撤销的授权，太可怕了"}, ensure_ascii=False),
        "garbage",
        json.dumps({"text": "今天早上zaoshang吃了包子"}, ensure_ascii=False),
    ]) + "\n"
    result = monitor("analyze", cwd=workdir, stdin=stdin)
    assert result.returncode == 0, result.stderr
    first, bad, third = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == "a" and first["apps"] == ["ZAO"] and "privacy" in first["concerns"]
    assert 0.0 <= first["sentiment"] <= 1.0 and first["polarity"] in ("negative", "neutral", "positive")
    assert "error" in bad and "line 2" in bad["error"]
    assert third["apps"] == [] and third["concerns"] == []


@pytest.mark.slow
def test_demo_catches_zao_before_september_and_not_the_control_app(workdir: Path) -> None:
    result = monitor("demo", "--out", "var/demo", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "ZAO" in result.stdout and "no storm" in result.stdout

    listed = monitor("--db", "sqlite:///var/demo/monitor.db", "storms", "--format", "json", cwd=workdir)
    assert listed.returncode == 0, listed.stderr
    storms = json.loads(listed.stdout)
    zao = [s for s in storms if s["app"] == "ZAO"]
    assert len(zao) == 1
    assert datetime.fromisoformat(zao[0]["detected_at"]) < BEIJING_MIDNIGHT_0901
    assert {"privacy", "biometric"} <= set(zao[0]["concerns"])
    assert zao[0]["negative_share"] > 0.5
    assert not [s for s in storms if s["app"] == "Pintu"]
