"""The storm detector on hand-made hourly series: no database, no clock.

Scenarios are built hour by hour from a mentions curve and a concern-share curve, either
exactly (rounded expectations, so onset and end are known to the hour) or with sampling
noise from a seeded generator.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.config import DetectSettings
from monitor.detect import detect_storms, find_spikes, score_hours, severity
from monitor.types import CONCERNS, App, HourlyCount, Storm

BEIJING = timezone(timedelta(hours=8))
HOUR = timedelta(hours=1)
DEFAULTS = DetectSettings()

ZAO_LAUNCH = datetime(2019, 8, 30, tzinfo=BEIJING).astimezone(UTC)
BACKLASH = datetime(2019, 8, 31, 8, tzinfo=BEIJING).astimezone(UTC)
REGULATOR = datetime(2019, 9, 3, 8, tzinfo=BEIJING).astimezone(UTC)
CALM_AGAIN = datetime(2019, 9, 6, 12, tzinfo=BEIJING).astimezone(UTC)
SCENARIO_END = datetime(2019, 9, 8, tzinfo=BEIJING).astimezone(UTC)
ZAO = App("ZAO", ("ZAO", "逢脸造戏"), launched_at=ZAO_LAUNCH)
CONTROL_LAUNCH = datetime(2019, 8, 29, tzinfo=BEIJING).astimezone(UTC)
CONTROL = App("Pintu", ("Pintu",), launched_at=CONTROL_LAUNCH)

BACKGROUND_MIX = {"privacy": 0.5, "biometric": 0.5, "fraud": 0.1, "security": 0.1}
BACKLASH_MIX = {"privacy": 0.6, "biometric": 0.5, "fraud": 0.2, "security": 0.15}


@dataclass(frozen=True)
class Hour:
    """What happened in one hour: mentions, concern share, negative share, concern mix."""

    mentions: float
    share: float
    negative: float = 0.3
    mix: dict[str, float] = field(default_factory=lambda: dict(BACKGROUND_MIX))


Profile = Callable[[datetime], Hour]
Draw = Callable[[float, float], int]


def exact(n: float, p: float) -> int:
    """The rounded expectation: onsets and ends land on known hours."""
    return round(n * p)


def sampler(seed: int) -> Draw:
    """Binomial-ish draws (normal approximation for large n) from a seeded generator."""
    rng = random.Random(seed)

    def draw(n: float, p: float) -> int:
        n_int = round(n)
        if n_int < 60:
            return sum(rng.random() < p for _ in range(n_int))
        value = rng.gauss(n_int * p, math.sqrt(n_int * p * (1 - p)))
        return min(n_int, max(0, round(value)))

    return draw


def build(
    app: App, profile: Profile, start: datetime, end: datetime, draw: Draw = exact
) -> list[HourlyCount]:
    """Rollup rows for every hour in [start, end) of `profile`."""
    rows: list[HourlyCount] = []
    hour = start
    while hour < end:
        rows += hour_rows(app.name, hour, profile(hour), draw)
        hour += HOUR
    return rows


def hour_rows(app: str, hour: datetime, spec: Hour, draw: Draw) -> list[HourlyCount]:
    mentions = draw(spec.mentions, 1.0) if draw is not exact else round(spec.mentions)
    concern = draw(mentions, spec.share)
    negative = draw(concern, spec.negative)
    rows = [
        HourlyCount(app, "all", hour, mentions),
        HourlyCount(app, "any", hour, concern, negative=negative),
    ]
    for name, fraction in spec.mix.items():
        posts = draw(concern, fraction)
        if posts:
            rows.append(HourlyCount(app, name, hour, posts))
    return rows


def diurnal(hour: datetime) -> float:
    """Weibo's day: quiet at 02:00-07:00 Beijing, busy in the evening."""
    local = hour.astimezone(BEIJING).hour
    return 0.3 if 2 <= local < 7 else 1.2 if 19 <= local < 24 else 1.0


def zao_profile(hour: datetime) -> Hour:
    """Launch hype on 08-30, backlash from 08-31 08:00, MIIT on 09-03, calm from 09-06 12:00."""
    days = (hour - ZAO_LAUNCH) / timedelta(days=1)
    if hour < BACKLASH:
        mentions = 20 + 900 * min(1.0, days)
        return Hour(mentions * diurnal(hour), 0.03)
    since = (hour - BACKLASH) / HOUR
    if hour >= CALM_AGAIN:
        return Hour(150 * diurnal(hour), 0.03)
    share = min(0.5, 0.15 * (since + 1)) if since < 48 else max(0.1, 0.5 - 0.004 * (since - 48))
    mix = dict(BACKLASH_MIX)
    if REGULATOR <= hour < REGULATOR + timedelta(days=2):
        mix["regulatory"] = 0.15
    mentions = max(150.0, 1500 - 8 * since)
    return Hour(mentions * diurnal(hour), share, negative=0.7, mix=mix)


