"""The shipped lexicon's tagging tools, shared by the tagger and rule tests (the fixtures
`lexicon`, `segmenter` and `tagger` in conftest.py are built from them)."""

from __future__ import annotations

import functools

from monitor.nlp.apps import AppMatcher
from monitor.nlp.lexicon import Lexicon, load_lexicon
from monitor.nlp.normalize import normalize
from monitor.nlp.segment import Segmenter, make_segmenter
from monitor.nlp.tagger import Tagger
from monitor.types import App

WATCHLIST = (App("ZAO", ("ZAO", "逢脸造戏", "ZAO换脸")),)
"""The watch list the tagging tests run with: ZAO and its aliases."""


@functools.cache
def shipped_tools() -> tuple[Lexicon, Tagger, Segmenter]:
    """The shipped lexicon, a tagger for it (with `WATCHLIST`) and a segmenter with its
    words, built once."""
    lexicon = load_lexicon()
    return lexicon, Tagger(lexicon, AppMatcher(WATCHLIST)), make_segmenter(lexicon.segmenter_words())


def tag(tagger: Tagger, segmenter: Segmenter, raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The concerns and evidence terms of a raw post, as the analyzer tags it."""
    text = normalize(raw)
    return tagger.tag(text, segmenter.cut(text))
