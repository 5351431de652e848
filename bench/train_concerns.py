"""Rebuild monitor/nlp/concern_model.json.gz, the learned concern model, from its data.

    .venv/bin/python bench/train_concerns.py [--data ../shared/data] [--out PATH]
        [--leave-out probe_c] [--choose-thresholds] [--learning-curve]

Deterministic: the same data and code give the same file, byte for byte. Needs numpy at
training time only; `monitor.nlp.concern_model` reads the file in pure Python (and
numpy for batches, through `monitor.nlp.weibo_sentiment.NgramTable`).

Why a model beside the lexicon: rules tuned on one set of posts carry a third to a
half of their gain to posts written by someone else (bench/README.md, rounds 5, 7 and
8). A linear model over character n-grams, trained on a few thousand varied posts,
carries the vocabulary of a concern to wordings no rule names. The analyzer tags a
concern when the lexicon *or* the model finds it.

Training posts, each concern a separate binary task:
  bench/data/concern_train_synthetic.jsonl  2,500 synthetic posts written with their
      labels by eight agent sessions blind to the lexicon and to every evaluation set
      (topics in bench/README.md; one label each, the writer's)
  bench/data/concern_train_synthetic_2.jsonl  1,680 more (round 9), by four more such
      sessions: breaches and hacking and their look-alikes, five storms around invented
      app launches, regulators, censorship and scams in 2012-2014 and recent Weibo
      styles, and privacy in daily life with its look-alikes (one label each, the
      writer's; agreement with a blind second annotator in bench/README.md)
  bench/data/app_storm_probes_a.jsonl, _b.jsonl, _c.jsonl  the probe sets other than
      the unseen ones (`--leave-out probe_c` trains without C, to choose thresholds on C)
  the real dev split of bench/data/concern_labels.jsonl (texts from `--data`), with
      their majority labels, less the posts of the everyday sample
  `negatives` (30,000) real posts of `--data` in the dev split that no label names, a
      seeded sample, none of them in bench_concerns.py's everyday sample, as posts
      raising no concern (a few do: about 1% of the randomly picked labelled posts)
Never used: the held-out split, the everyday sample and probe sets D and E (they
measure it); a synthetic post whose text is also one of those posts is left out too.

Model per concern: binary character 1..3-grams of `model_text` seen in at least two
training posts, NB log-count ratio scaling and L2 logistic regression (the fitting code
of bench/train_sentiment.py), synthetic posts weighted `synthetic_weight`. Weights are
pruned to each concern's `top_features` largest and rounded to integers. A post raises
the concern when bias + the sum of its n-grams' weights exceeds the concern's
threshold (a logit; `thresholds`, chosen by `--choose-thresholds`, see
`choose_thresholds`; None: the model never tags that concern). The names in backquotes
are fields of `ConcernParams`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

import bench_concerns  # noqa: E402
from train_sentiment import DEFAULT_DATA, Params, featurize, fit_model, write_model  # noqa: E402

from monitor.nlp.concern_model import MODEL_FORMAT, MODEL_PATH, columns_of  # noqa: E402
from monitor.nlp.weibo_sentiment import NORMALIZATION, model_text  # noqa: E402
from monitor.types import CONCERNS  # noqa: E402

SYNTHETIC = (BENCH / "data" / "concern_train_synthetic.jsonl", BENCH / "data" / "concern_train_synthetic_2.jsonl")
HELD_FOR_THRESHOLDS = "probe_c"
"""The probe set thresholds are chosen on (with a model trained without it)."""
TUNING_PROBES = tuple(name for name in bench_concerns.PROBE_SETS if name not in bench_concerns.UNSEEN_PROBES)
NEGATIVE_SEED = 2026


@dataclass(frozen=True)
class ConcernParams:
    """Training settings (recorded in the model file)."""

    ngram_max: int = 3
    min_df: int = 2
    c: float = 0.3
    synthetic_weight: float = 2.0
    negatives: int = 30_000
    top_features: int = 20_000
    weight_scale: int = 1_000
    thresholds: dict[str, float | None] = field(default_factory=lambda: {
        "privacy": -1.0, "biometric": 1.0, "fraud": -1.0, "security": -1.0, "regulatory": -1.0})


@dataclass(frozen=True)
class Post:
    """One training post: its text, its concerns, where it came from, its weight."""

    text: str
    concerns: frozenset[str]
    source: str
    weight: float


def load_posts(data: Path, params: ConcernParams, leave_out: tuple[str, ...] = ()) -> list[Post]:
    """Every training post (see the module docstring), in a fixed order."""
    texts = bench_concerns.read_texts(data)
    labelled, _ = bench_concerns.read_labels(bench_concerns.LABELS, texts)
    unseen = {texts[name][row] for dev_only in (False, True)
              for name, row in bench_concerns.everyday_sample(texts, labelled, 20_000, dev_only=dev_only)}
    unseen |= {p.text for p in labelled if p.split == "heldout"}  # a synthetic post may be a real one
    unseen |= {text for name in bench_concerns.UNSEEN_PROBES for text, _ in bench_concerns.read_posts(probe_path(name))}
    posts = [Post(text, concerns, "synthetic", params.synthetic_weight)
             for path in SYNTHETIC for text, concerns in bench_concerns.read_posts(path) if text not in unseen]
    for name in TUNING_PROBES:
        if name not in leave_out:
            posts += [Post(text, concerns, name, params.synthetic_weight)
                      for text, concerns in bench_concerns.read_posts(probe_path(name)) if text not in unseen]
    posts += [Post(p.text, p.concerns, "real-dev", 1.0) for p in labelled
              if p.split == "dev" and p.text not in unseen]
    named = {p.text for p in labelled}
    pool = sorted({text for name in bench_concerns.SOURCES for text in texts[name]
                   if text not in named and text not in unseen and bench_concerns.split_of(text) == "dev"})
    negatives = random.Random(NEGATIVE_SEED).sample(pool, min(params.negatives, len(pool)))
    posts += [Post(text, frozenset(), "real-negative", 1.0) for text in negatives]
    return posts


def probe_path(name: str) -> Path:
    """The file of probe set `name` (a key of `bench_concerns.PROBE_SETS`)."""
    return bench_concerns.PROBES / bench_concerns.PROBE_SETS[name][0]


def train(posts: list[Post], params: ConcernParams) -> dict[str, Any]:
    """The model document (see `monitor.nlp.concern_model`) for these posts."""
    clock = time.perf_counter()
    fit = Params(ngram_max=params.ngram_max, min_df=params.min_df, c=params.c)
    vocabulary, matrix = featurize([model_text(post.text) for post in posts], fit)
    weights = np.array([post.weight for post in posts])
    weights = weights / weights.mean()
    print(f"  {len(posts)} posts, {len(vocabulary)} n-grams ({time.perf_counter() - clock:.1f}s)",
          file=sys.stderr)
    concerns: dict[str, Any] = {}
    grams: dict[str, dict[str, int]] = {}
    for concern in CONCERNS:
        labels = np.array([float(concern in post.concerns) for post in posts])
        coef, bias = fit_model(matrix, labels, weights, len(vocabulary), fit)
        order = np.argsort(-np.abs(coef), kind="stable")[: params.top_features]
        kept = 0
        for i in sorted(order.tolist()):
            value = round(float(coef[i]) * params.weight_scale)
            if value:
                grams.setdefault(vocabulary[i], {})[concern] = value
                kept += 1
        concerns[concern] = {"bias": round(bias * params.weight_scale),
                             "threshold": params.thresholds.get(concern),
                             "positives": int(labels.sum()), "ngrams": kept}
        print(f"  {concern}: {int(labels.sum())} positive posts, {kept} n-grams kept "
              f"({time.perf_counter() - clock:.1f}s)", file=sys.stderr)
    return {
        "format": MODEL_FORMAT,
        "normalization": NORMALIZATION,
        "ngram_max": params.ngram_max,
        "weight_scale": params.weight_scale,
        "concerns": concerns,
        "weights": {gram: [by.get(c, 0) for c in CONCERNS] for gram, by in sorted(grams.items())},
        "columns": list(CONCERNS),
        "training": {"params": asdict(params), "features_before_pruning": len(vocabulary),
                     "posts": dict(sorted(Counter(post.source for post in posts).items()))},
    }


THRESHOLD_GRID: tuple[float | None, ...] = (None, 3.0, 2.5, 2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0)
"""The thresholds `choose_thresholds` tries, from none (the model never tags) down to
the floor: probe set C holds far more concern posts than real Weibo does (38% privacy),
so below -1 each step it rewards adds false alarms on real posts (bench/README.md)."""
FOLDS = 3


def logits(document: dict[str, Any], texts: list[str]) -> np.ndarray:
    """Each text's logit per concern (rows: texts, columns: `CONCERNS`) under a model
    document, as the model file's loader reads it (the texts read as they are: no
    watched app's name is masked)."""
    columns = columns_of(document, "training", "<model being trained>")
    return np.array([columns.totals(model_text(text)) for text in texts],
                    dtype=float).reshape(len(texts), len(CONCERNS)) / document["weight_scale"]


