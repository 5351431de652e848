"""Anchors of a lexicon pattern: fixed words that every match must contain.

A strong pattern such as `(会|要|快)被(删|和谐|屏蔽)` can only match a text that holds
`被` and one of `删`, `和谐`, `屏蔽`. Those groups of words are its anchors
(`((被,), (删, 和谐, 屏蔽))`): a plain substring test for them is far cheaper than the
regular expression, so the analyzer and the tagger run a pattern only on texts that
hold all its anchor groups, and never miss a match by doing so.

Anchors are read off the parsed expression: runs of literal characters, small
character classes, groups, alternations whose every branch has an anchor, and
repetitions of at least one. Anything else (`.`, `[^…]`, `\\w`, look-arounds, optional
parts) anchors nothing. Letters are compared lower-cased, the way patterns match
(`re.IGNORECASE`); a letter that `re.IGNORECASE` also matches to some other character
(k, s, i, and cased letters outside ASCII) anchors nothing, so a lower-cased text holds
an anchor whenever it holds a match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]  # the parser `re` itself uses
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

Group = frozenset[str]
"""Words of which a match holds at least one."""

_MAX_CLASS = 32
"""A character class of more characters than this anchors nothing."""
_FOLDS_ELSEWHERE = frozenset("iks")
"""ASCII letters that `re.IGNORECASE` also matches to non-ASCII ones (ı İ K ſ)."""
_REPEATS = tuple(op for op in (getattr(sre, name, None) for name in
                               ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")) if op is not None)


@dataclass(frozen=True)
class AnchoredPattern:
    """A compiled lexicon pattern with its anchors."""

    regex: re.Pattern[str]
    anchors: tuple[tuple[str, ...], ...]

    @classmethod
    def compile(cls, pattern: str) -> AnchoredPattern:
        """The pattern, compiled with `re.IGNORECASE`, and its anchors."""
        return cls(re.compile(pattern, re.IGNORECASE),
                   tuple(tuple(sorted(group)) for group in anchors(pattern)))

    def may_match(self, lowered: str) -> bool:
        """False only if the pattern cannot match the text whose `str.lower()` is `lowered`."""
        for group in self.anchors:  # loops, not all(any(...)): this runs for most texts
            for word in group:
                if word in lowered:
                    break
            else:
                return False
        return True


class KeyIndex:
    """Which of many items a text may concern, by the key words each item needs.

    Item `i` is keyed by a group of words (`keys[i]`): `hits(lowered)` yields, each once,
    the items a word of whose group the lower-cased text holds. One search of a trie
    dismisses most texts. Not `exact` if the words cannot be searched exactly
    (`word_finder`): then `hits` yields every item.

    Given `frequencies` (how common characters are, e.g. single-character counts from
    the segmenter's dictionary), the trie holds each word's *probe* instead of the word:
    the tail of the word from its rarest character (`不设密码` is searched as `密码` if 密
    is rarer than 不 and 设). A trie whose words start with common characters (不, 是,
    一) is tried at most places of most texts; probes start at rare ones. Each probe
    found is confirmed by a plain substring test of the words it stands for. Without
    `frequencies` the probe is the word, and items come in the order their words start.
    """

    def __init__(self, keys: Sequence[Iterable[str]], frequencies: Mapping[str, int] | None = None) -> None:
        groups = [frozenset(word.lower() for word in key if word) for key in keys]
        words = set().union(*groups)
        probes = {word: _probe(word, frequencies) for word in words}
        self._finder = word_finder(probes.values()) if words else None
        self.exact = not words or self._finder is not None
        self._items = len(groups)
        # The trie finds the longest probe starting at a place; every probe starting
        # there is a prefix of it. A word equal to its probe needs no confirming.
        owners: dict[str, list[tuple[int, str | None]]] = {}
        for i, group in enumerate(groups):
            for word in sorted(group):
                owners.setdefault(probes[word], []).append((i, None if probes[word] == word else word))
        self._by_probe: dict[str, tuple[tuple[int, str | None], ...]] = {
            found: tuple(sorted((pair for end in range(1, len(found) + 1) for pair in owners.get(found[:end], ())),
                                key=lambda pair: pair[0]))
            for found in owners}

    def hits(self, lowered: str) -> Iterator[int]:
        """The items whose key words `lowered` holds, each once."""
        if self._finder is None:
            yield from (() if self.exact else range(self._items))
            return
        seen: set[int] = set()
        found = self._finder.search(lowered)
        while found is not None:
            for i, word in self._by_probe[found.group()]:
                if i not in seen and (word is None or word in lowered):
                    seen.add(i)
                    yield i
            found = self._finder.search(lowered, found.start() + 1)  # the next may overlap


def _probe(word: str, frequencies: Mapping[str, int] | None) -> str:
    """The tail of `word` from its rarest character (the first of equals); the whole
    word without `frequencies`."""
    if not frequencies:
        return word
    start = min(range(len(word)), key=lambda k: (frequencies.get(word[k], 0), k))
    return word[start:]


def rarest_group(groups: Sequence[Iterable[str]], frequencies: Mapping[str, int]) -> tuple[str, ...]:
    """The anchor group to look a pattern up by: the one whose words are rarest
    (`frequencies`, e.g. counts from the segmenter's dictionary, of words and of single
    characters), then the one whose shortest word is longest, then the one with the
    fewest words (`()` if there is none).

    A word is as rare as its rarest character (one missing from `frequencies` counts 0):
    a `KeyIndex` searches a word from that character on, so a word the dictionary lacks,
    like `不是我`, is not rare for that (it is searched as `我`, which most texts hold).
    A single character counts as itself."""
    def word_rarity(word: str) -> int:
        return min(frequencies.get(char, 0) for char in word)

    def rarity(group: tuple[str, ...]) -> tuple[int, int, int]:
        return sum(map(word_rarity, group)), -min(map(len, group)), len(group)

    return min((tuple(sorted(group)) for group in groups if group), key=rarity, default=())


def word_finder(words: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern that finds any of `words` in `str.lower()`ed text, or None if that test
    would not be exact (a word with a non-ASCII cased letter, which `str.lower()` and
    the tagger's ASCII folding may treat apart): the callers then do the full work.

    The words are compiled as a trie (`隐(?:私(?:泄露)?|患)`): Python's regex engine tries
    the alternatives of a group one by one, so a flat list of hundreds is slow."""
    folded = {word.lower() for word in words if word}
    if any(not char.isascii() and char.lower() != char.upper() for w in folded for char in w):
        return None
    trie: dict[str, Any] = {}
    for word in folded:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(_trie_pattern(trie) or "(?!)")


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if "" in node:  # a word ends here; longer ones go on
        return f"(?:{'|'.join(branches)})?"
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def anchors(pattern: str) -> tuple[Group, ...]:
    """The pattern's anchor groups: every match holds a word of each (empty: none found)."""
    return tuple(_groups(sre_parse.parse(pattern, re.IGNORECASE)))


def _groups(items: Any) -> list[Group]:
    """The anchor groups of a parsed sequence, in order."""
    groups: list[Group] = []
    run = ""
    for op, arg in items:
        char = _literal(op, arg)
        if char is not None:
            run += char
            continue
        if run:
            groups.append(frozenset({run}))
            run = ""
        groups.extend(_item_groups(op, arg))
    if run:
        groups.append(frozenset({run}))
    return groups


def _item_groups(op: Any, arg: Any) -> list[Group]:
    if op is sre.IN:
        chars = _class_chars(arg)
        return [chars] if chars else []
    if op is sre.SUBPATTERN:
        return _groups(arg[-1])
    if op in _REPEATS:
        low, _high, item = arg
        return _groups(item) if low >= 1 else []
    if op is sre.BRANCH:
        best = [rarest_group(_groups(branch), {}) for branch in arg[1]]
        return [frozenset().union(*best)] if all(best) else []
    return []  # ., [^…], categories, look-arounds, anchors, backreferences: no fixed word


def _literal(op: Any, arg: Any) -> str | None:
    """The character a LITERAL item matches, if it can serve as (part of) an anchor."""
    if op is not sre.LITERAL:
        return None
    char = chr(arg)
    lower = char.lower()
    if lower == char.upper():  # no case: 删, 3, ？
        return char
    if char.isascii() and lower not in _FOLDS_ELSEWHERE:
        return lower
    return None


def _class_chars(items: Any) -> Group:
    """The characters of a small positive class like `[微博]` (empty if none usable)."""
    codes: list[int] = []
    for op, arg in items:
        if op is sre.LITERAL:
            codes.append(arg)
        elif op is sre.RANGE and arg[1] - arg[0] < _MAX_CLASS:
            codes.extend(range(arg[0], arg[1] + 1))
        else:  # NEGATE, CATEGORY, a big range
            return frozenset()
    chars = [_literal(sre.LITERAL, code) for code in codes]
    if len(chars) > _MAX_CLASS or any(char is None for char in chars):
        return frozenset()
    return frozenset(char for char in chars if char is not None)
