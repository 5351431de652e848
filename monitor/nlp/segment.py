"""Word segmentation behind a small `Segmenter` protocol; the only module importing jieba.

Every backend gets the same inputs (the lexicon's `UserWord`s) and returns tokens that
concatenate back to the input text. @mentions and emoticons are cut out before the
backend sees the text and come back as single tokens (`iter_chunks`), so a backend only
segments plain text. Backends, by name (`make_segmenter(words, backend=...)`):

- `jieba`: jieba itself (precise mode, HMM on), the reference.
- `rjieba`: jieba-rs (Rust, through the `rjieba` package), about 15x faster. Same main
  dictionary, same user-dictionary rule, and jieba's own splitting of Latin/digit runs
  (`R-73` is `R`, `-`, `73` in jieba, one token in jieba-rs), so it agrees with jieba
  on all but about 1 in 7,000 real Weibo posts (ties between equally likely cuts of
  runs like `胡胡胡胡琳`); tests/test_nlp_fast.py measures that.
- `auto`: `rjieba` if it is installed, else `jieba`.

Another backend plugs in with `register_segmenter("name", factory)`. A segmenter's
`backend` is the backend that really cuts (never `auto`), so the analyzer version can
name it. Dictionaries load lazily, once per process and word list: the first `cut` pays
for it (about half a second), `monitor --help` does not. Segmenters pickle without
their loaded state, so worker processes load their own.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from monitor.errors import ConfigError
from monitor.nlp.lexicon import UserWord
from monitor.nlp.normalize import iter_chunks


class Segmenter(Protocol):
    """Cuts normalized text into tokens; `"".join(cut(text)) == text`."""

    backend: str

    def cut(self, text: str) -> list[str]:
        """The tokens of `text`, in order, whitespace included."""
        ...


SegmenterFactory = Callable[[Sequence[UserWord]], Segmenter]


class _ChunkedSegmenter:
    """Cuts the unprotected chunks of a text with a lazily loaded tokenizer; @mentions
    and emoticons stay single tokens. Subclasses load and apply their tokenizer."""

    backend = ""

    def __init__(self, words: Sequence[UserWord] = ()) -> None:
        self.words = tuple(words)
        self._tokenizer: Any = None

    def cut(self, text: str) -> list[str]:
        """The tokens of `text`; @mentions and emoticons are single tokens."""
        tokens: list[str] = []
        for chunk, protected in iter_chunks(text):
            if protected:
                tokens.append(chunk)
            else:
                tokens.extend(self._cut_plain(chunk))
        return tokens

    def _cut_plain(self, text: str) -> list[str]:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        return {"words": self.words, "_tokenizer": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


class JiebaSegmenter(_ChunkedSegmenter):
    """jieba (precise mode, HMM on) with the lexicon's words added to its dictionary."""

    backend = "jieba"

    def _cut_plain(self, text: str) -> list[str]:
        if self._tokenizer is None:
            self._tokenizer = _jieba_tokenizer(self.words)
        return list(self._tokenizer.cut(text, HMM=True))


_HAN = re.compile("[\u4e00-\u9fd5]")
_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
"""jieba.finalseg's split of a run of non-Chinese characters."""
_LATIN_RUN = re.compile(r"[a-zA-Z0-9+#&._%\-]{2,}")
"""Two or more of the non-Chinese characters jieba segments as words: only text with
such a run can be cut differently by jieba-rs."""


class RjiebaSegmenter(_ChunkedSegmenter):
    """jieba-rs (the `rjieba` package) with jieba's user-dictionary rule and jieba's
    split of Latin/digit runs, so that it cuts like `JiebaSegmenter`, faster."""

    backend = "rjieba"

    def _cut_plain(self, text: str) -> list[str]:
        if self._tokenizer is None:
            self._tokenizer = _rjieba_tokenizer(self.words)
        tokens: list[str] = self._tokenizer.cut(text, True)
        return _split_like_jieba(tokens, self._tokenizer) if _LATIN_RUN.search(text) else tokens