def choose_thresholds(data: Path, params: ConcernParams) -> dict[str, float | None]:
    """Each concern's threshold: the one of `THRESHOLD_GRID` with the best mean of two F1
    scores (ties: the higher threshold), each on posts the scoring model never saw;
    prints the table it chose from.

    - On probe set C (the tool's domain), tagging as the analyzer does, lexicon *or*
      model, with a model trained without C.
    - On the real dev posts with labels (2012-2014 and 2020 Weibo), the model alone,
      each post scored by a model trained without its fold (`FOLDS` folds by text hash).
      The lexicon is left out here: its rules were written from these posts' errors, so
      on them it would leave the model nothing to find.
    """
    posts = load_posts(data, params, leave_out=(HELD_FOR_THRESHOLDS,))
    probe = bench_concerns.read_posts(probe_path(HELD_FOR_THRESHOLDS))
    tagger = bench_concerns.ConcernTagger(rules_only=True)
    rules = [set(tagger.tag(text)[0]) for text, _ in probe]
    probe_table = logits(train(posts, params), [text for text, _ in probe])
    real, real_table = cross_fitted(posts, params)
    chosen: dict[str, float | None] = {}
    for j, concern in enumerate(CONCERNS):
        on_probe = [_f1([concern in found or (t is not None and probe_table[i, j] > t)
                         for i, found in enumerate(rules)],
                        [concern in concerns for _, concerns in probe]) for t in THRESHOLD_GRID]
        on_real = [_f1([t is not None and real_table[i, j] > t for i in range(len(real))],
                       [concern in post.concerns for post in real]) for t in THRESHOLD_GRID]
        means = [(a + b) / 2 for a, b in zip(on_probe, on_real, strict=True)]
        chosen[concern] = THRESHOLD_GRID[means.index(max(means))]
        cells = ", ".join(f"{t}: {a:.3f}/{b:.3f}" for t, a, b in zip(THRESHOLD_GRID, on_probe, on_real, strict=True))
        print(f"  {concern}: F1 on C / on real dev by threshold: {cells} -> {chosen[concern]}", file=sys.stderr)
    return chosen


