"""The dense hourly frame the detector walks: one `HourData` per UTC hour.

Rollup rows (`HourlyCount`) arrive sparse, per concern key, and maybe duplicated (two
rows for one hour and key are added up). Hours with no row are zero. Naive datetimes are
taken as UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from monitor.types import CONCERNS, App, HourlyCount

HOUR = timedelta(hours=1)
KEYS: tuple[str, ...] = ("any", *CONCERNS)
"""The keys the detector scores: concern posts of any kind, then each concern."""


@dataclass(frozen=True)
class HourData:
    """One hour of one app: mentions, concern posts and their per-concern split.

    `concerns` holds the non-zero concerns only; `counts` adds "any" (= `observed`).
    """

    hour: datetime
    mentions: int
    observed: int
    negative: int
    concerns: Mapping[str, int] = field(default_factory=dict)

    @property
    def counts(self) -> Mapping[str, int]:
        """Posts per scored key."""
        return {"any": self.observed, **self.concerns}


def floor_hour(moment: datetime) -> datetime:
    """The start of the UTC hour containing `moment` (naive means UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def iter_hours(app: App, series: Sequence[HourlyCount], until: datetime) -> Iterator[HourData]:
    """Every hour from the first data hour (or the launch hour, if earlier) to `until`.

    Only complete hours are yielded: an hour starting at `h` needs `h + 1h <= until`.
    Rows of other apps and of unknown concern keys are ignored.
    """
    stop = floor_hour(until)
    cells = _cells(app, series, stop)
    if not cells:
        return
    hour = min(hour for hour, _ in cells)
    if app.launched_at is not None:
        hour = min(hour, floor_hour(app.launched_at))
    while hour < stop:
        yield _hour_data(hour, cells)
        hour += HOUR


def _cells(
    app: App, series: Sequence[HourlyCount], stop: datetime
) -> dict[tuple[datetime, str], tuple[int, int]]:
    """(hour, concern) -> (posts, negative), summed, for hours before `stop`."""
    keys = {"all", *KEYS}
    cells: dict[tuple[datetime, str], tuple[int, int]] = {}
    for row in series:
        hour = floor_hour(row.hour)
        if row.app != app.name or row.concern not in keys or hour >= stop:
            continue
        posts, negative = cells.get((hour, row.concern), (0, 0))
        cells[(hour, row.concern)] = (posts + row.posts, negative + row.negative)
    return cells


def _hour_data(hour: datetime, cells: dict[tuple[datetime, str], tuple[int, int]]) -> HourData:
    concerns = {c: cells[(hour, c)][0] for c in CONCERNS if cells.get((hour, c), (0, 0))[0] > 0}
    any_posts, negative = cells.get((hour, "any"), (0, 0))
    # Every concern post is an "any" post and every "any" post a mention; taking the
    # maxima keeps the frame consistent if a key is missing from the rollup.
    observed = max(any_posts, *concerns.values(), 0)
    mentions = max(cells.get((hour, "all"), (0, 0))[0], observed)
    return HourData(hour=hour, mentions=mentions, observed=observed, negative=negative,
                    concerns=concerns)
