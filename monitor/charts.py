"""Trend charts for notebooks and reports (the only module that imports matplotlib).

Chinese text is set in Noto Sans SC, which the `pylopdf-fonts-zh-cn` dependency ships
(SIL Open Font License 1.1), so charts never depend on a system font. `use_cjk_font()`
registers it with matplotlib; every chart function here calls it. Charts take the
DataFrames of `monitor.analysis` and return a `matplotlib.figure.Figure` (no pyplot
state, so they work in a CLI, a test and a notebook alike); times are drawn in Beijing
time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from monitor.config import SHANGHAI
from monitor.types import CONCERNS

Event = tuple[datetime, str]
"""A moment to mark on a time axis, with its label."""

CONCERN_COLORS: dict[str, str] = {
    "privacy": "#d62728", "biometric": "#9467bd", "fraud": "#ff7f0e", "security": "#1f77b4",
    "regulatory": "#2ca02c", "any": "#111111", "all": "#bbbbbb",
}
CONCERN_LABELS: dict[str, str] = {
    "privacy": "privacy 隐私", "biometric": "biometric 人脸", "fraud": "fraud 诈骗",
    "security": "security 安全", "regulatory": "regulatory 监管", "any": "any concern",
    "all": "all mentions",
}


def cjk_font_path() -> Path:
    """The bundled CJK font file (Noto Sans SC Regular)."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


