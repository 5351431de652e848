"""The fast path gives the reference results: rjieba cuts like jieba (user words
included), batch sentiment scores like one-by-one scoring, and `analyze_many` (which
skips segmenting and tagging texts that cannot raise a concern) like the full pipeline.

The posts here are written for these tests. Where `../shared/data` is present, the
same checks also run over real Weibo posts (skipped otherwise).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitor.config import NlpSettings
from monitor.errors import ConfigError
from monitor.nlp.analyzer import SENTIMENT_MAX_CHARS, Analyzer, _clamp, make_analyzer, polarity
from monitor.nlp.anchors import word_finder
from monitor.nlp.lexicon import UserWord, load_lexicon
from monitor.nlp.normalize import normalize
from monitor.nlp.runner import iter_chunks, iter_output
from monitor.nlp.segment import Segmenter, fast_backend_installed, make_segmenter, resolve_backend
from monitor.nlp.weibo_sentiment import WeiboSentiment, model_text, model_texts
from monitor.types import CONCERNS, Analysis, App

needs_rjieba = pytest.mark.skipif(not fast_backend_installed(), reason="rjieba is not installed")
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
WATCHLIST = (App("ZAO", ("ZAO", "逢脸造戏", "ZAO换脸")), App("Pintu", ("Pintu", "拼图岛")))

POSTS = [
    "ZAO的用户协议写着全球范围内免费、不可撤销、永久的授权，细思极恐，赶紧卸载了",
    "逢脸造戏真好玩，把自己换到电影里了哈哈哈[哈哈]",
    "刷脸支付会不会被AI换脸骗过？人脸数据泄露了怎么办",
    "工信部约谈了ZAO，要求整改用户协议。//@新闻小编:终于有人管了",
    "接到自称公检法的电话，让我把钱转到安全账户，还要验证码，明显是骗子",
    "今天天气真好，和朋友去爬山，风景太美了！",
    "R-73导弹、1.5MW机组、iPhone11和12306，混着英文digits一起切",
    "我的手机号又被泄露了，每天十几个骚扰电话，烦死了",
    "微信屏蔽了ZAO的链接，下架是迟早的事",
    "拼图岛Pintu上线了，P图效果不错，就是要读取通讯录有点怪",
    "@隐私保护协会 转发微博 http://t.cn/A6abcd 看看这个",
    "一点也不担心隐私，反正早就没有隐私了",
    "爸爸爸爸爸爸爸太可爱了，哈哈哈哈哈哈哈哈哈",
    "面部信息、声纹、指纹，这些生物特征一旦泄露就改不了",
    "央视曝光：黑客利用撞库盗取账号，个人信息在暗网被倒卖",
    "全角ＺＡＯ与 ＡＩ换脸，还有　全角空格和…省略号！！！",
]


@pytest.fixture(scope="module")
def words() -> tuple[UserWord, ...]:
    return load_lexicon().segmenter_words()


@pytest.fixture(scope="module")
def jieba_cut(words: tuple[UserWord, ...]) -> Segmenter:
    return make_segmenter(words, "jieba")


@pytest.fixture(scope="module")
def rjieba_cut(words: tuple[UserWord, ...]) -> Segmenter:
    return make_segmenter(words, "rjieba") if fast_backend_installed() else make_segmenter(words, "jieba")


# -- segmenter backends ------------------------------------------------------------


@needs_rjieba
@pytest.mark.parametrize("post", POSTS)
def test_rjieba_cuts_like_jieba_with_the_user_dictionary(
    jieba_cut: Segmenter, rjieba_cut: Segmenter, post: str
) -> None:
    text = normalize(post)
    assert rjieba_cut.backend == "rjieba"
    assert rjieba_cut.cut(text) == jieba_cut.cut(text)


@needs_rjieba
def test_user_words_stay_whole_in_rjieba(rjieba_cut: Segmenter) -> None:
    tokens = rjieba_cut.cut("逢脸造戏的用户协议不可撤销，刷脸支付和AI换脸")
    for word in ("逢脸造戏", "用户协议", "不可撤销", "刷脸支付", "AI换脸"):
        assert word in tokens


@needs_rjieba
def test_rjieba_splits_latin_runs_like_jieba(jieba_cut: Segmenter, rjieba_cut: Segmenter) -> None:
    for text in ("R-73", "1.5MW", "02.9-02.23", "SuperJunior-M", "a--b", "x_y.z%", "100%真"):
        assert rjieba_cut.cut(text) == jieba_cut.cut(text), text


@needs_rjieba
def test_rjieba_honours_word_frequencies_like_jieba() -> None:
    # A given frequency, a suggested one, and a word added twice.
    words = (UserWord("云计算", 5), UserWord("台中"), UserWord("中将", 1), UserWord("台中"))
    for text in ("我们在台中将会用云计算", "台中将领"):
        assert make_segmenter(words, "rjieba").cut(text) == make_segmenter(words, "jieba").cut(text)


@needs_rjieba
@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ZAO换脸隐私泄露人脸刷脸支付用户协议@张三 [哈哈]#，。！\n abc123-._%的了爸太可爱", max_size=50))
def test_rjieba_tokens_concatenate_and_agree(text: str) -> None:
    clean = normalize(text)
    fast = make_segmenter((UserWord("换脸"), UserWord("刷脸支付", 300)), "rjieba").cut(clean)
    slow = make_segmenter((UserWord("换脸"), UserWord("刷脸支付", 300)), "jieba").cut(clean)
    assert "".join(fast) == clean
    assert fast == slow


def test_auto_falls_back_to_jieba_without_rjieba(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rjieba", None)  # as if it were not installed
    assert resolve_backend("auto") == "jieba"
    assert make_segmenter((), "auto").backend == "jieba"
    analyzer = make_analyzer(WATCHLIST, NlpSettings())
    assert "-jieba-" in analyzer.version
    assert analyzer.analyze("ZAO的用户协议太可怕了").concerns == ("privacy",)
    with pytest.raises(ConfigError, match="not installed"):
        make_segmenter((), "rjieba")


@needs_rjieba
def test_auto_prefers_rjieba() -> None:
    assert make_segmenter((), "auto").backend == "rjieba"


# -- batch sentiment -----------------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> WeiboSentiment:
    return WeiboSentiment()


def test_score_many_is_score_for_a_batch(model: WeiboSentiment) -> None:
    texts = [*POSTS, *(normalize(p) for p in POSTS), "", "   ", "[哈哈]", "\ue000隐私"]
    assert len(texts) >= 16  # the batch path
    assert model.score_many(texts) == [model.score(text) for text in texts]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30) | st.sampled_from(POSTS), min_size=16, max_size=40))
def test_score_many_is_score_for_any_texts(texts: list[str]) -> None:
    model = WeiboSentiment()
    assert model_texts(texts) == [model_text(text) for text in texts]
    assert model.score_many(texts) == [model.score(text) for text in texts]


@pytest.mark.parametrize("text", ["ΣΑΣ Σ", "e\u0301 A\u030a", "ｆｕｌｌ　ｗｉｄｔｈ…", "ǅ İstanbul", "ab\ue001cd"])
def test_model_texts_never_join_across_texts(text: str) -> None:
    texts = [text, "Σ" + text, text + "Σ", "\u0301" + text, "http://t.cn/x" + text, "@名字" + text] * 3
    assert model_texts(texts) == [model_text(t) for t in texts]


# -- the analyzer's fast path ----------------------------------------------------------


def reference(analyzer: Analyzer, text: str) -> Analysis:
    """The full pipeline on one text: every text segmented and tagged, scored alone."""
    clean = normalize(text)
    concerns, terms = analyzer.tagger.tag(clean, analyzer.segmenter.cut(clean))
    read = analyzer._without_apps(clean[:SENTIMENT_MAX_CHARS])  # what the models read
    if analyzer.concern_model:  # the model scores each text alone, in pure Python
        learned = analyzer.concern_model.find(read)
        concerns = tuple(c for c in CONCERNS if c in concerns or c in learned)
    sentiment = _clamp(analyzer.model.score(read))
    return Analysis(concerns, sentiment, polarity(sentiment, analyzer.nlp), analyzer.apps.match(clean),
                    terms, analyzer.version)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return make_analyzer(WATCHLIST, NlpSettings())


def test_analyze_many_is_the_full_pipeline(analyzer: Analyzer) -> None:
    texts = [*POSTS, "隐", "私", "zao", "ZAOSHANG", "换 脸", "人脸香氛蜡烛", "骗你的啦", "<b>ZAO</b>"]
    assert analyzer.analyze_many(texts) == [reference(analyzer, text) for text in texts]
    assert [analyzer.analyze(text) for text in texts] == analyzer.analyze_many(texts)
    assert any(a.concerns for a in analyzer.analyze_many(texts))


def test_the_concern_filter_lets_every_rule_through(analyzer: Analyzer) -> None:
    concerns = analyzer._concerns
    assert concerns.exact
    for concern in analyzer.lexicon.concerns:
        for term in concern.strong:
            text = f"前文{term}后文"
            assert concerns.may_raise(text, text.lower()), term
        for rule in concern.topics:
            cue = next(c for c in rule.cues if c != "{app}") if rule.cues != ("{app}",) else "zao"
            text = f"{rule.terms[-1]}，{cue}"
            assert concerns.may_raise(text, text.lower()), (rule.terms, cue)
    assert not concerns.may_raise("今天天气真好，出去玩", "今天天气真好，出去玩")


def test_a_text_only_a_strong_pattern_catches_is_tagged(analyzer: Analyzer) -> None:
    # No strong term and no topic term with a cue: only the pattern `帖子…都…删了` holds.
    text = "昨天的热门微博都删了"
    assert analyzer.analyze(text) == reference(analyzer, text)
    assert analyzer.analyze(text).concerns == ("regulatory",)


PATTERNS = [p for c in load_lexicon().concerns for p in c.strong_patterns]


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_concern_filter_lets_every_strong_pattern_match_through(
    analyzer: Analyzer, pattern: str, data: st.DataObject
) -> None:
    compiled = re.compile(pattern, re.IGNORECASE)
    text = data.draw(st.from_regex(compiled, fullmatch=True))
    clean = normalize(text)
    assume(compiled.search(clean))  # normalizing can change what the pattern sees
    assert analyzer._concerns.may_raise(clean, clean.lower()), (pattern, clean)


def test_hints_are_exact_or_absent() -> None:
    hint = word_finder(["隐私", "隐私泄露", "隐患", "ZAO", "脸"])
    assert hint is not None
    assert [bool(hint.search(t)) for t in ["我的隐私", "隐", "zao", "z a o", "脸"]] == [
        True, False, True, False, True]
    assert word_finder(["Σύμβαση"]) is None  # a non-ASCII cased letter: always do the full work
    nothing = word_finder([])
    assert nothing is not None and nothing.search("任何文字") is None


# -- the runner ----------------------------------------------------------------------


def test_chunks_are_bounded_and_numbered() -> None:
    lines = [b"x" * 10] * 25
    chunks = list(iter_chunks(lines, max_lines=10, max_bytes=35))
    assert [(first, len(chunk)) for first, chunk in chunks] == [(1, 4), (5, 4), (9, 4), (13, 4),
                                                                (17, 4), (21, 4), (25, 1)]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_runner_reads_only_a_bounded_way_ahead(workers: int) -> None:
    pulled = 0

    def endless() -> Iterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield json.dumps({"id": pulled, "text": POSTS[pulled % len(POSTS)]}, ensure_ascii=False).encode()

    output = iter_output(endless(), WATCHLIST, NlpSettings(), workers=workers, chunk_lines=50)
    first = next(output)
    assert first.count("\n") == 50 and json.loads(first.splitlines()[0])["id"] == 1
    assert pulled <= 50 * (2 * workers + 2)  # a few chunks, however long the input
    output.close()


# -- real posts (optional) -------------------------------------------------------------


def real_posts(step: int) -> list[str]:
    if not DATA.is_dir():
        pytest.skip("../shared/data is not here")
    with open(DATA / "smp2020_usual_train.csv", encoding="utf-8", newline="") as handle:
        posts = [row["content"] for row in csv.DictReader(handle)]
    with open(DATA / "weibo_senti_100k_subset.csv", encoding="utf-8", newline="") as handle:
        posts += [row["review"] for row in csv.DictReader(handle)]
    return posts[::step]


@needs_rjieba
def test_rjieba_agrees_with_jieba_on_real_posts(jieba_cut: Segmenter, rjieba_cut: Segmenter) -> None:
    posts = [normalize(p) for p in real_posts(12)]
    differ = [p for p in posts if rjieba_cut.cut(p) != jieba_cut.cut(p)]
    # Known: ties jieba and jieba-rs break apart (runs like 南南南南南), about 1 in 20,000.
    assert len(differ) <= max(2, len(posts) // 2000), differ[:5]


def test_fast_path_is_the_full_pipeline_on_real_posts(analyzer: Analyzer) -> None:
    posts = real_posts(40)
    fast = [a for start in range(0, len(posts), 300) for a in analyzer.analyze_many(posts[start:start + 300])]
    slow = [reference(analyzer, post) for post in posts]
    assert fast == slow
    assert sum(1 for a in fast if a.concerns) > 10  # the tagged path ran too
