"""The NLP stage as one object: text in, `Analysis` out; JSONL records in, records out.

`make_analyzer(apps, settings.nlp)` wires normalize → segment → tag concerns → match
apps → sentiment, with the sentiment model (`nlp.model`, default the Weibo model) and
the segmenter backend (`nlp.segmenter`, default `auto`) the settings name. With
`nlp.concern_model` on (the default) the learned concern model's concerns join the
lexicon's (`terms` stay the lexicon's evidence). Both models read the text without the
watched apps' names, which are no evidence of a concern or a mood. Its `version`,
`a2-<model>-<tagging hash[:12]>-<segmenter backend>-<thresholds>` (the tagging hash:
the lexicon's, or one of the lexicon's and the concern model's), changes whenever
anything that changes results does: the models, a lexicon file, the backend (jieba-rs
cuts a few texts differently from jieba) or the polarity thresholds (stored analyses
keep their polarity). So stored analyses can be told apart and redone.

`analyze_many` is the fast path, used by `monitor analyze` and the database path alike;
`analyze(text)` gives the same result for one text. What makes it fast:

- sentiment is scored a batch at a time (`WeiboSentiment.score_many`), and with the
  concern model in the same pass over each text's n-grams (`score_and_flag`);
- a text that holds no strong term, and no topic term together with one of its rule's
  cues, cannot raise a concern (`_ConcernFilter`), so it is neither segmented nor
  tagged: for most texts one regular expression over the lower-cased text decides, and
  one more whether app matching is needed. The tests check that this never changes a
  result (tests/test_nlp_fast.py).

`analyze_records` / `analyze_lines` implement the `monitor analyze` contract (DESIGN.md,
"Analysis records"): one output record per input line, in order; a bad line gives
`{"id"?, "error": "line N: reason"}` and processing goes on. Their halves, `parse_line`
and `analysis_record`, are public so the parallel runner (`monitor.nlp.runner`) reuses
them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from monitor.config import NlpSettings
from monitor.errors import ConfigError, RecordError
from monitor.nlp.anchors import AnchoredPattern, KeyIndex, rarest_group, word_finder
from monitor.nlp.apps import AppMatcher
from monitor.nlp.concern_model import ConcernModel
from monitor.nlp.lexicon import APP_CUE, Lexicon, default_lexicon_dir, load_lexicon
from monitor.nlp.normalize import normalize
from monitor.nlp.segment import Segmenter, dictionary_frequencies, make_segmenter
from monitor.nlp.sentiment import NEUTRAL, SentimentModel, load_sentiment_model, score_texts
from monitor.nlp.tagger import Tagger
from monitor.nlp.weibo_sentiment import WeiboSentiment
from monitor.types import CONCERNS, Analysis, App

log = logging.getLogger(__name__)

ANALYZER_SCHEME = "a2"
"""Bumped when the analyzer's own logic changes in a way that changes results (a2: the
sentiment model reads posts without the watched apps' names)."""
VERSION_LENGTH = 64
"""The longest version the store keeps; a longer one ends in a hash instead."""
MAX_TEXT_CHARS = 100_000
MAX_LINE_BYTES = 4 << 20
"""An input line longer than this (4 MiB) is an error record; it is never held whole."""
SENTIMENT_MAX_CHARS = 2_000
"""Only the start of a very long text is scored (SnowNLP takes ~30 s on 100k chars)."""
BATCH = 512
"""Texts per `analyze_many` batch in `analyze_records`."""


class LongLine(NamedTuple):
    """An input line too long to read whole: only its size in bytes is known."""

    size: int


@dataclass(frozen=True)
class ParsedLine:
    """One input line: `head` is `{"id": ...}` if the record had an id, else `{}`;
    exactly one of `text` and `error` is set."""

    head: dict[str, Any]
    text: str | None = None
    error: str | None = None


