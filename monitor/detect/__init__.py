"""The storm detector: pure functions of an app's hourly rollups, its settings and `until`.

The model, per app and UTC hour h (only complete hours before `until`, each decided with
hours <= h, so a backtest over history decides exactly as the live daemon did):

1. Mentions m_h are the "all" posts. Keys are "any" (concern posts, each once) and each
   concern; c_h,k are the key's posts.
2. Each key has a baseline share s_h,k: its posts / mentions, exponentially weighted
   (half-life `baseline_halflife_hours`) over past non-storm hours and blended with
   `prior_concern_share`, worth `prior_weight_hours` hours of evidence; w_h is the
   prior's part of that blend, 1 for a new app (`baseline.py`).
3. Expected posts E_h,k = max(`min_expected`, s_h,k * m_h). Launch hype raises m_h and
   with it E_h,k, so hype with a flat concern share opens nothing; a storm raises the
   share itself, which is what it takes to open one.
4. Score z_h,k = (c - E) / sqrt(E + r_h * E^2), r_h = `overdispersion` +
   (`prior_spread` * w_h)^2: Poisson at low volume; at high volume a bound on the
   relative excess, which is wide while the prior is unproven (a new app must be ~11x
   the prior to look hot) and narrows to ~2x as the app's own history takes over.
5. An hour is hot when some key has z >= `open_score` and >= `open_min_posts` posts;
   `open_hours` hot hours in a row open a storm. It is elevated when some key has
   z >= `close_score`; `close_hours` calm (not elevated) hours in a row close a storm
   (`episodes.py`, `scoring.py`).

Scoring each concern as well as "any" catches a storm in one concern that an app's
ordinary concern posts would hide (a face-swap app whose ordinary posts are tagged
biometric, then a privacy storm). Limits: a storm already raging in an app's first
hours is learned as its normal; a lasting rise of an app's concern share keeps a storm
open until the share comes back down, since the baseline never learns storm hours.

A storm record: `started_at` is the first hour of the unbroken elevated run that led to
the opening; `detected_at` is the end of the hour whose data opened it (data time);
`ended_at` is the end of its last elevated hour once it has closed (None while open);
`posts`, `peak_at`, `peak_hourly`, `concerns` and `negative_share` count "any" posts
from start to the last elevated hour; `severity` is `episodes.severity`. A concern
*joins* a storm when it has `escalate_min_posts` posts in one elevated hour while the
storm is open; concerns with that many posts over the opening hours are its founders,
every other concern that joins is an escalation, recorded once at data time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from monitor.config import DetectSettings
from monitor.detect.episodes import Tracker, severity
from monitor.detect.hours import iter_hours
from monitor.detect.scoring import HourScore
from monitor.types import App, HourlyCount, Spike, Storm

__all__ = ["HourScore", "detect_storms", "find_spikes", "score_hours", "severity"]


def detect_storms(
    app: App, series: Sequence[HourlyCount], settings: DetectSettings, until: datetime
) -> list[Storm]:
    """The app's storms up to `until` (exclusive), oldest first; the last may be open."""
    return _track(app, series, settings, until).storms()


def find_spikes(
    app: App, series: Sequence[HourlyCount], settings: DetectSettings, until: datetime
) -> list[Spike]:
    """The hot hours before `until`; each with its leading key's observed, expected, score."""
    return [
        Spike(app=app.name, hour=s.hour, observed=s.observed, expected=s.expected, score=s.score)
        for s in score_hours(app, series, settings, until)
        if s.hot
    ]


def score_hours(
    app: App, series: Sequence[HourlyCount], settings: DetectSettings, until: datetime
) -> list[HourScore]:
    """Every processed hour with its expected level and score (for charts and backtests)."""
    return _track(app, series, settings, until).scores


def _track(
    app: App, series: Sequence[HourlyCount], settings: DetectSettings, until: datetime
) -> Tracker:
    tracker = Tracker(app, settings)
    for hour in iter_hours(app, series, until):
        tracker.step(hour)
    return tracker
