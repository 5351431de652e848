"""normalize: examples of each step, and properties (idempotent, total, no markup left)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.nlp.normalize import fold_width, is_protected, iter_chunks, normalize, protected_spans

WEIBO_HTML = (
    "<a href='/n/张三'>@张三</a>说ZAO的协议有问题"
    '<span class="url-icon"><img alt=[怒] src="x.png" /></span><br />'
    '<a href="https://m.weibo.cn/search?q=%23ZAO%23"><span class="surl-text">#ZAO换脸#</span></a>'
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (WEIBO_HTML, "@张三 说ZAO的协议有问题[怒]\n#ZAO换脸#"),
        ("ＺＡＯ换脸１２３［哈哈］＠李四 ＃话题＃", "ZAO换脸123[哈哈]@李四 #话题#"),
        ("好玩，真的！怎么办？（笑）：；～", "好玩，真的！怎么办？（笑）：；～"),  # kept as is
        ("看这里 http://t.cn/AiHxYz 和https://example.com/a?b=1&c=2了", "看这里 和 了"),
        ("太可怕了//@张三：ZAO协议//@李四:转发微博", "太可怕了 //@张三: ZAO协议 //@李四: 转发微博"),
        ("a\u200bb\x00c\u3000\u3000d\r\n\r\n\ne", "abc d\ne"),
        ("&lt;b&gt;粗体&lt;/b&gt;", "＜b>粗体＜/b>"),
        ("Tom&amp;Jerry", "Tom＆Jerry"),
        ("", ""),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_mentions_and_emoticons_are_protected_spans() -> None:
    text = normalize("@隐私保护协会 说[哈哈]隐私很重要 mail@qq.com")
    spans = [text[s:e] for s, e in protected_spans(text)]
    assert spans == ["@隐私保护协会", "[哈哈]"]
    assert [c for c, p in iter_chunks(text) if p] == spans
    assert "".join(c for c, _ in iter_chunks(text)) == text
    assert is_protected("@ZAO官方") and is_protected("[doge]") and not is_protected("隐私")


def test_fold_width_leaves_chinese_alone() -> None:
    assert fold_width("ＡＢＣ１２３。、【】，") == "ABC123。、【】，"


_FRAGMENTS = st.sampled_from([
    "<a href='/n/王五'>", "@王五", "</a>", "<br />", "<img alt=[哈哈] src=x>", "<p>", "</div>",
    "&amp;", "&lt;", "&gt;", "&#39;", "&amp;lt;b&amp;gt;", "<", ">", "&", "ＺＡＯ", "＜ｂ＞",
    "http://t.cn/Ab1", "//@赵六:", "//", "@", "，", "。", " ", "\n", "\u3000", "\u200b", "\r",
    "全文", "<a href='/status/1'>全文</a>", "...", "[哈哈]", "换脸", "\ud800", "\x00", "\t",
])
_MARKUPISH = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=5)), max_size=30).map("".join)
_ANY_TEXT = st.one_of(st.text(), _MARKUPISH)


@settings(max_examples=400)
@given(_ANY_TEXT)
@example("&amp;lt;b&amp;gt;x")
@example("<ｂ>")
@example("&ａｍｐ;")
def test_normalize_is_idempotent_and_total(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300)
@given(_MARKUPISH)
def test_output_has_no_markup(text: str) -> None:
    out = normalize(text)
    assert not re.search(r"<[A-Za-z/!]", out)
    assert not re.search(r"&[#A-Za-z0-9]", out)
    assert "\u200b" not in out and "\x00" not in out and "\r" not in out
    out.encode("utf-8")  # no lone surrogates survive


@given(st.lists(st.sampled_from(["<b>", "<i>", "</b>", "<br/>", "<span class='x'>", "</span>"]),
                min_size=1).map("".join))
def test_tags_alone_leave_nothing(markup: str) -> None:
    assert normalize(markup) == ""


_SAFE_ASCII = st.text(
    alphabet="abcXYZ019 #@[]-_.%+=*$^|{}'\"`/哈中", max_size=40
)


@given(_SAFE_ASCII)
def test_full_width_input_normalizes_like_ascii(text: str) -> None:
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    assert normalize(wide) == normalize(text)


@pytest.mark.parametrize("markup", ["<![0", "<![CDATA[x", "a<!x", "<!--", "<?x", "<a href='x'>"])
def test_malformed_markup_never_raises(markup: str) -> None:
    once = normalize(markup)
    assert normalize(once) == once


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("@带着微博去旅行连微博都盗", ["@带着微博去旅行"]),  # plain text: no space after the name
        ("@Cherry_张z被盗微博！", ["@Cherry_张z"]),
        ("转给@张三", ["@张三"]),
        ("@我是影视二栖明星2福: 好", ["@我是影视二栖明星2福"]),  # a colon ends even a long name
        ("@隐私保护协会 说", ["@隐私保护协会"]),
        ("//@Linda_林林:转发", ["@Linda_林林"]),
    ],
)
def test_plain_text_mentions_do_not_swallow_the_comment(text: str, mentions: list[str]) -> None:
    normalized = normalize(text)
    assert [normalized[s:e] for s, e in protected_spans(normalized)] == mentions


def test_an_overlong_plain_text_mention_stops_at_weibo_name_length() -> None:
    text = normalize("@一二三四五六七八九十一二三四五六七八九十")
    (start, end), = protected_spans(text)
    assert end - start == 16  # "@" and at most 15 characters


_WHITESPACE_PIECES = ["a", "中", " ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u200b", "\u00ad",
                      "\x00", "\x85", "\x1c", "\ud800", "\n\n", " \n ", "…", "&amp;", "<b>x</b>"]


@given(st.lists(st.sampled_from(_WHITESPACE_PIECES), max_size=12))
def test_the_quick_checks_skip_only_steps_that_would_change_nothing(pieces: list[str]) -> None:
    from monitor import text as text_module
    from monitor.nlp import normalize as module

    raw = "".join(pieces)
    full = module._OTHER_SPACE.sub(" ", module._CONTROL.sub("", module._ZERO_WIDTH.sub(
        "", raw.replace("\r\n", "\n").replace("\r", "\n"))))
    assert module._clean_whitespace(raw) == full
    plain = text_module._SPACES.sub(" ", raw)
    plain = text_module._BLANK_LINES.sub("\n", plain)
    plain = "\n".join(line.strip() for line in plain.split("\n")).strip()
    if not text_module._TAG_HINT.search(raw):
        assert text_module.html_to_text(raw) == plain