class Analyzer:
    """Analyzes texts with one lexicon, segmenter, app list and sentiment model."""

    def __init__(
        self, *, lexicon: Lexicon, segmenter: Segmenter, tagger: Tagger, apps: AppMatcher,
        model: SentimentModel, nlp: NlpSettings, concern_model: ConcernModel | None = None,
    ) -> None:
        self.lexicon, self.segmenter, self.tagger = lexicon, segmenter, tagger
        self.apps, self.model, self.nlp = apps, model, nlp
        self.concern_model = concern_model
        self.version = analyzer_version(model.name, lexicon.hash, segmenter.backend, nlp,
                                        concern_model.sha256 if concern_model else None)
        self._app_hint = word_finder(alias for app in apps.apps for alias in (app.name, *app.aliases))
        self._concerns = _ConcernFilter(lexicon, tagger.strong_patterns, self._app_hint)

    def analyze(self, text: str) -> Analysis:
        """The analysis of one post body (HTML or plain text)."""
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: Sequence[str]) -> list[Analysis]:
        """The analyses of many post bodies, in order (each as `analyze` gives it)."""
        cleans = [normalize(text) for text in texts]
        lowereds = [clean.lower() for clean in cleans]
        named = [_may_match(self._app_hint, lowered) for lowered in lowereds]  # a watched app?
        inputs = [self._without_apps(clean[:SENTIMENT_MAX_CHARS]) if app else clean[:SENTIMENT_MAX_CHARS]
                  for clean, app in zip(cleans, named, strict=True)]
        learned: list[tuple[str, ...]]
        if self.concern_model and isinstance(self.model, WeiboSentiment):
            scores, masks = self.model.score_and_flag(inputs, self.concern_model.columns)
            learned = [self.concern_model.concerns_of(mask) for mask in masks]
        else:
            scores = score_texts(self.model, inputs)
            learned = self.concern_model.find_many(inputs) if self.concern_model else [()] * len(inputs)
        return [self._analysis(clean, lowered, app, _clamp(score), found)
                for clean, lowered, app, score, found in zip(cleans, lowereds, named, scores, learned, strict=True)]

    def _analysis(self, clean: str, lowered: str, app: bool, sentiment: float,
                  learned: tuple[str, ...]) -> Analysis:
        """`lowered`: `clean.lower()`; `app`: whether it may name a watched app."""
        concerns: tuple[str, ...] = ()
        terms: tuple[str, ...] = ()
        if self._concerns.may_raise(clean, lowered):
            concerns, terms = self.tagger.tag(clean, self.segmenter.cut(clean))
        if learned and not set(learned) <= set(concerns):
            # The model's concerns join the lexicon's; `terms` stay the lexicon's evidence.
            concerns = tuple(c for c in CONCERNS if c in concerns or c in learned)
        return Analysis(
            concerns=concerns,
            sentiment=sentiment,
            polarity=polarity(sentiment, self.nlp),
            apps=self.apps.match(clean) if app else (),
            terms=terms,
            analyzer_version=self.version,
        )

    def _without_apps(self, clean: str) -> str:
        """`clean` with each watched app's alias replaced by a space, as the sentiment and
        concern models read it: as for the lexicon, an app's name (`ZAO换脸`, `逢脸造戏`)
        is no evidence of a concern, nor of a mood."""
        for start, end, _ in reversed(self.apps.spans(clean)):
            clean = f"{clean[:start]} {clean[end:]}"
        return clean

    def analyze_lines(self, lines: Sequence[str | bytes | LongLine], first: int = 1) -> list[dict[str, Any]]:
        """One analysis (or error) record per JSONL input line; `first` numbers the first."""
        parsed = [parse_line(line, number) for number, line in enumerate(lines, first)]
        texts = [item.text for item in parsed if item.text is not None]
        analyses = iter(self._analyze_safely(texts))
        return [
            {**item.head, "error": item.error} if item.text is None
            else _record_or_error(next(analyses), item.head)
            for item in parsed
        ]

    def _analyze_safely(self, texts: list[str]) -> list[Analysis | str]:
        """`analyze_many`; if it fails, each text alone, a failure becoming its error."""
        try:
            return list(self.analyze_many(texts))
        except Exception:  # noqa: BLE001 (a bug must cost one record, not the run)
            log.exception("analyzing a batch failed; analyzing its texts one by one")
        results: list[Analysis | str] = []
        for text in texts:
            try:
                results.append(self.analyze(text))
            except Exception as exc:  # noqa: BLE001
                results.append(f"cannot analyze: {type(exc).__name__}: {exc}")
        return results

    def analyze_records(self, lines: Iterable[str | bytes | LongLine]) -> Iterator[dict[str, Any]]:
        """One analysis (or error) record per JSONL input line, in input order."""
        source = iter(lines)
        first = 1
        while chunk := list(islice(source, BATCH)):
            yield from self.analyze_lines(chunk, first)
            first += len(chunk)


def _record_or_error(result: Analysis | str, head: dict[str, Any]) -> dict[str, Any]:
    return analysis_record(result, head) if isinstance(result, Analysis) else {**head, "error": result}


def _may_match(hint: re.Pattern[str] | None, lowered: str) -> bool:
    return hint is None or hint.search(lowered) is not None


