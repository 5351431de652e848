"""Concern tagging quality: per-concern precision and recall on hand-labelled real posts.

    .venv/bin/python bench/bench_concerns.py [--data ../shared/data] [--everyday 20000]
        [--errors dev|heldout|probe_a|probe_b|probe_c] [--dev-only] [--rules-only] [--json]

It measures the shipped analyzer's concerns: the lexicon and the learned concern model
(`--rules-only`: the lexicon alone).

The labels (`bench/data/concern_labels.jsonl`, how they were made: bench/README.md) name
real Weibo posts by source file, row and the sha1 of their text; the texts themselves
are third-party data and stay in `--data`. Every text is re-read and its hash checked;
a post whose text no longer matches is skipped and counted.

Posts are split by the hash of their text (so duplicates stay together): about 60%
`dev`, the set the lexicon was tuned on, and 40% `heldout`, never looked at while
tuning. Both are reported, each labelled. Then:

- everyday: a seeded random sample of all three files, minus every post the labels say
  raises a concern; the share that gets any concern, and the terms that tripped it;
- scenario: the replay scenario's labelled synthetic posts (`monitor.replay`);
- app-storm probes: five sets of 240 synthetic posts each about app launches and privacy
  storms (ZAO, FaceApp, 妙鸭相机, QQ and 拼多多, 徐玉玉's scam, app permissions, face
  recognition in shops, 滴滴, data leaks, AI face-swap scams...), the domain this tool is
  for and the one the real labelled posts barely cover. Each was written with its labels
  by a different writer who never saw the lexicon; rules were tuned on set A (round 7)
  and sets A and B (round 8), the concern model trains on A, B and C (round 9), and the
  errors of sets D and E (`UNSEEN_PROBES`) are never printed.

`main()` returns the numbers as a dict, for a bench runner. `--errors` prints one
split's misses and false alarms with their texts (to stdout only, never stored):
tune on `dev`; `heldout` is for one last look. For tuning, `--dev-only --errors dev`
scores only dev posts and leaves held-out posts out of the everyday sample too, so a
tuning run shows nothing of the held-out split.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.config import NlpSettings  # noqa: E402
from monitor.nlp.analyzer import make_analyzer  # noqa: E402
from monitor.replay.scenario import SCENARIO_APPS, iter_scenario  # noqa: E402
from monitor.types import CONCERNS  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"
LABELS = REPO / "bench" / "data" / "concern_labels.jsonl"
PROBES = REPO / "bench" / "data"
PROBE_SETS = {"probe_a": ("app_storm_probes_a.jsonl", "app-storm probes A (synthetic, tuned on)"),
              "probe_b": ("app_storm_probes_b.jsonl", "app-storm probes B (synthetic, tuned on from round 8)"),
              "probe_c": ("app_storm_probes_c.jsonl", "app-storm probes C (synthetic, trained on from round 9)"),
              "probe_d": ("app_storm_probes_d.jsonl", "APP-STORM PROBES D (synthetic, never tuned on)"),
              "probe_e": ("app_storm_probes_e.jsonl", "APP-STORM PROBES E (synthetic, never tuned on)")}
UNSEEN_PROBES = ("probe_d", "probe_e")
"""The probe sets nothing was tuned or trained on: their errors are never printed,
`--dev-only` leaves them out."""
DEV_PERCENT = 60
"""Posts whose text hash falls in the first 60 of 100 buckets are dev, the rest held out."""
EVERYDAY_SEED = 2019
SOURCES = ("weibo_senti_100k_subset.csv", "smp2020_usual_train.csv", "smp2020_virus_train.json")


@dataclass(frozen=True)
class Labelled:
    """One labelled post: where its text is, the text, and the concerns it raises."""

    source: str
    row: int
    text: str
    concerns: frozenset[str]
    pool: str
    votes: tuple[frozenset[str] | None, ...] = ()
    """Each annotator's labels (None: that annotator could not decide), first to last."""

    @property
    def split(self) -> str:
        """`dev` or `heldout`, from the text's hash."""
        return split_of(self.text)


