"""Sentiment models: SnowNLP behind the protocol, and the registry."""

from __future__ import annotations

import pickle

import pytest

from monitor.errors import ConfigError
from monitor.nlp.sentiment import (
    NEUTRAL,
    SentimentModel,
    SnowNLPSentiment,
    load_sentiment_model,
    register_sentiment_model,
    sentiment_model_names,
)


def test_default_model_is_the_weibo_model() -> None:
    from monitor.nlp.weibo_sentiment import WeiboSentiment

    assert isinstance(load_sentiment_model(), WeiboSentiment)
    assert "weibo" in sentiment_model_names() and "snownlp" in sentiment_model_names()


def test_snownlp_scores_are_probabilities() -> None:
    model = load_sentiment_model("snownlp")
    assert isinstance(model, SnowNLPSentiment) and model.name == "snownlp"
    for text in ["今天天气真好，开心", "太可怕了，赶紧卸载", "ZAO", "123"]:
        assert 0.0 <= model.score(text) <= 1.0
    assert model.score("今天天气真好，开心") > model.score("太可怕了，气死我了，垃圾")


@pytest.mark.parametrize("text", ["", "   ", "！？。…", "\n"])
def test_nothing_to_judge_is_neutral(text: str) -> None:
    assert SnowNLPSentiment().score(text) == NEUTRAL


def test_snownlp_pickles() -> None:
    model = SnowNLPSentiment()
    model.score("好")
    clone = pickle.loads(pickle.dumps(model))
    assert clone.score("好") == model.score("好")


class Constant:
    """A hand-written model."""

    name = "constant-0.9"

    def score(self, text: str) -> float:
        return 0.9


def test_registry() -> None:
    register_sentiment_model("constant", Constant)
    assert "constant" in sentiment_model_names() and "snownlp" in sentiment_model_names()
    model = load_sentiment_model("constant")
    assert isinstance(model, SentimentModel) and model.score("x") == 0.9
    register_sentiment_model("lazy", "monitor.nlp.sentiment:SnowNLPSentiment")
    assert load_sentiment_model("lazy").name == "snownlp"
    with pytest.raises(ConfigError, match="unknown sentiment model 'nope'"):
        load_sentiment_model("nope")
    register_sentiment_model("broken", lambda: object())  # type: ignore[arg-type,return-value]
    with pytest.raises(ConfigError, match="lacks"):
        load_sentiment_model("broken")
