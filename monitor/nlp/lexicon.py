"""The concern lexicon: analyst-editable files in `config/lexicon/`, loaded and validated.

The folder holds (see its README.md for the analyst's guide):

- `context.toml`: what every concern shares: cue sets, negators, dismissals, sentence
  and clause breaks, look-alike exclusions.
- `<concern>.toml`, one per concern in `monitor.types.CONCERNS`: `strong` terms (tag on
  their own, matched anywhere in the text), `strong_patterns` (regular expressions that
  do the same), `[[topic]]` rules (terms that tag only with
  one of their cues in the same sentence, both matched as whole words) and exclusions.
- `userdict.txt`: extra words for the segmenter, jieba's format (`word [freq] [tag]`).

Every problem raises `ConfigError` naming the file and the key (or line). The lexicon's
`hash` (sha256 over the files' names and bytes) goes into the analyzer version, so a
lexicon edit is visible in every analysis it affects.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config import read_toml
from monitor.errors import ConfigError
from monitor.nlp.anchors import anchors
from monitor.nlp.normalize import fold_width
from monitor.types import CONCERNS

CONTEXT_FILE = "context.toml"
USER_DICT_FILE = "userdict.txt"
LEXICON_FILES: tuple[str, ...] = (CONTEXT_FILE, *(f"{c}.toml" for c in CONCERNS), USER_DICT_FILE)
"""Every file the lexicon is made of; exactly these are read and hashed."""

APP_CUE = "{app}"
"""A cue that stands for any alias of a watched app (e.g. `下架` near `ZAO`)."""

_CONTEXT_KEYS = (
    "negators", "negation_fillers", "dismissals", "sentence_breaks", "clause_breaks", "exclude",
    "exclude_patterns", "cue_sets",
)
_CONCERN_KEYS = ("concern", "description", "strong", "strong_patterns", "topic", "exclude",
                 "exclude_patterns")
_TOPIC_KEYS = ("terms", "cues", "cue_sets", "note")


@dataclass(frozen=True)
class TopicRule:
    """Terms that count as evidence only with one of `cues` in the same sentence."""

    terms: tuple[str, ...]
    cues: tuple[str, ...]
    """Literal cues with the referenced cue sets expanded; may contain `APP_CUE`."""


@dataclass(frozen=True)
class ConcernLexicon:
    """One concern's terms, rules and exclusions."""

    concern: str
    strong: tuple[str, ...]
    topics: tuple[TopicRule, ...]
    exclude: tuple[str, ...]
    exclude_patterns: tuple[str, ...]
    strong_patterns: tuple[str, ...] = ()
    """Regular expressions that tag like strong terms (`盗(了)?(我|俺)的?(微博|微信)`)."""


@dataclass(frozen=True)
class UserWord:
    """One segmenter dictionary entry; `freq` None means just enough to keep it whole."""

    word: str
    freq: int | None = None
    tag: str | None = None


@dataclass(frozen=True)
class Lexicon:
    """The whole validated lexicon. `concerns` is in `CONCERNS` order."""

    directory: str
    concerns: tuple[ConcernLexicon, ...]
    negators: tuple[str, ...]
    negation_fillers: tuple[str, ...]
    dismissals: tuple[str, ...]
    sentence_breaks: tuple[str, ...]
    clause_breaks: tuple[str, ...]
    exclude: tuple[str, ...]
    exclude_patterns: tuple[str, ...]
    user_words: tuple[UserWord, ...]
    hash: str

    def segmenter_words(self) -> tuple[UserWord, ...]:
        """Words the segmenter must keep whole: the user dictionary, topic terms and cues."""
        given = {entry.word for entry in self.user_words}
        extra = dict.fromkeys(
            word
            for concern in self.concerns
            for rule in concern.topics
            for word in (*rule.terms, *rule.cues)
            if word != APP_CUE and word not in given
        )
        return (*self.user_words, *(UserWord(word) for word in extra))


def default_lexicon_dir() -> Path:
    """`config/lexicon` next to the `monitor` package (the repository checkout)."""
    return Path(__file__).resolve().parents[2] / "config" / "lexicon"


