"""Which watched apps a text mentions, by alias.

An alias that starts (ends) with a Latin letter or digit must not have another Latin
letter or digit right before (after) it; Chinese characters, punctuation and spaces all
count as boundaries. Latin letters match case-insensitively. So `ZAO` matches `ZAO换脸`,
`zao`, `#ZAO#` and `@ZAO官方`, but not `zaoshang` or `AZAO`; a Chinese alias (`逢脸造戏`)
matches anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.nlp.normalize import fold_width
from monitor.types import App

_LATIN = re.compile(r"[A-Za-z0-9]")


def alias_pattern(alias: str) -> str:
    """The regular expression (to compile with re.IGNORECASE | re.ASCII) for one alias."""
    folded = fold_width(alias.strip())
    before = r"(?<![A-Za-z0-9])" if _LATIN.match(folded[:1]) else ""
    after = r"(?![A-Za-z0-9])" if _LATIN.match(folded[-1:]) else ""
    return before + re.escape(folded) + after


class AppMatcher:
    """Finds mentions of the watched `apps` (in watch-list order) in normalized text."""

    def __init__(self, apps: Sequence[App]) -> None:
        self.apps = tuple(apps)
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        for app in apps:
            aliases = sorted({a.strip() for a in (app.name, *app.aliases) if a.strip()}, key=len,
                             reverse=True)
            if aliases:
                joined = "|".join(alias_pattern(alias) for alias in aliases)
                self._patterns.append((app.name, re.compile(joined, re.IGNORECASE | re.ASCII)))

    def match(self, text: str) -> tuple[str, ...]:
        """Names of the apps `text` mentions, in watch-list order, each once."""
        return tuple(name for name, pattern in self._patterns if pattern.search(text))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, app name) of every alias occurrence in `text`, in text order."""
        found = [
            (*match.span(), name)
            for name, pattern in self._patterns
            for match in pattern.finditer(text)
        ]
        return sorted(found)
