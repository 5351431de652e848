"""An app's expected concern shares, learned online, and the score of one hour against them.

Each key ("any" and every concern) has a share: key posts / mentions, as a ratio of
exponentially decayed sums over the hours the baseline was allowed to learn from (never
storm hours). It is blended with the prior share, which counts as `prior_weight_hours`
hours of evidence seen just before the first hour and ages like any other evidence, so a
new app starts on the prior and an app with a long history is judged on its own.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config import DetectSettings
from monitor.detect.hours import HOUR, KEYS

_TINY = 1e-6
"""A floor on expected posts so a zero `min_expected` cannot divide by zero."""


@dataclass(frozen=True)
class Baseline:
    """Decayed sums of what the baseline has learned, as of hour `at`."""

    prior_share: float
    halflife_hours: float
    prior_hours: float
    posts: Mapping[str, float] = field(default_factory=dict)
    mentions: float = 0.0
    hours: float = 0.0
    at: datetime | None = None

    @classmethod
    def from_settings(cls, settings: DetectSettings) -> Baseline:
        """A baseline that knows nothing but the prior."""
        return cls(
            prior_share=settings.prior_concern_share,
            halflife_hours=settings.baseline_halflife_hours,
            prior_hours=max(0.0, settings.prior_weight_hours),
        )

    def share(self, key: str = "any") -> float:
        """The expected fraction of mentions that are `key` posts."""
        weight = self.hours + self.prior_hours
        if weight <= 0 or self.mentions <= 0:
            return self.prior_share
        learned = self.posts.get(key, 0.0) / self.mentions
        return (self.hours * learned + self.prior_hours * self.prior_share) / weight

    def prior_weight(self) -> float:
        """How much of the share is still the prior: 1 for a new app, towards 0 with history."""
        weight = self.hours + self.prior_hours
        return self.prior_hours / weight if weight > 0 else 0.0

    def learn(self, hour: datetime, counts: Mapping[str, int], mentions: int) -> Baseline:
        """This baseline after also seeing `hour`; hours without mentions teach nothing."""
        if mentions <= 0:
            return self
        keep = self._decay_to(hour)
        return dataclasses.replace(
            self,
            prior_hours=self.prior_hours * keep,
            posts={k: self.posts.get(k, 0.0) * keep + counts.get(k, 0) for k in KEYS},
            mentions=self.mentions * keep + mentions,
            hours=self.hours * keep + 1.0,
            at=hour,
        )

    def _decay_to(self, hour: datetime) -> float:
        """The factor old evidence keeps when moving from `at` to `hour`."""
        if self.at is None:
            return 1.0
        if self.halflife_hours <= 0:
            return 0.0
        elapsed = max(0.0, (hour - self.at) / HOUR)
        return float(0.5 ** (elapsed / self.halflife_hours))


def expected_posts(share: float, mentions: int, settings: DetectSettings) -> float:
    """Posts expected in an hour with `mentions` mentions."""
    return max(settings.min_expected, share * mentions, _TINY)


def excess_score(
    observed: int, expected: float, prior_weight: float, settings: DetectSettings
) -> float:
    """How many standard deviations `observed` lies above `expected`.

    The variance is Poisson plus `rel * expected**2`, where `rel = overdispersion +
    (prior_spread * prior_weight)**2`: at low volume this is the plain Poisson z-score;
    at high volume it tends to `(observed/expected - 1) / sqrt(rel)`, so neither the
    share's hour-to-hour wobble nor a still-unproven prior looks significant merely
    because there are many posts.
    """
    spread = max(0.0, settings.prior_spread) * prior_weight
    relative = max(0.0, settings.overdispersion) + spread * spread
    return (observed - expected) / math.sqrt(expected + relative * expected * expected)
