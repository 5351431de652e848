"""Quality and speed of the Weibo sentiment model on the held-out test split.

    .venv/bin/python bench/eval_sentiment.py [--data ../shared/data] [--model PATH]
        [--snownlp-posts 1000]

Reads only the test buckets of bench/train_sentiment.py's split (never a training
post). For each part (SMP usual, SMP virus, both, senti100k, all, and the SMP posts that
are no near-duplicate of a training post) it prints accuracy, balanced accuracy and
per-class precision/recall of the binary posts (positive iff score > 0.5), as posted
and with `[...]` emoticons stripped (posts left without text are skipped there).
senti100k "as posted" is not a fair number: its labels were made from its emoticons.
Then where SMP's neutral posts land, and speed: posts/s of `WeiboSentiment.score_many`
against `SnowNLP(text).sentiments` on the same posts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_sentiment import (  # noqa: E402
    CALIBRATION_PERCENT,
    DEFAULT_DATA,
    SPLIT_SALT,
    TEST_PERCENT,
    Example,
    data_fingerprint,
    load_examples,
)

from monitor.nlp.weibo_sentiment import (  # noqa: E402
    MODEL_PATH,
    WeiboSentiment,
    has_content,
    model_text,
    strip_emoticons,
)

PARTS: dict[str, Callable[[Example], bool]] = {
    "smp_usual": lambda ex: ex.source == "smp_usual",
    "smp_virus": lambda ex: ex.source == "smp_virus",
    "smp (both)": lambda ex: ex.source.startswith("smp"),
    "senti100k": lambda ex: ex.source == "senti100k",
    "all": lambda ex: True,
}
OVERLAP = 12
"""Test posts sharing a run of this many key characters with a training post are
near-duplicates (reposts, quotes); the `smp unseen` part leaves them out."""


def near_duplicates(train: list[Example], test: list[Example]) -> set[str]:
    """Keys of test posts sharing an `OVERLAP`-character run with a training post."""
    runs = {ex.key[i : i + OVERLAP] for ex in train for i in range(len(ex.key) - OVERLAP + 1)}
    return {
        ex.key for ex in test
        if any(ex.key[i : i + OVERLAP] in runs for i in range(len(ex.key) - OVERLAP + 1))
    }


@dataclass(frozen=True)
class Scores:
    """Binary quality of scores against labels (1 positive, 0 negative)."""

    n: int
    negatives: int
    accuracy: float
    neg_precision: float
    neg_recall: float
    pos_precision: float
    pos_recall: float

    @property
    def balanced(self) -> float:
        """Mean of the two recalls."""
        return (self.neg_recall + self.pos_recall) / 2


def measure(scores: Sequence[float], labels: Sequence[float]) -> Scores:
    """Confusion-matrix figures with the decision `score > 0.5` means positive."""
    pairs = [(score > 0.5, label == 1.0) for score, label in zip(scores, labels, strict=True)]
    tp = sum(1 for said, true in pairs if said and true)
    tn = sum(1 for said, true in pairs if not said and not true)
    said_pos = sum(1 for said, _ in pairs if said)
    pos = sum(1 for _, true in pairs if true)
    neg, said_neg = len(pairs) - pos, len(pairs) - said_pos
    return Scores(len(pairs), neg, (tp + tn) / max(len(pairs), 1), tn / max(said_neg, 1),
                  tn / max(neg, 1), tp / max(said_pos, 1), tp / max(pos, 1))


def report_quality(model: WeiboSentiment, test: list[Example], near: set[str]) -> None:
    """The quality table, as posted and with emoticons stripped."""
    binary = [ex for ex in test if ex.label != 0.5]
    parts: dict[str, Callable[[Example], bool]] = {
        **PARTS, "smp unseen": lambda ex: ex.source.startswith("smp") and ex.key not in near
    }
    print(f"{'part':<12} {'emoticons':<9} {'n':>5} {'neg':>5} {'acc':>6} {'bal':>6} "
          f"{'negP':>6} {'negR':>6} {'posP':>6} {'posR':>6}")
    for part, keep in parts.items():
        rows = [ex for ex in binary if keep(ex)]
        for variant in ("as posted", "stripped"):
            texts = [ex.text if variant == "as posted" else strip_emoticons(ex.text)
                     for ex in rows]
            judged = [(t, ex.label) for t, ex in zip(texts, rows, strict=True)
                      if variant == "as posted" or has_content(model_text(t))]
            s = measure(model.score_many([t for t, _ in judged]), [lab for _, lab in judged])
            print(f"{part:<12} {variant:<9} {s.n:>5} {s.negatives:>5} {s.accuracy:>6.4f} "
                  f"{s.balanced:>6.4f} {s.neg_precision:>6.4f} {s.neg_recall:>6.4f} "
                  f"{s.pos_precision:>6.4f} {s.pos_recall:>6.4f}")
    print("(senti100k and all 'as posted' flatter the model: those labels came from the "
          f"emoticons; smp unseen: SMP posts sharing no {OVERLAP}-character run with a "
          "training post)")


def report_neutral(model: WeiboSentiment, test: list[Example]) -> None:
    """Where SMP's neutral posts land compared with its positive and negative ones."""
    print("\nSMP test posts by label: mean score, share in [0.3, 0.7]")
    for label, name in ((0.0, "negative"), (0.5, "neutral"), (1.0, "positive")):
        scores = model.score_many(
            [ex.text for ex in test if ex.label == label and ex.source.startswith("smp")]
        )
        middle = sum(1 for s in scores if 0.3 <= s <= 0.7) / len(scores)
        print(f"  {name:<8} n={len(scores):>5} mean={sum(scores) / len(scores):.3f} "
              f"middle={middle:.2f}")