class _ConcernFilter:
    """Whether a text may raise a concern at all, from the words it contains.

    The tagger's evidence is a strong term, or a topic term with one of its rule's cues
    (or the `{app}` cue, or a strong term of its concern) in the same sentence, all of
    them words of the text. So a text with no strong term and no rule whose term and
    one of whose cues it both contains raises none, whatever its segmentation: it is
    neither segmented nor tagged. Each test is a plain substring search of the
    lower-cased text (blocking, negation and sentences only ever remove evidence).
    A strong pattern is evidence too: a text that holds the anchors of one
    (`monitor.nlp.anchors`) may raise a concern if the pattern matches it. One
    `KeyIndex` finds the strong terms, topic terms and rarest pattern anchors a text holds;
    only what it finds is checked further.
    """

    def __init__(self, lexicon: Lexicon, patterns: Sequence[AnchoredPattern],
                 app_hint: re.Pattern[str] | None) -> None:
        """`patterns`: every strong pattern of `lexicon`, compiled (the tagger's)."""
        concerns = lexicon.concerns
        strong = [(word,) for c in concerns for word in c.strong]
        rules = [rule for c in concerns for rule in c.topics]
        self.cues = [(word_finder(q for q in r.cues if q != APP_CUE), APP_CUE in r.cues) for r in rules]
        self.patterns = patterns
        anchor_words = {w for p in self.patterns for group in p.anchors for w in group}
        words = {w for key in (*strong, *(rule.terms for rule in rules)) for w in key} | anchor_words
        frequencies = dictionary_frequencies(anchor_words | {char for word in words for char in word})
        # One index for every kind of evidence: strong terms, then the topic rules' terms,
        # then each strong pattern's rarest anchor group; searched by rare characters.
        self.keys = KeyIndex([*strong, *(rule.terms for rule in rules),
                              *(rarest_group(p.anchors, frequencies) for p in self.patterns)],
                             {word: count for word, count in frequencies.items() if len(word) == 1})
        self.first_rule = len(strong)
        self.first_pattern = len(strong) + len(rules)
        self.app_hint = app_hint
        self.exact = self.keys.exact and all(cues is not None for cues, _ in self.cues) and all(
            p.anchors for p in self.patterns)

    def may_raise(self, clean: str, lowered: str) -> bool:
        """False only if the normalized text `clean` (`lowered`: its `str.lower()`) cannot
        raise a concern."""
        if not self.exact:
            return True
        for i in self.keys.hits(lowered):  # most texts: none, after one search
            if i < self.first_rule:
                return True  # a strong term
            if i < self.first_pattern:
                cues, app_cue = self.cues[i - self.first_rule]
                if _may_match(cues, lowered) or (app_cue and _may_match(self.app_hint, lowered)):
                    return True
            else:
                pattern = self.patterns[i - self.first_pattern]
                if pattern.may_match(lowered) and pattern.regex.search(clean):
                    return True
        return False


def analyzer_version(model: str, lexicon_hash: str, backend: str, nlp: NlpSettings,
                     concern_model: str | None = None) -> str:
    """`a2-<model>-<tagging hash[:12]>-<backend>-n<negative_below>p<positive_above>`; if
    that is longer than `VERSION_LENGTH`, its end is replaced by a hash of the whole.

    The tagging hash is the lexicon hash, or with the concern model on (`concern_model`:
    its file's SHA-256) the SHA-256 of `<lexicon hash>+<concern model hash>`."""
    tagging = (hashlib.sha256(f"{lexicon_hash}+{concern_model}".encode()).hexdigest()
               if concern_model else lexicon_hash)
    version = (f"{ANALYZER_SCHEME}-{model}-{tagging[:12]}-{backend}"
               f"-n{nlp.negative_below:g}p{nlp.positive_above:g}")
    if len(version) <= VERSION_LENGTH:
        return version
    digest = hashlib.sha256(version.encode()).hexdigest()[:16]
    return f"{version[:VERSION_LENGTH - 17]}-{digest}"


