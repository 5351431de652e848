"""The ZAO-2019 replay scenario: determinism, the post contract, the timeline, the labels."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import SHANGHAI, load_settings
from monitor.replay import SCENARIO_APPS, ScenarioPost, iter_scenario, write_scenario
from monitor.replay.scenario import (
    AGREEMENT_CHANGED,
    APOLOGY,
    BACKLASH,
    BANKS,
    LAUNCH,
    PINTU_LAUNCH,
    SLOTS,
    SUMMONS_PUBLISHED,
    WECHAT_BLOCK,
    WINDOW_END,
    WINDOW_START,
)
from monitor.replay.templates import fill
from monitor.types import CONCERNS, POLARITIES

ROOT = Path(__file__).resolve().parents[1]
RECORD_KEYS = ["id", "created_at", "text", "author_id", "reposts", "comments", "likes", "url",
               "repost_of"]
ZAO_MENTION = re.compile(r"(?<![A-Za-z])zao(?![A-Za-z])|逢脸造戏", re.IGNORECASE)
PINTU_MENTION = re.compile(r"(?<![A-Za-z])pintu(?![A-Za-z])|拼图岛", re.IGNORECASE)


@pytest.fixture(scope="module")
def posts() -> list[ScenarioPost]:
    return list(iter_scenario())


def _at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2019, month, day, hour, tzinfo=SHANGHAI)


def _concern_share(posts: list[ScenarioPost], app: str, start: datetime, end: datetime) -> float:
    chosen = [p for p in posts if app in p.expected_apps and start <= p.created_at < end]
    assert chosen, f"no {app} posts between {start} and {end}"
    return sum(1 for p in chosen if p.expected_concerns) / len(chosen)


def _count(posts: list[ScenarioPost], keep: Callable[[ScenarioPost], bool]) -> int:
    return sum(1 for p in posts if keep(p))


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    write_scenario(first, seed=11, scale=0.3)
    write_scenario(second, seed=11, scale=0.3)
    write_scenario(other, seed=12, scale=0.3)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_write_scenario_writes_the_count_it_returns(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "zao.jsonl"
    count = write_scenario(path, scale=0.2)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert count == len(lines) > 100
    assert [json.loads(line) for line in lines] == [p.record for p in iter_scenario(scale=0.2)]


def test_module_entry_point_writes_the_scenario(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "monitor.replay.scenario", str(out), "--scale=0.1", "--seed=3"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert done.stderr.strip() == f"wrote {len(lines)} posts to {out}"
    assert lines == [json.dumps(p.record, ensure_ascii=False) for p in iter_scenario(3, 0.1)]


def test_records_follow_the_post_contract(posts: list[ScenarioPost]) -> None:
    seen: dict[str, datetime] = {}
    for post in posts:
        record = post.record
        assert list(record) == RECORD_KEYS
        assert re.fullmatch(r"[1-9]\d{15}", record["id"]) and record["id"] not in seen
        assert re.fullmatch(r"[1-7]\d{9}", record["author_id"])
        created = datetime.fromisoformat(record["created_at"])
        assert record["created_at"].endswith("+08:00") and created.utcoffset() == timedelta(hours=8)
        assert WINDOW_START <= created < WINDOW_END
        assert isinstance(record["text"], str) and record["text"].strip()
        for key in ("reposts", "comments", "likes"):
            assert type(record[key]) is int and record[key] >= 0
        assert record["url"] == f"https://m.weibo.cn/status/{record['id']}"
        if record["repost_of"] is not None:
            assert seen[record["repost_of"]] < created  # an earlier post, already written
        seen[record["id"]] = created


def test_posts_come_in_time_order_with_increasing_ids(posts: list[ScenarioPost]) -> None:
    times = [p.created_at for p in posts]
    assert times == sorted(times)
    ids = [int(p.record["id"]) for p in posts]
    assert ids == sorted(ids)


def test_labels_are_valid(posts: list[ScenarioPost]) -> None:
    for post in posts:
        assert post.expected_concerns <= set(CONCERNS)
        assert post.expected_polarity in POLARITIES
        assert post.expected_apps <= {"ZAO", "Pintu"}
    kinds = Counter(p.kind for p in posts)
    assert set(kinds) == {"background", "everyday_trap", "pintu_hype", "zao_hype", "zao_backlash",
                          "zao_fraud", "zao_response", "zao_regulatory", "zao_decay"}


def test_expected_apps_match_what_the_text_says(posts: list[ScenarioPost]) -> None:
    for post in posts:
        text = post.record["text"]
        assert ("ZAO" in post.expected_apps) == bool(ZAO_MENTION.search(text)), text
        assert ("Pintu" in post.expected_apps) == bool(PINTU_MENTION.search(text)), text


def test_volumes_per_phase_follow_the_targets(posts: list[ScenarioPost]) -> None:
    kinds = Counter(p.kind for p in posts)
    everyday = kinds["background"] + kinds["everyday_trap"]
    zao = sum(count for kind, count in kinds.items() if kind.startswith("zao_"))
    assert 1300 <= everyday <= 1700
    assert 1950 <= zao <= 2500
    assert 240 <= kinds["pintu_hype"] <= 360
    assert 3600 <= len(posts) <= 4500
    hype_first = _count(posts, lambda p: p.kind == "zao_hype" and p.created_at < BACKLASH)
    assert 200 <= hype_first <= 450
    pintu_launch_days = _count(
        posts, lambda p: p.kind == "pintu_hype" and p.created_at < _at(9, 2)
    )
    assert pintu_launch_days >= 0.7 * kinds["pintu_hype"]


def test_zao_daily_volume_peaks_on_08_31_to_09_01(posts: list[ScenarioPost]) -> None:
    per_day = Counter(p.created_at.date() for p in posts if p.kind.startswith("zao_"))
    top_two = {day.isoformat() for day, _ in per_day.most_common(2)}
    assert top_two == {"2019-08-31", "2019-09-01"}
    assert per_day[_at(9, 7).date()] < per_day[_at(9, 1).date()] / 5


def test_nothing_about_zao_before_launch(posts: list[ScenarioPost]) -> None:
    before = [p for p in posts if p.created_at < LAUNCH]
    assert before
    assert not any(p.kind.startswith("zao_") or "ZAO" in p.expected_apps for p in before)
    assert not any(p.kind == "pintu_hype" for p in posts if p.created_at < PINTU_LAUNCH)


def test_events_are_only_talked_about_after_they_happen(posts: list[ScenarioPost]) -> None:
    zao = [p for p in posts if p.kind.startswith("zao_")]
    for marker, event in (("工信部", SUMMONS_PUBLISHED), ("屏蔽", WECHAT_BLOCK),
                          ("致歉", APOLOGY), ("删除面孔", AGREEMENT_CHANGED)):
        mentions = [p for p in zao if marker in p.record["text"]]
        assert mentions and all(p.created_at >= event for p in mentions), marker
    worried = [p for p in zao if p.kind in ("zao_backlash", "zao_fraud")]
    assert min(p.created_at for p in worried) >= _at(8, 30, 21)


def test_zao_concern_share_is_low_in_the_hype_and_high_in_the_backlash(
    posts: list[ScenarioPost],
) -> None:
    assert _concern_share(posts, "ZAO", _at(8, 30, 18), _at(8, 31)) < 0.10
    assert _concern_share(posts, "ZAO", _at(8, 31, 12), _at(8, 31, 18)) > 0.30


def test_pintu_has_launch_excitement_and_no_concern_spike(posts: list[ScenarioPost]) -> None:
    assert _concern_share(posts, "Pintu", WINDOW_START, WINDOW_END) < 0.05
    for day in (29, 30, 31):  # a few incidental mentions, never a spike
        assert _concern_share(posts, "Pintu", _at(8, day), _at(8, day) + timedelta(days=1)) < 0.10
    hourly = Counter(
        p.created_at.replace(minute=0, second=0)
        for p in posts if "Pintu" in p.expected_apps and p.expected_concerns
    )
    assert max(hourly.values()) <= 2
    positive = _count(posts, lambda p: p.kind == "pintu_hype" and p.expected_polarity == "positive")
    assert positive > 0.3 * _count(posts, lambda p: p.kind == "pintu_hype")


def test_zao_texts_are_diverse(posts: list[ScenarioPost]) -> None:
    zao = [p.record["text"] for p in posts if p.kind.startswith("zao_")]
    assert len(set(zao)) >= 0.6 * len(zao)


def test_texts_have_weibo_texture(posts: list[ScenarioPost]) -> None:
    texts = [p.record["text"] for p in posts]
    assert _count(posts, lambda p: len(p.record["text"]) >= 300) >= 20
    assert sum("//@" in text for text in texts) >= 50
    assert sum(bool(re.search(r"#[^#\s]+#", text)) for text in texts) >= 200
    for emoticon in ("[哈哈]", "[怒]", "[吃瓜]", "[允悲]", "[doge]", "[微笑]"):
        assert any(emoticon in text for text in texts), emoticon
    chains = [p for p in posts if "//@" in p.record["text"]]
    assert all(p.record["repost_of"] is not None for p in chains)


def test_happy_zao_posts_say_huanlian_without_concern(posts: list[ScenarioPost]) -> None:
    happy = [p for p in posts if p.kind == "zao_hype" and "换脸" in p.record["text"]]
    assert len(happy) >= 50
    assert all(not p.expected_concerns for p in happy)
    assert any("ZAO换脸太好玩了" in p.record["text"] for p in happy)


def test_everyday_traps_look_alike_but_carry_nothing(posts: list[ScenarioPost]) -> None:
    traps = [p for p in posts if p.kind == "everyday_trap"]
    assert all(not p.expected_concerns and not p.expected_apps for p in traps)
    joined = "\n".join(p.record["text"] for p in traps)
    for look_alike in ("骗你的啦", "照骗", "屏蔽", "人脸香氛蜡烛", "整改", "手机号", "欺骗自己"):
        assert look_alike in joined, look_alike
    assert re.search(r"[A-Za-z]zao|zao[A-Za-z]", joined, re.IGNORECASE)


def test_background_mentions_no_app_and_follows_a_daily_rhythm(posts: list[ScenarioPost]) -> None:
    background = [p for p in posts if p.kind == "background"]
    assert not any(p.expected_apps for p in background)
    by_hour = Counter(p.created_at.hour for p in background)
    night = sum(by_hour[h] for h in (2, 3, 4, 5))
    evening = sum(by_hour[h] for h in (19, 20, 21, 22))
    assert evening > 4 * night
    concerned = _count(posts, lambda p: p.kind == "background" and bool(p.expected_concerns))
    assert 0 < concerned < 0.12 * len(background)


def test_authors_recur_and_engagement_is_heavy_tailed(posts: list[ScenarioPost]) -> None:
    authors = Counter(p.record["author_id"] for p in posts)
    assert len(authors) < 0.6 * len(posts)
    assert authors.most_common(1)[0][1] >= 8
    likes = sorted(p.record["likes"] for p in posts)
    assert likes[len(likes) // 2] <= 10
    assert likes[-1] >= 100 * max(1, likes[len(likes) // 2])


def test_scale_multiplies_the_volume(posts: list[ScenarioPost]) -> None:
    half = sum(1 for _ in iter_scenario(scale=0.5))
    assert 0.4 * len(posts) < half < 0.6 * len(posts)
    assert list(iter_scenario(scale=0.0)) == []
    with pytest.raises(ValueError):
        next(iter_scenario(scale=-1.0))


def test_every_template_fills_completely() -> None:
    rng = random.Random(0)
    for name, bank in BANKS.items():
        templates = [*bank.templates, *bank.reactions, *bank.hashtags]
        if bank.long is not None:
            templates += [*bank.long.intros, *bank.long.bodies, *bank.long.outros]
        for template in templates:
            for _ in range(5):
                text = fill(template.text, rng, SLOTS)
                assert "{" not in text and "}" not in text, (name, template.text)


def test_scenario_apps_match_the_shipped_config() -> None:
    settings = load_settings(ROOT / "config" / "monitor.toml", env={})
    watched = {app.name: app for app in settings.watchlist}
    for app in SCENARIO_APPS:
        assert watched[app.name].aliases == app.aliases
        assert watched[app.name].launched_at == app.launched_at