def lexicon_hash(directory: str | Path) -> str:
    """sha256 (hex) over the names and bytes of the lexicon files in `directory`."""
    digest = hashlib.sha256()
    for name in LEXICON_FILES:
        path = Path(directory) / name
        data = path.read_bytes() if path.is_file() else b"<missing>"
        digest.update(name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def load_lexicon(directory: str | Path | None = None) -> Lexicon:
    """Load and validate the lexicon in `directory` (default: `default_lexicon_dir()`)."""
    folder = Path(directory) if directory else default_lexicon_dir()
    if not folder.is_dir():
        raise ConfigError("lexicon folder not found", path=str(folder))
    _reject_unknown_files(folder)
    context = _read_toml(folder / CONTEXT_FILE)
    ctx = _Table(folder / CONTEXT_FILE, context, "")
    ctx.check_keys(_CONTEXT_KEYS)
    cue_sets = _cue_sets(ctx)
    concerns = tuple(_concern(folder / f"{name}.toml", name, cue_sets) for name in CONCERNS)
    return Lexicon(
        directory=str(folder),
        concerns=concerns,
        negators=ctx.words("negators"),
        negation_fillers=ctx.words("negation_fillers"),
        dismissals=ctx.words("dismissals"),
        sentence_breaks=ctx.words("sentence_breaks"),
        clause_breaks=ctx.words("clause_breaks"),
        exclude=ctx.words("exclude"),
        exclude_patterns=ctx.patterns("exclude_patterns"),
        user_words=_user_words(folder / USER_DICT_FILE),
        hash=lexicon_hash(folder),
    )


def _reject_unknown_files(folder: Path) -> None:
    for path in sorted(folder.glob("*.toml")):
        if path.name not in LEXICON_FILES:
            expected = ", ".join(name for name in LEXICON_FILES if name.endswith(".toml"))
            raise ConfigError(f"unknown lexicon file (expected one of {expected})", path=str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path, missing="lexicon file is missing")


def _cue_sets(ctx: _Table) -> dict[str, tuple[str, ...]]:
    table = ctx.table("cue_sets")
    return {name: table.words(name, allow_app=True) for name in table.data}


def _concern(path: Path, name: str, cue_sets: dict[str, tuple[str, ...]]) -> ConcernLexicon:
    data = _Table(path, _read_toml(path), "")
    data.check_keys(_CONCERN_KEYS)
    declared = data.data.get("concern", name)
    if declared != name:
        raise ConfigError(f"expected {name!r} (the file name), got {declared!r}", path=str(path),
                          key="concern")
    if not isinstance(data.data.get("description", ""), str):
        raise ConfigError("expected a string", path=str(path), key="description")
    strong = data.words("strong")
    topics = tuple(_topic(item, cue_sets) for item in data.tables("topic"))
    _reject_duplicates(path, strong, topics)
    return ConcernLexicon(
        concern=name, strong=strong, topics=topics,
        exclude=data.words("exclude"), exclude_patterns=data.patterns("exclude_patterns"),
        strong_patterns=data.patterns("strong_patterns", anchored=True),
    )


def _topic(rule: _Table, cue_sets: dict[str, tuple[str, ...]]) -> TopicRule:
    rule.check_keys(_TOPIC_KEYS)
    terms = rule.words("terms")
    if not terms:
        raise ConfigError("a topic rule needs at least one term", path=rule.file,
                          key=rule.at("terms"))
    cues = list(rule.words("cues", allow_app=True))
    for i, set_name in enumerate(rule.words("cue_sets")):
        if set_name not in cue_sets:
            known = ", ".join(cue_sets) or "none"
            raise ConfigError(f"unknown cue set {set_name!r} ({CONTEXT_FILE} defines: {known})",
                              path=rule.file, key=rule.at(f"cue_sets[{i}]"))
        cues.extend(cue_sets[set_name])
    if not cues:
        raise ConfigError("a topic rule needs cues or cue_sets", path=rule.file,
                          key=rule.at("cues"))
    return TopicRule(terms=terms, cues=tuple(dict.fromkeys(cues)))


def _reject_duplicates(path: Path, strong: tuple[str, ...], topics: tuple[TopicRule, ...]) -> None:
    seen: dict[str, str] = {term.lower(): "strong" for term in strong}
    for i, rule in enumerate(topics):
        for term in rule.terms:
            where = seen.setdefault(term.lower(), f"topic[{i}].terms")
            if where != f"topic[{i}].terms":
                raise ConfigError(f"term {term!r} is already listed in {where}", path=str(path),
                                  key=f"topic[{i}].terms")


def _user_words(path: Path) -> tuple[UserWord, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError("lexicon file is missing", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not valid UTF-8", path=str(path)) from None
    words = [_user_word(path, n, line) for n, line in enumerate(lines, 1)]
    return tuple(word for word in words if word is not None)


def _user_word(path: Path, number: int, line: str) -> UserWord | None:
    fields = line.split("#", 1)[0].split()
    if not fields:
        return None
    if len(fields) > 3:
        raise ConfigError(f"expected 'word [freq] [tag]', got {line.strip()!r}", path=str(path),
                          key=f"line {number}")
    freq: int | None = None
    if len(fields) > 1:
        if not fields[1].isdigit():
            raise ConfigError(f"expected a whole-number frequency, got {fields[1]!r}",
                              path=str(path), key=f"line {number}")
        freq = int(fields[1])
    return UserWord(fold_width(fields[0]), freq, fields[2] if len(fields) == 3 else None)


class _Table:
    """A TOML table being validated; knows its file and key prefix for error messages."""

    def __init__(self, file: Path | str, data: Any, prefix: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError("expected a table", path=str(file), key=prefix or None)
        self.file, self.data, self.prefix = str(file), data, prefix

    def at(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in allowed:
                raise ConfigError(f"unknown key (expected one of {', '.join(allowed)})",
                                  path=self.file, key=self.at(key))

    def words(self, key: str, *, allow_app: bool = False) -> tuple[str, ...]:
        """A list of words: non-empty, no spaces; folded like normalized text."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise ConfigError(f"expected a list of words, got {value!r}", path=self.file,
                              key=self.at(key))
        return tuple(dict.fromkeys(self._word(item, f"{key}[{i}]", allow_app)
                                   for i, item in enumerate(value)))

    def _word(self, item: Any, key: str, allow_app: bool) -> str:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"expected a non-empty string, got {item!r}", path=self.file,
                              key=self.at(key))
        if any(char.isspace() for char in item):
            raise ConfigError(f"a word cannot contain spaces: {item!r}", path=self.file,
                              key=self.at(key))
        if item == APP_CUE and not allow_app:
            raise ConfigError(f"{APP_CUE} is allowed in cue lists only", path=self.file,
                              key=self.at(key))
        return fold_width(item)

    def patterns(self, key: str, *, anchored: bool = False) -> tuple[str, ...]:
        """A list of regular expressions, each compiled once to check it; `anchored`:
        each must have a fixed word every match contains (`monitor.nlp.anchors`)."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise ConfigError(f"expected a list of patterns, got {value!r}", path=self.file,
                              key=self.at(key))
        for i, item in enumerate(value):
            try:
                if not isinstance(item, str) or not item:
                    raise re.error("expected a non-empty string")
                if re.compile(item).match(""):
                    raise re.error("pattern matches the empty string")
                if anchored and not anchors(item):
                    raise re.error("no fixed word that every match contains: anchor it on a concern "
                                   "word, e.g. 删 in 被.{0,3}删")
            except re.error as exc:
                raise ConfigError(f"bad pattern {item!r}: {exc}", path=self.file,
                                  key=self.at(f"{key}[{i}]")) from None
        return tuple(value)

    def table(self, key: str) -> _Table:
        return _Table(self.file, self.data.get(key, {}), self.at(key))

    def tables(self, key: str) -> list[_Table]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise ConfigError(f"expected an array of tables [[{key}]]", path=self.file,
                              key=self.at(key))
        return [_Table(self.file, item, self.at(f"{key}[{i}]")) for i, item in enumerate(value)]