def _split_like_jieba(tokens: list[str], tokenizer: Any) -> list[str]:
    """jieba cuts a run of non-Chinese characters that is no dictionary word with
    `finalseg.re_skip` (`1.5MW` is `1.5`, `MW`); jieba-rs keeps such a run whole."""
    split: list[str] = []
    for token in tokens:
        if len(token) > 1 and not _HAN.search(token) and not tokenizer.has_word(token):
            split.extend(piece for piece in _SKIP.split(token) if piece)
        else:
            split.append(token)
    return split


_BACKENDS: dict[str, SegmenterFactory] = {"jieba": JiebaSegmenter, "rjieba": RjiebaSegmenter}
AUTO = "auto"
"""The backend name that picks the fastest installed jieba-compatible backend."""


def register_segmenter(name: str, factory: SegmenterFactory) -> None:
    """Make a backend available to `make_segmenter` under `name`."""
    _BACKENDS[name] = factory


def fast_backend_installed() -> bool:
    """Whether the `rjieba` package can be imported."""
    return importlib.util.find_spec("rjieba") is not None


def resolve_backend(backend: str) -> str:
    """The backend that `backend` names: `auto` is `rjieba` if installed, else `jieba`."""
    if backend != AUTO:
        return backend
    return "rjieba" if fast_backend_installed() else "jieba"


def make_segmenter(words: Sequence[UserWord] = (), backend: str = "jieba") -> Segmenter:
    """A segmenter of the named backend (or `auto`) that keeps `words` whole."""
    backend = resolve_backend(backend)
    if backend == "rjieba" and not fast_backend_installed():
        raise ConfigError("segmenter backend 'rjieba' is not installed (pip install rjieba), "
                          "or choose 'auto' to fall back to jieba")
    try:
        factory = _BACKENDS[backend]
    except KeyError:
        known = ", ".join(sorted([*_BACKENDS, AUTO]))
        raise ConfigError(
            f"unknown segmenter backend {backend!r} (expected one of {known})"
        ) from None
    return factory(words)


_lock = threading.Lock()
_base: Any = None
_tokenizers: dict[tuple[UserWord, ...], Any] = {}


def _jieba_tokenizer(words: tuple[UserWord, ...]) -> Any:
    """A jieba Tokenizer with `words` added, built once per distinct word list."""
    with _lock:
        if words not in _tokenizers:
            _tokenizers[words] = _build_tokenizer(words)
        return _tokenizers[words]


def _build_tokenizer(words: tuple[UserWord, ...]) -> Any:
    global _base
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on stderr
    if _base is None:
        _base = jieba.Tokenizer()
        _base.initialize()
    tokenizer = jieba.Tokenizer()
    # Copy the loaded main dictionary instead of loading it again for each word list.
    tokenizer.FREQ, tokenizer.total = dict(_base.FREQ), _base.total
    tokenizer.initialized = True
    for entry in words:
        if entry.freq is not None:
            tokenizer.add_word(entry.word, entry.freq, entry.tag)
            continue
        # Just enough weight to keep the word whole; never lower a dictionary word's.
        needed = tokenizer.suggest_freq(entry.word, False)
        if needed > tokenizer.FREQ.get(entry.word, 0):
            tokenizer.add_word(entry.word, needed, entry.tag)
    return tokenizer


_rjieba_tokenizers: dict[tuple[UserWord, ...], Any] = {}


def _rjieba_tokenizer(words: tuple[UserWord, ...]) -> Any:
    """An rjieba Jieba with `words` added, built once per distinct word list."""
    with _lock:
        if words not in _rjieba_tokenizers:
            _rjieba_tokenizers[words] = _build_rjieba(words)
        return _rjieba_tokenizers[words]


