"""`monitor report`: PNG charts and one self-contained HTML storm report for an app.

The HTML embeds its charts (base64 PNG) and a subset of the bundled CJK font (only the
characters the page uses), so it opens anywhere, offline, with Chinese intact. Every
piece of data is escaped; authors appear only as the stored keyed pseudonyms; times are
Beijing time. Data comes from `monitor.analysis`, charts from `monitor.charts`.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor import charts
from monitor.analysis import Database, connect
from monitor.config import SHANGHAI
from monitor.errors import MonitorError
from monitor.types import CONCERNS

SAMPLE_POSTS = 5
STORM_MARGIN = timedelta(hours=12)


@dataclass
class Report:
    """What `build_report` wrote: the HTML file and the PNG charts beside it."""

    html: Path
    charts: list[Path] = field(default_factory=list)
    storms: int = 0


def build_report(url: str, app: str, out_dir: Path, *, days_before: float = 2, days_after: float = 9) -> Report:
    """Write `app`'s charts and HTML report into `out_dir` (created); return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with connect(url) as db:
        if app not in set(db.apps()["name"]):
            raise MonitorError(f"unknown app {app!r}: not in the database's watch list")
        builder = _Builder(db, app, out_dir)
        body = builder.overview(days_before, days_after) + builder.storms()
        page = _page(app, body, db.url)
    path = out_dir / f"{_slug(app)}-report.html"
    path.write_text(page, encoding="utf-8")
    return Report(html=path, charts=builder.written, storms=builder.storm_count)


class _Builder:
    """Collects charts (written as PNG and kept for embedding) and HTML sections."""

    def __init__(self, db: Database, app: str, out_dir: Path) -> None:
        self.db, self.app, self.out_dir = db, app, out_dir
        self.slug = _slug(app)
        self.written: list[Path] = []
        self.storm_count = 0
        self.timeline = db.timeline(app) if _launched(db, app) else _no_launch_timeline(db, app)

    def chart(self, figure: Any, name: str, alt: str) -> str:
        path = charts.save(figure, self.out_dir / f"{self.slug}-{name}.png")
        self.written.append(path)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}"></figure>'

    def events(self, storm_id: int | None = None) -> list[charts.Event]:
        frame = self.timeline
        if storm_id is not None:
            frame = frame[(frame["storm_id"] == storm_id) | (frame["event"] == "launch")]
        return [(row.at.to_pydatetime(), _event_label(row)) for row in frame.itertuples()]

    def overview(self, days_before: float, days_after: float) -> str:
        if _launched(self.db, self.app):
            hourly = self.db.launch_window(self.app, days_before, days_after)
            six = self.db.launch_window(self.app, days_before, days_after, freq="6h")
            daily = self.db.launch_window(self.app, days_before, days_after, freq="1D")
            where = f"{days_before:g} days before to {days_after:g} days after its launch"
        else:
            hourly, six, daily = (self.db.hourly(self.app, freq=f) for f in ("1h", "6h", "1D"))
            where = "the whole data range (no launch date in the watch list)"
        if hourly.empty:
            return f"<section><h2>Around the launch</h2><p>No posts mention {_e(self.app)}.</p></section>"
        events = self.events()
        parts = [
            "<section><h2>Mentions and concerns around the launch</h2>",
            f"<p>Hourly posts mentioning {_e(self.app)}, {_e(where)}; Beijing time.</p>",
            self.chart(charts.volume_chart(hourly, events, title=f"{self.app}: posts per hour"), "volume",
                       "hourly mentions and concern posts"),
            self.chart(charts.sentiment_chart(six, events, title=f"{self.app}: sentiment (6-hour periods)"),
                       "sentiment", "negative share and mean sentiment"),
            self.chart(charts.concern_mix_chart(daily, title=f"{self.app}: concern posts per day"),
                       "concern-mix", "concern posts per day"),
            _daily_table(daily), "</section>",
        ]
        return "\n".join(parts)

    def storms(self) -> str:
        storms = self.db.storms(self.app)
        self.storm_count = len(storms)
        if storms.empty:
            return f"<section><h2>Storms</h2><p>No storm was detected for {_e(self.app)}.</p></section>"
        return "\n".join(self.storm(row) for row in storms.itertuples())

    def storm(self, storm: Any) -> str:
        last = self.db.hourly(self.app, "all").index.max()
        end = storm.ended_at if _present(storm.ended_at) else last
        since, until = storm.started_at - STORM_MARGIN, min(end + STORM_MARGIN, last + timedelta(hours=1))
        series = self.db.hourly(self.app, since=since, until=until)
        title = f"{self.app}: storm {storm.storm_id} ({storm.status})"
        terms = self.db.top_terms(self.app, n=10, by_day=False, since=storm.started_at,
                                  until=end if _present(storm.ended_at) else None)
        samples = self.db.posts(self.app, ids=list(storm.sample_post_ids)[:SAMPLE_POSTS])
        return "\n".join([
            f"<section class=storm><h2>Storm {storm.storm_id}: {_when(storm.started_at)} to "
            f"{_when(storm.ended_at) if _present(storm.ended_at) else 'still open'}</h2>",
            _facts(storm),
            self.chart(charts.storm_chart(series, storm, self.events(storm.storm_id)[1:], title=title),
                       f"storm-{storm.storm_id}", f"storm {storm.storm_id} hourly concern posts"),
            "<div class=cols>", _timeline_table(self.timeline, storm.storm_id), _concerns_table(storm),
            "</div>", _terms(storm, terms), _samples(samples), "</section>",
        ])


