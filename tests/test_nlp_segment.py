"""Segmentation: tokens rebuild the text, protected spans stay whole, user words stay whole."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import ConfigError
from monitor.nlp.lexicon import UserWord, load_lexicon
from monitor.nlp.normalize import normalize
from monitor.nlp.segment import JiebaSegmenter, Segmenter, make_segmenter, register_segmenter


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return make_segmenter(load_lexicon().segmenter_words())


def test_backend_name(segmenter: Segmenter) -> None:
    assert segmenter.backend == "jieba"


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("逢脸造戏的用户协议不可撤销", ["逢脸造戏", "用户协议", "不可撤销"]),
        ("ZAO换脸后刷脸支付还安全吗", ["ZAO", "换脸", "刷脸支付"]),
        ("工信部和网信办约谈了公司", ["工信部", "网信办", "约谈"]),
        ("@隐私保护协会 转发[哈哈]", ["@隐私保护协会", "[哈哈]"]),
        ("ZAO被微信封杀了", ["微信", "封杀"]),
    ],
)
def test_words_stay_whole(segmenter: Segmenter, text: str, whole: list[str]) -> None:
    tokens = segmenter.cut(text)
    assert "".join(tokens) == text
    for word in whole:
        assert word in tokens, (word, tokens)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ZAO换脸隐私@张三 [哈哈]#，。！\n abc123的了", max_size=60))
def test_tokens_concatenate_to_the_text(text: str) -> None:
    segmenter = make_segmenter((UserWord("换脸"),))
    clean = normalize(text)
    assert "".join(segmenter.cut(clean)) == clean


def test_pickles_without_loaded_state(segmenter: Segmenter) -> None:
    segmenter.cut("先加载")
    clone = pickle.loads(pickle.dumps(segmenter))
    assert isinstance(clone, JiebaSegmenter) and clone._tokenizer is None
    assert clone.cut("逢脸造戏好玩") == segmenter.cut("逢脸造戏好玩")


class CharSegmenter:
    """A hand-written backend: one token per character."""

    backend = "chars"

    def __init__(self, words: object = ()) -> None:
        self.words = words

    def cut(self, text: str) -> list[str]:
        return list(text)


def test_backends_are_pluggable() -> None:
    register_segmenter("chars", CharSegmenter)
    assert make_segmenter((), "chars").cut("隐私") == ["隐", "私"]
    with pytest.raises(ConfigError, match="unknown segmenter backend 'nope'"):
        make_segmenter((), "nope")
