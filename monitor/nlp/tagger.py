"""Concern tagging: which concerns a normalized text raises, and the terms that show it.

The rules, as the lexicon README explains them to analysts:

- A **strong** term is evidence wherever it occurs in the text (substring match), and so
  is a match of a **strong pattern** (a regular expression; its evidence is the matched
  text).
- A **topic** term is evidence only as a whole word (it lines up with token boundaries)
  and only if the same sentence also holds one of its rule's **cues** (a whole word, not
  negated: `不用担心` is no cue) or a strong term of the same concern. A cue of three or
  more characters also counts at the end of a longer word, so the segmenter's names
  `浙江省工商局` and `上海市质监局` hold the cues `工商局` and `质监局`. A cue of any length
  counts at the end of an amount, a word that is otherwise numerals: the segmenter keeps
  `五百块` and `三万元` whole, and they hold the money cues `块` and `万元`.
- Nothing inside an @mention, an emoticon, a watched app's name (`ZAO换脸`, `逢脸造戏`:
  naming the app is no concern) or an **exclusion** (a look-alike such as `人脸香氛蜡烛`
  or `骗你的`) counts, neither as a term nor as a cue; an app name is only the `{app}` cue.
- Nothing from a **dismissal** (`不担心`, `无所谓`) to the end of its clause counts:
  `我不担心隐私` raises no concern.
- A negated topic term or cue does not count (`没有泄露`, `不用担心`); a strong term
  does (`没有隐私了` is a complaint).
- Sentences end at the lexicon's `sentence_breaks` and at line breaks.
- Latin letters match case-insensitively.

`terms` lists the evidence in text order, each once, without terms that lie inside a
longer evidence term (`隐私泄露` hides `隐私` and `泄露`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.nlp.anchors import AnchoredPattern, KeyIndex, rarest_group
from monitor.nlp.apps import AppMatcher
from monitor.nlp.lexicon import APP_CUE, ConcernLexicon, Lexicon
from monitor.nlp.normalize import is_protected, protected_spans

_MAX_JOIN = 6
"""Topic terms and cues may span at most this many tokens."""
_MIN_SUFFIX = 3
"""Cues at least this long also match at the end of a longer token (`浙江省工商局`)."""
_LEADING = frozenset("0123456789零〇一二两三四五六七八九十百千万亿几")
_NUMERALS = _LEADING | frozenset(".多余")
"""What an amount (`五百块`, `几万块钱`, `3000` `多元`) is made of before its unit; it starts
with a `_LEADING` character, in the token or right before it (`多元` alone is "diverse")."""
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    word: str
    """The lower-cased lexicon word."""
    token: int = -1
    """Index of the first token for whole-word hits; -1 for substring hits."""
    cue_only: bool = False
    """A cue found at the end of a longer token: never a topic term itself."""


@dataclass(frozen=True)
class _Rule:
    terms: frozenset[str]
    cues: frozenset[str]
    app_cue: bool


@dataclass(frozen=True)
class _Concern:
    name: str
    strong: frozenset[str]
    strong_patterns: tuple[AnchoredPattern, ...]
    """Compiled one by one, each tried only on texts that hold its anchors."""
    pattern_keys: KeyIndex
    """Finds the patterns a text holds one anchor group of (the others are not tried)."""
    rules: tuple[_Rule, ...]
    exclude: re.Pattern[str] | None


class Tagger:
    """Tags normalized text with concerns from a `Lexicon` (see the module docstring).

    `apps` resolves the `{app}` cue (any alias of a watched app); without it that cue
    never matches.
    """

    def __init__(self, lexicon: Lexicon, apps: AppMatcher | None = None) -> None:
        self._apps = apps
        self._spelling: dict[str, str] = {}
        self._concerns = tuple(self._compile(concern) for concern in lexicon.concerns)
        self.strong_patterns = tuple(p for c in self._concerns for p in c.strong_patterns)
        """Every concern's strong patterns, compiled, in lexicon order (the analyzer's
        pre-filter uses them too)."""
        self._strong_by_first: dict[str, list[str]] = {}
        for word in sorted({w for c in self._concerns for w in c.strong}, key=len, reverse=True):
            self._strong_by_first.setdefault(word[0], []).append(word)
        self._words = frozenset(
            w for c in self._concerns for r in c.rules for w in (*r.terms, *r.cues)
        )
        self._prefixes = frozenset(w[:k] for w in self._words for k in range(1, len(w) + 1))
        self._cues = frozenset(w for c in self._concerns for r in c.rules for w in r.cues)
        self._suffix_cues = frozenset(w for w in self._cues if len(w) >= _MIN_SUFFIX)
        self._uses_apps = any(r.app_cue for c in self._concerns for r in c.rules)
        self._exclude = _any_of(lexicon.exclude, lexicon.exclude_patterns)
        self._dismissal = _dismissals(
            lexicon.dismissals, ("\n", *lexicon.sentence_breaks, *lexicon.clause_breaks))
        self._breaks = tuple(dict.fromkeys(("\n", *lexicon.sentence_breaks)))
        self._negators = frozenset(lexicon.negators)
        self._fillers = frozenset(lexicon.negation_fillers)

    def _compile(self, concern: ConcernLexicon) -> _Concern:
        patterns = tuple(AnchoredPattern.compile(p) for p in concern.strong_patterns)
        rules = tuple(
            _Rule(
                terms=frozenset(self._key(t) for t in rule.terms),
                cues=frozenset(self._key(c) for c in rule.cues if c != APP_CUE),
                app_cue=APP_CUE in rule.cues,
            )
            for rule in concern.topics
        )
        return _Concern(
            name=concern.concern,
            strong=frozenset(self._key(t) for t in concern.strong),
            strong_patterns=patterns,
            pattern_keys=KeyIndex([rarest_group(p.anchors, {}) for p in patterns]),
            rules=rules,
            exclude=_any_of(concern.exclude, concern.exclude_patterns),
        )

    def _key(self, word: str) -> str:
        key = word.translate(_ASCII_LOWER)
        self._spelling.setdefault(key, word)
        return key

    def tag(self, text: str, tokens: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(concerns in `CONCERNS` order, evidence terms in text order) for normalized `text`
        and its tokens (as cut by a `Segmenter`)."""
        scan = _Scan(text, self._breaks)
        scan.block(protected_spans(text))
        scan.block(_spans(self._exclude, text))
        scan.block(_spans(self._dismissal, text))
        apps = self._app_hits(scan)
        strong = [hit for hit in self._strong_hits(scan.lowered) if not scan.blocked(hit)]
        words = [hit for hit in self._word_hits(scan, tokens) if not scan.blocked(hit)]
        negated = {hit.token for hit in words if self._negated(tokens, hit.token)}
        concerns: list[str] = []
        evidence: list[_Hit] = []
        for concern in self._concerns:
            found = self._evidence(concern, scan, strong, words, apps, negated)
            if found:
                concerns.append(concern.name)
                evidence.extend(found)
        return tuple(concerns), self._terms(evidence)

    def _app_hits(self, scan: _Scan) -> list[_Hit]:
        """App name occurrences as `{app}` cues; then their text is blocked for terms."""
        if self._apps is None:
            return []
        spans = [(start, end) for start, end, _ in self._apps.spans(scan.text)]
        hits = [_Hit(start, end, APP_CUE) for start, end in spans]
        hits = [hit for hit in hits if not scan.blocked(hit)]
        scan.block(spans)
        return hits if self._uses_apps else []

    def _strong_hits(self, lowered: str) -> list[_Hit]:
        hits = []
        for i, char in enumerate(lowered):
            for word in self._strong_by_first.get(char, ()):
                if lowered.startswith(word, i):
                    hits.append(_Hit(i, i + len(word), word))
        return hits

    def _word_hits(self, scan: _Scan, tokens: Sequence[str]) -> list[_Hit]:
        """Topic terms and cues that line up with token boundaries."""
        offsets = scan.offsets(tokens)
        # Whether each token can be (part of) a word: it lines up with the text, is not
        # space and is no protected token (`@name`, emoticon); decided once per token.
        usable = [span is not None and not token.isspace() and not is_protected(token)
                  for span, token in zip(offsets, tokens, strict=True)]
        hits = []
        for i, first in enumerate(offsets):
            if first is None or not usable[i]:
                continue
            end, joined = first[0], ""
            for j in range(i, min(len(tokens), i + _MAX_JOIN)):
                span = offsets[j]
                if span is None or span[0] != end or not usable[j]:
                    break
                joined, end = joined + scan.lowered[span[0]:span[1]], span[1]
                if joined not in self._prefixes:
                    break  # no word starts so: neither it nor a longer join is one
                if joined in self._words:
                    hits.append(_Hit(first[0], end, joined, i))
            hits.extend(self._suffix_hit(scan.lowered, first, i))
        return hits

    def _suffix_hit(self, lowered: str, span: tuple[int, int], index: int) -> list[_Hit]:
        """The longest cue ending a longer token (`浙江省工商局` ends in `工商局`), or
        ending an amount (`五百块` ends in `块`)."""
        start, end = span
        for size in range(end - start - 1, 0, -1):
            suffix = lowered[end - size:end]
            if (size >= _MIN_SUFFIX and suffix in self._suffix_cues) or (
                    suffix in self._cues and _is_amount(lowered, start, end - size)):
                return [_Hit(end - size, end, suffix, index, cue_only=True)]
        return []

    def _evidence(
        self, concern: _Concern, scan: _Scan, strong: list[_Hit], words: list[_Hit],
        apps: list[_Hit], negated: set[int],
    ) -> list[_Hit]:
        """The concern's strong hits, and the topic hits its rules accept."""
        excluded = _spans(concern.exclude, scan.text)
        found = [h for h in strong if h.word in concern.strong and not _overlaps_any(h, excluded)]
        for i in concern.pattern_keys.hits(scan.lowered):
            pattern = concern.strong_patterns[i]
            first = pattern.regex.search(scan.text) if pattern.may_match(scan.lowered) else None
            if first is None:
                continue
            for match in pattern.regex.finditer(scan.text, first.start()):
                hit = _Hit(match.start(), match.end(), match.group())
                if not scan.blocked(hit) and not _overlaps_any(hit, excluded):
                    found.append(hit)
        strong_sentences = {scan.sentence(hit.start) for hit in found}
        usable = [h for h in [*words, *apps] if not _overlaps_any(h, excluded)]
        terms = {h.word for h in usable if not h.cue_only and h.token not in negated}
        for rule in concern.rules:
            if rule.terms.isdisjoint(terms):
                continue  # none of its terms is here: the rule cannot accept a hit
            cues = _cues_by_sentence(rule, usable, negated, scan)
            for hit in usable:
                if hit.word in rule.terms and not hit.cue_only and hit.token not in negated and (
                    scan.sentence(hit.start) in strong_sentences or any(
                        cue.word != hit.word and not _overlaps(cue, hit)
                        for cue in cues.get(scan.sentence(hit.start), ())
                    )
                ):
                    found.append(hit)
        return found

    def _negated(self, tokens: Sequence[str], index: int) -> bool:
        """Whether the cue at token `index` follows a negator (`不用担心`, `没有什么风险`)."""
        skipped, j = 0, index - 1
        while j >= 0:
            token = tokens[j]
            if token.isspace():
                j -= 1
            elif token in self._negators:
                return not (_is_question(tokens, j) or _is_rhetorical(tokens, index))
            elif token in self._fillers and skipped < 2:
                skipped, j = skipped + 1, j - 1
            else:
                return False
        return False

    def _terms(self, evidence: list[_Hit]) -> tuple[str, ...]:
        words_at: dict[tuple[int, int], list[str]] = {}
        for hit in evidence:
            words_at.setdefault((hit.start, hit.end), []).append(hit.word)
        terms: list[str] = []
        reach = -1
        for start, end in sorted(words_at, key=lambda span: (span[0], -span[1])):
            if end > reach:  # not inside an earlier (or same-start longer) evidence span
                terms.extend(self._spelling.get(word, word) for word in words_at[(start, end)])
            reach = max(reach, end)
        return tuple(dict.fromkeys(terms))


