"""Sentiment models behind one protocol; the only module importing SnowNLP.

A model maps normalized text to P(positive) in [0, 1]. Models are found by name:
`load_sentiment_model("weibo")` (the default: `monitor.nlp.weibo_sentiment`, trained
on Weibo posts) or `"snownlp"` (SnowNLP's product-review model, kept for comparison).
Another model registers itself with `register_sentiment_model(name, factory)`, or is
listed in `_MODELS` as a `"module:attribute"` path so that it is imported only when
asked for. A model may also offer `score_many(texts)` (same scores, faster);
`score_texts` uses it when it is there.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from monitor.errors import ConfigError

NEUTRAL = 0.5
"""The score of a text with nothing to judge (empty after normalization)."""
DEFAULT_MODEL = "weibo"


@runtime_checkable
class SentimentModel(Protocol):
    """P(positive) of a text. `name` goes into the analyzer version, so a new model
    (or a retrained one) must have a new name."""

    name: str

    def score(self, text: str) -> float:
        """P(positive) of normalized `text`, in [0, 1]."""
        ...


class SnowNLPSentiment:
    """SnowNLP's bundled sentiment model (trained on product reviews, not Weibo)."""

    name = "snownlp"

    def __init__(self) -> None:
        self._snownlp: Any = None
        self._lock = threading.Lock()

    def score(self, text: str) -> float:
        """P(positive) of `text`; `NEUTRAL` for text with no letters or characters."""
        if not any(char.isalnum() for char in text):
            return NEUTRAL
        return float(self._model()(text).sentiments)

    def _model(self) -> Any:
        with self._lock:
            if self._snownlp is None:
                from snownlp import SnowNLP

                self._snownlp = SnowNLP
            return self._snownlp

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._snownlp, self._lock = None, threading.Lock()


ModelFactory = Callable[[], SentimentModel]

_MODELS: dict[str, str | ModelFactory] = {
    "weibo": "monitor.nlp.weibo_sentiment:WeiboSentiment",
    "snownlp": "monitor.nlp.sentiment:SnowNLPSentiment",
}


def register_sentiment_model(name: str, factory: str | ModelFactory) -> None:
    """Make a model loadable by `name`: a factory, or a lazy `"module:attribute"` path."""
    _MODELS[name] = factory


def sentiment_model_names() -> tuple[str, ...]:
    """The names `load_sentiment_model` accepts."""
    return tuple(sorted(_MODELS))


def load_sentiment_model(name: str = DEFAULT_MODEL) -> SentimentModel:
    """A new instance of the model registered as `name` (`ConfigError` if there is none)."""
    try:
        factory = _MODELS[name]
    except KeyError:
        known = ", ".join(sentiment_model_names())
        raise ConfigError(f"unknown sentiment model {name!r} (expected one of {known})") from None
    if isinstance(factory, str):
        module, _, attribute = factory.partition(":")
        factory = getattr(importlib.import_module(module), attribute)
    model = factory()
    if not isinstance(model, SentimentModel):
        raise ConfigError(f"sentiment model {name!r} lacks `name` or `score`")
    return model


def score_texts(model: SentimentModel, texts: Sequence[str]) -> list[float]:
    """`model.score` of each text, through the model's `score_many` if it has one."""
    many = getattr(model, "score_many", None)
    if callable(many):
        scores = list(many(texts))
        if len(scores) == len(texts):
            return [float(score) for score in scores]
    return [model.score(text) for text in texts]
