"""App matching by alias: Latin aliases on word boundaries, Chinese ones anywhere."""

from __future__ import annotations

import pytest

from monitor.nlp.apps import AppMatcher
from monitor.nlp.normalize import normalize
from monitor.types import App

WATCHLIST = (
    App("ZAO", ("ZAO", "逢脸造戏", "ZAO换脸")),
    App("Pintu", ("Pintu", "拼图岛")),
    App("Face App", ("Face App",)),
)


@pytest.fixture(scope="module")
def matcher() -> AppMatcher:
    return AppMatcher(WATCHLIST)


@pytest.mark.parametrize(
    ("text", "apps"),
    [
        ("ZAO换脸太好玩了", ("ZAO",)),
        ("zao好好玩", ("ZAO",)),
        ("#ZAO# 刷屏了", ("ZAO",)),
        ("用Zao换了张脸", ("ZAO",)),
        ("@ZAO官方 你们的协议呢", ("ZAO",)),
        ("ZAO.", ("ZAO",)),
        ("zaoshang hao", ()),
        ("AZAO", ()),
        ("ZAO2", ()),
        ("bazaar", ()),
        ("逢脸造戏上线了", ("ZAO",)),
        ("我在玩逢脸造戏和拼图岛", ("ZAO", "Pintu")),
        ("pintu and ZAO", ("ZAO", "Pintu")),
        ("pintus", ()),
        ("用face app修图", ("Face App",)),
        ("faceapp", ()),
        ("", ()),
    ],
)
def test_alias_matching(matcher: AppMatcher, text: str, apps: tuple[str, ...]) -> None:
    assert matcher.match(text) == apps


def test_full_width_alias_matches_after_normalize(matcher: AppMatcher) -> None:
    assert matcher.match(normalize("ＺＡＯ换脸")) == ("ZAO",)


def test_spans_give_positions_and_names(matcher: AppMatcher) -> None:
    assert matcher.spans("玩ZAO和拼图岛") == [(1, 4, "ZAO"), (5, 8, "Pintu")]


def test_empty_aliases_are_ignored() -> None:
    assert AppMatcher([App("X", ("", "  "))]).match("X marks") == ("X",)
    assert AppMatcher([]).match("ZAO") == ()
