"""The hand labels the concern benchmark measures with: well formed, and each label the
majority of its annotators' votes (bench/README.md, "Concern labels")."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.types import CONCERNS

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "bench" / "data" / "concern_labels.jsonl"
SOURCES = {"weibo_senti_100k_subset.csv", "smp2020_usual_train.csv", "smp2020_virus_train.json"}


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]


def test_every_label_line_names_a_post_and_holds_no_text() -> None:
    rows = _rows()
    assert len(rows) > 7000
    for row in rows:
        assert set(row) == {"source", "row", "sha1", "pool", "concerns", "votes"}, row
        assert row["source"] in SOURCES and isinstance(row["row"], int) and row["row"] >= 0
        assert re.fullmatch(r"[0-9a-f]{40}", row["sha1"]), row
        assert set(row["concerns"]) <= set(CONCERNS), row
    assert len({(row["source"], row["row"]) for row in rows}) == len(rows), "a post labelled twice"


def test_each_label_is_the_majority_of_its_votes() -> None:
    for row in _rows():
        cast = [set(vote) for vote in row["votes"] if vote is not None]
        assert len(row["votes"]) in (2, 3) and cast, row
        for concern in CONCERNS:
            yes = sum(concern in vote for vote in cast)
            assert 2 * yes != len(cast) or yes == 0, f"tie on {concern}: {row}"
            assert (concern in row["concerns"]) == (2 * yes > len(cast)), row
        if len(row["votes"]) == 2:  # a third annotator only where the first two differ
            assert row["votes"][0] == row["votes"][1], row


def test_the_split_rule_puts_about_sixty_percent_in_dev() -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from bench_concerns import DEV_PERCENT
    finally:
        sys.path.remove(str(REPO / "bench"))
    splits = Counter("dev" if int(row["sha1"][:8], 16) % 100 < DEV_PERCENT else "heldout"
                     for row in _rows())
    assert splits["dev"] / sum(splits.values()) == pytest.approx(DEV_PERCENT / 100, abs=0.03)
    assert splits["heldout"] > 2500


SHARED = REPO.parent / "shared" / "data"


@pytest.mark.skipif(not (SHARED / "sentiment").is_dir(), reason="../shared/data is not here")
def test_a_dev_only_run_scores_and_samples_no_held_out_post(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import bench_concerns
    finally:
        sys.path.remove(str(REPO / "bench"))
    result = bench_concerns.main(["--data", str(SHARED), "--dev-only", "--everyday", "300"])
    shown = capsys.readouterr().out
    assert "heldout" not in result and "HELD-OUT" not in shown
    assert result["dev"]["posts"] == result["all"]["posts"] > 4000
    assert "held-out posts too" in shown
    with pytest.raises(SystemExit):
        bench_concerns.main(["--data", str(SHARED), "--dev-only", "--errors", "heldout"])


def _bench_concerns() -> Any:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import bench_concerns
    finally:
        sys.path.remove(str(REPO / "bench"))
    return bench_concerns


def test_the_wilson_interval_matches_known_values() -> None:
    wilson = _bench_concerns().wilson
    assert wilson(10, 24) == pytest.approx((0.2447, 0.6117), abs=1e-4)
    assert wilson(0, 5) == pytest.approx((0.0, 0.4345), abs=1e-4)
    assert wilson(5, 5) == pytest.approx((0.5655, 1.0), abs=1e-4)
    assert wilson(0, 0) is None


@given(st.integers(1, 5000), st.data())
def test_the_wilson_interval_holds_the_share(n: int, data: st.DataObject) -> None:
    hits = data.draw(st.integers(0, n))
    low, high = _bench_concerns().wilson(hits, n)
    assert 0.0 <= low <= round(hits / n, 4) <= high <= 1.0
    assert (hits > 0 or low == 0.0) and (hits < n or high == 1.0)
    assert high - low < 1.0  # one post already says something


PROBES = [REPO / "bench" / "data" / f"app_storm_probes_{name}.jsonl" for name in ("a", "b", "c", "d", "e")]


@pytest.mark.parametrize("path", PROBES, ids=["A", "B", "C", "D", "E"])
def test_each_probe_is_well_formed_and_labelled_by_the_majority_of_its_votes(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 240
    for number, row in enumerate(rows, 1):
        assert set(row) == {"text", "concerns", "event", "votes"}, number
        assert row["text"].strip() and row["event"], number
        assert row["concerns"] == [c for c in CONCERNS if c in row["concerns"]], number
        votes = [v for v in row["votes"] if v is not None]
        assert len(row["votes"]) in (2, 3) and all(set(v) <= set(CONCERNS) for v in votes), number
        majority = [c for c in CONCERNS if 2 * sum(c in v for v in votes) > len(votes)]
        assert row["concerns"] == majority, number
    assert sum(not row["concerns"] for row in rows) >= 80  # everyday posts, for precision


def test_the_probe_sets_share_no_post() -> None:
    texts = [{json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()} for path in PROBES]
    assert all(len(each) == 240 for each in texts)
    assert len(set().union(*texts)) == 240 * len(PROBES)


@pytest.mark.skipif(not (SHARED / "sentiment").is_dir(), reason="../shared/data is not here")
def test_unseen_probe_errors_are_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench_concerns()
    assert bench.UNSEEN_PROBES == ("probe_d", "probe_e")
    for name in bench.UNSEEN_PROBES:
        with pytest.raises(SystemExit):
            bench.main(["--data", str(SHARED), "--errors", name])
    result = bench.main(["--data", str(SHARED), "--dev-only", "--everyday", "300", "--errors", "probe_b"])
    shown = capsys.readouterr().out
    assert "probe_d" not in result and "PROBES D" not in shown
    assert "probe_e" not in result and "PROBES E" not in shown
    assert result["probe_a"]["posts"] == result["probe_b"]["posts"] == result["probe_c"]["posts"] == 240
    assert "app-storm probes B" in shown and "errors:" in shown


def test_rules_only_measures_the_lexicon_without_the_concern_model() -> None:
    bench = _bench_concerns()
    text = "我妈又接到电话说她医保卡被冻结，要她把钱转到指定账户“核查”"  # no rule words it
    both, rules = bench.ConcernTagger(), bench.ConcernTagger(rules_only=True)
    assert "fraud" in both.tag(text)[0] and "fraud" not in rules.tag(text)[0]
    assert " + cm-" in both.version and rules.version.endswith("(rules only)")
    assert bench._parser().parse_args(["--rules-only"]).rules_only