def zao_rows(draw: Draw = exact, end: datetime = SCENARIO_END) -> list[HourlyCount]:
    rows = build(ZAO, zao_profile, ZAO_LAUNCH, end, draw)
    # One early post calls for regulators: too little to make regulatory a founder.
    return [*rows, HourlyCount("ZAO", "regulatory", BACKLASH + HOUR, 1)]


def control_profile(seed: int) -> Profile:
    """Ordinary launch hype: mentions x30 on launch day, concern share wobbling in 2-4%."""
    rng = random.Random(seed)
    launch = CONTROL_LAUNCH

    def profile(hour: datetime) -> Hour:
        days = (hour - launch) / timedelta(days=1)
        boost = 30 if 0.3 <= days < 2 else 10 if days < 4 else 1
        return Hour(100 * boost * diurnal(hour), rng.uniform(0.02, 0.04))

    return profile


def flat(mentions: float, share: float) -> Profile:
    return lambda hour: Hour(mentions, share)


def bursts(background: Profile, *windows: tuple[datetime, datetime, float]) -> Profile:
    """`background`, with the share raised inside each (start, end, share) window."""

    def profile(hour: datetime) -> Hour:
        for start, end, share in windows:
            if start <= hour < end:
                return dataclasses.replace(background(hour), share=share, negative=0.7)
        return background(hour)

    return profile


def only(storms: list[Storm]) -> Storm:
    assert len(storms) == 1, storms
    return storms[0]


# --- the ZAO case and its control -------------------------------------------------------


def test_zao_backlash_opens_one_storm_within_hours_and_closes_after_decay() -> None:
    storm = only(detect_storms(ZAO, zao_rows(), DEFAULTS, SCENARIO_END))
    assert storm.started_at == BACKLASH
    assert storm.detected_at - BACKLASH <= 3 * HOUR
    assert storm.detected_at < datetime(2019, 9, 1, tzinfo=BEIJING)
    assert storm.ended_at == CALM_AGAIN
    assert storm.status == "closed"
    assert BACKLASH <= storm.peak_at < CALM_AGAIN
    scores = score_hours(ZAO, zao_rows(), DEFAULTS, SCENARIO_END)
    assert storm.peak_hourly == max(s.concern_posts for s in scores)


def test_zao_storm_record_fields() -> None:
    rows = zao_rows()
    storm = only(detect_storms(ZAO, rows, DEFAULTS, SCENARIO_END))
    inside = [r for r in rows if storm.started_at <= r.hour < CALM_AGAIN]
    concern_posts = [r for r in inside if r.concern == "any"]
    assert storm.posts == sum(r.posts for r in concern_posts)
    assert storm.negative_share == sum(r.negative for r in concern_posts) / storm.posts
    assert 0.65 < storm.negative_share < 0.75
    assert storm.concerns == {
        c: sum(r.posts for r in inside if r.concern == c) for c in CONCERNS
    }
    assert storm.concerns["privacy"] > storm.concerns["biometric"] > storm.concerns["fraud"] > 0
    assert 7.0 <= storm.severity <= 10.0


def test_regulatory_joining_on_day_three_is_one_escalation() -> None:
    storm = only(detect_storms(ZAO, zao_rows(), DEFAULTS, SCENARIO_END))
    assert storm.escalations == ((REGULATOR + HOUR, "regulatory"),)


def test_noisy_zao_still_gives_one_early_storm_and_one_escalation() -> None:
    for seed in range(5):
        storm = only(detect_storms(ZAO, zao_rows(sampler(seed)), DEFAULTS, SCENARIO_END))
        assert abs(storm.started_at - BACKLASH) <= 2 * HOUR
        assert storm.detected_at - BACKLASH <= 3 * HOUR
        assert storm.ended_at is not None and abs(storm.ended_at - CALM_AGAIN) <= 3 * HOUR
        assert [concern for _, concern in storm.escalations] == ["regulatory"]
        assert abs(storm.escalations[0][0] - REGULATOR) <= 2 * HOUR


