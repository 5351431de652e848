"""Settings from `config/monitor.toml` plus `MONITOR_<SECTION>_<KEY>` environment overrides.

Validation only, no logic: every unknown key or bad value raises `ConfigError` naming
the file, the key and what was expected. Dates without a time are midnight in
Asia/Shanghai (the tool's audience thinks in Beijing time); all datetimes come out UTC.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from monitor.errors import ConfigError
from monitor.types import App

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_CONFIG_PATH = Path("config/monitor.toml")
DEFAULT_DATABASE_URL = "sqlite:///var/monitor.db"
SOURCE_KINDS = ("weibo-search", "weibo-user", "weibo-hot", "rss")
ALERT_KINDS = ("log", "file", "webhook")


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the store lives."""

    url: str = DEFAULT_DATABASE_URL


@dataclass(frozen=True)
class PrivacySettings:
    """The monitor's own privacy: retention and the pseudonym key's env var."""

    retention_days: int = 365
    pseudonym_key_env: str = "MONITOR_PSEUDONYM_KEY"
    data_dir: str = "var"


@dataclass(frozen=True)
class NlpSettings:
    """Analyzer settings: lexicon folder, sentiment model, segmenter backend and polarity
    thresholds on P(positive).

    An empty `lexicon_dir` means the project's own `config/lexicon/`; a relative one is
    relative to the config file's folder. `model` names a registered sentiment model
    (`weibo`, `snownlp`); `segmenter` a backend (`auto`: rjieba if installed, else
    jieba). The thresholds suit the `weibo` model, whose neutral posts average 0.60
    (chosen on the held-out split, bench/run.py prints their effect). `concern_model`
    adds the learned concern model's findings to the lexicon's (`monitor.nlp.concern_model`);
    false leaves concerns to the lexicon alone.
    """

    lexicon_dir: str = ""
    model: str = "weibo"
    concern_model: bool = True
    segmenter: str = "auto"
    negative_below: float = 0.45
    positive_above: float = 0.75


@dataclass(frozen=True)
class DetectSettings:
    """Storm detector parameters (the model is in `monitor.detect`'s docstring).

    `overdispersion` is the extra variance of hourly concern posts beyond Poisson, as
    `overdispersion * expected**2`: at high volume an hour needs about
    `1 + open_score * sqrt(overdispersion)` times its expected level to be hot.
    `prior_spread` is the relative uncertainty of `prior_concern_share` (how far apps
    differ from it); it adds to that in proportion to the prior's weight in the share,
    so a new app needs a far larger excess than one with a history.
    """

    prior_concern_share: float = 0.04
    prior_weight_hours: float = 12.0
    baseline_halflife_hours: float = 48.0
    min_expected: float = 0.5
    overdispersion: float = 0.0625
    prior_spread: float = 2.5
    open_score: float = 4.0
    open_min_posts: int = 6
    open_hours: int = 2
    close_score: float = 1.5
    close_hours: int = 6
    escalate_min_posts: int = 4


@dataclass(frozen=True)
class AppSettings:
    """One watched app."""

    name: str
    aliases: tuple[str, ...] = ()
    launched_at: datetime | None = None

    def to_app(self) -> App:
        """The record the analyzer and detector use; the name is always an alias."""
        aliases = tuple(dict.fromkeys((self.name, *self.aliases)))
        return App(name=self.name, aliases=aliases, launched_at=self.launched_at)


@dataclass(frozen=True)
class SourceSettings:
    """One scraping source (the live path)."""

    name: str
    kind: str
    queries: tuple[str, ...] = ()
    uids: tuple[str, ...] = ()
    url: str = ""
    interval_minutes: int = 30
    base_url: str = ""
    cookie_env: str = ""
    min_delay_seconds: float = 3.0
    max_pages: int = 10
    timeout_seconds: float = 20.0
    jitter_seconds: float = 2.0
    """Extra random delay, uniform in [0, jitter_seconds], added to `min_delay_seconds`."""
    max_retries: int = 4
    """Retries of one request on throttling, 5xx, timeouts and broken bodies."""
    backoff_seconds: float = 5.0
    """First retry delay; doubles each retry up to `max_backoff_seconds` (Retry-After wins)."""
    max_backoff_seconds: float = 300.0
    cooldown_seconds: float = 600.0
    """After throttling: the host is paced 4x slower this long; after retries run out,
    requests to it fail fast (recorded as throttled) until the cool-down ends."""
    max_in_flight: int = 1
    """Concurrent requests per host."""
    lookback_hours: float = 24.0
    """How far back the first run of a query or uid goes (later runs go to the cursor)."""