def make_analyzer(
    apps: Sequence[App], nlp: NlpSettings, model: SentimentModel | None = None,
    *, backend: str | None = None,
) -> Analyzer:
    """An analyzer for the watched `apps` with the lexicon, model, segmenter and
    thresholds of `nlp`.

    `model` (an instance) overrides `nlp.model`, `backend` overrides `nlp.segmenter`.
    Raises `ConfigError` (naming file and key) if the lexicon is invalid or the model
    or backend is unknown.
    """
    lexicon = load_lexicon(lexicon_dir(nlp))
    matcher = AppMatcher(apps)
    with _setting("nlp.segmenter"):
        segmenter = make_segmenter(lexicon.segmenter_words(), backend or nlp.segmenter)
    with _setting("nlp.model"):
        model = model if model is not None else load_sentiment_model(nlp.model)
    with _setting("nlp.concern_model"):
        concern_model = ConcernModel() if nlp.concern_model else None
    return Analyzer(lexicon=lexicon, segmenter=segmenter, tagger=Tagger(lexicon, matcher),
                    apps=matcher, model=model, nlp=nlp, concern_model=concern_model)


@contextmanager
def _setting(key: str) -> Iterator[None]:
    """Name the setting in a `ConfigError` that has no key of its own."""
    try:
        yield
    except ConfigError as exc:
        if exc.key or exc.path:
            raise
        raise ConfigError(str(exc), key=key) from None


def lexicon_dir(nlp: NlpSettings) -> Path:
    """`nlp.lexicon_dir` if set (the config loader makes a relative one relative to the
    config file; one still relative here is taken from the working directory), else the
    repository's `config/lexicon`."""
    return Path(nlp.lexicon_dir) if nlp.lexicon_dir else default_lexicon_dir()


def polarity(sentiment: float, nlp: NlpSettings) -> str:
    """`negative` below `nlp.negative_below`, `positive` above `nlp.positive_above`."""
    if sentiment < nlp.negative_below:
        return "negative"
    if sentiment > nlp.positive_above:
        return "positive"
    return "neutral"


def analysis_record(analysis: Analysis, head: dict[str, Any]) -> dict[str, Any]:
    """The output record of one analysis; `head` carries the input's id, if any."""
    return {
        **head,
        "concerns": list(analysis.concerns),
        "sentiment": analysis.sentiment,
        "polarity": analysis.polarity,
        "apps": list(analysis.apps),
        "terms": list(analysis.terms),
    }


def parse_line(line: str | bytes | LongLine, number: int) -> ParsedLine:
    """Parse input line `number` (1-based) into its id and text, or an error message."""
    head: dict[str, Any] = {}
    if isinstance(line, LongLine):
        return ParsedLine(head, error=f"line {number}: line is too long ({line.size} bytes, "
                                      f"limit {MAX_LINE_BYTES})")
    try:
        record, escapes = _decode(line, number)
        if "id" in record:
            head["id"] = _checked_id(record["id"])
        return ParsedLine(head, text=_checked_text(record, escapes))
    except RecordError as exc:
        return ParsedLine(head, error=f"line {number}: {exc}")


def _decode(line: str | bytes, number: int) -> tuple[dict[str, Any], bool]:
    """The line's JSON object, and whether the line may hold a `\\u` escape (only then can
    a decoded string hold a lone surrogate)."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")  # valid UTF-8 holds no surrogate
        except UnicodeDecodeError as exc:
            raise RecordError(f"not valid UTF-8 at byte {exc.start + 1}") from None
    elif _has_surrogates(line):
        raise RecordError("not valid UTF-8")
    if number == 1:
        line = line.removeprefix("\ufeff")
    if not line.strip():
        raise RecordError("empty line")
    try:
        record = _DECODER.decode(line)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise RecordError(f"not valid JSON{where}") from None
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {_json_kind(record)}")
    return record, "\\u" in line


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity could not be written back


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
"""Made once: `json.loads` with any option builds a new decoder per call."""


def _checked_id(value: Any) -> Any:
    if isinstance(value, str) and _has_surrogates(value):
        raise RecordError('"id" is not valid Unicode')
    return value


def _checked_text(record: dict[str, Any], escapes: bool = True) -> str:
    if "text" not in record:
        raise RecordError('missing "text"')
    text = record["text"]
    if not isinstance(text, str):
        raise RecordError(f'"text" must be a string, got {_json_kind(text)}')
    if not text.strip():
        raise RecordError('"text" is empty')
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(f'"text" is too long ({len(text)} characters, limit {MAX_TEXT_CHARS})')
    if escapes and _has_surrogates(text):
        raise RecordError('"text" is not valid Unicode (lone surrogate)')
    return text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_kind(value: Any) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             type(None): "null", int: "a number", float: "a number"}
    return kinds.get(type(value), type(value).__name__)


def _clamp(score: float) -> float:
    if math.isnan(score):
        return NEUTRAL
    return round(min(1.0, max(0.0, float(score))), 4)
