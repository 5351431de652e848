"""The posts a replay server serves: a scenario or any post JSONL, indexed by time.

`ReplayData.load("zao-2019")` generates the ZAO-2019 scenario (`zao-2019:0.3` at a
third of the volume); any other name is a post JSONL file (the `monitor import`
format; bad lines are skipped and counted). Authors become Weibo users: the uid of a
post is its `author_id`, so every author has a timeline (`top_authors` lists the most
prolific, e.g. the media accounts of the scenario).
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.config import SHANGHAI

__all__ = ["ReplayData", "ReplayPost"]

SCENARIO_PREFIX = "zao-2019"


@dataclass(frozen=True)
class ReplayPost:
    """One post as the server knows it (raw author id: this is the platform's side)."""

    id: str
    created_at: datetime
    text: str
    author_id: str | None = None
    reposts: int = 0
    comments: int = 0
    likes: int = 0
    repost_of: str | None = None


class ReplayData:
    """Posts sorted by time, with search, timeline and id look-ups."""

    def __init__(self, posts: Iterable[ReplayPost], skipped: int = 0) -> None:
        """Index `posts` (any order); `skipped` counts input lines that were unusable."""
        in_utc = (replace(p, created_at=p.created_at.astimezone(UTC)) for p in posts)
        self.posts = sorted(in_utc, key=lambda p: (p.created_at, _order_key(p.id)))
        self.skipped = skipped
        self.times = [post.created_at for post in self.posts]
        self.by_id = {post.id: post for post in self.posts}
        self._by_author: dict[str, list[int]] = {}
        for index, post in enumerate(self.posts):
            if post.author_id:
                self._by_author.setdefault(post.author_id, []).append(index)
        self._folded = [post.text.casefold() for post in self.posts]
        self._searches: dict[str, list[int]] = {}

    @classmethod
    def load(cls, spec: str, seed: int = 2019) -> ReplayData:
        """`zao-2019[:scale]` (the generated scenario) or a path to post JSONL."""
        if spec == SCENARIO_PREFIX or spec.startswith(SCENARIO_PREFIX + ":"):
            scale = float(spec.partition(":")[2] or 1.0)
            return cls.from_scenario(seed=seed, scale=scale)
        return cls.from_jsonl(Path(spec))

    @classmethod
    def from_scenario(cls, seed: int = 2019, scale: float = 1.0) -> ReplayData:
        """The ZAO-2019 scenario (`monitor.replay.scenario`)."""
        from monitor.replay.scenario import iter_scenario

        return cls(post for item in iter_scenario(seed, scale) if (post := _from_record(item.record)))

    @classmethod
    def from_jsonl(cls, path: Path) -> ReplayData:
        """Post records from a JSONL file (lines that are not usable posts are skipped)."""
        posts, skipped = [], 0
        with Path(path).open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                post = _from_line(line) if line.strip() else None
                if post is None:
                    skipped += line.strip() != ""
                else:
                    posts.append(post)
        return cls(posts, skipped)

    def visible(self, now: datetime) -> int:
        """How many posts exist at `now` (the first that many, in time order)."""
        return bisect.bisect_right(self.times, now)

    def search(self, query: str, now: datetime) -> list[ReplayPost]:
        """Visible posts whose text contains `query` (case-insensitive), newest first."""
        folded = query.strip().casefold()
        if folded not in self._searches:
            self._searches[folded] = [i for i, text in enumerate(self._folded) if folded and folded in text]
        return self._newest_first(self._searches[folded], now)

    def timeline(self, uid: str, now: datetime) -> list[ReplayPost]:
        """Visible posts of user `uid`, newest first."""
        return self._newest_first(self._by_author.get(uid, []), now)

    def latest(self, now: datetime, limit: int) -> list[ReplayPost]:
        """The newest `limit` visible posts."""
        end = self.visible(now)
        return self.posts[max(0, end - limit) : end][::-1]

    def since(self, start: datetime, now: datetime) -> Iterator[ReplayPost]:
        """Visible posts created in (start, now], oldest first."""
        begin = bisect.bisect_right(self.times, start)
        return iter(self.posts[begin : self.visible(now)])

    def top_authors(self, count: int = 10) -> list[str]:
        """The uids with the most posts (ties by uid)."""
        ranked = Counter({uid: len(indexes) for uid, indexes in self._by_author.items()})
        return [uid for uid, _ in sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]

    def window(self) -> tuple[datetime, datetime] | None:
        """The first and last post times, or None without posts."""
        return (self.times[0], self.times[-1]) if self.times else None

    def _newest_first(self, indexes: list[int], now: datetime) -> list[ReplayPost]:
        end = bisect.bisect_right(indexes, self.visible(now) - 1)
        return [self.posts[i] for i in reversed(indexes[:end])]


def _order_key(post_id: str) -> tuple[int, int, str]:
    return (0, int(post_id), "") if post_id.isdigit() else (1, 0, post_id)


def _from_line(line: str) -> ReplayPost | None:
    try:
        return _from_record(json.loads(line))
    except ValueError:
        return None


def _from_record(record: Any) -> ReplayPost | None:
    """A post record (see DESIGN.md "Post records") as a `ReplayPost`, None if unusable."""
    if not isinstance(record, dict):
        return None
    ident, created, text = record.get("id"), record.get("created_at"), record.get("text")
    if not isinstance(ident, str | int) or not isinstance(created, str) or not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(created)
    except ValueError:
        return None
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).astimezone(UTC)
    author = record.get("author_id")
    return ReplayPost(
        id=str(ident), created_at=moment, text=text,
        author_id=str(author) if isinstance(author, str | int) and str(author) else None,
        reposts=_count(record.get("reposts")), comments=_count(record.get("comments")),
        likes=_count(record.get("likes")),
        repost_of=str(record["repost_of"]) if record.get("repost_of") not in (None, "") else None,
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
