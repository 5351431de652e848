"""The learned concern model: concerns the lexicon's rules do not word, from character n-grams.

One linear model per concern over the character 1..3-grams of a post's model text (the
features of `monitor.nlp.weibo_sentiment`): a post raises the concern when the concern's
bias plus the weights of its distinct n-grams, divided by `weight_scale`, exceeds the
concern's threshold (a logit). A concern whose threshold is null is never raised by
the model. The analyzer tags a concern when the lexicon *or* this model finds it (a
post's `terms` stay the lexicon's evidence: a model-only concern has none).

The file is `concern_model.json.gz` next to this module, rebuilt by
`bench/train_concerns.py` (what it learns from, and how the thresholds were chosen, is
in its docstring): gzipped JSON with `format`, `normalization`, `ngram_max`,
`weight_scale`, `columns` (the concerns, in `CONCERNS` order), `concerns` (per concern
an integer `bias` and a `threshold`), `weights` (n-gram to one integer per column) and
`training`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError
from monitor.nlp.weibo_sentiment import FlagColumns, model_text, read_model_file, read_once
from monitor.types import CONCERNS

MODEL_PATH = Path(__file__).with_name("concern_model.json.gz")
"""The committed model file."""

MODEL_FORMAT = "monitor.concern_model/1"
NAME_PREFIX = "cm"


def _load(path: Path) -> FlagColumns:
    """The model at `path`, read once per process (`ConfigError` if it is unusable)."""
    return read_once(path, _read)


def _read(path: Path) -> FlagColumns:
    document, sha256 = read_model_file(path, MODEL_FORMAT, "concern", "bench/train_concerns.py")
    return columns_of(document, sha256, str(path))


def columns_of(document: dict[str, Any], key: str, source: str) -> FlagColumns:
    """The model `document` (a model file's JSON, or `bench/train_concerns.py`'s before it
    is written) as `FlagColumns` named `key`; `ConfigError` naming `source` if malformed."""
    if document.get("columns") != list(CONCERNS):
        raise ConfigError(f"model columns {document.get('columns')!r} are not {list(CONCERNS)!r}",
                          path=source, key="columns")
    try:
        scale = int(document["weight_scale"])
        weights = {str(gram): tuple(int(w) for w in row) for gram, row in document["weights"].items()}
        if any(len(row) != len(CONCERNS) for row in weights.values()):
            raise ValueError("a weight row has the wrong length")
        settings = [document["concerns"][concern] for concern in CONCERNS]
        biases = tuple(int(item["bias"]) for item in settings)
        cutoffs = tuple(None if item["threshold"] is None else float(item["threshold"]) * scale
                        for item in settings)
        return FlagColumns(key, weights, biases, cutoffs, int(document["ngram_max"]))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigError(f"malformed concern model: {error!r}", path=source) from error


_BY_MASK = tuple(tuple(c for j, c in enumerate(CONCERNS) if mask >> j & 1) for mask in range(1 << len(CONCERNS)))
"""The concerns of each bit mask of raised columns, in `CONCERNS` order."""


class ConcernModel:
    """The concerns a post raises by the learned model (`find`, `find_many`).

    `name` is `cm-<first 12 hex digits of the model file's SHA-256>` (the whole digest is
    `sha256`; it goes into the analyzer version). `columns` are the model as
    `FlagColumns`, so that `WeiboSentiment.score_and_flag` can score sentiment and
    concerns in one pass (`concerns_of` turns its masks into concerns). Thread-safe;
    pickles (for worker processes) carry the path only.
    """

    name: str
    sha256: str
    columns: FlagColumns

    def __init__(self, path: Path | str | None = None) -> None:
        self._bind(Path(path) if path is not None else MODEL_PATH)

    def _bind(self, path: Path) -> None:
        self._path = path
        self.columns = _load(path)
        self.sha256 = self.columns.key
        self.name = f"{NAME_PREFIX}-{self.sha256[:12]}"

    def find(self, text: str) -> tuple[str, ...]:
        """The concerns (in `CONCERNS` order) the model finds in `text` (raw or normalized)."""
        return _BY_MASK[self.columns.raised(model_text(text))]

    def find_many(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """`find` of each text, in order, computed a batch at a time (same results)."""
        return [_BY_MASK[mask] for mask in self.columns.raised_many(texts)]

    @staticmethod
    def concerns_of(mask: int) -> tuple[str, ...]:
        """The concerns of a bit mask of raised columns (bit j: `CONCERNS[j]`)."""
        return _BY_MASK[mask]

    def __getstate__(self) -> dict[str, Any]:
        return {"path": str(self._path)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._bind(Path(state["path"]))

    def __repr__(self) -> str:
        return f"ConcernModel(name={self.name!r})"
