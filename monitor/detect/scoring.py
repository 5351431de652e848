"""Scoring one hour: every key against the baseline, the hour led by its most extreme key.

Keys are "any" (concern posts of any kind) and each concern. Scoring concerns one by one
catches a storm in one concern that "any" would hide: a face-swap app whose ordinary
posts are often tagged biometric has a high "any" share, and a privacy storm may only
double it, while its privacy share jumps tenfold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from monitor.config import DetectSettings
from monitor.detect.baseline import Baseline, excess_score, expected_posts
from monitor.detect.hours import KEYS, HourData


@dataclass(frozen=True)
class HourScore:
    """The detector's view of one hour, decided with data up to that hour only.

    `key` is the leading key ("any" or a concern): the highest-scoring hot key, else the
    highest-scoring key; `observed`, `expected`, `share` and `score` are that key's.
    `concern_posts` and `concern_expected` are the hour's "any" posts and the "any" posts
    expected (for charts). `hot` means the hour counts towards opening a storm (some key
    is hot), `elevated` that it is not calm (some key is elevated); `storm_open` is
    whether a storm is open after this hour's decision.
    """

    hour: datetime
    mentions: int
    concern_posts: int
    concern_expected: float
    key: str
    observed: int
    expected: float
    share: float
    score: float
    hot: bool
    elevated: bool
    storm_open: bool = False


@dataclass(frozen=True)
class ScoredHour:
    """An hour, its score, the expected posts per key and the baseline it was judged on."""

    data: HourData
    view: HourScore
    expected: Mapping[str, float]
    before: Baseline


def score_hour(data: HourData, baseline: Baseline, settings: DetectSettings) -> ScoredHour:
    """Score every key of `data`; the hour is as hot and as elevated as its keys."""
    counts = data.counts
    views = [_score_key(data, key, counts.get(key, 0), baseline, settings) for key in KEYS]
    lead = max(views, key=lambda view: (view.hot, view.score))
    hot = any(v.hot for v in views)
    elevated = any(v.elevated for v in views)
    expected = {v.key: v.expected for v in views}
    view = dataclasses.replace(lead, concern_expected=expected["any"], hot=hot, elevated=elevated)
    return ScoredHour(data, view, expected, baseline)


def _score_key(
    data: HourData, key: str, observed: int, baseline: Baseline, settings: DetectSettings
) -> HourScore:
    share = baseline.share(key)
    expected = expected_posts(share, data.mentions, settings)
    score = excess_score(observed, expected, baseline.prior_weight(), settings)
    hot = score >= settings.open_score and observed >= settings.open_min_posts
    elevated = hot or score >= settings.close_score
    return HourScore(data.hour, data.mentions, data.observed, 0.0, key, observed, expected,
                     share, score, hot, elevated)
