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

`score_many` gives the same scores as `score`, to the last bit, for a batch at a time:
the batch's model texts are made in one pass over the joined texts (the separator is a
Private Use character no step can join to its neighbours), and its n-grams, as integer
codes (21 bits per character), are looked up together in an open-addressing numpy table
(`NgramTable`). That is several times faster than `score` per text, most of which is
spent on dictionary lookups that miss the cache.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from monitor.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_T = TypeVar("_T")

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
    return _fold(text).strip()


def _fold(text: str) -> str:
    """`model_text` without the final strip; no step joins characters across a Private
    Use character, so it can fold many texts joined by one at once."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URL.sub(" ", text)
    text = _MENTION.sub("@", text)
    text = _DIGITS.sub("0", text)
    text = _LONG_RUN.sub(r"\1\1\1", text)
    return _SPACES.sub(" ", text)


_JOIN = "\ue000"
"""Joins texts for `model_texts`: a Private Use character, stable under NFKC and case
folding, not a word character, space or digit, so no step of `_fold` crosses it."""


_COMMON_NFKC = tuple(
    (char, unicodedata.normalize("NFKC", char)) for char in "，！？…：～；）（＞＜＆\u3000"
)
"""The characters of Chinese posts that NFKC changes most often. Replacing them first
(by their own NFKC forms, which leaves the NFKC of the whole unchanged) lets most
texts pass NFKC's quick check instead of being decomposed and recomposed."""


def model_texts(texts: Sequence[str]) -> list[str]:
    """`model_text` of each text, the steps done over all of them at once (same results)."""
    if not texts or any(_JOIN in text or not text for text in texts):
        return [model_text(text) for text in texts]
    joined = _JOIN.join(texts)
    for char, folded in _COMMON_NFKC:
        joined = joined.replace(char, folded)
    if not unicodedata.is_normalized("NFKC", joined):
        joined = _JOIN.join(
            text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)
            for text in joined.split(_JOIN)
        )
    parts = _fold(joined).split(_JOIN)
    if len(parts) != len(texts):  # cannot happen; never trade correctness for speed
        return [model_text(text) for text in texts]
    return [part.strip() for part in parts]


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


@dataclass(frozen=True)
class FlagColumns:
    """Yes/no linear models over the same character n-grams as this module's model (the
    concern model's, `monitor.nlp.concern_model`): flag j is raised when `offsets[j]` plus
    the j-th weights of a text's distinct n-grams exceeds `cutoffs[j]` (never if None).
    `key` names them (a file hash) for the tables built from them."""

    key: str
    weights: Mapping[str, tuple[int, ...]]
    offsets: tuple[int, ...]
    cutoffs: tuple[float | None, ...]
    n_max: int

    def totals(self, prepared: str) -> list[int]:
        """Each column's offset plus the weights of model text `prepared`'s distinct
        n-grams, in pure Python."""
        totals = list(self.offsets)
        weights = self.weights
        for gram in weights.keys() & iter_ngrams(prepared, self.n_max):
            for column, weight in enumerate(weights[gram]):
                totals[column] += weight
        return totals

    def raised(self, prepared: str) -> int:
        """The bit mask (bit j: flag j) of the flags model text `prepared` raises, in
        pure Python (0 if it has nothing to judge)."""
        if not has_content(prepared):
            return 0
        return sum(1 << j for j, (total, cutoff) in enumerate(zip(self.totals(prepared), self.cutoffs, strict=True))
                   if cutoff is not None and total > cutoff)

    def raised_many(self, texts: Sequence[str]) -> list[int]:
        """`raised(model_text(text))` of each text, computed a batch at a time (same results)."""
        if len(texts) < _MIN_BATCH or self.n_max > NgramTable.MAX_N:
            return [self.raised(model_text(text)) for text in texts]
        prepared = model_texts(texts)
        judged = [i for i, text in enumerate(prepared) if has_content(text)]
        masks = [0] * len(texts)
        _, found = _flag_table(self).flagged([prepared[i] for i in judged], self)
        for i, mask in zip(judged, found, strict=True):
            masks[i] = mask
        return masks