def _build_rjieba(words: tuple[UserWord, ...]) -> Any:
    """jieba-rs with `words` added exactly as `_build_tokenizer` adds them to jieba.

    jieba-rs differs from jieba in details that change cuts: its `suggest_freq` rounds
    differently (one more or less), its `add_word` takes a re-added word's old
    frequency off the dictionary total, which jieba does not, and jieba counts a word
    its dictionary lists twice (`B超`) twice in the total. So the frequencies
    are computed here by jieba's formula (`_JiebaBook`), and the total jieba would have
    is reached by giving the difference to a word no text can contain (Private Use
    characters, which jieba-rs never looks up). Without jieba's dictionary file the
    words are added by jieba-rs's own rule.
    """
    import rjieba

    tokenizer = rjieba.Jieba()
    book = _JiebaBook.read(words)
    if book is not None and book.surplus:
        tokenizer.add_word(_TOTAL_WORD, book.surplus, None)
    for entry in words:
        if book is None:
            freq = entry.freq if entry.freq is not None else tokenizer.suggest_freq(entry.word)
            tokenizer.add_word(entry.word, freq, entry.tag)
            continue
        if entry.freq is not None:
            freq = entry.freq
        else:
            freq = book.suggest_freq(entry.word, tokenizer.cut(entry.word, False))
            if freq <= book.freqs.get(entry.word, 0):
                continue  # jieba keeps the word as it is
        book.add_word(entry.word, freq)
        tokenizer.add_word(entry.word, freq, entry.tag)
        if book.surplus:
            tokenizer.add_word(_TOTAL_WORD, book.surplus, None)
    return tokenizer


def dictionary_frequencies(words: Iterable[str]) -> dict[str, int]:
    """How often each of `words` occurs as a word in jieba's main dictionary (the
    counts it segments by); a word the dictionary lacks, or every word if jieba's
    dictionary file is not installed, is left out."""
    wanted = {word for word in words if word}
    text = _main_dictionary()
    if not wanted or text is None:
        return {}
    return {word: int(freq) for word, freq in _DICT_LINE.findall(text) if word in wanted}


def _main_dictionary() -> str | None:
    """The text of jieba's main dictionary file (None if jieba is not installed)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        return None
    try:
        return Path(spec.origin).with_name("dict.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


_TOTAL_WORD = "\ue000\ue001"
_DICT_LINE = re.compile(r"^(\S+) (\d+)", re.MULTILINE)
_MAX_WORD = 16
"""User words longer than this are looked up whole, without their parts."""


class _JiebaBook:
    """What jieba's `Tokenizer` would know about the user words and their parts: their
    frequencies (0 for a part that is only the start of a longer word), the total, and
    how much more that total is than jieba-rs's."""

    def __init__(self, freqs: dict[str, int], total: int) -> None:
        self.freqs, self.total, self.surplus = freqs, total, 0

    @classmethod
    def read(cls, words: Sequence[UserWord]) -> _JiebaBook | None:
        """The book for `words`, from jieba's dictionary file (None if not installed)."""
        text = _main_dictionary()
        if text is None:
            return None
        wanted = {w.word[i:j] for w in words for i in range(len(w.word))
                  for j in range(i + 1, min(len(w.word), i + _MAX_WORD) + 1)}
        pairs = _DICT_LINE.findall(text)
        seen = dict(pairs)  # a word listed twice keeps its last frequency, as in jieba-rs
        total = sum(map(int, [freq for _, freq in pairs]))
        freqs = {part: int(seen[part]) for part in wanted if part in seen}
        ordered = sorted(seen)
        for part in wanted.difference(freqs):
            i = bisect_left(ordered, part)
            if i < len(ordered) and ordered[i].startswith(part):
                freqs[part] = 0  # jieba keeps the start of every word, at frequency 0
        book = cls(freqs, total)
        # jieba counts a word listed twice (`B超`) twice in the total, jieba-rs once.
        book.surplus = total - sum(map(int, seen.values()))
        return book

    def suggest_freq(self, word: str, parts: list[str]) -> int:
        """jieba's `suggest_freq(word, tune=False)`, given jieba's cut of `word` without HMM."""
        ftotal = float(self.total)
        freq = 1.0
        for part in parts:
            freq *= self.freqs.get(part, 1) / ftotal
        return max(int(freq * self.total) + 1, self.freqs.get(word, 1))

    def add_word(self, word: str, freq: int) -> None:
        """jieba's `add_word`: the total grows by `freq`, the old frequency stays in it."""
        self.surplus += self.freqs.get(word, 0)
        self.total += freq
        self.freqs[word] = freq
        for k in range(1, len(word)):
            self.freqs.setdefault(word[:k], 0)
