"""The analyzer: one text to an `Analysis`, and the `monitor analyze` JSONL contract."""

from __future__ import annotations

import hashlib
import json
import pickle

import pytest

from monitor.config import NlpSettings
from monitor.errors import ConfigError
from monitor.nlp.analyzer import (
    MAX_TEXT_CHARS,
    Analyzer,
    analysis_record,
    make_analyzer,
    parse_line,
    polarity,
)
from monitor.nlp.concern_model import MODEL_PATH as CONCERN_MODEL_PATH
from monitor.nlp.lexicon import lexicon_hash, load_lexicon
from monitor.nlp.weibo_sentiment import file_hash
from monitor.types import CONCERNS, POLARITIES, App

WATCHLIST = (App("ZAO", ("ZAO", "逢脸造戏", "ZAO换脸")), App("Pintu", ("Pintu", "拼图岛")))
CLAUSE = "全球范围内完全免费、不可撤销、永久、可转授权和可再许可的权利"


class FixedSentiment:
    """A hand-written model that gives every text the same score."""

    def __init__(self, value: float = 0.5, name: str = "fixed") -> None:
        self.value, self.name = value, name
        self.seen: list[str] = []

    def score(self, text: str) -> float:
        self.seen.append(text)
        return self.value


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return make_analyzer(WATCHLIST, NlpSettings(), FixedSentiment(0.2))


def test_analyze_one_post(analyzer: Analyzer) -> None:
    html = f"<a href='/n/小王'>@小王</a>ZAO用户协议要人脸照片{CLAUSE}<br/>[怒]"
    result = analyzer.analyze(html)
    assert result.concerns == ("privacy", "biometric")
    assert result.apps == ("ZAO",)
    assert result.terms[:2] == ("用户协议", "人脸照片")
    assert (result.sentiment, result.polarity) == (0.2, "negative")
    assert result.analyzer_version == analyzer.version


def test_version_names_model_lexicon_backend_and_thresholds(analyzer: Analyzer) -> None:
    lexicon = lexicon_hash(load_lexicon().directory)
    backend = analyzer.segmenter.backend
    assert backend in ("jieba", "rjieba")
    rules_only = make_analyzer(WATCHLIST, NlpSettings(concern_model=False), FixedSentiment())
    assert rules_only.concern_model is None
    assert rules_only.version == f"a2-fixed-{lexicon[:12]}-{backend}-n0.45p0.75"
    jieba = make_analyzer(WATCHLIST, NlpSettings(negative_below=0.3, concern_model=False), FixedSentiment(),
                          backend="jieba")
    assert jieba.version == f"a2-fixed-{lexicon[:12]}-jieba-n0.3p0.75"
    # With the concern model on, the third part hashes the lexicon and the model file together.
    assert analyzer.concern_model is not None
    tagging = hashlib.sha256(f"{lexicon}+{file_hash(CONCERN_MODEL_PATH)}".encode()).hexdigest()
    assert analyzer.version == f"a2-fixed-{tagging[:12]}-{backend}-n0.45p0.75"


def test_an_overlong_version_ends_in_a_hash() -> None:
    long_name = make_analyzer([], NlpSettings(), FixedSentiment(name="m" * 80))
    other = make_analyzer([], NlpSettings(), FixedSentiment(name="m" * 79 + "n"))
    assert len(long_name.version) == 64 and long_name.version.startswith("a2-mmm")
    assert long_name.version != other.version


def test_sentiment_model_sees_normalized_text_without_app_names() -> None:
    model = FixedSentiment()
    make_analyzer(WATCHLIST, NlpSettings(), model).analyze("<b>ＺＡＯ</b> http://t.cn/x 好玩，拼图岛也好玩")
    assert model.seen == ["  好玩， 也好玩"]


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0.0, "negative"), (0.3999, "negative"), (0.4, "neutral"), (0.6, "neutral"),
     (0.6001, "positive"), (1.0, "positive")],
)
def test_polarity_thresholds(score: float, expected: str) -> None:
    assert polarity(score, NlpSettings(negative_below=0.4, positive_above=0.6)) == expected


@pytest.mark.parametrize(("raw", "stored"), [(1.7, 1.0), (-0.2, 0.0), (float("nan"), 0.5),
                                              (0.123456, 0.1235)])
def test_model_scores_are_clamped_and_rounded(raw: float, stored: float) -> None:
    result = make_analyzer([], NlpSettings(), FixedSentiment(raw)).analyze("好")
    assert result.sentiment == stored
    assert result.polarity in POLARITIES


