"""The ZAO-2019 replay scenario: a deterministic, labelled Weibo timeline.

Sixteen days of posts (2019-08-23 .. 2019-09-07, Asia/Shanghai) following the real
timeline in `shared/data/zao_2019/timeline.json`: everyday chatter throughout; the
control app Pintu launching on 08-29 with excitement and no storm; ZAO launching on
08-30, launch-night hype, the user-agreement and face-data backlash from the morning of
08-31, fraud fears, the agreement change that evening, WeChat's block on 09-01, the
apology on 09-03, the MIIT summons (held 09-03, published 09-04), then decay.

Volumes are a sum of `Pulse`s (ramp, hold, half-life decay) times a daily rhythm, drawn
hour by hour with Poisson noise from one seeded `random.Random`: the same seed and
scale give byte-identical output. Every post carries the labels a careful annotator
would give it (`ScenarioPost.expected_*`), so tests and benchmarks can score the tagger.

    python -m monitor.replay.scenario OUT.jsonl [--seed 2019] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.config import SHANGHAI
from monitor.replay import templates_life as life
from monitor.replay import templates_news as news
from monitor.replay import templates_zao as zao
from monitor.replay.templates import SHARED_SLOTS, Bank, Labelled, chain, compose, react
from monitor.replay.templates_names import MEDIA_NAMES, make_names
from monitor.types import App

WINDOW_START = datetime(2019, 8, 23, 0, 0, tzinfo=SHANGHAI)
WINDOW_END = datetime(2019, 9, 8, 0, 0, tzinfo=SHANGHAI)
"""Exclusive: the last post is at most 2019-09-07 23:59:59."""
PINTU_LAUNCH = datetime(2019, 8, 29, 0, 0, tzinfo=SHANGHAI)
LAUNCH = datetime(2019, 8, 30, 0, 0, tzinfo=SHANGHAI)
HYPE_PEAK = datetime(2019, 8, 30, 20, 0, tzinfo=SHANGHAI)
BACKLASH = datetime(2019, 8, 31, 7, 0, tzinfo=SHANGHAI)
AGREEMENT_CHANGED = datetime(2019, 8, 31, 20, 0, tzinfo=SHANGHAI)
OFFICIAL_REPLY = datetime(2019, 9, 1, 10, 0, tzinfo=SHANGHAI)
WECHAT_BLOCK = datetime(2019, 9, 1, 13, 0, tzinfo=SHANGHAI)
APOLOGY = datetime(2019, 9, 3, 10, 0, tzinfo=SHANGHAI)
REGULATOR_SUMMONS = datetime(2019, 9, 3, 0, 0, tzinfo=SHANGHAI)
SUMMONS_PUBLISHED = datetime(2019, 9, 4, 9, 0, tzinfo=SHANGHAI)
POLICY_UPDATE = datetime(2019, 9, 5, 10, 0, tzinfo=SHANGHAI)

SCENARIO_APPS: tuple[App, ...] = (
    App("ZAO", ("ZAO", "逢脸造戏", "ZAO换脸"), LAUNCH.astimezone(UTC)),
    App("Pintu", ("Pintu", "拼图岛"), PINTU_LAUNCH.astimezone(UTC)),
)
"""The watch list of the scenario, as `config/monitor.toml` declares it."""

RHYTHM: tuple[float, ...] = (0.55, 0.35, 0.22, 0.15, 0.12, 0.15, 0.28, 0.5, 0.75, 0.9, 0.95, 1.0,
                             1.1, 1.0, 0.95, 0.95, 0.95, 1.0, 1.1, 1.25, 1.4, 1.5, 1.4, 1.0)
"""Relative posting activity by hour of day (Asia/Shanghai): night low, evening high."""

BANKS: dict[str, Bank] = {
    "life": life.LIFE, "trap": life.TRAP, "pintu": life.PINTU, "pintu_late": life.PINTU_LATE,
    "zao_hype": zao.ZAO_HYPE, "zao_terms": zao.ZAO_TERMS, "zao_face": zao.ZAO_FACE,
    "zao_fraud": zao.ZAO_FRAUD, "zao_alipay": zao.ZAO_ALIPAY, "zao_changed": news.ZAO_CHANGED,
    "zao_reply": news.ZAO_REPLY, "zao_apology": news.ZAO_APOLOGY, "zao_update": news.ZAO_UPDATE,
    "zao_wechat": news.ZAO_WECHAT, "zao_miit": news.ZAO_MIIT, "zao_decay": news.ZAO_DECAY,
}
SLOTS: dict[str, tuple[str, ...]] = {
    **SHARED_SLOTS, **zao.ZAO_SLOTS, **news.NEWS_SLOTS, **life.LIFE_SLOTS,
}

REPOST_RATE: dict[str, float] = {
    "background": 0.08, "everyday_trap": 0.05, "pintu_hype": 0.12, "zao_hype": 0.18,
    "zao_backlash": 0.3, "zao_fraud": 0.25, "zao_response": 0.35, "zao_regulatory": 0.35,
    "zao_decay": 0.12,
}
_ID_BASE = 4_409_200_000_000_000
_GENERAL_AUTHORS = 1500
_POOL_SIZE = 300
_MAX_CHAIN_CHARS = 200


@dataclass(frozen=True)
class Pulse:
    """One wave of posts of one kind, written from one bank.

    Ramps up smoothly from `start` over `rise_hours`, holds for `hold_hours`, then halves
    every `halflife_hours` (flat if None). `posts` is the expected total at scale 1.0;
    `rhythm` is how strongly the daily rhythm modulates it (0 flat, 1 full).
    """

    kind: str
    bank: str
    posts: float
    start: datetime
    rise_hours: float = 0.0
    hold_hours: float = 0.0
    halflife_hours: float | None = None
    rhythm: float = 1.0

    def level(self, at: datetime) -> float:
        """The unnormalized intensity at `at`, in [0, 1]."""
        hours = (at - self.start).total_seconds() / 3600
        if hours < 0:
            return 0.0
        if hours < self.rise_hours:
            x = hours / self.rise_hours
            return x * x * (3 - 2 * x)
        past = hours - self.rise_hours - self.hold_hours
        if past <= 0 or self.halflife_hours is None:
            return 1.0
        return float(0.5 ** (past / self.halflife_hours))


def _at(day: int, hour: int) -> datetime:
    month = 8 if day > 15 else 9
    return datetime(2019, month, day, hour, 0, tzinfo=SHANGHAI)


PULSES: tuple[Pulse, ...] = (
    Pulse("background", "life", 1300, WINDOW_START),
    Pulse("everyday_trap", "trap", 200, WINDOW_START),
    Pulse("pintu_hype", "pintu", 290, _at(29, 8), 12, 28, 30),
    Pulse("pintu_hype", "pintu_late", 6, _at(31, 12), 6, 24, 24),
    Pulse("zao_hype", "zao_hype", 520, _at(30, 6), 14, 5, 14, 0.8),
    Pulse("zao_hype", "zao_hype", 160, _at(31, 10), 20, 6, 26, 0.8),
    Pulse("zao_backlash", "zao_terms", 8, _at(30, 21), 3, 6, 4, 0.5),
    Pulse("zao_backlash", "zao_terms", 470, BACKLASH, 8, 12, 16, 0.8),
    Pulse("zao_backlash", "zao_face", 220, _at(31, 9), 8, 14, 18, 0.8),
    Pulse("zao_fraud", "zao_fraud", 220, _at(31, 10), 10, 14, 20, 0.8),
    Pulse("zao_fraud", "zao_alipay", 35, _at(1, 16), 3, 4, 12, 0.8),
    Pulse("zao_response", "zao_changed", 50, AGREEMENT_CHANGED, 2, 2, 8, 0.6),
    Pulse("zao_response", "zao_reply", 30, OFFICIAL_REPLY, 2, 3, 10, 0.6),
    Pulse("zao_response", "zao_apology", 50, APOLOGY, 2, 4, 12, 0.6),
    Pulse("zao_response", "zao_update", 25, POLICY_UPDATE, 2, 3, 12, 0.6),
    Pulse("zao_regulatory", "zao_wechat", 130, WECHAT_BLOCK, 3, 6, 14, 0.6),
    Pulse("zao_regulatory", "zao_miit", 120, SUMMONS_PUBLISHED, 3, 5, 14, 0.6),
    Pulse("zao_decay", "zao_decay", 170, _at(4, 6), 12, 24, 36, 0.8),
)
"""The scenario's volume model, phase by phase (expected posts at scale 1.0)."""