_LOADED: dict[tuple[str, Path], Any] = {}
_TABLES: dict[tuple[Path | None, str | None], NgramTable] = {}
_CACHE_LOCK = threading.Lock()


def read_once(path: Path, read: Callable[[Path], _T]) -> _T:
    """`read(path)`, done once per process and file (for model files: `_load` here, the
    concern model's loader)."""
    key = (f"{read.__module__}.{read.__qualname__}", path.resolve())
    with _CACHE_LOCK:
        if key not in _LOADED:
            _LOADED[key] = read(key[1])
        loaded: _T = _LOADED[key]
        return loaded


def _load(path: Path) -> _Model:
    """The model at `path`, read once per process (`ConfigError` if it is unusable)."""
    return read_once(path, _read)


def _built_once(key: tuple[Path | None, str | None], build: Callable[[], NgramTable]) -> NgramTable:
    """The n-gram table under `key`, built (by `build`) once per process."""
    with _CACHE_LOCK:
        if key not in _TABLES:
            _TABLES[key] = build()
        return _TABLES[key]


def read_model_file(path: Path, model_format: str, kind: str, trainer: str) -> tuple[dict[str, Any], str]:
    """The JSON document of a gzipped n-gram model file of `model_format` made with this
    module's `model_text`, and the file's SHA-256; `ConfigError` (naming the file, and
    the key at fault) if it cannot be read, is of another format or normalization
    (`trainer`, the script that rebuilds it, is named). `kind`: "sentiment", "concern"."""
    try:
        raw = path.read_bytes()
        document: Any = json.loads(gzip.decompress(raw))
    except (OSError, ValueError, EOFError) as error:
        raise ConfigError(f"cannot read {kind} model: {error}", path=str(path)) from error
    if not isinstance(document, dict) or document.get("format") != model_format:
        raise ConfigError(f"not a {model_format} model", path=str(path), key="format")
    if document.get("normalization") != NORMALIZATION:
        raise ConfigError(
            f"model normalization {document.get('normalization')!r}, this code has "
            f"{NORMALIZATION!r}: rebuild it with {trainer}",
            path=str(path),
            key="normalization",
        )
    return document, hashlib.sha256(raw).hexdigest()


