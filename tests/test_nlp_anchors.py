"""Anchors of lexicon patterns: the fixed words every match must hold (monitor.nlp.anchors)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitor.nlp.anchors import AnchoredPattern, KeyIndex, anchors, rarest_group
from monitor.nlp.lexicon import load_lexicon

CASES = [
    ("删成这样", [{"删成这样"}]),
    ("(会|要|快)被(删|和谐|屏蔽)", [{"会", "要", "快"}, {"被"}, {"删", "和谐", "屏蔽"}]),
    ("(?<![他她])被(新浪|微博)?删(了|除)?", [{"被"}, {"删"}]),
    ("QQ号[^。]{0,3}被盗", [{"qq号"}, {"被盗"}]),  # letters lower-cased, as texts are compared
    ("[微博]{1,2}被封", [{"微", "博"}, {"被封"}]),
    ("(啤酒|货)(都|也)?是假的", [{"啤酒", "货"}, {"是假的"}]),
    ("(删|[^。]{2})帖", [{"帖"}]),  # a branch with no fixed word anchors nothing
    ("sky", [{"y"}]),  # s and k also match ſ and K under re.IGNORECASE: not anchors
    ("[a-z]+骗", [{"骗"}]),
    (".*", []),
    ("x?y*", []),
]


@pytest.mark.parametrize(("pattern", "expected"), CASES)
def test_anchors(pattern: str, expected: list[set[str]]) -> None:
    assert [set(group) for group in anchors(pattern)] == expected


def test_may_match_needs_a_word_of_every_group() -> None:
    pattern = AnchoredPattern.compile("(会|要)被(删|和谐)")
    assert pattern.may_match("估计要被和谐了")
    assert not pattern.may_match("估计要被骂了")  # no 删 or 和谐: the regex is not even tried
    assert not pattern.may_match("删了")


SHIPPED = sorted({p for c in load_lexicon().concerns for p in (*c.strong_patterns, *c.exclude_patterns)})


@pytest.mark.parametrize("pattern", [*SHIPPED, *(p for p, _ in CASES)])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_match_holds_the_anchors(pattern: str, data: st.DataObject) -> None:
    compiled = AnchoredPattern.compile(pattern)
    match = data.draw(st.from_regex(compiled.regex, fullmatch=True))
    text = data.draw(st.text(max_size=5)) + match + data.draw(st.text(max_size=5))
    found = [t for t in (match, text) if compiled.regex.search(t)]  # look-arounds may see the ends
    assume(found)
    for candidate in found:
        assert compiled.may_match(candidate.lower()), (pattern, candidate)
        assert compiled.may_match(candidate.translate(ASCII_LOWER)), (pattern, candidate)


ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
"""How the tagger lower-cases: ASCII letters only."""


def test_the_key_index_finds_key_words_that_overlap() -> None:
    index = KeyIndex([("被盗",), ("盗号",), ("微博", "微信"), ("被",)])
    assert list(index.hits("他被盗号了")) == [0, 3, 1]  # 被盗 and 被 start together, 盗号 inside
    assert list(index.hits("微信被封，微博也被封")) == [2, 3]  # each item once
    assert list(index.hits("今天天气好")) == []
    assert KeyIndex([]).exact and list(KeyIndex([]).hits("被盗")) == []
    inexact = KeyIndex([("Σύμβαση",), ("被盗",)])  # a non-ASCII cased letter: no exact search
    assert not inexact.exact and list(inexact.hits("今天天气好")) == [0, 1]  # so every item


KEYS = [("被盗",), ("盗号", "号被"), ("被",), ("删",), ("删帖", "帖子"), ("我被",)]


CHARS = ["被", "盗", "号", "了", "删", "帖", "子", "我", "。", "x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CHARS), max_size=14),
       st.none() | st.dictionaries(st.sampled_from(CHARS), st.integers(0, 100_000)))
def test_the_key_index_finds_exactly_the_items_whose_words_the_text_holds(
    chars: list[str], frequencies: dict[str, int] | None
) -> None:
    text = "".join(chars)
    hits = list(KeyIndex(KEYS, frequencies).hits(text))  # with frequencies: searched by probes
    assert len(hits) == len(set(hits))
    assert set(hits) == {i for i, key in enumerate(KEYS) if any(word in text for word in key)}


def test_key_words_are_searched_from_their_rarest_character() -> None:
    counts = {"不": 90_000, "设": 5_000, "密": 800, "码": 2_000, "被": 50_000, "盗": 300}
    index = KeyIndex([("不设密码",), ("被盗",)], counts)
    assert index._finder is not None and index._finder.pattern == "(?:密码|盗)"
    assert list(index.hits("服务器不设密码")) == [0]
    assert list(index.hits("忘了密码，被人盗了")) == []  # 密码 and 盗 found, the words not
    assert list(index.hits("号被盗了")) == [1]


def test_a_pattern_is_looked_up_by_its_rarest_anchor_group() -> None:
    groups = anchors("(会|要)被(删|和谐)")
    counts = {"会": 9000, "要": 8000, "被": 10000, "删": 200, "和谐": 300}
    assert rarest_group(groups, counts) == ("删", "和谐")
    assert rarest_group(groups, {}) == ("被",)  # no counts: the fewest words, then the first
    assert rarest_group([], counts) == ()


def test_a_word_is_as_rare_as_its_rarest_character() -> None:
    # `不是我` is not in the dictionary, but it is searched as `我`, which most texts hold.
    counts = {"不": 9000, "是": 9500, "我": 8000, "登": 100, "录": 300}
    assert rarest_group([("不是我", "不是本人"), ("登",)], counts) == ("登",)
    assert rarest_group([("登录",), ("我",)], counts) == ("登录",)  # 登录: as rare as 登