@cache
def use_cjk_font() -> str:
    """Register the bundled CJK font and make it matplotlib's default; return its family."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


@cache
def _charmap() -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(cjk_font_path())).get_charmap())


def missing_glyphs(text: str) -> set[str]:
    """Characters of `text` the bundled font cannot draw (whitespace ignored)."""
    cmap = _charmap()
    return {char for char in text if not char.isspace() and ord(char) not in cmap}


def _figure(rows: int = 1, height: float = 3.6) -> tuple[Figure, list[Axes]]:
    use_cjk_font()
    figure = Figure(figsize=(11, height * rows), layout="constrained")
    axes = figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    return figure, list(axes)


def _time_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(tz=SHANGHAI)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=SHANGHAI))  # type: ignore[no-untyped-call]
    ax.grid(alpha=0.25)


def _times(frame: Any) -> list[datetime]:
    return list(frame.index.to_pydatetime())


def mark_events(ax: Axes, events: Iterable[Event], *, numbers: bool = True) -> list[Event]:
    """Draw a dashed vertical line per event, numbered above the axes; return them in order.

    Numbers alternate between two heights so that close events stay readable; pair the
    chart with `event_caption` to say what each number is.
    """
    ordered = sorted(events, key=lambda event: event[0])
    for number, (when, _label) in enumerate(ordered, start=1):
        ax.axvline(when, color="#555555", linestyle="--", linewidth=0.9, alpha=0.8)  # type: ignore[arg-type]
        if numbers:
            x = mdates.date2num(when)  # type: ignore[no-untyped-call]
            ax.annotate(
                str(number), xy=(x, 1.0), xycoords=("data", "axes fraction"),
                xytext=(0, 3 + 10 * ((number - 1) % 2)), textcoords="offset points", fontsize=7,
                ha="center", color="#333333",
            )
    return ordered


def event_caption(figure: Figure, events: Sequence[Event], per_line: int = 4) -> None:
    """List numbered events (Beijing time) under the figure."""
    if not events:
        return
    items = [f"{n}  {label} ({when.astimezone(SHANGHAI):%m-%d %H:%M})" for n, (when, label) in
             enumerate(events, start=1)]
    lines = ["      ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    figure.supxlabel("\n".join(lines), fontsize=8, color="#333333")


def volume_chart(
    series: Any, events: Iterable[Event] = (), *, title: str = "", concerns: Sequence[str] = CONCERNS
) -> Figure:
    """Posts per period: all mentions (grey bars, right axis) and each concern (lines).

    `series` is `Database.hourly(app)` (columns `(metric, concern)`).
    """
    figure, (ax,) = _figure(height=4.2)
    times = _times(series)
    mentions = ax.twinx()
    width = (times[1] - times[0]).total_seconds() / 86400 if len(times) > 1 else 1 / 24
    mentions.bar(times, series[("posts", "all")], width=width, color=CONCERN_COLORS["all"], alpha=0.45,  # type: ignore[arg-type]
                 label=CONCERN_LABELS["all"])
    mentions.set_ylabel("all mentions")
    ax.set_zorder(mentions.get_zorder() + 1)
    ax.patch.set_visible(False)
    for concern in concerns:
        ax.plot(times, series[("posts", concern)], color=CONCERN_COLORS[concern],  # type: ignore[arg-type]
                label=CONCERN_LABELS[concern], linewidth=1.4)
    ax.set_ylabel("concern posts")
    _time_axis(ax)
    event_caption(figure, mark_events(ax, events))
    handles = ax.get_legend_handles_labels()[0] + mentions.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper right", fontsize=8, ncols=2)
    ax.set_title(title, pad=18)
    return figure


def sentiment_chart(series: Any, events: Iterable[Event] = (), *, title: str = "") -> Figure:
    """Negative share and mean sentiment of concern posts vs all mentions.

    `series` is `Database.hourly(app, freq=...)` (columns `(metric, concern)`).
    """
    figure, (top, bottom) = _figure(rows=2, height=2.8)
    times = _times(series)
    for key in ("any", "all"):
        style = {"color": CONCERN_COLORS[key], "label": CONCERN_LABELS[key], "linewidth": 1.4}
        top.plot(times, series[("negative_share", key)], **style)  # type: ignore[arg-type]
        bottom.plot(times, series[("mean_sentiment", key)], **style)  # type: ignore[arg-type]
    top.set_ylabel("negative share")
    top.set_ylim(0, 1)
    bottom.set_ylabel("mean P(positive)")
    bottom.set_ylim(0, 1)
    for ax in (top, bottom):
        _time_axis(ax)
        shown = mark_events(ax, events, numbers=ax is top)
    event_caption(figure, shown)
    top.legend(loc="lower right", fontsize=8)
    top.set_title(title, pad=18)
    return figure


def concern_mix_chart(daily: Any, *, title: str = "") -> Figure:
    """Stacked bars of concern posts per day; `daily` is `Database.hourly(app, freq="1D")`."""
    figure, (ax,) = _figure(height=3.8)
    labels = [when.strftime("%m-%d") for when in _times(daily)]
    bottom = [0.0] * len(labels)
    for concern in CONCERNS:
        values = [float(v) for v in daily[("posts", concern)]]
        ax.bar(labels, values, bottom=bottom, color=CONCERN_COLORS[concern], label=CONCERN_LABELS[concern])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("posts (a post may raise several concerns)")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(axis="y", alpha=0.25)
    ax.set_title(title, pad=18)
    return figure


def terms_heatmap(terms: Any, *, title: str = "") -> Figure:
    """Posts per (term, day) for the top terms; `terms` is `Database.top_terms(app)`."""
    days = sorted(set(terms["beijing_day"]))
    ranked = terms.groupby("term")["posts"].sum().sort_values(ascending=False)
    words = list(ranked.index)
    counts = {(row.term, row.beijing_day): int(row.posts) for row in terms.itertuples()}
    grid = [[counts.get((word, day), 0) for day in days] for word in words]
    figure, (ax,) = _figure(height=max(2.5, 0.32 * len(words) + 1))
    image = ax.imshow(grid, aspect="auto", cmap="Reds")
    ax.set_xticks(range(len(days)), [day[5:] for day in days])
    ax.set_yticks(range(len(words)), words)
    for row, values in enumerate(grid):
        for column, value in enumerate(values):
            if value:
                ax.text(column, row, str(value), ha="center", va="center", fontsize=7)
    figure.colorbar(image, ax=ax, label="posts using the term")
    ax.set_title(title, pad=18)
    return figure


def storm_chart(series: Any, storm: Any, events: Iterable[Event] = (), *, title: str = "") -> Figure:
    """One storm: concern posts and negative share around it, the storm period shaded.

    `series` is `Database.hourly(app, since=..., until=...)`; `storm` a row of `storms()`.
    """
    figure, (ax, share) = _figure(rows=2, height=3.0)
    times = _times(series)
    for concern in ("any", *CONCERNS):
        ax.plot(times, series[("posts", concern)], color=CONCERN_COLORS[concern],  # type: ignore[arg-type]
                label=CONCERN_LABELS[concern], linewidth=1.8 if concern == "any" else 1.1)
    posts = series[("posts", "any")].rolling(6, min_periods=1).sum()
    negative = series[("negative", "any")].rolling(6, min_periods=1).sum()
    share.plot(times, negative / posts.where(posts > 0), color=CONCERN_COLORS["any"],  # type: ignore[arg-type]
               label="negative share of concern posts (6-hour window)")
    share.set_ylim(0, 1)
    end = storm.ended_at if storm.ended_at == storm.ended_at else times[-1]  # NaT != NaT: still open
    for axis in (ax, share):
        axis.axvspan(storm.started_at, end, color="#ffdddd", alpha=0.5)  # type: ignore[arg-type]
        _time_axis(axis)
        shown = mark_events(axis, events, numbers=axis is ax)
    event_caption(figure, shown)
    ax.set_ylabel("posts / hour")
    ax.legend(fontsize=8, loc="upper right", ncols=2)
    share.set_ylabel("negative share")
    share.legend(fontsize=8, loc="lower right")
    ax.set_title(title, pad=18)
    return figure


def coverage_chart(coverage: Any, *, title: str = "") -> Figure:
    """Posts written per day by source (bars), with days of failed or incomplete runs marked.

    `coverage` is `Database.coverage()`.
    """
    figure, (ax,) = _figure(height=3.6)
    days = sorted(set(coverage["beijing_day"]))
    bottom = [0.0] * len(days)
    for source, rows in coverage.groupby("source"):
        posts = dict(zip(rows["beijing_day"], rows["posts"], strict=True))
        values = [float(posts.get(day, 0)) for day in days]
        ax.bar([d[5:] for d in days], values, bottom=bottom, label=str(source))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    trouble = coverage[(coverage["failed_runs"] > 0) | (coverage["incomplete_runs"] > 0)]
    for day in sorted(set(trouble["beijing_day"])):
        ax.annotate("!", xy=(days.index(day), bottom[days.index(day)]), ha="center", va="bottom",
                    color="#d62728", fontsize=12, fontweight="bold")
    ax.set_ylabel("posts written that day")
    ax.legend(fontsize=8, title="source (! = failed or incomplete scrape runs)", title_fontsize=8)
    ax.grid(axis="y", alpha=0.25)
    ax.set_title(title)
    return figure


def save(figure: Figure, path: Path, dpi: int = 110) -> Path:
    """Write `figure` as PNG to `path` and return the path."""
    figure.savefig(path, dpi=dpi, format="png")
    return path