def posts_per_second(score: Callable[[list[str]], object], texts: list[str],
                     repeat: int = 3) -> float:
    """Best of `repeat` timed runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        score(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def snownlp_scores(texts: list[str]) -> list[float]:
    """SnowNLP's P(positive) of each text, 0.5 where it has nothing to judge."""
    from snownlp import SnowNLP

    snow: Any = SnowNLP  # untyped library
    return [float(snow(t).sentiments) if any(c.isalnum() for c in t) else 0.5 for t in texts]


def report_speed(model: WeiboSentiment, test: list[Example], snownlp_posts: int) -> None:
    """posts/s on all test posts, and against SnowNLP on a fixed sample of SMP posts."""
    texts = [ex.text for ex in test]
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"\nspeed, one core, {len(texts)} test posts ({chars:.0f} chars on average): "
          f"{posts_per_second(model.score_many, texts):,.0f} posts/s")
    if snownlp_posts <= 0:
        return
    pool = [ex for ex in test if ex.source.startswith("smp") and ex.label != 0.5]
    sample = random.Random(0).sample(pool, min(snownlp_posts, len(pool)))
    texts, labels = [ex.text for ex in sample], [ex.label for ex in sample]
    ours = posts_per_second(model.score_many, texts)
    snownlp_scores(["预热"])  # SnowNLP loads its model on first use; do not time that
    started = time.perf_counter()
    theirs_scores = snownlp_scores(texts)
    theirs = len(texts) / (time.perf_counter() - started)
    print(f"same {len(texts)} SMP posts: this model {ours:,.0f} posts/s, SnowNLP "
          f"{theirs:,.0f} posts/s, ratio {ours / theirs:,.0f}x")
    for name, scores in (("this model", model.score_many(texts)), ("SnowNLP", theirs_scores)):
        s = measure(scores, labels)
        print(f"  {name:<10} acc={s.accuracy:.4f} negR={s.neg_recall:.4f} "
              f"posR={s.pos_recall:.4f}")


def report_model(path: Path, data: Path) -> WeiboSentiment:
    """Load the model (timed), print its size, check it was trained on this split."""
    started = time.perf_counter()
    model = WeiboSentiment(path)
    loaded = time.perf_counter() - started
    document = json.loads(gzip.decompress(path.read_bytes()))
    training = document["training"]
    print(f"model {model.name}: {path.stat().st_size / 1e6:.2f} MB, "
          f"{len(document['weights']):,} n-grams, loads in {loaded:.2f}s")
    split = {"salt": SPLIT_SALT, "test_percent": TEST_PERCENT,
             "calibration_percent": CALIBRATION_PERCENT}
    if training.get("split") != split:
        sys.exit(f"the model was trained on another split: {training.get('split')}")
    if training.get("data") != data_fingerprint(data):
        print("warning: the data files differ from those the model was trained on")
    return model


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--snownlp-posts", type=int, default=1000,
                        help="posts for the SnowNLP comparison (0: skip it)")
    args = parser.parse_args(argv)
    model = report_model(args.model, args.data)
    examples, _ = load_examples(args.data)
    test = [ex for ex in examples if ex.is_test]
    near = near_duplicates([ex for ex in examples if not ex.is_test], test)
    print(f"held-out test posts: {len(test)} (never seen in training; {len(near)} are near-"
          f"duplicates of training posts)\n")
    report_quality(model, test, near)
    report_neutral(model, test)
    report_speed(model, test, args.snownlp_posts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
