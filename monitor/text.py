"""Plain-text helpers shared by ingest and the NLP stage (standard library only).

`html_to_text` turns Weibo's HTML post bodies into the text a reader sees: emoticon
images become their `alt` (`[哈哈]`), `<br>` becomes a newline, links keep their visible
text (hashtags `#话题#`, `@名字`), the trailing `全文` link of a truncated post is dropped
and entities are unescaped.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_TAG_HINT = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_SPACES_TO_FOLD = re.compile(r"[\t\u00a0\u3000]|  ")
"""Where `_SPACES` would change something (a lone space stays as it is)."""
_BLANK_LINES = re.compile(r"\n\s*\n+")


class _WeiboHTML(HTMLParser):
    """Collects visible text; images contribute their `alt`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._link_text: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "br":
            self._emit("\n")
        elif tag == "img":
            alt = (found.get("alt") or "").strip()
            if alt:
                self._emit(alt)
        elif tag == "a":
            self._link_text, self._href = [], found.get("href") or ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link_text is not None:
            text = "".join(self._link_text)
            self._link_text = None
            if not (text.strip() == "全文" and "/status/" in self._href):
                self._emit(text)
        elif tag in ("p", "div"):
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def _emit(self, text: str) -> None:
        target = self._link_text if self._link_text is not None else self.parts
        target.append(text)


def html_to_text(markup: str) -> str:
    """Visible text of a Weibo HTML body; plain text passes through (whitespace tidied)."""
    if _TAG_HINT.search(markup):
        parser = _WeiboHTML()
        try:
            parser.feed(markup)
            parser.close()
            text = "".join(parser.parts)
        except (AssertionError, ValueError):  # html.parser gives up on some malformed markup
            text = html.unescape(_ANY_TAG.sub("", markup))
    else:
        text = html.unescape(markup)
    if _SPACES_TO_FOLD.search(text):
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n", text)
        text = "\n".join(line.strip() for line in text.split("\n"))
    text = text.strip()
    if "全文</a>" in markup and text.endswith("..."):
        text = text.removesuffix("...").rstrip()  # the ellipsis of a truncated long post
    return text