def test_launch_hype_with_flat_concern_share_opens_no_storm() -> None:
    end = CONTROL_LAUNCH + timedelta(days=9)
    for seed in range(5):
        rows = build(CONTROL, control_profile(seed), CONTROL_LAUNCH, end, sampler(seed))
        mentions = [r.posts for r in rows if r.concern == "all"]
        assert max(mentions) > 25 * 100  # the hype is real: x30 at the peak
        assert detect_storms(CONTROL, rows, DEFAULTS, end) == []
        assert len(find_spikes(CONTROL, rows, DEFAULTS, end)) <= 2


def test_a_storm_still_open_at_until_has_no_end() -> None:
    until = datetime(2019, 9, 2, 12, tzinfo=BEIJING).astimezone(UTC)
    storm = only(detect_storms(ZAO, zao_rows(), DEFAULTS, until))
    assert storm.status == "open"
    assert storm.ended_at is None
    assert storm.started_at == BACKLASH
    assert storm.escalations == ()
    so_far = [r for r in zao_rows() if r.concern == "any" and BACKLASH <= r.hour < until]
    assert storm.posts == sum(r.posts for r in so_far)


def test_the_baseline_does_not_learn_from_storm_hours() -> None:
    scores = score_hours(ZAO, zao_rows(), DEFAULTS, SCENARIO_END)
    share = {s.hour: s.concern_expected / s.mentions for s in scores if s.mentions}
    before = share[BACKLASH]
    assert 0.025 < before < 0.045
    # Once the storm is open its onset is forgotten, and through six days of 10-50%
    # concern share the expectation stays where it was before the storm.
    during = [v for hour, v in share.items() if BACKLASH + 2 * HOUR <= hour < CALM_AGAIN]
    assert max(abs(v - before) for v in during) < 1e-12
    assert abs(share[CALM_AGAIN + 12 * HOUR] - before) < 0.005
    assert all(s.storm_open == (BACKLASH + HOUR <= s.hour < CALM_AGAIN + 5 * HOUR) for s in scores)


# --- other shapes -----------------------------------------------------------------------


START = datetime(2024, 3, 1, tzinfo=UTC)
OLD_APP = App("Old", ("Old",))


def test_flat_background_opens_nothing() -> None:
    end = START + timedelta(days=30)
    for seed in range(3):
        rows = build(OLD_APP, flat(60, 0.03), START, end, sampler(seed))
        assert detect_storms(OLD_APP, rows, DEFAULTS, end) == []
        assert find_spikes(OLD_APP, rows, DEFAULTS, end) == []


def test_two_storms_separated_by_a_long_calm() -> None:
    first = (START + timedelta(days=5), START + timedelta(days=5, hours=10), 0.4)
    second = (START + timedelta(days=12), START + timedelta(days=12, hours=20), 0.5)
    end = START + timedelta(days=20)
    rows = build(OLD_APP, bursts(flat(200, 0.03), first, second), START, end)
    storms = detect_storms(OLD_APP, rows, DEFAULTS, end)
    assert [(s.started_at, s.ended_at) for s in storms] == [first[:2], second[:2]]
    assert [s.detected_at for s in storms] == [first[0] + 2 * HOUR, second[0] + 2 * HOUR]
    assert all(s.escalations == () for s in storms)


SMALL_ONSET = [(14, 5), (9, 4), (20, 16), (1, 1), (10, 8), (17, 13), (19, 16), (22, 20), (17, 10), (25, 18)]
"""A small app's privacy onset (mentions, concern posts per hour), with a one-post hour
after the first hot one: the hour grid fell across a lull (or across the point where
Weibo's `N小时前` times begin, which land posts up to an hour late)."""


def small_app_rows(onset: list[tuple[int, int]]) -> tuple[list[HourlyCount], datetime, datetime]:
    """Two quiet days of 5 mentions an hour, then `onset`; returns the rows, onset, end."""
    quiet = [(5, 0)] * 48
    rows: list[HourlyCount] = []
    for i, (mentions, concern) in enumerate([*quiet, *onset]):
        hour = START + i * HOUR
        rows += [HourlyCount("Old", "all", hour, mentions), HourlyCount("Old", "any", hour, concern),
                 HourlyCount("Old", "privacy", hour, concern)]
    return rows, START + len(quiet) * HOUR, START + (len(quiet) + len(onset)) * HOUR


