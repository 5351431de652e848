"""Word segmentation behind a small `Segmenter` protocol; the only module importing jieba.

Every backend gets the same inputs (the lexicon's `UserWord`s) and returns tokens that
concatenate back to the input text. @mentions and emoticons are cut out before the
backend sees the text and come back as single tokens (`iter_chunks`), so a backend only
segments plain text. A faster jieba-compatible backend plugs in with
`register_segmenter("name", factory)` and `make_segmenter(words, backend="name")`.

jieba is imported and its dictionary loaded lazily, once per process: the first `cut`
pays for it (about a second), `monitor --help` does not. Segmenters pickle without
their loaded state, so worker processes load their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
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


class JiebaSegmenter:
    """jieba (precise mode, HMM on) with the lexicon's words added to its dictionary."""

    backend = "jieba"

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
        if self._tokenizer is None:
            self._tokenizer = _jieba_tokenizer(self.words)
        return list(self._tokenizer.cut(text, HMM=True))

    def __getstate__(self) -> dict[str, Any]:
        return {"words": self.words, "_tokenizer": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


_BACKENDS: dict[str, SegmenterFactory] = {"jieba": JiebaSegmenter}


def register_segmenter(name: str, factory: SegmenterFactory) -> None:
    """Make a backend available to `make_segmenter` under `name`."""
    _BACKENDS[name] = factory


def make_segmenter(words: Sequence[UserWord] = (), backend: str = "jieba") -> Segmenter:
    """A segmenter of the named backend that keeps `words` whole."""
    try:
        factory = _BACKENDS[backend]
    except KeyError:
        known = ", ".join(sorted(_BACKENDS))
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