def cross_fitted(posts: list[Post], params: ConcernParams, share: float = 1.0) -> tuple[list[Post], np.ndarray]:
    """The real dev posts of `posts` and their logits (as `logits`), each post scored by
    a model trained on `posts` without its fold (`FOLDS` folds by text hash) and with
    only `share` of the other folds' real dev posts (a fixed subset, by a second hash)."""
    fold = [_fold(post.text) if post.source == "real-dev" else -1 for post in posts]
    real: list[Post] = []
    tables = []
    for k in range(FOLDS):
        held = [post for post, f in zip(posts, fold, strict=True) if f == k]
        rest = [post for post, f in zip(posts, fold, strict=True)
                if f != k and (f < 0 or _rank(post.text) < share)]
        real += held
        tables.append(logits(train(rest, params), [post.text for post in held]))
    return real, np.vstack(tables)


CURVE_SHARES = (0.0, 1 / 3, 2 / 3, 1.0)
CURVE_GRID = (*THRESHOLD_GRID[1:], -1.5, -2.0, -2.5, -3.0, -4.0, -5.0, -6.0, -8.0)
"""`learning_curve`'s thresholds: below the floor too, since the question there is
what the real posts can teach, not where the analyzer should tag."""


def learning_curve(data: Path, params: ConcernParams) -> dict[float, dict[str, tuple[float, float]]]:
    """What more real labelled posts would buy: for each share of the real dev posts
    the models learn from (`CURVE_SHARES`; every other training post always), each
    concern's best F1 of the model alone on the real dev posts, cross-fitted
    (`cross_fitted`), and the threshold of `CURVE_GRID` that gives it. Prints a line a share."""
    posts = load_posts(data, params)
    curve: dict[float, dict[str, tuple[float, float]]] = {}
    for share in CURVE_SHARES:
        real, table = cross_fitted(posts, params, share)
        best: dict[str, tuple[float, float]] = {}
        for j, concern in enumerate(CONCERNS):
            expected = [concern in post.concerns for post in real]
            scores = [(_f1([row[j] > t for row in table], expected), t) for t in CURVE_GRID]
            best[concern] = max(scores, key=lambda item: item[0])
        curve[share] = best
        cells = ", ".join(f"{c} {f1:.3f} (at {t})" for c, (f1, t) in best.items())
        print(f"real dev share {share:.2f}: best F1 {cells}", flush=True)
    return curve