def test_a_thin_hour_inside_an_onset_neither_counts_nor_breaks_it() -> None:
    rows, onset, end = small_app_rows(SMALL_ONSET)
    storm = only(detect_storms(OLD_APP, rows, DEFAULTS, end))
    assert storm.started_at == onset  # reaches back over the thin hour to the first elevated one
    assert storm.detected_at == onset + 5 * HOUR  # hot at +2 and +4; +3 (one post) is skipped
    assert storm.posts == sum(concern for _, concern in SMALL_ONSET)
    # The same hour with enough mentions to be judged, and calm, does break the run.
    judged = [*SMALL_ONSET[:3], (8, 0), *SMALL_ONSET[4:]]
    rows, onset, end = small_app_rows(judged)
    assert only(detect_storms(OLD_APP, rows, DEFAULTS, end)).started_at == onset + 4 * HOUR


def test_thin_hours_bridge_an_onset_for_at_most_close_hours() -> None:
    gap = [(1, 0)] * DEFAULTS.close_hours
    hot, calm = (20, 16), [(5, 0)] * 3
    rows, onset, end = small_app_rows([hot, *gap, hot, *calm])
    assert only(detect_storms(OLD_APP, rows, DEFAULTS, end)).started_at == onset
    rows, onset, end = small_app_rows([hot, *gap, (1, 0), hot, *calm])
    assert detect_storms(OLD_APP, rows, DEFAULTS, end) == []


def test_a_brand_new_app_is_judged_on_the_prior() -> None:
    launch = datetime(2024, 5, 1, 12, tzinfo=UTC)
    app = App("New", ("New",), launched_at=launch)
    jump = (launch + 12 * HOUR, launch + timedelta(days=2), 0.4)
    end = launch + timedelta(days=3)
    rows = build(app, bursts(flat(100, 0.04), jump), launch, end)
    first = score_hours(app, rows, DEFAULTS, end)[0]
    assert (first.share, first.expected) == (0.04, 4.0)
    storm = only(detect_storms(app, rows, DEFAULTS, end))
    assert (storm.started_at, storm.detected_at) == (jump[0], jump[0] + 2 * HOUR)
    # Half a day in, the prior still counts: one that expects 40% sees nothing unusual.
    tolerant = dataclasses.replace(DEFAULTS, prior_concern_share=0.4)
    assert detect_storms(app, rows, tolerant, end) == []


def face_swap_profile(hour: datetime) -> Hour:
    """ZAO if its ordinary posts ("ZAO换脸太好玩了") were tagged biometric: 40% "any"."""
    spec = zao_profile(hour)
    if hour < BACKLASH or hour >= CALM_AGAIN:
        return dataclasses.replace(spec, share=0.4, mix={"biometric": 0.95, "privacy": 0.05})
    return dataclasses.replace(spec, share=min(0.9, spec.share + 0.4),
                               mix={**spec.mix, "biometric": 0.6})


def test_a_high_concern_share_from_launch_is_the_apps_normal_not_a_storm() -> None:
    for seed in range(3):
        rows = build(ZAO, face_swap_profile, ZAO_LAUNCH, SCENARIO_END, sampler(seed))
        storm = only(detect_storms(ZAO, rows, DEFAULTS, SCENARIO_END))
        assert abs(storm.started_at - BACKLASH) <= HOUR
        assert storm.detected_at - BACKLASH <= 3 * HOUR
        # "any" merely doubles; the privacy share jumps and leads the opening.
        scores = score_hours(ZAO, rows, DEFAULTS, SCENARIO_END)
        opening = [s for s in scores if s.hot and s.hour >= BACKLASH]
        assert opening[0].key == "privacy"
        assert opening[0].concern_posts < 2.5 * opening[0].concern_expected


def test_hours_start_at_the_launch_when_it_precedes_the_first_data() -> None:
    launch = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    app = App("New", ("New",), launched_at=launch)
    first_data = launch + timedelta(hours=5, minutes=30)
    rows = build(app, flat(50, 0.03), first_data, launch + timedelta(hours=9))
    scores = score_hours(app, rows, DEFAULTS, launch + timedelta(hours=9, minutes=20))
    assert scores[0].hour == datetime(2024, 5, 1, 12, tzinfo=UTC)
    # Data runs to 21:59 but `until` is 21:50: the incomplete 21:00 hour is left out.
    assert scores[-1].hour == datetime(2024, 5, 1, 20, tzinfo=UTC)
    assert [s.mentions for s in scores[:6]] == [0] * 6


def test_empty_series_gives_nothing() -> None:
    assert detect_storms(ZAO, [], DEFAULTS, SCENARIO_END) == []
    assert find_spikes(ZAO, [], DEFAULTS, SCENARIO_END) == []
    assert score_hours(ZAO, [], DEFAULTS, SCENARIO_END) == []


