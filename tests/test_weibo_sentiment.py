"""The Weibo sentiment model: the committed file, its scores, its name and its errors.

The sentences here are written for these tests (none comes from the training data).
Quality is measured by bench/eval_sentiment.py on the held-out split, not here.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ConfigError
from monitor.nlp.sentiment import SentimentModel
from monitor.nlp.weibo_sentiment import (
    MODEL_FORMAT,
    MODEL_PATH,
    NEUTRAL,
    NORMALIZATION,
    WeiboSentiment,
    char_ngrams,
    file_hash,
    model_text,
    strip_emoticons,
)

POSITIVE = [
    "今天和朋友去爬山，风景太美了，好开心！",
    "谢谢大家的祝福，爱你们",
    "终于拿到心仪的offer了，太幸福了",
    "恭喜恭喜！祝你们新婚快乐，白头偕老",
    "周末晒太阳喝奶茶，生活真美好",
]
NEGATIVE = [
    "这个软件偷偷收集我的个人信息，太恶心了，马上卸载",
    "气死我了，客服态度差到极点，再也不买了",
    "好害怕，我的人脸数据被泄露了怎么办",
    "排了三个小时的队还没轮到，烦死了",
    "手机被偷了，里面的照片全没了，难过",
    "刷脸支付被盗刷了两千块，报警也没用",
]


@pytest.fixture(scope="module")
def model() -> WeiboSentiment:
    return WeiboSentiment()


def test_committed_model_loads_and_is_small(model: WeiboSentiment) -> None:
    document = json.loads(gzip.decompress(MODEL_PATH.read_bytes()))
    assert document["format"] == MODEL_FORMAT
    assert document["normalization"] == NORMALIZATION
    assert 10_000 <= len(document["weights"]) <= 500_000
    assert MODEL_PATH.stat().st_size < 5_000_000
    assert isinstance(model, SentimentModel)


def test_name_reports_the_committed_files_hash(model: WeiboSentiment) -> None:
    digest = file_hash(MODEL_PATH)
    assert model.sha256 == digest
    assert model.name == f"weibo-charlr-{digest[:12]}"


def test_obvious_sentences_land_on_their_side(model: WeiboSentiment) -> None:
    for text in POSITIVE:
        assert model.score(text) > 0.7, text
    for text in NEGATIVE:
        assert model.score(text) < 0.3, text


def test_negative_text_without_emoticons_is_negative(model: WeiboSentiment) -> None:
    # No emoticon carries the judgement here: the words alone must.
    for text in NEGATIVE:
        assert "[" not in text
        assert model.score(text) < NEUTRAL
    assert model.score(strip_emoticons("气死我了[怒]再也不买了[怒]")) < NEUTRAL


def test_emoticons_learned_from_human_labels_point_the_right_way(
    model: WeiboSentiment,
) -> None:
    assert model.score("[哈哈]") > NEUTRAL > model.score("[泪]")


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "！？。…", "http://t.cn/A6abcd", "\x00"])
def test_nothing_to_judge_is_neutral(model: WeiboSentiment, text: str) -> None:
    assert model.score(text) == NEUTRAL


@given(st.text(max_size=300))
def test_scores_are_probabilities(text: str) -> None:
    score = WeiboSentiment().score(text)
    assert 0.0 <= score <= 1.0


def test_long_and_odd_text_scores(model: WeiboSentiment) -> None:
    long_post = "，".join(NEGATIVE) * 200
    assert 0.0 <= model.score(long_post) < NEUTRAL
    markup = '<a href="/n/某人">@某人</a> 太开心了<span class="url-icon"><img alt=[哈哈]></span>'
    assert model.score(markup) > NEUTRAL


def test_score_many_matches_score_and_is_repeatable(model: WeiboSentiment) -> None:
    texts = [*POSITIVE, *NEGATIVE, ""]
    first = model.score_many(texts)
    assert first == [model.score(text) for text in texts]
    assert first == WeiboSentiment().score_many(iter(texts))
    assert model.score_many([]) == []


def test_scores_do_not_depend_on_string_hashing(model: WeiboSentiment) -> None:
    # n-gram sets iterate in hash order, which changes from process to process;
    # integer weights make the sum exact, so the score must be bit-identical.
    code = (
        "import sys; from monitor.nlp.weibo_sentiment import WeiboSentiment;"
        "print(repr(WeiboSentiment().score(sys.argv[1])))"
    )
    text = NEGATIVE[0] + POSITIVE[0]
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code, text], env=env, check=True,
                             capture_output=True, text=True).stdout
        assert float(out) == model.score(text)


def test_pickles_by_path(model: WeiboSentiment) -> None:
    payload = pickle.dumps(model)
    assert len(payload) < 1_000
    clone = pickle.loads(payload)
    assert clone.name == model.name
    assert clone.score(POSITIVE[0]) == model.score(POSITIVE[0])


def test_model_text_folds_what_does_not_carry_sentiment() -> None:
    assert model_text("  ＺＡＯ  真的 好用！！！！！  ") == "zao 真的 好用!!!"
    assert model_text("//@某个用户:转发 http://t.cn/A6abcd 2019年") == "//@:转发 0年"


@given(st.text(max_size=40), st.integers(min_value=1, max_value=4))
def test_char_ngrams_are_every_substring_up_to_n(text: str, n_max: int) -> None:
    marked = "\x02" + text + "\x03"
    expected = {
        marked[i : i + n] for n in range(1, n_max + 1) for i in range(len(marked) - n + 1)
    }
    assert char_ngrams(text, n_max) == expected


def _write(path: Path, document: object) -> Path:
    path.write_bytes(gzip.compress(json.dumps(document).encode()))
    return path


def test_a_small_model_file_scores_by_its_weights(tmp_path: Path) -> None:
    document = {"format": MODEL_FORMAT, "normalization": NORMALIZATION, "ngram_max": 2,
                "weight_scale": 100, "bias": 0, "weights": {"好": 300, "不好": -700},
                "training": {}}
    tiny = WeiboSentiment(_write(tmp_path / "tiny.json.gz", document))
    assert tiny.name == f"weibo-charlr-{file_hash(tmp_path / 'tiny.json.gz')[:12]}"
    assert tiny.score("好") == pytest.approx(1 / (1 + 2.718281828459045**-3))
    assert tiny.score("不好") == pytest.approx(1 / (1 + 2.718281828459045**4))
    assert tiny.score("中") == NEUTRAL


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        (b"not gzip", "cannot read"),
        ({"format": "other/1"}, "not a monitor.weibo_sentiment/1 model"),
        ({"format": MODEL_FORMAT, "normalization": "v0"}, "rebuild it"),
        ({"format": MODEL_FORMAT, "normalization": NORMALIZATION}, "malformed"),
    ],
)
def test_unusable_model_files_are_config_errors(
    tmp_path: Path, content: object, message: str
) -> None:
    path = tmp_path / "model.json.gz"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        _write(path, content)
    with pytest.raises(ConfigError, match=message) as caught:
        WeiboSentiment(path)
    assert str(path) in str(caught.value)
