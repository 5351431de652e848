"""Text normalization: a Weibo post body in, the text every NLP step reads out.

`normalize` is idempotent and never raises. What it does, in order:

1. HTML to visible text (`monitor.text.html_to_text`): emoticon images keep their
   `alt` (`[哈哈]`), links keep their visible text. An `@name` link gets a space after
   it so the mention cannot run into the following words.
2. Whitespace: zero-width characters and other control characters go, every other
   kind of space becomes a plain space, line breaks stay.
3. Full-width folding (NFKC-style) of ASCII letters, digits and symbols: `ＺＡＯ` →
   `ZAO`, `＠` → `@`, `［哈哈］` → `[哈哈]`. The full-width forms that are ordinary
   Chinese punctuation (，！？：；（）～) stay as they are, as do 。、【】「」.
4. URLs (`http(s)://...`) are removed; Weibo's visible link text (`网页链接`) stays.
5. Repost chains: `//@name:` / `//@name：` markers become ` //@name: `, so each
   reposter's comment is its own clause.
6. Markup neutralization: `<` before a letter and `&` before a letter, digit or `#`
   become full-width, so the output can never be read as HTML again.

`@mentions` and emoticons stay in the text; `protected_spans` finds them so the
tagger never takes a user name (`@隐私保护协会`) or an emoticon as concern evidence,
and the segmenter keeps each one as a single token.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from monitor.text import html_to_text

_MENTION_STOPS = (
    "说|连|都|被|把|也|还|又|太|就|才|你|我|他|她|这|那|是|在|和|跟|给|的|了|吗|呢|啊|吧"
)
MENTION = re.compile(
    r"(?:(?<![A-Za-z0-9_.])@|@(?![A-Za-z0-9_.\-]))"
    r"(?:[\w\-]{1,30}(?=[ \n:：@\[/(（]|//)"  # a name that ends where names end
    r"|[\w\-]{1,8}(?![\w\-])"  # a short name at the end of a clause is taken whole
    rf"|[\w\-]{{2,15}}?(?=(?:{_MENTION_STOPS}))"  # plain text: the name runs into words
    r"|[\w\-]{1,15}(?![\w\-])|[\w\-]{1,15})"
)
"""An @mention: Weibo names are letters (any script), digits, `_` and `-`, at most 30
units (a Chinese character counts two). After a Latin letter or digit only a name
starting with another script counts (`by@中国之声`), so `abc@qq.com` is an e-mail
address, not a mention.

A name usually ends at a space, a colon, an emoticon or another mention. In plain text
it may run straight into the comment (`@带着微博去旅行连微博都盗`). A run of up to 8
characters is taken whole (most names are that short: `@真真的流水木马`); a longer one
ends before the first common function word after its second character (说, 连, 都, 被,
的, 你, 我, ...), or after 15 characters at most, so the words that follow still count."""

EMOTICON = re.compile(r"\[[\u4e00-\u9fffA-Za-z0-9]{1,6}\]")
"""A Weibo emoticon as its alt text: `[哈哈]`, `[doge]`, `[笑cry]`."""

_PROTECTED = re.compile(f"{MENTION.pattern}|{EMOTICON.pattern}")
_HTML_MENTION_END = re.compile(r"(>@[^<>]{1,40}?)</a>")
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+", re.IGNORECASE)
_CHAIN = re.compile(r"//\s*(@[\w\-]{1,30})\s*[:：]\s*")
_MARKUP = re.compile(r"<(?=[A-Za-z/!])|&(?=[#A-Za-z0-9])")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_OTHER_SPACE = re.compile(
    "[\t\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
"""Control characters, and lone surrogates (they cannot be written as UTF-8)."""
_RUN_OF_SPACES = re.compile(" {2,}")
_KEEP_FULL_WIDTH = set("！（），：；？～＜＞＆")
"""Full-width forms kept: Chinese punctuation, and the markup characters (see step 6)."""


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {0x3000: " "}
    for code in [*range(0xFF01, 0xFF5F), *range(0xFFE0, 0xFFE7)]:
        char = chr(code)
        if char not in _KEEP_FULL_WIDTH:
            table[code] = unicodedata.normalize("NFKC", char)
    return table


_FOLD = _fold_table()
_FOLDABLE = re.compile("[" + "".join(map(chr, sorted(_FOLD))) + "]")
"""Any character `_FOLD` changes: most texts have none, and a regex search is much
cheaper than `str.translate` with a table."""


def normalize(text: str) -> str:
    """The normalized form of a post body (HTML or plain text); see the module docstring."""
    if "</a>" in text:
        text = _HTML_MENTION_END.sub(r"\1 </a>", text)
    text = html_to_text(text)
    text = fold_width(_clean_whitespace(text))
    # Each step runs only where its pattern could match: most posts need none of them.
    if "://" in text:
        text = _URL.sub(" ", text)
    if "//" in text:
        text = _CHAIN.sub(r" //\1: ", text)
    if "<" in text or "&" in text:
        text = _MARKUP.sub(lambda m: "＜" if m.group() == "<" else "＆", text)
    return _tidy(text)


def fold_width(text: str) -> str:
    """Full-width ASCII letters, digits and symbols folded as `normalize` does (step 3)."""
    return text.translate(_FOLD) if _FOLDABLE.search(text) else text


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every @mention and emoticon in normalized `text`, in order."""
    return [match.span() for match in _PROTECTED.finditer(text)]


def iter_chunks(text: str) -> Iterator[tuple[str, bool]]:
    """`text` as consecutive (chunk, protected) pieces; protected chunks are one token."""
    position = 0
    for start, end in protected_spans(text):
        if start > position:
            yield text[position:start], False
        yield text[start:end], True
        position = end
    if position < len(text):
        yield text[position:], False


def is_protected(token: str) -> bool:
    """Whether `token` is a whole @mention or emoticon (never concern evidence)."""
    return _PROTECTED.fullmatch(token) is not None


_UNCLEAN = re.compile(f"\r|{_ZERO_WIDTH.pattern}|{_CONTROL.pattern}|{_OTHER_SPACE.pattern}")
"""Any character `_clean_whitespace` changes: most texts have none."""


def _clean_whitespace(text: str) -> str:
    if _UNCLEAN.search(text) is None:
        return text
    text = _ZERO_WIDTH.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    return _OTHER_SPACE.sub(" ", text)


def _tidy(text: str) -> str:
    if "\n" not in text:
        return (_RUN_OF_SPACES.sub(" ", text) if "  " in text else text).strip()
    lines = (_RUN_OF_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
