"""`monitor report`: one self-contained HTML file with its charts, Chinese intact, data escaped."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from monitor import charts
from monitor.report import Report, build_report

PNG = b"\x89PNG\r\n\x1a\n"


def make_report(db: Path, out: Path, app: str = "ZAO") -> Report:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")  # a box instead of a glyph
        return build_report(f"sqlite:///{db}", app, out)


@pytest.fixture(scope="module")
def zao(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, str]:
    report = make_report(demo_db, tmp_path_factory.mktemp("report"))
    return report, report.html.read_text(encoding="utf-8")


def visible_text(page: str) -> str:
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_one_self_contained_html_file_with_its_charts(zao: tuple[Report, str]) -> None:
    report, page = zao
    assert report.storms == 1 and len(report.charts) == 4
    for chart in report.charts:
        assert chart.read_bytes().startswith(PNG) and chart.parent == report.html.parent
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) == len(report.charts)
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert base64.b64decode(images[0].split(",", 1)[1]).startswith(PNG)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert re.findall(r'href="([^"]+)"', page) and all(
        href.startswith("https://m.weibo.cn/") for href in re.findall(r'href="([^"]+)"', page))


def test_storm_sections_tell_timeline_concerns_terms_and_samples(zao: tuple[Report, str]) -> None:
    _, page = zao
    text = visible_text(page)
    for needle in ("storm detected", "escalation regulatory", "biometric 人脸", "换脸", "Sample posts",
                   "negative share"):
        assert needle in text
    assert len(re.findall(r"<td class=author>p_[0-9a-f]+</td>", page)) == 5


def test_the_fonts_have_every_glyph_used(zao: tuple[Report, str]) -> None:
    report, page = zao
    text = visible_text(page)
    labels = "".join(charts.CONCERN_LABELS.values()) + text
    assert charts.missing_glyphs(labels) == set()
    woff = re.search(r"url\(data:font/woff;base64,([^)]+)\)", page)
    assert woff, "the page embeds its font"
    embedded = TTFont(io.BytesIO(base64.b64decode(woff.group(1))))
    cmap = embedded.getBestCmap()
    assert {c for c in text if not c.isspace() and ord(c) not in cmap} == set()
    assert len(cmap) < 5000  # a subset, not the whole 8 MB font


def test_authors_appear_only_as_pseudonyms(zao: tuple[Report, str], demo_db: Path) -> None:
    _, page = zao
    readable = re.sub(r"data:[^\"')]+", "", page)
    lines = (demo_db.parent / "zao_2019.jsonl").read_text(encoding="utf-8").splitlines()
    author_ids = {json.loads(line)["author_id"] for line in lines}
    assert author_ids and not [uid for uid in author_ids if uid in readable]


def test_post_text_is_escaped(demo_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "monitor.db"
    shutil.copy(demo_db, copy)
    with sqlite3.connect(copy) as conn:
        samples = json.loads(conn.execute("SELECT sample_post_ids FROM storms").fetchone()[0])
        conn.execute("UPDATE posts SET text = ? WHERE external_id = ?",
                     ('<script>alert("zao")</script> 换脸 & <b>', samples[0]))
    page = make_report(copy, tmp_path / "out").html.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;zao&quot;)&lt;/script&gt; 换脸 &amp; &lt;b&gt;" in page
    assert "<script" not in page and "<b>" not in page


def test_cli_writes_the_report_and_refuses_unknown_apps(demo_db: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "monitor", "--db", f"sqlite:///{demo_db}", "report", "--out", str(tmp_path)]
    done = subprocess.run([*command, "--app", "Pintu"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path == tmp_path / "Pintu-report.html" and "No storm was detected" in path.read_text(encoding="utf-8")
    wrong = subprocess.run([*command, "--app", "Nope"], capture_output=True, text=True, timeout=300)
    assert wrong.returncode == 1 and "error: unknown app 'Nope'" in wrong.stderr and "Traceback" not in wrong.stderr