@dataclass(frozen=True)
class DaemonSettings:
    """`monitor run`: how often the daemon's own jobs run (sources use their `interval_minutes`).

    Analysis also runs right after a scrape that brought new posts, and detection right
    after an analysis that found some; the intervals here are the floors.
    """

    analyze_seconds: float = 60.0
    """Look for unanalyzed posts at least this often."""
    analyze_batch: int = 100
    """Posts analyzed (and committed) per batch; a shutdown waits for at most one batch."""
    detect_minutes: float = 60.0
    """Refresh rollups and run detection at least this often."""
    purge_hours: float = 24.0
    """Apply the retention policy this often."""
    heartbeat_seconds: float = 60.0
    """Write the `daemon_heartbeat` state this often (`monitor status` shows its age)."""
    shutdown_seconds: float = 8.0
    """On SIGTERM/SIGINT, wait this long for running jobs to commit their batch, then exit."""
    workers: int = 4
    """Jobs that may run at once (each job id runs at most once at a time)."""


@dataclass(frozen=True)
class AlertSettings:
    """One alert sink: `log`, `file` (path) or `webhook` (url)."""

    kind: str
    path: str = ""
    url: str = ""


@dataclass(frozen=True)
class Settings:
    """All configuration, validated."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    detect: DetectSettings = field(default_factory=DetectSettings)
    apps: tuple[AppSettings, ...] = ()
    sources: tuple[SourceSettings, ...] = ()
    alerts: tuple[AlertSettings, ...] = (AlertSettings(kind="log"),)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    path: str = "<built-in defaults>"

    @property
    def watchlist(self) -> tuple[App, ...]:
        """The watched apps as analyzer/detector records."""
        return tuple(app.to_app() for app in self.apps)


_SECTIONS: dict[str, type] = {
    "database": DatabaseSettings,
    "privacy": PrivacySettings,
    "nlp": NlpSettings,
    "detect": DetectSettings,
    "daemon": DaemonSettings,
}
_LISTS: dict[str, type] = {"apps": AppSettings, "sources": SourceSettings, "alerts": AlertSettings}


def load_settings(
    path: str | Path | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Load settings from `path` (or `MONITOR_CONFIG`, or the default file if present).

    `env` defaults to `os.environ`; `MONITOR_<SECTION>_<KEY>` overrides a scalar key,
    e.g. `MONITOR_DATABASE_URL` or `MONITOR_DETECT_OPEN_SCORE`.
    """
    env = os.environ if env is None else env
    chosen = Path(path) if path else Path(env["MONITOR_CONFIG"]) if env.get("MONITOR_CONFIG") else None
    if chosen is None and DEFAULT_CONFIG_PATH.is_file():
        chosen = DEFAULT_CONFIG_PATH
    raw: dict[str, Any] = read_toml(chosen) if chosen else {}
    where = str(chosen) if chosen else "<built-in defaults>"
    settings = _build(raw, where)
    return _apply_env(settings, env)


def read_toml(path: Path, *, missing: str = "config file not found") -> dict[str, Any]:
    """A TOML file as a dict; `ConfigError` naming the file if it is missing (`missing`
    is the message), not TOML or not UTF-8. The lexicon's files are read with it too."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(missing, path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc})", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not valid UTF-8", path=str(path)) from None


def _build(raw: dict[str, Any], where: str) -> Settings:
    values: dict[str, Any] = {"path": where}
    for key, value in raw.items():
        if key in _SECTIONS:
            values[key] = _make(_SECTIONS[key], value, where, key)
        elif key in _LISTS:
            if not isinstance(value, list):
                raise ConfigError(f"expected an array of tables [[{key}]]", path=where, key=key)
            values[key] = tuple(
                _make(_LISTS[key], item, where, f"{key}[{i}]") for i, item in enumerate(value)
            )
        else:
            known = ", ".join([*_SECTIONS, *_LISTS])
            raise ConfigError(f"unknown section (expected one of {known})", path=where, key=key)
    settings = Settings(**values)
    _check(settings, where)
    return _resolve_paths(settings, where)


def _resolve_paths(settings: Settings, where: str) -> Settings:
    """A relative `nlp.lexicon_dir` is relative to the config file's folder."""
    lexicon = settings.nlp.lexicon_dir
    if not lexicon or Path(lexicon).is_absolute() or where.startswith("<"):
        return settings
    resolved = str(Path(where).parent / lexicon)
    return dataclasses.replace(settings, nlp=dataclasses.replace(settings.nlp, lexicon_dir=resolved))