@dataclass(frozen=True)
class ScenarioPost:
    """One generated post: the post JSONL record plus what an annotator would say."""

    record: dict[str, Any]
    kind: str
    expected_concerns: frozenset[str]
    expected_apps: frozenset[str]
    expected_polarity: str

    @property
    def created_at(self) -> datetime:
        """The post time (aware, Asia/Shanghai as written)."""
        return datetime.fromisoformat(self.record["created_at"])


@dataclass(frozen=True)
class _Author:
    uid: str
    name: str
    reach: float


@dataclass
class _Posted:
    post: ScenarioPost
    author: _Author
    text: Labelled


@dataclass
class _State:
    rng: random.Random
    authors: list[_Author]
    author_weights: list[float]
    media: list[_Author]
    next_id: int = _ID_BASE
    pools: dict[str, list[_Posted]] = field(default_factory=dict)


def hours() -> list[datetime]:
    """The start of every hour of the window."""
    count = int((WINDOW_END - WINDOW_START).total_seconds() // 3600)
    return [WINDOW_START + timedelta(hours=step) for step in range(count)]


def expected_hourly(pulse: Pulse, scale: float = 1.0) -> list[float]:
    """Expected posts of `pulse` in each hour of the window (sums to posts * scale)."""
    weights = []
    for start in hours():
        rhythm = 1 - pulse.rhythm + pulse.rhythm * RHYTHM[start.hour]
        weights.append(pulse.level(start + timedelta(minutes=30)) * rhythm)
    total = sum(weights)
    return [pulse.posts * scale * weight / total for weight in weights]


def iter_scenario(seed: int = 2019, scale: float = 1.0) -> Iterator[ScenarioPost]:
    """Yield the scenario's posts in `created_at` order (ids increase with time)."""
    if scale < 0 or not math.isfinite(scale):
        raise ValueError(f"scale must be a finite number >= 0, got {scale!r}")
    rng = random.Random(seed)
    state = _new_state(rng)
    curves = [expected_hourly(pulse, scale) for pulse in PULSES]
    for index, start in enumerate(hours()):
        arrivals: list[tuple[int, int, Pulse]] = []
        for pulse, curve in zip(PULSES, curves, strict=True):
            for _ in range(_poisson(rng, curve[index])):
                arrivals.append((rng.randrange(3600), len(arrivals), pulse))
        for second, _, pulse in sorted(arrivals, key=lambda item: (item[0], item[1])):
            yield _make_post(state, start + timedelta(seconds=second), pulse)


def write_scenario(path: Path, seed: int = 2019, scale: float = 1.0) -> int:
    """Write the scenario as post JSONL (one record per line, UTF-8); return the count."""
    count = 0
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for post in iter_scenario(seed, scale):
            out.write(json.dumps(post.record, ensure_ascii=False) + "\n")
            count += 1
    return count


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw; large means are split so exp(-lam) never underflows."""
    count = 0
    while lam > 30:
        count += _poisson(rng, 30.0)
        lam -= 30
    threshold, product = math.exp(-lam), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _new_state(rng: random.Random) -> _State:
    names = make_names(rng, _GENERAL_AUTHORS)
    uids = rng.sample(range(1_000_000_000, 7_999_999_999), _GENERAL_AUTHORS + len(MEDIA_NAMES))
    authors = [
        _Author(str(uid), name, rng.lognormvariate(0.0, 1.0))
        for uid, name in zip(uids, names, strict=False)
    ]
    media = [
        _Author(str(uid), name, rng.uniform(30.0, 200.0))
        for uid, name in zip(uids[_GENERAL_AUTHORS:], MEDIA_NAMES, strict=True)
    ]
    # a few people post a lot, most post once or twice
    weights = [1.0 / (rank + 20) ** 0.7 for rank in range(len(authors))]
    return _State(rng, authors, weights, media)


def _make_post(state: _State, when: datetime, pulse: Pulse) -> ScenarioPost:
    rng, bank = state.rng, BANKS[pulse.bank]
    target = _pick_target(state, pulse, when)
    repost_of: str | None = None
    if target is None:
        text = compose(bank, rng, SLOTS)
    else:
        text, repost_of = _repost(state, bank, target)
    author = _pick_author(state, text)
    state.next_id += rng.randrange(200_000, 20_000_000)
    post_id = str(state.next_id)
    likes, comments, reposts = _engagement(rng, author.reach, target is not None)
    record = {
        "id": post_id,
        "created_at": when.isoformat(),
        "text": text.text,
        "author_id": author.uid,
        "reposts": reposts,
        "comments": comments,
        "likes": likes,
        "url": f"https://m.weibo.cn/status/{post_id}",
        "repost_of": repost_of,
    }
    post = ScenarioPost(record, pulse.kind, text.concerns, text.apps, text.polarity)
    pool = state.pools.setdefault(pulse.bank, [])
    pool.append(_Posted(post, author, text))
    del pool[:-_POOL_SIZE]
    return post


def _pick_target(state: _State, pulse: Pulse, when: datetime) -> _Posted | None:
    """An earlier post of the same bank to repost, popular ones more likely."""
    rng = state.rng
    if rng.random() >= REPOST_RATE[pulse.kind]:
        return None
    cutoff = when - timedelta(minutes=1)
    pool = [item for item in state.pools.get(pulse.bank, ()) if item.post.created_at <= cutoff]
    if not pool:
        return None
    weights = [1.0 + item.post.record["reposts"] for item in pool]
    return rng.choices(pool, weights=weights)[0]


def _repost(state: _State, bank: Bank, target: _Posted) -> tuple[Labelled, str]:
    """Weibo's shape: reposting an original shows only the reposter's comment (so it says
    something); reposting a repost appends `//@reposter:their text`, often after a bare
    转发微博. `repost_of` is always the root post."""
    rng, root = state.rng, target.post.record["repost_of"]
    if root is None or len(target.text.text) > _MAX_CHAIN_CHARS:
        return compose(bank, rng, SLOTS, allow_long=False), root or target.post.record["id"]
    own = compose(bank, rng, SLOTS, allow_long=False) if rng.random() < 0.3 else None
    if own is None or own.text in target.text.text:  # nobody reposts their own words back
        own = react(bank, rng, SLOTS)
    return chain(own, target.author.name, target.text), root


def _pick_author(state: _State, text: Labelled) -> _Author:
    if text.news and state.rng.random() < 0.8:
        return state.rng.choice(state.media)
    return state.rng.choices(state.authors, weights=state.author_weights)[0]


def _engagement(rng: random.Random, reach: float, is_repost: bool) -> tuple[int, int, int]:
    """Heavy-tailed (Pareto) likes; comments and reposts a noisy fraction of them."""
    base = (rng.paretovariate(1.15) - 1.0) * 4.0 * reach * (0.3 if is_repost else 1.0)
    likes = min(int(base), 2_000_000)
    comments = int(likes * rng.uniform(0.05, 0.3) + rng.random() * 1.5)
    reposts = int(likes * rng.uniform(0.02, 0.4) + rng.random() * 1.2)
    return likes, comments, reposts


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m monitor.replay.scenario OUT.jsonl [--seed N] [--scale X]`."""
    parser = argparse.ArgumentParser(
        prog="python -m monitor.replay.scenario",
        description="Write the ZAO-2019 replay scenario as post JSONL.",
    )
    parser.add_argument("out", type=Path, help="the JSONL file to write")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--scale", type=float, default=1.0, help="volume multiplier")
    args = parser.parse_args(argv)
    count = write_scenario(args.out, args.seed, args.scale)
    print(f"wrote {count} posts to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