def test_analyze_records_contract(analyzer: Analyzer) -> None:
    lines: list[str | bytes] = [
        json.dumps({"id": "a1", "text": f"ZAO的用户协议太可怕了，{CLAUSE}"}, ensure_ascii=False),
        json.dumps({"text": "拼图岛真好玩"}, ensure_ascii=False) + "\n",
        '{"id": 7, "text": "骗子冒充客服"}\n'.encode(),
        "not json",
        "[1, 2]",
        '{"id": "no-text"}',
        '{"id": "blank", "text": "  \\n "}',
        '{"id": "num", "text": 5}',
        b'{"id": "bytes", "text": "\xff\xfe"}',
        "",
        "   \n",
        json.dumps({"id": "long", "text": "长" * (MAX_TEXT_CHARS + 1)}),
        '{"id": "sur", "text": "\\ud800"}',
        "null",
        '{"id": null, "text": "你好"}',
        '{"text": "ok", "id": "last"}',
    ]
    out = list(analyzer.analyze_records(lines))
    assert len(out) == len(lines)
    assert out[0] == {
        "id": "a1", "concerns": ["privacy"], "sentiment": 0.2, "polarity": "negative",
        "apps": ["ZAO"], "terms": ["用户协议", "不可撤销", "永久", "可转授权", "可再许可"],
    }
    assert list(out[0]) == ["id", "concerns", "sentiment", "polarity", "apps", "terms"]
    assert out[1] == {"concerns": [], "sentiment": 0.2, "polarity": "negative",
                      "apps": ["Pintu"], "terms": []}
    assert out[2]["id"] == 7 and out[2]["concerns"] == ["fraud"]
    errors = {i: record for i, record in enumerate(out) if "error" in record}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert errors[3] == {"error": "line 4: not valid JSON at column 1"}
    assert errors[4] == {"error": "line 5: expected a JSON object, got an array"}
    assert errors[5] == {"id": "no-text", "error": 'line 6: missing "text"'}
    assert errors[6] == {"id": "blank", "error": 'line 7: "text" is empty'}
    assert errors[7] == {"id": "num", "error": 'line 8: "text" must be a string, got a number'}
    assert errors[8] == {"error": "line 9: not valid UTF-8 at byte 26"}
    assert errors[9] == {"error": "line 10: empty line"}
    assert errors[10] == {"error": "line 11: empty line"}
    assert errors[11]["id"] == "long" and "too long" in errors[11]["error"]
    assert errors[12] == {
        "id": "sur", "error": 'line 13: "text" is not valid Unicode (lone surrogate)'}
    assert errors[13] == {"error": "line 14: expected a JSON object, got null"}
    assert out[14]["id"] is None and "error" not in out[14]  # an id given as null is kept
    assert out[15]["id"] == "last"
    for record in out:
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # every record can be written
        if "error" not in record:
            assert set(record["concerns"]) <= set(CONCERNS)
            assert record["concerns"] == sorted(record["concerns"], key=CONCERNS.index)


def test_first_line_bom_is_ignored(analyzer: Analyzer) -> None:
    [record] = analyzer.analyze_records(["\ufeff" + '{"id": 1, "text": "好"}'])
    assert record["id"] == 1 and "error" not in record


@pytest.mark.parametrize("line", [
    "[" * 100_000 + "]" * 100_000,
    '{"id": NaN, "text": "好"}',
    '{"id": ' + "9" * 5000 + ', "text": "好"}',
])
def test_json_python_cannot_round_trip_is_a_bad_line(analyzer: Analyzer, line: str) -> None:
    [record] = analyzer.analyze_records([line])
    assert record == {"error": "line 1: not valid JSON"}


def test_parse_line_and_analysis_record_compose(analyzer: Analyzer) -> None:
    parsed = parse_line('{"id": "x", "text": "工信部约谈ZAO"}', 1)
    assert parsed.head == {"id": "x"} and parsed.error is None and parsed.text is not None
    record = analysis_record(analyzer.analyze(parsed.text), parsed.head)
    assert record["concerns"] == ["regulatory"] and record["apps"] == ["ZAO"]


def test_analyzer_pickles_for_worker_processes(analyzer: Analyzer) -> None:
    analyzer.analyze("先切一次词")  # load jieba before pickling
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone.version == analyzer.version
    text = f"ZAO的用户协议要人脸，{CLAUSE}"
    assert clone.analyze(text) == analyzer.analyze(text)


def test_default_model_is_the_weibo_model() -> None:
    real = make_analyzer(WATCHLIST, NlpSettings())
    assert real.version.startswith("a2-weibo-charlr-")
    result = real.analyze("ZAO的用户协议太可怕了，赶紧卸载")
    assert result.polarity == polarity(result.sentiment, NlpSettings()) == "negative"
    snownlp = make_analyzer(WATCHLIST, NlpSettings(model="snownlp"))
    assert snownlp.version.startswith("a2-snownlp-")
    assert 0.0 <= snownlp.analyze("ZAO的用户协议太可怕了").sentiment <= 1.0


@pytest.mark.parametrize(("settings", "key"), [
    (NlpSettings(model="nope"), "nlp.model: unknown sentiment model 'nope'"),
    (NlpSettings(segmenter="nope"), "nlp.segmenter: unknown segmenter backend 'nope'"),
])
def test_unknown_model_or_backend_names_the_setting(settings: NlpSettings, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        make_analyzer(WATCHLIST, settings)