def _is_amount(lowered: str, start: int, unit: int) -> bool:
    """Whether `lowered[start:unit]` is a number (`五百`, `3.5万`, `多` after `3000`)."""
    digits = lowered[start:unit]
    return _NUMERALS.issuperset(digits) and (
        digits[0] in _LEADING or (start > 0 and lowered[start - 1] in _LEADING))


def _cues_by_sentence(
    rule: _Rule, hits: list[_Hit], negated: set[int], scan: _Scan
) -> dict[int, list[_Hit]]:
    """The rule's cues among `hits` that are not negated, by sentence number."""
    cues: dict[int, list[_Hit]] = {}
    for hit in hits:
        is_cue = hit.word in rule.cues or (rule.app_cue and hit.word == APP_CUE)
        if is_cue and hit.token not in negated:
            cues.setdefault(scan.sentence(hit.start), []).append(hit)
    return cues


_QUESTION_ENDS = ("吗", "嘛")
_CLAUSE_ENDS = frozenset("，,。！!；;：:\n")
_RHETORICAL_REACH = 8
"""Tokens after a negated word within which a `吗` makes the clause a question."""


def _is_rhetorical(tokens: Sequence[str], index: int) -> bool:
    """`不是有监管部门吗？`, `没有风险吗`: a question ending in 吗 after the word is no
    negation (rhetorical or not, rule 4: questions are not negations)."""
    for token in tokens[index + 1:index + 1 + _RHETORICAL_REACH]:
        if token in _CLAUSE_ENDS:
            return False
        if token.endswith(_QUESTION_ENDS):
            return True
    return False


