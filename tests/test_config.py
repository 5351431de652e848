"""Config loading: defaults, the shipped file, env overrides, and errors naming file and key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import Settings, load_settings
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_watches_zao_and_a_control_app() -> None:
    settings = load_settings(REPO / "config" / "monitor.toml", env={})
    apps = {app.name: app for app in settings.watchlist}
    assert set(apps) == {"ZAO", "Pintu"}
    # 2019-08-30 is a Beijing date: midnight +08:00 is 16:00 UTC the day before.
    assert apps["ZAO"].launched_at == datetime(2019, 8, 29, 16, tzinfo=UTC)
    assert "逢脸造戏" in apps["ZAO"].aliases


def test_no_file_gives_built_in_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings == Settings()
    assert settings.database.url == "sqlite:///var/monitor.db"


def test_env_overrides_scalar_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///a.db"\n')
    env = {"MONITOR_DATABASE_URL": "sqlite:///b.db", "MONITOR_DETECT_OPEN_SCORE": "6.5"}
    settings = load_settings(path, env=env)
    assert settings.database.url == "sqlite:///b.db"
    assert settings.detect.open_score == 6.5


def test_monitor_config_env_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[privacy]\nretention_days = 30\n')
    assert load_settings(env={"MONITOR_CONFIG": str(path)}).privacy.retention_days == 30


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[databse]\nurl = 'x'\n", "databse", "unknown section"),
        ("[database]\nuri = 'x'\n", "database.uri", "unknown key"),
        ("[privacy]\nretention_days = 'soon'\n", "privacy.retention_days", "expected an integer"),
        ("[detect]\nopen_score = true\n", "detect.open_score", "expected a number"),
        ("[[apps]]\naliases = ['x']\n", "apps[0].name", "required key is missing"),
        ("[[apps]]\nname = 'A'\nlaunched_at = 'next week'\n", "apps[0].launched_at", "expected a date"),
        ("[[apps]]\nname = 'A'\naliases = 'A'\n", "apps[0].aliases", "expected a list"),
        ("[[apps]]\nname = 'A'\n[[apps]]\nname = 'A'\n", "apps[1].name", "duplicate app name"),
        ("[[sources]]\nname = 's'\nkind = 'twitter'\n", "sources[0].kind", "expected one of"),
        ("[[alerts]]\nkind = 'file'\n", "alerts[0].path", "needs a path"),
        ("[nlp]\nnegative_below = 0.9\npositive_above = 0.1\n", "nlp.negative_below", "expected 0 <="),
        ("[database\n", "", "not valid TOML"),
    ],
)
def test_bad_config_names_file_key_and_expectation(tmp_path: Path, text: str, key: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    message = str(info.value)
    assert message.startswith(str(path))
    assert key in message
    assert expected in message


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MONITOR_DETECT_OPEN_HOURS: expected an integer"):
        load_settings(write(tmp_path, ""), env={"MONITOR_DETECT_OPEN_HOURS": "two"})


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_config_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[privacy]\nnote = "caf\xe9"\n')
    with pytest.raises(ConfigError, match=r"latin1\.toml: not valid UTF-8"):
        load_settings(path, env={})


def test_datetime_with_offset_is_kept_exact(tmp_path: Path) -> None:
    path = write(tmp_path, "[[apps]]\nname = 'A'\nlaunched_at = 2019-08-30T20:00:00+08:00\n")
    (app,) = load_settings(path, env={}).watchlist
    assert app.launched_at == datetime(2019, 8, 30, 12, tzinfo=UTC)
    assert app.aliases == ("A",)