def _launched(db: Database, app: str) -> bool:
    try:
        db.launched_at(app)
    except MonitorError:
        return False
    return True


def _no_launch_timeline(db: Database, app: str) -> Any:
    """The timeline without a launch row, for apps with no launch date."""
    storms = db.storms(app)
    frame = storms[["storm_id", "started_at"]].rename(columns={"started_at": "at"})
    return frame.assign(event="storm start", concern=None)


def _event_label(row: Any) -> str:
    concern = row.concern if isinstance(row.concern, str) else ""
    return f"{row.event} {concern}".strip()


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _present(value: Any) -> bool:
    return value is not None and value == value  # NaT and NaN are not equal to themselves


def _when(value: Any) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if _present(value) else "-"


def _slug(app: str) -> str:
    return re.sub(r"[^\w.-]+", "_", app).strip("._") or "app"


def _facts(storm: Any) -> str:
    rows = [
        ("status", storm.status),
        ("started", _when(storm.started_at)),
        ("detected (data time)", f"{_when(storm.detected_at)}, {storm.detection_delay_hours:g} h after the start"),
        ("peak", f"{_when(storm.peak_at)}, {storm.peak_hourly} posts in the hour"),
        ("ended", _when(storm.ended_at)),
        ("concern posts", storm.posts),
        ("negative share", f"{storm.negative_share:.0%}"),
        ("severity", f"{storm.severity:.1f}"),
    ]
    if _present(storm.hours_after_launch):
        rows.insert(2, ("after launch", f"{storm.hours_after_launch:g} h"))
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<table class=facts>{cells}</table>"


def _timeline_table(timeline: Any, storm_id: int) -> str:
    part = timeline[(timeline["storm_id"] == storm_id) | (timeline["event"] == "launch")]
    rows = "".join(
        f"<tr><td>{_when(row.at)}</td><td>{_e(_event_label(row))}</td></tr>" for row in part.itertuples()
    )
    return f"<div><h3>Timeline</h3><table><tr><th>Beijing time</th><th>event</th></tr>{rows}</table></div>"


def _concerns_table(storm: Any) -> str:
    counts = {concern: int(getattr(storm, f"{concern}_posts")) for concern in CONCERNS}
    rows = "".join(
        f"<tr><td>{_e(charts.CONCERN_LABELS[c])}</td><td class=n>{n}</td>"
        f"<td><span class=bar style=\"width:{100 * n / max(storm.posts, 1):.0f}px\"></span></td></tr>"
        for c, n in sorted(counts.items(), key=lambda item: -item[1])
    )
    return f"<div><h3>Concerns</h3><table><tr><th>concern</th><th>posts</th><th></th></tr>{rows}</table></div>"