def _make(cls: type, table: Any, where: str, prefix: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError("expected a table", path=where, key=prefix)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(
                f"unknown key (expected one of {', '.join(fields)})", path=where, key=f"{prefix}.{key}"
            )
        kwargs[key] = _coerce(value, hints[key], where, f"{prefix}.{key}")
    missing = [
        name
        for name, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        and name not in kwargs
    ]
    if missing:
        raise ConfigError("required key is missing", path=where, key=f"{prefix}.{missing[0]}")
    return cls(**kwargs)


def _coerce(value: Any, hint: Any, where: str, key: str) -> Any:
    """Check `value` against the field type `hint`; return it in the field's type."""
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"expected true or false, got {value!r}", path=where, key=key)
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"expected an integer, got {value!r}", path=where, key=key)
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"expected a number, got {value!r}", path=where, key=key)
    if hint is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"expected a string, got {value!r}", path=where, key=key)
    if typing.get_origin(hint) is tuple:
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        raise ConfigError(f"expected a list of non-empty strings, got {value!r}", path=where, key=key)
    if isinstance(hint, types.UnionType) and datetime in typing.get_args(hint):
        return to_utc(value, where, key)
    raise ConfigError(f"unsupported value {value!r}", path=where, key=key)


def to_utc(value: Any, where: str, key: str) -> datetime:
    """A TOML/ISO date or datetime as aware UTC; dates and naive times are Beijing time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        return aware.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=SHANGHAI).astimezone(UTC)
    raise ConfigError(
        f"expected a date like 2019-08-30 or a datetime with offset, got {value!r}", path=where, key=key
    )


def _check(settings: Settings, where: str) -> None:
    seen: set[str] = set()
    for i, app in enumerate(settings.apps):
        if not app.name.strip():
            raise ConfigError("app name must not be empty", path=where, key=f"apps[{i}].name")
        if app.name in seen:
            raise ConfigError(f"duplicate app name {app.name!r}", path=where, key=f"apps[{i}].name")
        seen.add(app.name)
    for i, source in enumerate(settings.sources):
        if source.kind not in SOURCE_KINDS:
            raise ConfigError(
                f"expected one of {', '.join(SOURCE_KINDS)}, got {source.kind!r}",
                path=where, key=f"sources[{i}].kind",
            )
        if source.interval_minutes < 1:
            raise ConfigError("expected at least 1", path=where, key=f"sources[{i}].interval_minutes")
    for i, alert in enumerate(settings.alerts):
        if alert.kind not in ALERT_KINDS:
            raise ConfigError(
                f"expected one of {', '.join(ALERT_KINDS)}, got {alert.kind!r}",
                path=where, key=f"alerts[{i}].kind",
            )
        if alert.kind == "file" and not alert.path:
            raise ConfigError("a file alert needs a path", path=where, key=f"alerts[{i}].path")
        if alert.kind == "webhook" and not alert.url.startswith(("http://", "https://")):
            raise ConfigError("expected an http(s) URL", path=where, key=f"alerts[{i}].url")
    nlp = settings.nlp
    if not 0.0 <= nlp.negative_below <= nlp.positive_above <= 1.0:
        raise ConfigError(
            "expected 0 <= negative_below <= positive_above <= 1", path=where, key="nlp.negative_below"
        )
    _check_daemon(settings.daemon, where)
    if settings.privacy.retention_days < 0:
        raise ConfigError("expected 0 (keep forever) or more days", path=where, key="privacy.retention_days")


def _check_daemon(daemon: DaemonSettings, where: str) -> None:
    for f in dataclasses.fields(DaemonSettings):
        if getattr(daemon, f.name) <= 0:
            raise ConfigError("expected a number above 0", path=where, key=f"daemon.{f.name}")


def _apply_env(settings: Settings, env: Mapping[str, str]) -> Settings:
    for section, cls in _SECTIONS.items():
        current = getattr(settings, section)
        hints = typing.get_type_hints(cls)
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            name = f"MONITOR_{section.upper()}_{f.name.upper()}"
            if name in env:
                changes[f.name] = _parse_env(env[name], hints[f.name], name)
        if changes:
            settings = dataclasses.replace(settings, **{section: dataclasses.replace(current, **changes)})
    _check(settings, settings.path)
    return settings


def _parse_env(text: str, hint: Any, name: str) -> Any:
    value: Any = text
    try:
        if hint is int:
            value = int(text)
        elif hint is float:
            value = float(text)
        elif hint is bool:
            value = {"1": True, "true": True, "0": False, "false": False}[text.lower()]
    except (ValueError, KeyError):
        kind = {int: "an integer", float: "a number", bool: "true or false"}[hint]
        raise ConfigError(f"expected {kind}, got {text!r}", path="environment", key=name) from None
    return value
