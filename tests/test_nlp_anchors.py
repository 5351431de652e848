"""Anchors of lexicon patterns: the fixed words every match must hold (monitor.nlp.anchors)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitor.nlp.anchors import AnchoredPattern, PatternFilter, anchors
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


def test_the_pattern_filter_finds_key_words_that_overlap() -> None:
    patterns = [AnchoredPattern.compile(p) for p in ("被盗", "盗号[^。]{0,3}了", "(微博|微信)被封")]
    # 盗 and 号 are rare, 被 common: each pattern is keyed by its rarest anchor
    keyed = PatternFilter(patterns, {"被": 1000, "盗": 5, "号": 9, "微博": 50, "微信": 60, "被封": 3})
    for text, expected in [("他被盗号了", True), ("盗号了", True), ("号被盗", True),
                           ("微信被封了", True), ("微信被骂了", False), ("今天天气好", False)]:
        assert keyed.search(text, text.lower()) is expected, text
        assert any(p.regex.search(text) for p in patterns) is expected, text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["被", "盗", "号", "了", "删", "微", "博", "我", "。", "x"]), max_size=12))
def test_the_pattern_filter_agrees_with_trying_every_pattern(chars: list[str]) -> None:
    text = "".join(chars)
    assert SMALL.search(text, text.lower()) is any(p.regex.search(text) for p in SMALL_PATTERNS)


SMALL_PATTERNS = [AnchoredPattern.compile(p) for p in
                  ("被盗", "盗号[^。]{0,3}了", "(微博|我)被删", "删[^。]*号", "(?<!我)被(删|盗)了")]
SMALL = PatternFilter(SMALL_PATTERNS, {"被": 1000, "盗": 5, "号": 9, "删": 7, "我": 5000})