@dataclass
class Score:
    """Counts for one concern: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def as_dict(self) -> dict[str, Any]:
        return {"precision": _round(self.precision), "recall": _round(self.recall),
                "precision_ci": wilson(self.tp, self.tp + self.fp),
                "recall_ci": wilson(self.tp, self.tp + self.fn),
                "support": self.tp + self.fn, "tagged": self.tp + self.fp,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval (95% by default) of a proportion `hits / n`; None if n is 0.

    With 24 held-out privacy posts a recall of 10/24 is anywhere from 25% to 61%: the
    interval says how far a number on this few posts can be trusted.
    """
    if n <= 0:
        return None
    share = hits / n
    middle = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, middle - half), 4), round(min(1.0, middle + half), 4)


@dataclass
class Report:
    """Per-concern scores over a set of posts, plus the errors for `--errors`."""

    posts: int = 0
    clean: int = 0
    """Posts that raise no concern."""
    alarms: int = 0
    """Of those, the ones tagged with some concern."""
    scores: dict[str, Score] = field(default_factory=lambda: {c: Score() for c in CONCERNS})
    errors: list[tuple[str, frozenset[str], tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=list)

    def add(self, text: str, expected: frozenset[str], found: tuple[str, ...],
            terms: tuple[str, ...]) -> None:
        self.posts += 1
        self.clean += not expected
        self.alarms += not expected and bool(found)
        for concern, score in self.scores.items():
            score.tp += concern in expected and concern in found
            score.fp += concern not in expected and concern in found
            score.fn += concern in expected and concern not in found
        if expected != frozenset(found):
            self.errors.append((text, expected, found, terms))

    def as_dict(self) -> dict[str, Any]:
        return {"posts": self.posts, "clean": self.clean, "alarms": self.alarms,
                **{c: s.as_dict() for c, s in self.scores.items()}}


def split_of(text: str) -> str:
    """The split of a post: `dev` or `heldout`, stable under reordering and duplicates."""
    bucket = int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "dev" if bucket < DEV_PERCENT else "heldout"


def read_texts(data: Path) -> dict[str, list[str]]:
    """Every post text of the three sentiment files, by file name, in row order."""
    folder = data / "sentiment"
    texts: dict[str, list[str]] = {}
    for name, column in (("weibo_senti_100k_subset.csv", "review"),
                         ("smp2020_usual_train.csv", "content")):
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            texts[name] = [row[column] for row in csv.DictReader(handle)]
    with (folder / "smp2020_virus_train.json").open(encoding="utf-8") as handle:
        texts["smp2020_virus_train.json"] = [item["content"] for item in json.load(handle)]
    return texts


def read_labels(path: Path, texts: dict[str, list[str]]) -> tuple[list[Labelled], int]:
    """The labelled posts whose text still hashes as recorded, and how many did not."""
    found, stale = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        rows = texts.get(record["source"], [])
        text = rows[record["row"]] if record["row"] < len(rows) else None
        if text is None or hashlib.sha1(text.encode("utf-8")).hexdigest() != record["sha1"]:
            stale += 1
            continue
        votes = tuple(None if vote is None else frozenset(vote) for vote in record.get("votes", ()))
        found.append(Labelled(record["source"], record["row"], text,
                              frozenset(record["concerns"]), record["pool"], votes))
    return found, stale


class ConcernTagger:
    """The shipped analyzer's concern tagging (lexicon, and the learned concern model
    unless `rules_only`), with the scenario's watch list for `{app}`."""

    def __init__(self, *, rules_only: bool = False) -> None:
        self._analyzer = make_analyzer(SCENARIO_APPS, NlpSettings(concern_model=not rules_only))
        model = self._analyzer.concern_model
        self.version = self._analyzer.lexicon.hash[:12] + (f" + {model.name}" if model else " (rules only)")

    def tag(self, raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        analysis = self._analyzer.analyze(raw)
        return analysis.concerns, analysis.terms


def score_labelled(tagger: ConcernTagger, posts: Iterable[Labelled]) -> dict[str, Report]:
    """Reports for `dev`, `heldout` and `all` labelled posts."""
    reports = {"dev": Report(), "heldout": Report(), "all": Report()}
    for post in posts:
        found, terms = tagger.tag(post.text)
        for name in (post.split, "all"):
            reports[name].add(post.text, post.concerns, found, terms)
    return reports


def everyday(tagger: ConcernTagger, texts: dict[str, list[str]], labelled: Sequence[Labelled],
             size: int, *, dev_only: bool = False) -> dict[str, Any]:
    """The false-concern rate on a random sample of posts not labelled as concerns
    (`dev_only`: leaving out every held-out post too, so tuning never sees one)."""
    sample = everyday_sample(texts, labelled, size, dev_only=dev_only)
    tripped: Counter[str] = Counter()
    terms: Counter[str] = Counter()
    hits = 0
    for name, row in sample:
        found, evidence = tagger.tag(texts[name][row])
        hits += bool(found)
        tripped.update(found)
        terms.update(evidence)
    return {"posts": len(sample), "with_concern": hits,
            "rate": round(hits / len(sample), 5) if sample else None,
            "by_concern": dict(tripped), "top_terms": terms.most_common(15)}


def everyday_sample(texts: dict[str, list[str]], labelled: Sequence[Labelled], size: int, *,
                    dev_only: bool = False) -> list[tuple[str, int]]:
    """The (file, row) of each post of `everyday`'s seeded sample (`bench/train_concerns.py`
    keeps these posts out of its training data, so the rate is measured on unseen posts)."""
    left_out = {p.text for p in labelled if p.concerns or (dev_only and p.split == "heldout")}
    pool = [(name, row) for name in SOURCES for row in range(len(texts[name]))
            if texts[name][row] not in left_out]  # by text: duplicates count too
    return random.Random(EVERYDAY_SEED).sample(pool, min(size, len(pool)))


def agreement(labelled: Iterable[Labelled]) -> dict[str, Any]:
    """How far the first two annotators agree, per concern, on the posts both decided.

    F1 of the second annotator's labels against the first's (symmetric) and Cohen's kappa:
    the human ceiling the tagger is measured under.
    """
    pairs = [(post.votes[0], post.votes[1]) for post in labelled
             if len(post.votes) >= 2 and post.votes[0] is not None and post.votes[1] is not None]
    result: dict[str, Any] = {"posts": len(pairs)}
    for concern in CONCERNS:
        first = sum(concern in a for a, _ in pairs)
        second = sum(concern in b for _, b in pairs)
        both = sum(concern in a and concern in b for a, b in pairs)
        result[concern] = {"first": first, "second": second, "both": both,
                           "f1": _round(2 * both / (first + second)) if first + second else None,
                           "kappa": _round(_kappa(len(pairs), first, second, both))}
    return result


def _kappa(n: int, first: int, second: int, both: int) -> float | None:
    """Cohen's kappa of two yes/no raters over n items."""
    if not n:
        return None
    observed = (n - first - second + 2 * both) / n
    chance = (first / n) * (second / n) + (1 - first / n) * (1 - second / n)
    return None if chance == 1 else (observed - chance) / (1 - chance)


def scenario(tagger: ConcernTagger) -> Report:
    """Scores on the replay scenario's labelled synthetic posts (seed 2019, scale 1)."""
    report = Report()
    for post in iter_scenario():
        found, terms = tagger.tag(post.record["text"])
        report.add(post.record["text"], frozenset(post.expected_concerns), found, terms)
    return report


def read_posts(path: Path) -> list[tuple[str, frozenset[str]]]:
    """(text, concerns) of each line of a file of labelled synthetic posts (`{"text",
    "concerns", ...}` per line: the probe sets, the concern model's training posts);
    exits naming the file and line of a bad one."""
    posts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            record = json.loads(line)
            text, concerns = str(record["text"]), frozenset(record["concerns"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}:{number}: not a labelled post ({exc})") from None
        if not concerns <= set(CONCERNS):
            raise SystemExit(f"{path}:{number}: unknown concern in {sorted(concerns)}")
        posts.append((text, concerns))
    return posts


def probes(tagger: ConcernTagger, path: Path) -> Report:
    """Scores on one set of app-storm probes (`{"text", "concerns", "event"}` per line)."""
    report = Report()
    for text, concerns in read_posts(path):
        report.add(text, concerns, *tagger.tag(text))
    return report


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print it, return its numbers."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.dev_only and args.errors == "heldout":
        parser.error("--dev-only shows no held-out post: use --errors dev")
    probe_sets = [name for name in PROBE_SETS if name not in UNSEEN_PROBES or not args.dev_only]
    started = time.perf_counter()
    texts = read_texts(Path(args.data))
    labelled, stale = read_labels(Path(args.labels), texts)
    tagger = ConcernTagger(rules_only=args.rules_only)
    reports = score_labelled(tagger, [p for p in labelled if p.split == "dev" or not args.dev_only])
    if args.dev_only:
        del reports["heldout"]
    reports.update({name: probes(tagger, Path(args.probes) / PROBE_SETS[name][0]) for name in probe_sets})
    result: dict[str, Any] = {
        "lexicon": tagger.version, "labelled": len(labelled), "stale_labels": stale,
        **{name: report.as_dict() for name, report in reports.items()},
        "annotators": agreement(labelled),
        "everyday": everyday(tagger, texts, labelled, args.everyday, dev_only=args.dev_only),
        "scenario": scenario(tagger).as_dict(),
        **{name: reports[name].as_dict() for name in probe_sets},
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        _print(result)
    if args.errors:
        _print_errors(reports[args.errors])
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the shared data folder")
    parser.add_argument("--labels", default=str(LABELS))
    parser.add_argument("--everyday", type=int, default=20_000, help="random posts to sample")
    parser.add_argument("--errors", choices=("dev", "heldout", *(n for n in PROBE_SETS if n not in UNSEEN_PROBES)),
                        help="print this split's errors with their texts (never an unseen probe set's)")
    parser.add_argument("--probes", default=str(PROBES), help="the folder of the app-storm probe sets")
    parser.add_argument("--dev-only", action="store_true",
                        help="for tuning: score and sample no held-out post at all")
    parser.add_argument("--rules-only", action="store_true",
                        help="the lexicon alone, without the learned concern model")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    return parser


def _print(result: dict[str, Any]) -> None:
    print(f"concern tagging, lexicon {result['lexicon']}: {result['labelled']} labelled real "
          f"posts ({result['stale_labels']} stale labels skipped)")
    sections = (("heldout", "HELD-OUT (never tuned on)"), ("dev", "DEV (tuned on)"),
                ("scenario", "replay scenario (synthetic)"),
                *((name, title) for name, (_, title) in PROBE_SETS.items()))
    for name, title in sections:
        if name not in result:
            continue
        alarms = (f"; {result[name]['alarms']} of its {result[name]['clean']} posts with no concern "
                  f"got one" if name in PROBE_SETS else "")
        print(f"\n{title}: {result[name]['posts']} posts{alarms}")
        print(f"  {'concern':<11} {'precision':>9} {'(95% CI)':>10} {'recall':>7} {'(95% CI)':>10} "
              f"{'support':>8} {'tagged':>7}")
        for concern in CONCERNS:
            row = result[name][concern]
            print(f"  {concern:<11} {_pct(row['precision']):>9} {_interval(row['precision_ci']):>10} "
                  f"{_pct(row['recall']):>7} {_interval(row['recall_ci']):>10} "
                  f"{row['support']:>8} {row['tagged']:>7}")
    agree = result["annotators"]
    print(f"\nannotator agreement (first vs second annotator, {agree['posts']} posts both decided):")
    print("  " + " | ".join(f"{c} F1 {_pct(agree[c]['f1'])} kappa {_num(agree[c]['kappa'])}"
                            for c in CONCERNS))
    day = result["everyday"]
    print(f"\neveryday false-concern rate: {day['with_concern']}/{day['posts']} = "
          f"{_pct(day['rate'], 2)} (random posts of all three files, labelled concerns left out"
          f"{'' if 'heldout' in result else ', held-out posts too'})")
    print(f"  by concern: {day['by_concern']}")
    print(f"  top terms:  {', '.join(f'{t} {n}' for t, n in day['top_terms'])}")
    print(f"\n{result['seconds']} s")


def _print_errors(report: Report) -> None:
    print(f"\n{len(report.errors)} errors:")
    for text, expected, found, terms in report.errors:
        missed = sorted(expected - set(found))
        extra = sorted(set(found) - expected)
        print(f"- missed {missed} extra {extra} terms {list(terms)}\n  {text[:300]!r}")


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def _interval(bounds: tuple[float, float] | None) -> str:
    return "" if bounds is None else f"{100 * bounds[0]:.0f}-{100 * bounds[1]:.0f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


if __name__ == "__main__":
    main()
