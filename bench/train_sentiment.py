"""Rebuild monitor/nlp/weibo_sentiment_model.json.gz from ../shared/data/sentiment/.

    .venv/bin/python bench/train_sentiment.py [--data ../shared/data] [--out PATH]

Deterministic: the same data and code give the same file, byte for byte (weights are
rounded to integers, the JSON is sorted, the gzip header has no time stamp). Needs numpy, at
training time only; the model it writes is read in pure Python by
`monitor.nlp.weibo_sentiment`.

Data (never copied into the repository):
  smp2020_usual_train.csv, smp2020_virus_train.json  human labels: happy = positive,
      angry/sad/fear = negative, neutral = a soft label of 0.5, surprise dropped;
      emoticons kept, since a person, not an emoticon, chose the label
  weibo_senti_100k_subset.csv  labels derived from emoticons, so the emoticons are
      stripped and the set gets a low weight

Split: a post's split key is its model text without emoticons, punctuation or spaces
(an SMP post of emoticons only keeps them; such a senti100k post is dropped). Posts
with one key are one post (kept once; dropped if their labels disagree), and the key's
SHA-256 puts it in one of 100 buckets: buckets below TEST_PERCENT are the held-out test
set (only bench/eval_sentiment.py reads them), the next CALIBRATION_PERCENT buckets
calibrate the probabilities, the rest train.

Model: binary character 1..3-grams seen in at least two training posts, NB log-count
ratio scaling (Wang & Manning 2012, "NBSVM"), L2 logistic regression fitted with
L-BFGS on class-balanced weights per data set, Platt-calibrated on the calibration
buckets, refitted on all training buckets, and pruned to the TOP_FEATURES largest
weights.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.nlp.weibo_sentiment import (  # noqa: E402
    MODEL_FORMAT,
    MODEL_PATH,
    NORMALIZATION,
    char_ngrams,
    model_text,
    strip_emoticons,
)

DEFAULT_DATA = REPO.parent / "shared" / "data"
SPLIT_SALT = "weibo-sentiment-split/1"
TEST_PERCENT = 12
CALIBRATION_PERCENT = 10
SOURCES = ("smp_usual", "smp_virus", "senti100k")
"""In order of preference when one post appears in several data sets."""
POLARITY = {"happy": 1.0, "angry": 0.0, "sad": 0.0, "fear": 0.0, "neutral": 0.5}
_NOT_KEY = re.compile(r"[\W_]+")

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Params:
    """Training settings (recorded in the model file)."""

    ngram_max: int = 3
    min_df: int = 2
    source_weight: dict[str, float] = field(
        default_factory=lambda: {"smp_usual": 3.0, "smp_virus": 3.0, "senti100k": 0.5}
    )
    neutral_weight: float = 0.6
    nb_alpha: float = 1.0
    c: float = 0.03
    top_features: int = 200_000
    weight_scale: int = 10_000


@dataclass(frozen=True)
class Example:
    """One labelled post: `label` 1.0 positive, 0.0 negative, 0.5 neutral."""

    source: str
    text: str
    label: float
    key: str

    @property
    def bucket(self) -> int:
        """0..99, from the split key's hash."""
        digest = hashlib.sha256((SPLIT_SALT + self.key).encode()).digest()
        return int.from_bytes(digest[:4], "big") % 100

    @property
    def is_test(self) -> bool:
        """Whether the post belongs to the held-out test set."""
        return self.bucket < TEST_PERCENT

    @property
    def is_calibration(self) -> bool:
        """Whether the post calibrates the probabilities (a part of training)."""
        return TEST_PERCENT <= self.bucket < TEST_PERCENT + CALIBRATION_PERCENT


def split_key(text: str) -> str:
    """The identity of a post for deduplication and splitting."""
    return _NOT_KEY.sub("", strip_emoticons(model_text(text)))