def _terms(storm: Any, terms: Any) -> str:
    evidence = " ".join(f"<span class=term>{_e(t)}</span>" for t in storm.top_terms)
    ranked = ", ".join(f"{_e(row.term)} ({row.posts})" for row in terms.itertuples())
    return (f"<h3>Top terms</h3><p>Evidence recorded with the storm: {evidence}</p>"
            f"<p>Lexicon terms by posts during the storm: {ranked or 'none'}</p>")


def _samples(posts: Any) -> str:
    if posts.empty:
        return "<h3>Sample posts</h3><p>No sample posts are stored (purged?).</p>"
    rows = []
    for post in posts.sort_values("engagement", ascending=False).itertuples():
        concerns = ", ".join(c for c in CONCERNS if str(getattr(post, c)) == "True")  # bool, numpy or NA
        link = str(post.url) if isinstance(post.url, str) and post.url.startswith(("https://", "http://")) else ""
        when = f'<a href="{_e(link)}">{_when(post.created_at)}</a>' if link else _when(post.created_at)
        rows.append(
            f"<tr><td>{when}</td><td class=author>{_e(post.author if isinstance(post.author, str) else '-')}</td>"
            f"<td class=n>{post.engagement}</td><td>{_e(concerns)}</td><td>{_e(post.polarity)}</td>"
            f"<td class=text>{_e(post.text)}</td></tr>"
        )
    head = "<tr><th>Beijing time</th><th>author (pseudonym)</th><th>engagement</th><th>concerns</th>" \
           "<th>polarity</th><th>text</th></tr>"
    return f"<h3>Sample posts (most engaged)</h3><table class=posts>{head}{''.join(rows)}</table>"


def _daily_table(daily: Any) -> str:
    head = "<tr><th>Beijing day</th><th>mentions</th><th>concern posts</th><th>negative share</th>" + "".join(
        f"<th>{_e(c)}</th>" for c in CONCERNS) + "</tr>"
    rows = []
    for day, row in daily.iterrows():
        share = row[("negative_share", "any")]
        cells = [day.strftime("%m-%d"), row[("posts", "all")], row[("posts", "any")],
                 f"{share:.0%}" if share == share else "-", *(row[("posts", c)] for c in CONCERNS)]
        rows.append("<tr>" + "".join(f"<td class=n>{_e(c)}</td>" for c in cells) + "</tr>")
    return f"<h3>Per day</h3><table>{head}{''.join(rows)}</table>"


_CSS = """
body { font-family: MonitorCJK, "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 1180px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
figure { margin: 1em 0; } img { max-width: 100%; border: 1px solid #eee; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } td.author { font-family: monospace; }
td.text { max-width: 520px; } .cols { display: flex; gap: 3em; flex-wrap: wrap; }
.bar { display: inline-block; height: 0.8em; background: #d62728; }
.term { background: #fde8e8; border-radius: 3px; padding: 0 0.3em; margin-right: 0.3em; }
.meta { color: #666; font-size: 0.85em; }
"""


def _page(app: str, body: str, source: str) -> str:
    generated = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    head = (f"<h1>{_e(app)}: privacy storm report</h1><p class=meta>Generated {generated} (Beijing time) "
            f"from {_e(source)}. Times are Beijing time; authors are keyed pseudonyms, never account ids.</p>")
    text = html.unescape(re.sub(r"<[^>]+>", " ", head + body))
    font = _font_face(text + app)
    return (f"<!DOCTYPE html>\n<html lang=zh-CN><head><meta charset=utf-8>"
            f"<meta name=viewport content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(app)}: storm report</title><style>{font}{_CSS}</style></head>"
            f"<body>{head}\n{body}\n</body></html>\n")


def _font_face(text: str) -> str:
    """An @font-face rule embedding the bundled font, cut down to the characters of `text`."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    font = subset.load_font(str(charts.cjk_font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"@font-face {{ font-family: MonitorCJK; src: url(data:font/woff;base64,{data}) format(\"woff\"); }}\n"