def _is_question(tokens: Sequence[str], j: int) -> bool:
    """`会不会`, `有没有`, `是不是`: an A-not-A question, not a negation."""
    negator = tokens[j]
    before = tokens[j - 1] if j > 0 else ""
    after = tokens[j + 1] if j + 1 < len(tokens) else ""
    if before and negator[:1] in "不没" and before == negator[1:]:
        return True
    return bool(before) and negator in ("不", "没") and before[:1] == after[:1]


class _Scan:
    """One text being tagged: lower-cased copy, blocked characters, sentence numbers."""

    def __init__(self, text: str, breaks: tuple[str, ...]) -> None:
        self.text = text
        self.lowered = text.translate(_ASCII_LOWER)
        self._mask = bytearray(len(text))
        ends = {m.end() for b in breaks for m in re.finditer(re.escape(b), text)}
        self._sentence_starts = sorted(ends)

    def block(self, spans: list[tuple[int, int]]) -> None:
        for start, end in spans:
            self._mask[start:end] = b"\1" * (end - start)

    def blocked(self, hit: _Hit) -> bool:
        return any(self._mask[hit.start:hit.end])

    def sentence(self, position: int) -> int:
        return bisect_right(self._sentence_starts, position)

    def offsets(self, tokens: Sequence[str]) -> list[tuple[int, int] | None]:
        """Each token's (start, end) in the text; None for a token not found in order."""
        found: list[tuple[int, int] | None] = []
        position = 0
        for token in tokens:
            start = self.text.find(token, position) if token else -1
            if start < 0:
                found.append(None)
            else:
                position = start + len(token)
                found.append((start, position))
        return found


def _any_of(phrases: Sequence[str], patterns: Sequence[str]) -> re.Pattern[str] | None:
    parts = [re.escape(p) for p in sorted(phrases, key=len, reverse=True)] + list(patterns)
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE) if parts else None


def _dismissals(phrases: Sequence[str], breaks: Sequence[str]) -> re.Pattern[str] | None:
    """A dismissal phrase and the rest of its clause."""
    if not phrases:
        return None
    stop = "|".join(re.escape(b) for b in sorted(set(breaks), key=len, reverse=True))
    start = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(f"(?:{start})(?:(?!{stop}).)*", re.DOTALL)


def _spans(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)] if pattern else []


def _overlaps(a: _Hit, b: _Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _overlaps_any(hit: _Hit, spans: list[tuple[int, int]]) -> bool:
    return any(hit.start < end and start < hit.end for start, end in spans)