def test_mentions_without_concern_rows_open_nothing() -> None:
    rows = [r for r in zao_rows() if r.concern == "all"]
    scores = score_hours(ZAO, rows, DEFAULTS, SCENARIO_END)
    assert len(scores) == (SCENARIO_END - ZAO_LAUNCH) // HOUR
    assert all(s.concern_posts == 0 and s.score < 0 for s in scores)
    assert detect_storms(ZAO, rows, DEFAULTS, SCENARIO_END) == []


def test_rows_of_other_apps_and_after_until_are_ignored() -> None:
    until = BACKLASH + 6 * HOUR
    mine = [r for r in zao_rows() if r.hour < until]
    noise = [dataclasses.replace(r, app="Other") for r in zao_rows()]
    later = [r for r in zao_rows() if r.hour >= until]
    assert detect_storms(ZAO, [*noise, *mine, *later], DEFAULTS, until) == detect_storms(
        ZAO, mine, DEFAULTS, until
    )


def test_spikes_are_the_hot_hours() -> None:
    spikes = find_spikes(ZAO, zao_rows(), DEFAULTS, SCENARIO_END)
    assert spikes and spikes[0].hour == BACKLASH
    assert all(s.score >= DEFAULTS.open_score for s in spikes)
    assert all(s.observed >= DEFAULTS.open_min_posts for s in spikes)
    assert all(s.observed > s.expected and s.app == "ZAO" for s in spikes)


def test_severity_anchors() -> None:
    assert severity(0.0, 1.0, 0.5) == 0.0
    assert severity(24.0, 5.0, 0.5) == 2.0
    assert severity(9_000.0, 10.0, 0.6) == 8.7
    assert severity(1e6, 1_000.0, 1.0) == 10.0
    assert severity(100.0, 3.0, 0.2) < severity(100.0, 3.0, 0.8) < severity(100.0, 6.0, 0.8)


# --- no look-ahead ----------------------------------------------------------------------

HOURS = st.lists(
    st.tuples(st.integers(0, 400), st.floats(0.0, 0.8), st.integers(0, 3)), min_size=0, max_size=96
)
QUICK = DetectSettings(open_hours=2, close_hours=3, escalate_min_posts=3)


def random_rows(hours: list[tuple[int, float, int]]) -> list[HourlyCount]:
    """Hours of (mentions, concern share, which concern leads); some hours missing."""
    rows: list[HourlyCount] = []
    for i, (mentions, share, lead) in enumerate(hours):
        if mentions == 0:
            continue
        hour = START + i * HOUR
        concern = round(mentions * share)
        rows.append(HourlyCount("Old", "all", hour, mentions))
        rows.append(HourlyCount("Old", "any", hour, concern, negative=concern // 2))
        rows.append(HourlyCount("Old", CONCERNS[lead + 1], hour, concern))
        rows.append(HourlyCount("Old", "privacy", hour, concern // 3))
    return rows


QUIET = [(100, 0.03, 0)] * 20
STORMY = [*QUIET, *[(100, 0.6, 3)] * 5, *[(100, 0.6, 1)] * 5, *QUIET]  # fraud joins at 25


@settings(max_examples=150, deadline=None)
@given(HOURS, st.integers(0, 96), st.sampled_from([DEFAULTS, QUICK]))
@example(STORMY, 28, QUICK)  # inside the storm: open and escalated
@example(STORMY, 45, QUICK)  # after it closed
def test_decisions_up_to_any_hour_ignore_later_data(
    hours: list[tuple[int, float, int]], cut: int, chosen: DetectSettings
) -> None:
    rows = random_rows(hours)
    until = START + timedelta(hours=len(hours))
    at = START + (cut % (len(hours) + 1)) * HOUR
    past = [r for r in rows if r.hour < at]
    full = score_hours(OLD_APP, rows, chosen, until)
    assert score_hours(OLD_APP, past, chosen, at) == [s for s in full if s.hour < at]
    assert find_spikes(OLD_APP, past, chosen, at) == [
        s for s in find_spikes(OLD_APP, rows, chosen, until) if s.hour < at
    ]
    then = detect_storms(OLD_APP, past, chosen, at)
    later = [s for s in detect_storms(OLD_APP, rows, chosen, until) if s.detected_at <= at]
    assert [(s.started_at, s.detected_at) for s in then] == [
        (s.started_at, s.detected_at) for s in later
    ]
    for storm, final in zip(then, later, strict=True):
        if storm.status == "closed":
            assert storm == final
        else:
            assert storm.escalations == tuple(e for e in final.escalations if e[0] <= at)
