"""Storm episodes: the online state machine that opens, grows, escalates and closes storms.

`Tracker.step` takes one hour at a time and decides with what it has seen so far. While
no storm is open every hour teaches the baseline (a lone hot hour too: in an app's first
hours that is how it learns its own level). When `open_hours` consecutive hot hours open
a storm, the storm reaches back over the unbroken run of elevated hours before them and
the baseline forgets that run: it is restored to its state before the storm's first
hour. While a storm is open nothing is learned. Calm hours after the last elevated hour
are held back; `close_hours` of them close the storm at the end of its last elevated
hour, and only then are they learned.

An hour too thin to be hot (fewer mentions than `open_min_posts`) says nothing about
whether a storm is building: inside a run of elevated hours it neither counts towards
`open_hours` nor breaks the run, for up to `close_hours` such hours in a row. Without
this a one-post hour in a small app's onset (the hour grid falling across a lull) reset
the count, the baseline learned the onset, and the storm never opened.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config import DetectSettings
from monitor.detect.baseline import Baseline
from monitor.detect.hours import HOUR, KEYS, HourData
from monitor.detect.scoring import HourScore, ScoredHour, score_hour
from monitor.types import CONCERNS, App, Storm


@dataclass
class _Episode:
    """A storm being built: its hours through the last elevated one, and held-back calm hours."""

    detected_at: datetime
    hours: list[ScoredHour]
    founders: frozenset[str]
    calm: list[ScoredHour] = field(default_factory=list)
    escalations: list[tuple[datetime, str]] = field(default_factory=list)


class Tracker:
    """Walks one app's hours in order and keeps its storms (see the module docstring)."""

    def __init__(self, app: App, settings: DetectSettings) -> None:
        self.app = app
        self.settings = settings
        self.baseline = Baseline.from_settings(settings)
        self.scores: list[HourScore] = []
        self.closed: list[Storm] = []
        self.episode: _Episode | None = None
        self._elevated_run: list[ScoredHour] = []
        self._hot_run = 0
        self._thin_run = 0

    def step(self, data: HourData) -> HourScore:
        """Score `data` (the next hour) and update storms and the baseline."""
        scored = score_hour(data, self.baseline, self.settings)
        if self.episode is None:
            self._step_quiet(scored)
        else:
            self._step_storm(self.episode, scored)
        view = dataclasses.replace(scored.view, storm_open=self.episode is not None)
        self.scores.append(view)
        return view

    def storms(self) -> list[Storm]:
        """Every storm so far, oldest first; the last may still be open."""
        current = [] if self.episode is None else [self._build(self.episode, None)]
        return [*self.closed, *current]

    def _step_quiet(self, scored: ScoredHour) -> None:
        if self._bridges(scored):
            self._thin_run += 1
            self._elevated_run = [*self._elevated_run, scored]
            self._learn(scored)
            return
        self._thin_run = 0
        self._elevated_run = [*self._elevated_run, scored] if scored.view.elevated else []
        self._hot_run = self._hot_run + 1 if scored.view.hot else 0
        if self._hot_run >= max(1, self.settings.open_hours):
            self._open(scored)
        else:
            self._learn(scored)

    def _bridges(self, scored: ScoredHour) -> bool:
        """Whether `scored` is a thin hour inside an elevated run (see the module docstring)."""
        return (bool(self._elevated_run) and scored.data.mentions < self.settings.open_min_posts
                and self._thin_run < max(1, self.settings.close_hours))

    def _open(self, scored: ScoredHour) -> None:
        hours = self._elevated_run
        # Forget the onset the baseline learned while it did not yet know it was a storm.
        self.baseline = hours[0].before
        totals = _concern_totals(hours)
        founders = frozenset(c for c, n in totals.items() if n >= self.settings.escalate_min_posts)
        self.episode = _Episode(detected_at=scored.data.hour + HOUR, hours=hours, founders=founders)
        self._elevated_run, self._hot_run, self._thin_run = [], 0, 0

    def _step_storm(self, episode: _Episode, scored: ScoredHour) -> None:
        if scored.view.elevated:
            episode.hours.extend([*episode.calm, scored])
            episode.calm = []
            self._escalate(episode, scored.data)
            return
        episode.calm.append(scored)
        if len(episode.calm) >= max(1, self.settings.close_hours):
            self._close(episode)

    def _escalate(self, episode: _Episode, data: HourData) -> None:
        joined = {c for _, c in episode.escalations} | episode.founders
        needed = self.settings.escalate_min_posts
        for concern in CONCERNS:
            if concern not in joined and data.concerns.get(concern, 0) >= needed:
                episode.escalations.append((data.hour + HOUR, concern))

    def _close(self, episode: _Episode) -> None:
        self.closed.append(self._build(episode, episode.hours[-1].data.hour + HOUR))
        self.episode = None
        for calm in episode.calm:
            self._learn(calm)

    def _learn(self, scored: ScoredHour) -> None:
        data = scored.data
        self.baseline = self.baseline.learn(data.hour, data.counts, data.mentions)

    def _build(self, episode: _Episode, ended_at: datetime | None) -> Storm:
        datas = [s.data for s in episode.hours]
        posts = sum(d.observed for d in datas)
        peak = max(datas, key=lambda d: d.observed)
        negative_share = sum(d.negative for d in datas) / posts if posts else 0.0
        excess, ratio = _excess(episode.hours)
        return Storm(
            app=self.app.name, started_at=datas[0].hour, detected_at=episode.detected_at,
            peak_at=peak.hour, ended_at=ended_at, posts=posts, peak_hourly=peak.observed,
            concerns=_concern_totals(episode.hours), negative_share=negative_share,
            severity=severity(excess, ratio, negative_share),
            escalations=tuple(episode.escalations),
        )


def severity(excess: float, ratio: float, negative_share: float) -> float:
    """A 0-10 storm severity: volume x intensity x negativity.

    `2 * log10(1 + excess) * min(1, log10(ratio)) * (0.5 + negative_share)`, capped at 10
    and rounded to one decimal, where `excess` is concern posts above expectation over
    the storm and `ratio` the largest observed/expected ratio of any key over the storm
    (intensity is full at ten times the expected level). Anchors: 24 excess posts at 5x,
    half negative, is 2.0; 9,000 excess posts at 10x, 60% negative, is 8.7.
    """
    if excess <= 0 or ratio <= 1:
        return 0.0
    volume = math.log10(1.0 + excess)
    intensity = min(1.0, math.log10(ratio))
    raw = 2.0 * volume * intensity * (0.5 + min(1.0, max(0.0, negative_share)))
    return round(min(10.0, raw), 1)


def _excess(hours: list[ScoredHour]) -> tuple[float, float]:
    """Concern posts above expectation, and the largest observed/expected ratio of a key."""
    observed = {k: sum(s.data.counts.get(k, 0) for s in hours) for k in KEYS}
    expected = {k: sum(s.expected[k] for s in hours) for k in KEYS}
    return observed["any"] - expected["any"], max(observed[k] / expected[k] for k in KEYS)


def _concern_totals(hours: list[ScoredHour]) -> dict[str, int]:
    """Posts per concern over `hours`, non-zero concerns only, in taxonomy order."""
    totals: Counter[str] = Counter()
    for scored in hours:
        totals.update(scored.data.concerns)
    return {c: totals[c] for c in CONCERNS if totals[c] > 0}
