"""Weibo-domain sentiment: P(positive) of a post from a character n-gram linear model.

Pure Python at run time (no jieba, no numpy): a post is normalized (`model_text`),
cut into the set of its character 1..n-grams (`char_ngrams`), and scored as
`sigmoid((bias + sum of the weights of its n-grams) / weight_scale)`, one dict lookup
per n-gram. Weights are integers, so a score does not depend on summation order.

The weights come from `weibo_sentiment_model.json.gz` next to this file, rebuilt by
`bench/train_sentiment.py` from `../shared/data/sentiment/` (the data itself is not in
the repository): a class-balanced, calibrated NB-weighted logistic regression trained on
the human-labelled SMP2020-EWECT posts (happy vs angry/sad/fear, neutral as a soft 0.5)
and, at lower weight, on weibo_senti_100k with its emoticons stripped, because those
labels were derived from the emoticons. `bench/eval_sentiment.py` measures it.

Emoticons (`[哈哈]`) are ordinary text here: what the model knows about them it learned
from human labels only. Text with nothing to judge (no letter, digit or emoji after
normalization) scores `NEUTRAL`; neutral posts tend to land near the middle.

The model file is gzipped JSON: `format`, `normalization` (the version of `model_text`
it was trained with), `ngram_max`, `weight_scale`, integer `bias` and `weights`
(n-gram to integer weight), and `training` (settings, data file hashes, split).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from operator import add
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError

NEUTRAL = 0.5
"""The score of a text with nothing to judge."""

MODEL_PATH = Path(__file__).with_name("weibo_sentiment_model.json.gz")
"""The committed model file."""

MODEL_FORMAT = "monitor.weibo_sentiment/1"
NORMALIZATION = "v1"
"""The version of `model_text`; a model trained with another one is refused."""

NAME_PREFIX = "weibo-charlr"

EMOTICON = re.compile(r"\[[^\[\]\s]{1,8}\]")
"""A Weibo emoticon as its alt text: `[哈哈]`, `[doge]`, `[笑cry]`."""

_URL = re.compile(r"https?://[\w./?=&%#:~+\-]+", re.ASCII)
_MENTION = re.compile(r"@[\w\-·]{1,30}")
_DIGITS = re.compile(r"\d+")
_LONG_RUN = re.compile(r"(.)\1{3,}")
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
_JUDGEABLE = re.compile(r"[^\W_]|[\u2600-\u27bf\U0001f000-\U0001faff]")
_START, _END = "\x02", "\x03"
_SIGMOID_LIMIT = 40.0


def model_text(text: str) -> str:
    """`text` as the model reads it: NFKC-folded, lower case, no URLs, `@name` as `@`,
    digit runs as `0`, runs of one character cut to three, control characters and
    runs of white space as one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URL.sub(" ", text)
    text = _MENTION.sub("@", text)
    text = _DIGITS.sub("0", text)
    text = _LONG_RUN.sub(r"\1\1\1", text)
    return _SPACES.sub(" ", text).strip()


def strip_emoticons(text: str) -> str:
    """`text` without its `[...]` emoticons (each becomes a space)."""
    return EMOTICON.sub(" ", text)


def iter_ngrams(text: str, n_max: int) -> Iterator[str]:
    """Every character 1..`n_max`-gram of model text with start and end marks
    (repeats included)."""
    marked = _START + text + _END
    layers: list[Iterable[str]] = [marked]
    previous: Iterable[str] = marked
    for n in range(2, n_max + 1):
        # Built with C-level map(add) rather than slicing in a Python loop: it is the
        # hot path of `score`.
        previous = list(map(add, previous, marked[n - 1 :]))
        layers.append(previous)
    return chain.from_iterable(layers)


def char_ngrams(text: str, n_max: int) -> set[str]:
    """The set of character 1..`n_max`-grams of model text: the model's features."""
    return set(iter_ngrams(text, n_max))


def has_content(prepared: str) -> bool:
    """Whether model text has something to judge: a letter, a digit or an emoji."""
    return _JUDGEABLE.search(prepared) is not None


def file_hash(path: Path | str) -> str:
    """SHA-256 (hex) of a model file's bytes: the version that `WeiboSentiment.name` shows."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass(frozen=True)
class _Model:
    """A loaded model file: integer weights by n-gram, bias, scale, n-gram length, hash."""

    weights: dict[str, int]
    bias: int
    scale: int
    n_max: int
    sha256: str


_CACHE: dict[Path, _Model] = {}
_CACHE_LOCK = threading.Lock()


def _load(path: Path) -> _Model:
    """The model at `path`, read once per process (`ConfigError` if it is unusable)."""
    key = path.resolve()
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = _read(key)
        return _CACHE[key]


def _read(path: Path) -> _Model:
    try:
        raw = path.read_bytes()
        document: Any = json.loads(gzip.decompress(raw))
    except (OSError, ValueError, EOFError) as error:
        raise ConfigError(f"cannot read sentiment model: {error}", path=str(path)) from error
    if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
        raise ConfigError(f"not a {MODEL_FORMAT} model", path=str(path), key="format")
    if document.get("normalization") != NORMALIZATION:
        raise ConfigError(
            f"model normalization {document.get('normalization')!r}, this code has "
            f"{NORMALIZATION!r}: rebuild it with bench/train_sentiment.py",
            path=str(path),
            key="normalization",
        )
    try:
        weights = {str(gram): int(weight) for gram, weight in document["weights"].items()}
        return _Model(weights, int(document["bias"]), int(document["weight_scale"]),
                      int(document["ngram_max"]), hashlib.sha256(raw).hexdigest())
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigError(f"malformed sentiment model: {error!r}", path=str(path)) from error


class WeiboSentiment:
    """P(positive) of a Weibo post from the committed character n-gram model.

    `name` is `weibo-charlr-<first 12 hex digits of the model file's SHA-256>` (the
    whole digest is `sha256`), so a retrained model gets a new name. `path` defaults to
    the committed model; an unusable file raises `ConfigError`. Thread-safe; instances
    of one file share its weights, loaded once per process.
    """

    name: str
    sha256: str

    def __init__(self, path: Path | str | None = None) -> None:
        self._bind(Path(path) if path is not None else MODEL_PATH)

    def _bind(self, path: Path) -> None:
        self._path = path
        model = _load(path)
        self._weights = model.weights
        self._bias = model.bias
        self._scale = float(model.scale)
        self._n_max = model.n_max
        self.sha256 = model.sha256
        self.name = f"{NAME_PREFIX}-{model.sha256[:12]}"

    def score(self, text: str) -> float:
        """P(positive) of `text` (raw or normalized), in [0, 1]; `NEUTRAL` if there is
        nothing to judge."""
        prepared = model_text(text)
        if not has_content(prepared):
            return NEUTRAL
        weights = self._weights
        found = weights.keys() & iter_ngrams(prepared, self._n_max)
        total = self._bias + sum(map(weights.__getitem__, found))
        return _sigmoid(total / self._scale)

    def score_many(self, texts: Iterable[str]) -> list[float]:
        """`score` of each text, in order."""
        return [self.score(text) for text in texts]

    def __getstate__(self) -> dict[str, Any]:
        # Pickles (for worker processes) carry the path, not the weights.
        return {"path": str(self._path)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._bind(Path(state["path"]))

    def __repr__(self) -> str:
        return f"WeiboSentiment(name={self.name!r})"


def _sigmoid(logit: float) -> float:
    logit = max(-_SIGMOID_LIMIT, min(_SIGMOID_LIMIT, logit))
    return 1.0 / (1.0 + math.exp(-logit))