def _read(path: Path) -> _Model:
    document, sha256 = read_model_file(path, MODEL_FORMAT, "sentiment", "bench/train_sentiment.py")
    try:
        weights = {str(gram): int(weight) for gram, weight in document["weights"].items()}
        return _Model(weights, int(document["bias"]), int(document["weight_scale"]),
                      int(document["ngram_max"]), sha256)
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
        """`score` of each text, in order, computed a batch at a time (same results)."""
        texts = list(texts)
        if len(texts) < _MIN_BATCH or self._n_max > NgramTable.MAX_N:
            return [self.score(text) for text in texts]
        prepared = model_texts(texts)
        judged = [i for i, text in enumerate(prepared) if has_content(text)]
        scores = [NEUTRAL] * len(texts)
        totals = _table(self._path).totals([prepared[i] for i in judged])
        for i, total in zip(judged, totals, strict=True):
            scores[i] = _sigmoid((self._bias + total) / self._scale)
        return scores

    def score_and_flag(self, texts: Sequence[str], flags: FlagColumns) -> tuple[list[float], list[int]]:
        """`score` of each text and the bit mask of the `flags` it raises
        (`FlagColumns.raised`), from one pass over the texts' n-grams in a joint table."""
        if len(texts) < _MIN_BATCH or max(self._n_max, flags.n_max) > NgramTable.MAX_N:
            return ([self.score(text) for text in texts],
                    [flags.raised(model_text(text)) for text in texts])
        prepared = model_texts(texts)
        judged = [i for i, text in enumerate(prepared) if has_content(text)]
        scores, raised = [NEUTRAL] * len(texts), [0] * len(texts)
        totals, bits = _flag_table(flags, self._path).flagged([prepared[i] for i in judged], flags, first=1)
        for i, total, mask in zip(judged, totals, bits, strict=True):
            scores[i] = _sigmoid((self._bias + total) / self._scale)
            raised[i] = mask
        return scores, raised

    def __getstate__(self) -> dict[str, Any]:
        # Pickles (for worker processes) carry the path, not the weights.
        return {"path": str(self._path)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._bind(Path(state["path"]))

    def __repr__(self) -> str:
        return f"WeiboSentiment(name={self.name!r})"


_MIN_BATCH = 16
"""Fewer texts than this are scored one by one (numpy's per-call cost would dominate)."""


class NgramTable:
    """A model's weights as an open-addressing hash table of integer n-gram codes.

    An n-gram's code is its characters' code points, 21 bits each, first character
    highest; no character of model text is U+0000, so codes of different lengths never
    collide and 0 marks an empty slot. Slots are found by Fibonacci hashing and linear
    probing; the table is at most a quarter full.

    A weight is one integer (`totals`) or a row of them, one per column, for several
    models over the same n-grams (`flagged`: the concern model, alone or joined to the
    sentiment model).
    """

    MAX_N = 3
    """Longest n-gram a 63-bit code holds."""

    def __init__(self, weights: Mapping[str, int | Sequence[int]], n_max: int) -> None:
        import numpy as np

        self.n_max = n_max
        self.bits = max(10, (4 * len(weights)).bit_length())
        size = 1 << self.bits
        grams = list(weights)
        values = np.array([weights[g] for g in grams], dtype=np.float64)
        self.keys = np.zeros(size, dtype=np.int64)
        # Rows of several columns are held as float32 when that is exact (whole numbers
        # below 2**24): half the memory to fetch per n-gram.
        exact32 = values.ndim > 1 and float(np.abs(values).max(initial=0)) < 2**24
        kind = np.float32 if exact32 else np.float64
        self.values = np.zeros((size, *values.shape[1:]), dtype=kind)
        self._insert(_codes_of(grams, n_max), values)

    def _slots(self, codes: NDArray[np.int64]) -> NDArray[np.int64]:
        import numpy as np

        mixed = codes.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return (mixed >> np.uint64(64 - self.bits)).astype(np.int64)

    def _insert(self, codes: NDArray[np.int64], values: NDArray[np.float64]) -> None:
        import numpy as np

        mask = (1 << self.bits) - 1
        slots, pending = self._slots(codes), np.arange(len(codes))
        while pending.size:
            free = self.keys[slots[pending]] == 0
            # Of several codes wanting one free slot, the first takes it.
            taken, first = np.unique(slots[pending[free]], return_index=True)
            winners = pending[free][first]
            self.keys[taken], self.values[taken] = codes[winners], values[winners]
            pending = np.setdiff1d(pending, winners, assume_unique=True)
            slots[pending] = (slots[pending] + 1) & mask

    def totals(self, prepared: Sequence[str]) -> list[int]:
        """For each model text, the sum of the weights of its distinct n-grams."""
        import numpy as np

        if not prepared:
            return []
        docs, slots = self._hits(prepared)
        sums = np.bincount(docs, self.values[slots], minlength=len(prepared))
        return [int(total) for total in sums.tolist()]  # integers well inside 2**53

    def flagged(self, prepared: Sequence[str], flags: FlagColumns, first: int = 0
                ) -> tuple[list[int], list[int]]:
        """For a table whose columns are `first` plain weights (0 or 1) then `flags`'
        columns: each text's plain total (empty if `first` is 0) and the bit mask of the
        flags it raises (`FlagColumns.raised`: the same arithmetic, in whole numbers)."""
        import numpy as np

        if not prepared:
            return [], []
        docs, slots = self._hits(prepared)
        # `docs` is sorted: each text's rows are one run, summed by one reduceat.
        sums = np.zeros((len(prepared), self.values.shape[1]), dtype=np.float64)
        if len(docs):
            found, starts = np.unique(docs, return_index=True)
            rows = np.take(self.values, slots, axis=0)  # far faster than values[slots] for 2-D
            sums[found] = np.add.reduceat(rows, starts, axis=0, dtype=np.float64)
        masks = np.zeros(len(prepared), dtype=np.int64)
        for j, (offset, cutoff) in enumerate(zip(flags.offsets, flags.cutoffs, strict=True)):
            if cutoff is not None:
                masks |= (sums[:, first + j] + offset > cutoff).astype(np.int64) << j
        plain = [int(total) for total in sums[:, 0].tolist()] if first else []
        return plain, masks.tolist()

    def _hits(self, prepared: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(text index, slot) of each distinct n-gram of each text that the table holds."""
        import numpy as np

        doc, codes = self._codes(prepared)
        slot = self._find(codes)
        hit = slot >= 0
        # Each n-gram counts once per text: distinct (text, slot) pairs.
        pairs = np.sort((doc[hit] << self.bits) | slot[hit])
        if len(pairs) > 1:
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        return pairs >> self.bits, pairs & ((1 << self.bits) - 1)

    def _codes(self, prepared: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(text index, n-gram code) of every n-gram of the marked texts, repeats included."""
        import numpy as np

        marked = [_START + text + _END for text in prepared]
        joined = "\x00".join(marked) + "\x00" * self.n_max
        chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        starts = len(joined) - self.n_max + 1  # every position up to the last separator
        doc = np.repeat(np.arange(len(marked)), [len(text) + 1 for text in marked])[:starts]
        code, valid = chars[:starts].copy(), chars[:starts] != 0
        docs, codes = [doc[valid]], [code[valid]]
        for n in range(1, self.n_max):
            following = chars[n : starts + n]
            code = (code << 21) | following
            valid &= following != 0
            docs.append(doc[valid])
            codes.append(code[valid])
        return np.concatenate(docs), np.concatenate(codes)

    def _find(self, codes: NDArray[np.int64]) -> NDArray[np.int64]:
        """The slot of each code, -1 where the model has no weight for it."""
        import numpy as np

        mask = (1 << self.bits) - 1
        slot = self._slots(codes)
        stored = self.keys[slot]
        hit = stored == codes
        found = np.where(hit, slot, -1)
        # Most codes end at their first slot (the table is at most a quarter full).
        pending = np.flatnonzero(~hit & (stored != 0))
        slot[pending] = (slot[pending] + 1) & mask
        while pending.size:
            here = slot[pending]
            stored = self.keys[here]
            hit = stored == codes[pending]
            found[pending[hit]] = here[hit]
            pending = pending[~hit & (stored != 0)]
            slot[pending] = (slot[pending] + 1) & mask
        return found


def _codes_of(grams: list[str], n_max: int) -> NDArray[np.int64]:
    """The integer code of each n-gram (see `NgramTable`)."""
    import numpy as np

    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    codes = np.zeros(len(grams), dtype=np.int64)
    for n in range(1, n_max + 1):
        rows = np.flatnonzero(lengths == n)
        joined = "".join([grams[i] for i in rows]).encode("utf-32-le")
        chars = np.frombuffer(joined, dtype=np.uint32).astype(np.int64).reshape(len(rows), n)
        for column in range(n):
            codes[rows] = (codes[rows] << 21) | chars[:, column]
    return codes


def _table(path: Path) -> NgramTable:
    """The n-gram table of the model at `path`, built once per process."""
    model = _load(path)
    return _built_once((path.resolve(), None), lambda: NgramTable(model.weights, model.n_max))


def _flag_table(flags: FlagColumns, path: Path | None = None) -> NgramTable:
    """The table of `flags`' columns, led by the weights of the model at `path` if one
    is given (one look-up per n-gram then serves both), built once per process."""
    if path is None:
        return _built_once((None, flags.key), lambda: NgramTable(flags.weights, flags.n_max))
    model = _load(path)

    def build() -> NgramTable:
        empty = (0,) * len(flags.offsets)
        rows = {gram: (weight, *flags.weights.get(gram, empty)) for gram, weight in model.weights.items()}
        rows.update({gram: (0, *row) for gram, row in flags.weights.items() if gram not in model.weights})
        return NgramTable(rows, max(model.n_max, flags.n_max))

    return _built_once((path.resolve(), flags.key), build)


def _sigmoid(logit: float) -> float:
    logit = max(-_SIGMOID_LIMIT, min(_SIGMOID_LIMIT, logit))
    return 1.0 / (1.0 + math.exp(-logit))