def iter_raw(data: Path) -> Iterator[tuple[str, str, float]]:
    """(source, text, label) of every usable row of the three data files."""
    folder = data / "sentiment"
    with open(folder / "smp2020_usual_train.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["label"] in POLARITY:
                yield "smp_usual", row["content"], POLARITY[row["label"]]
    virus = json.loads((folder / "smp2020_virus_train.json").read_text(encoding="utf-8"))
    for item in virus:
        if item["label"] in POLARITY:
            yield "smp_virus", str(item["content"]), POLARITY[item["label"]]
    with open(folder / "weibo_senti_100k_subset.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield "senti100k", row["review"], float(row["label"])


def load_examples(data: Path) -> tuple[list[Example], Counter[str]]:
    """Deduplicated examples in a stable order, and counts of what was dropped."""
    by_key: dict[str, list[Example]] = {}
    dropped: Counter[str] = Counter()
    for source, text, label in iter_raw(data):
        key = split_key(text)
        if not key and source != "senti100k":
            # An emoticon-only post with a human label is still evidence.
            key = model_text(text).replace(" ", "")
        if not key:
            dropped["no text without emoticons"] += 1
            continue
        by_key.setdefault(key, []).append(Example(source, text, label, key))
    examples = []
    for group in by_key.values():
        if len({example.label for example in group}) > 1:
            dropped["posts in label conflicts"] += len(group)
            continue
        dropped["duplicates"] += len(group) - 1
        examples.append(min(group, key=lambda example: SOURCES.index(example.source)))
    return examples, dropped


def training_text(example: Example) -> str:
    """What the model learns from: emoticons removed where they made the label."""
    text = strip_emoticons(example.text) if example.source == "senti100k" else example.text
    return model_text(text)


def sample_weights(examples: list[Example], params: Params) -> Floats:
    """Per-post weights: each data set's weight, split equally over its two classes;
    neutral posts get `neutral_weight` of their set's weight. Mean 1."""
    weights = np.zeros(len(examples))
    for source in SOURCES:
        for label in (0.0, 1.0, 0.5):
            rows = [i for i, ex in enumerate(examples) if ex.source == source and ex.label == label]
            binary = sum(1 for ex in examples if ex.source == source and ex.label != 0.5)
            if not rows:
                continue
            share = params.neutral_weight if label == 0.5 else binary / 2 / len(rows)
            weights[rows] = params.source_weight[source] * share
    normalized: Floats = weights / weights.mean()
    return normalized


@dataclass
class Matrix:
    """Binary document-feature matrix as (document, feature) pairs."""

    docs: Ints
    features: Ints
    rows: int

    def take(self, rows: Ints) -> Matrix:
        """The sub-matrix of `rows` (renumbered 0..len(rows)-1)."""
        new_id = np.full(self.rows, -1)
        new_id[rows] = np.arange(len(rows))
        keep = new_id[self.docs] >= 0
        return Matrix(new_id[self.docs[keep]], self.features[keep], len(rows))


def featurize(texts: list[str], params: Params) -> tuple[list[str], Matrix]:
    """The vocabulary (n-grams in at least `min_df` texts, sorted) and the matrix."""
    grams = [char_ngrams(text, params.ngram_max) for text in texts]
    counts: Counter[str] = Counter()
    for found in grams:
        counts.update(found)
    vocabulary = sorted(gram for gram, count in counts.items() if count >= params.min_df)
    index = {gram: i for i, gram in enumerate(vocabulary)}
    docs: list[int] = []
    features: list[int] = []
    for doc, found in enumerate(grams):
        ids = sorted(index[gram] for gram in found if gram in index)
        features.extend(ids)
        docs.extend([doc] * len(ids))
    return vocabulary, Matrix(np.array(docs), np.array(features), len(texts))


def nb_ratio(matrix: Matrix, labels: Floats, weights: Floats, size: int, alpha: float) -> Floats:
    """Log-count ratio of each feature between positive and negative posts."""
    def counts(label: float) -> Floats:
        per_doc = np.where(labels == label, weights, 0.0)
        found = np.bincount(matrix.features, per_doc[matrix.docs], minlength=size) + alpha
        share: Floats = found / found.sum()
        return share

    ratio: Floats = np.log(counts(1.0)) - np.log(counts(0.0))
    return ratio


def logit(matrix: Matrix, coef: Floats, bias: float) -> Floats:
    """bias + sum of the coefficients of each document's features."""
    sums = np.bincount(matrix.docs, coef[matrix.features], minlength=matrix.rows)
    return sums.astype(np.float64) + bias


def fit_logistic(matrix: Matrix, scale: Floats, labels: Floats, weights: Floats,
                 c: float) -> tuple[Floats, float]:
    """L2 logistic regression on features scaled by `scale` (soft labels allowed).
    Returns per-feature coefficients in the unscaled space, and the intercept."""
    size = len(scale)

    def objective(theta: Floats) -> tuple[float, Floats]:
        w, bias = theta[:size], float(theta[size])
        z = logit(matrix, scale * w, bias)
        loss = float(weights @ (np.logaddexp(0.0, z) - labels * z) + w @ w / (2 * c))
        residual = weights * (1.0 / (1.0 + np.exp(-z)) - labels)
        grad_w = scale * np.bincount(matrix.features, residual[matrix.docs], minlength=size)
        return loss, np.append(grad_w + w / c, residual.sum())

    theta = lbfgs(objective, np.zeros(size + 1))
    return scale * theta[:size], float(theta[size])


def lbfgs(fun: Callable[[Floats], tuple[float, Floats]], x: Floats, memory: int = 10,
          max_iter: int = 500, ftol: float = 1e-10) -> Floats:
    """Minimize a smooth convex function (L-BFGS, backtracking Armijo line search)."""
    f, g = fun(x)
    steps: list[tuple[Floats, Floats, float]] = []
    iteration = 0
    for iteration in range(max_iter):  # noqa: B007 (reported below)
        direction = -_two_loop(g, steps)
        slope = float(g @ direction)
        step = 1.0 if steps else 1.0 / max(1.0, float(np.abs(g).max()))
        while True:
            x_new = x + step * direction
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-12:
                break
            step /= 2
        s, y = x_new - x, g_new - g
        if float(s @ y) > 1e-12:
            steps = [*steps[-(memory - 1):], (s, y, 1.0 / float(s @ y))]
        done = (f - f_new) <= ftol * max(abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        if done:
            break
    print(f"    L-BFGS: {iteration + 1} iterations, loss {f:.2f}", file=sys.stderr)
    return x


def _two_loop(g: Floats, steps: list[tuple[Floats, Floats, float]]) -> Floats:
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(steps):
        alpha = rho * float(s @ q)
        q -= alpha * y
        alphas.append(alpha)
    if steps:
        s, y, _ = steps[-1]
        q *= float(s @ y) / float(y @ y)
    for (s, y, rho), alpha in zip(steps, reversed(alphas), strict=True):
        q += s * (alpha - rho * float(y @ q))
    return q


def fit_platt(z: Floats, labels: Floats, weights: Floats) -> tuple[float, float]:
    """(a, b) so that sigmoid(a * z + b) is calibrated on these posts (Newton's method)."""
    a, b = 1.0, 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(a * z + b)))
        r, h = weights * (p - labels), weights * p * (1 - p)
        grad = np.array([r @ z, r.sum()])
        hess = np.array([[h @ (z * z), h @ z], [h @ z, h.sum()]]) + 1e-9 * np.eye(2)
        delta = np.linalg.solve(hess, grad)
        a, b = a - float(delta[0]), b - float(delta[1])
        if np.abs(delta).max() < 1e-10:
            break
    return a, b


def fit_model(matrix: Matrix, labels: Floats, weights: Floats, size: int,
              params: Params) -> tuple[Floats, float]:
    """NB-scaled logistic regression: (weight per feature, bias) in the binary space."""
    binary = labels != 0.5
    ratio = nb_ratio(matrix, np.where(binary, labels, -1.0), weights, size, params.nb_alpha)
    return fit_logistic(matrix, ratio, labels, weights, params.c)


def train(examples: list[Example], params: Params) -> dict[str, Any]:
    """The model document (see `monitor.nlp.weibo_sentiment`) for these training posts."""
    clock = time.perf_counter()
    vocabulary, matrix = featurize([training_text(ex) for ex in examples], params)
    labels = np.array([ex.label for ex in examples])
    weights = sample_weights(examples, params)
    size = len(vocabulary)
    print(f"  {len(examples)} posts, {size} n-grams, {len(matrix.docs)} non-zeros "
          f"({time.perf_counter() - clock:.1f}s)", file=sys.stderr)

    calibration = np.array([ex.is_calibration for ex in examples])
    fit_rows, calib_rows = np.flatnonzero(~calibration), np.flatnonzero(calibration)
    coef, bias = fit_model(matrix.take(fit_rows), labels[fit_rows], weights[fit_rows], size,
                           params)
    calib = matrix.take(calib_rows)
    binary = labels[calib_rows] != 0.5
    z = logit(calib, coef, bias)[binary]
    a, b = fit_platt(z, labels[calib_rows][binary], weights[calib_rows][binary])
    print(f"  Platt a={a:.4f} b={b:.4f} ({time.perf_counter() - clock:.1f}s)", file=sys.stderr)

    coef, bias = fit_model(matrix, labels, weights, size, params)
    coef, bias = a * coef, a * bias + b
    return export(vocabulary, coef, bias, params)


def export(vocabulary: list[str], coef: Floats, bias: float, params: Params) -> dict[str, Any]:
    """The JSON document: the `top_features` largest weights, as integers."""
    order = np.argsort(-np.abs(coef), kind="stable")[: params.top_features]
    weights = {}
    for i in sorted(order.tolist()):
        value = round(float(coef[i]) * params.weight_scale)
        if value != 0:
            weights[vocabulary[i]] = value
    return {
        "format": MODEL_FORMAT,
        "normalization": NORMALIZATION,
        "ngram_max": params.ngram_max,
        "weight_scale": params.weight_scale,
        "bias": round(bias * params.weight_scale),
        "weights": weights,
        "training": {"params": asdict(params), "features_before_pruning": len(vocabulary)},
    }


def write_model(document: dict[str, Any], out: Path) -> bytes:
    """Write the gzipped JSON deterministically; returns the bytes written."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    raw = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    out.write_bytes(raw)
    return raw


def data_fingerprint(data: Path) -> dict[str, str]:
    """SHA-256 of each data file, so the model names the data it came from."""
    folder = data / "sentiment"
    names = ("smp2020_usual_train.csv", "smp2020_virus_train.json",
             "weibo_senti_100k_subset.csv")
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in names}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the shared data folder (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    parser.add_argument("--top", type=int, default=Params.top_features,
                        help="n-grams to keep (default: %(default)s)")
    args = parser.parse_args(argv)
    params = Params(top_features=args.top)
    started = time.perf_counter()
    examples, dropped = load_examples(args.data)
    training = [ex for ex in examples if not ex.is_test]
    counts = Counter(f"{ex.source}/{'test' if ex.is_test else 'train'}" for ex in examples)
    print(f"data: {dict(sorted(counts.items()))}; dropped {dict(dropped)}", file=sys.stderr)
    document = train(training, params)
    document["training"].update(
        data=data_fingerprint(args.data),
        split={"salt": SPLIT_SALT, "test_percent": TEST_PERCENT,
               "calibration_percent": CALIBRATION_PERCENT},
        posts=dict(sorted(Counter(ex.source for ex in training).items())),
    )
    raw = write_model(document, args.out)
    print(f"wrote {args.out} ({len(raw) / 1e6:.2f} MB, {len(document['weights'])} n-grams, "
          f"sha256 {hashlib.sha256(raw).hexdigest()[:12]}) in "
          f"{time.perf_counter() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
