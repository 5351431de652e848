"""The NLP stage as one object: text in, `Analysis` out; JSONL records in, records out.

`make_analyzer(apps, settings.nlp)` wires normalize → segment → tag concerns → match
apps → sentiment. Its `version` (`a1-<model>-<lexicon hash[:12]>`) changes whenever
the sentiment model or any lexicon file changes, so stored analyses can be told apart
and redone.

`analyze_records` implements the `monitor analyze` contract (DESIGN.md, "Analysis
records"): one output record per input line, in order; a bad line gives
`{"id"?, "error": "line N: reason"}` and processing goes on. Its two halves,
`parse_line` and `analysis_record`, are public so a parallel runner can reuse them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config import NlpSettings
from monitor.errors import RecordError
from monitor.nlp.apps import AppMatcher
from monitor.nlp.lexicon import Lexicon, default_lexicon_dir, load_lexicon
from monitor.nlp.normalize import normalize
from monitor.nlp.segment import Segmenter, make_segmenter
from monitor.nlp.sentiment import NEUTRAL, SentimentModel, load_sentiment_model
from monitor.nlp.tagger import Tagger
from monitor.types import Analysis, App

ANALYZER_SCHEME = "a1"
"""Bumped when the analyzer's own logic changes in a way that changes results."""
MAX_TEXT_CHARS = 100_000
SENTIMENT_MAX_CHARS = 2_000
"""Only the start of a very long text is scored (SnowNLP takes ~30 s on 100k chars)."""


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
        model: SentimentModel, nlp: NlpSettings,
    ) -> None:
        self.lexicon, self.segmenter, self.tagger = lexicon, segmenter, tagger
        self.apps, self.model, self.nlp = apps, model, nlp
        self.version = f"{ANALYZER_SCHEME}-{model.name}-{lexicon.hash[:12]}"

    def analyze(self, text: str) -> Analysis:
        """The analysis of one post body (HTML or plain text)."""
        clean = normalize(text)
        concerns, terms = self.tagger.tag(clean, self.segmenter.cut(clean))
        sentiment = _clamp(self.model.score(clean[:SENTIMENT_MAX_CHARS]))
        return Analysis(
            concerns=concerns,
            sentiment=sentiment,
            polarity=polarity(sentiment, self.nlp),
            apps=self.apps.match(clean),
            terms=terms,
            analyzer_version=self.version,
        )

    def analyze_records(self, lines: Iterable[str | bytes]) -> Iterator[dict[str, Any]]:
        """One analysis (or error) record per JSONL input line, in input order."""
        for number, line in enumerate(lines, 1):
            parsed = parse_line(line, number)
            if parsed.text is None:
                yield {**parsed.head, "error": parsed.error}
            else:
                yield analysis_record(self.analyze(parsed.text), parsed.head)


def make_analyzer(
    apps: Sequence[App], nlp: NlpSettings, model: SentimentModel | None = None,
    *, backend: str = "jieba",
) -> Analyzer:
    """An analyzer for the watched `apps` with the lexicon and thresholds of `nlp`.

    `model` defaults to SnowNLP; `backend` names the segmenter backend. Raises
    `ConfigError` (naming file and key) if the lexicon is invalid.
    """
    lexicon = load_lexicon(lexicon_dir(nlp))
    matcher = AppMatcher(apps)
    return Analyzer(
        lexicon=lexicon,
        segmenter=make_segmenter(lexicon.segmenter_words(), backend),
        tagger=Tagger(lexicon, matcher),
        apps=matcher,
        model=model if model is not None else load_sentiment_model("snownlp"),
        nlp=nlp,
    )


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


def parse_line(line: str | bytes, number: int) -> ParsedLine:
    """Parse input line `number` (1-based) into its id and text, or an error message."""
    head: dict[str, Any] = {}
    try:
        record = _decode(line, number)
        if "id" in record:
            head["id"] = _checked_id(record["id"])
        return ParsedLine(head, text=_checked_text(record))
    except RecordError as exc:
        return ParsedLine(head, error=f"line {number}: {exc}")


def _decode(line: str | bytes, number: int) -> dict[str, Any]:
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecordError(f"not valid UTF-8 at byte {exc.start + 1}") from None
    if number == 1:
        line = line.removeprefix("\ufeff")
    if not line.strip():
        raise RecordError("empty line")
    if _has_surrogates(line):
        raise RecordError("not valid UTF-8")
    try:
        record = json.loads(line, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise RecordError(f"not valid JSON{where}") from None
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {_json_kind(record)}")
    return record


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity could not be written back


def _checked_id(value: Any) -> Any:
    if isinstance(value, str) and _has_surrogates(value):
        raise RecordError('"id" is not valid Unicode')
    return value


def _checked_text(record: dict[str, Any]) -> str:
    if "text" not in record:
        raise RecordError('missing "text"')
    text = record["text"]
    if not isinstance(text, str):
        raise RecordError(f'"text" must be a string, got {_json_kind(text)}')
    if not text.strip():
        raise RecordError('"text" is empty')
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(f'"text" is too long ({len(text)} characters, limit {MAX_TEXT_CHARS})')
    if _has_surrogates(text):
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