def _rank(text: str) -> float:
    """A fixed number in [0, 1) per text, independent of its fold."""
    return int(hashlib.sha1(f"share:{text}".encode()).hexdigest()[:8], 16) / 2**32


def _fold(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[8:16], 16) % FOLDS


def _f1(found: list[bool], expected: list[bool]) -> float:
    tp = sum(f and e for f, e in zip(found, expected, strict=True))
    wrong = sum(f != e for f, e in zip(found, expected, strict=True))
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the shared data folder (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    parser.add_argument("--leave-out", choices=TUNING_PROBES, action="append", default=[],
                        help="train without this probe set (to choose thresholds on it)")
    parser.add_argument("--choose-thresholds", action="store_true",
                        help="print the thresholds `choose_thresholds` picks (trains four models) and stop")
    parser.add_argument("--learning-curve", action="store_true",
                        help="print how the model alone does on the real dev posts, cross-fitted, "
                             "as it learns from more of them (trains twelve models) and stop")
    args = parser.parse_args(argv)
    params = ConcernParams()
    if args.learning_curve:
        learning_curve(args.data, params)
        return 0
    if args.choose_thresholds:
        print(json.dumps(choose_thresholds(args.data, params)))
        return 0
    started = time.perf_counter()
    posts = load_posts(args.data, params, tuple(args.leave_out))
    document = train(posts, params)
    document["training"].update(data=bench_concerns_fingerprint(args.data), left_out=args.leave_out)
    raw = write_model(document, args.out)
    print(f"wrote {args.out} ({len(raw) / 1e6:.2f} MB, {len(document['weights'])} n-grams, "
          f"sha256 {hashlib.sha256(raw).hexdigest()[:12]}) in "
          f"{time.perf_counter() - started:.0f}s", file=sys.stderr)
    return 0


def bench_concerns_fingerprint(data: Path) -> dict[str, str]:
    """SHA-256 of each file the model was trained from."""
    files = [data / "sentiment" / name for name in bench_concerns.SOURCES]
    files += [*SYNTHETIC, bench_concerns.LABELS, *(probe_path(name) for name in TUNING_PROBES)]
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


if __name__ == "__main__":
    sys.exit(main())
