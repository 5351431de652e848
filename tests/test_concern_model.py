"""The learned concern model: its file, its decisions, its batch path and its place in the analyzer.

The sentences are written for these tests (none is a training post). How well it tags
is measured by bench/bench_concerns.py, on posts it never trained on, not here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.config import NlpSettings
from monitor.errors import ConfigError
from monitor.nlp.analyzer import make_analyzer
from monitor.nlp.concern_model import MODEL_FORMAT, MODEL_PATH, ConcernModel
from monitor.nlp.weibo_sentiment import NORMALIZATION, WeiboSentiment, file_hash, model_text
from monitor.types import CONCERNS, App

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
WATCHLIST = (App("ZAO", ("ZAO", "逢脸造戏", "ZAO换脸")),)

CONCERN_POSTS = [
    ("这个修图小程序要我上传十张正脸自拍，协议里还写着照片归他们永久使用，细思极恐", {"privacy"}),
    ("我妈又接到电话说她医保卡被冻结，要她把钱转到指定账户“核查”，还好我拦住了", {"fraud"}),
]
EVERYDAY = ["骗你的啦，今天其实不加班", "照骗无疑，本人比照片胖多了", "人脸香氛蜡烛真好闻", "老师让我整改作文的开头",
            "我把前任屏蔽了，朋友圈清净", "今天天气真好，去公园晒太阳", "欺骗自己说明天一定早起"]


@pytest.fixture(scope="module")
def model() -> ConcernModel:
    return ConcernModel()


def _write(path: Path, document: object) -> None:
    path.write_bytes(gzip.compress(json.dumps(document, ensure_ascii=False).encode()))


def _small(threshold: float | None = 0.0) -> dict[str, object]:
    """A hand-made model: `数据` weighs 3 for privacy, `骗` 5 for fraud; biases -2."""
    zeros = [0] * len(CONCERNS)
    weights = {"数据": [3 if c == "privacy" else 0 for c in CONCERNS],
               "骗": [5 if c == "fraud" else 0 for c in CONCERNS], "好": zeros}
    return {"format": MODEL_FORMAT, "normalization": NORMALIZATION, "ngram_max": 3, "weight_scale": 1,
            "columns": list(CONCERNS), "weights": weights,
            "concerns": {c: {"bias": -2, "threshold": threshold if c != "security" else None} for c in CONCERNS}}


def test_committed_model_loads_is_small_and_named_by_its_hash(model: ConcernModel) -> None:
    assert MODEL_PATH.stat().st_size < 2_000_000
    assert model.sha256 == file_hash(MODEL_PATH) and model.name == f"cm-{model.sha256[:12]}"


def test_it_finds_concerns_in_wordings_and_leaves_everyday_posts_alone(model: ConcernModel) -> None:
    for text, expected in CONCERN_POSTS:
        assert expected <= set(model.find(text)), text
    for text in EVERYDAY:
        assert model.find(text) == (), text


def test_a_small_model_decides_by_its_weights_and_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "m.json.gz"
    _write(path, _small())
    small = ConcernModel(path)
    assert small.find("数据") == ("privacy",)  # -2 + 3 > 0
    assert small.find("数据骗") == ("privacy", "fraud")
    assert small.find("数据数据") == ("privacy",)  # an n-gram counts once per text
    assert small.find("好") == () and small.find("") == () and small.find("，。！") == ()
    _write(path := tmp_path / "high.json.gz", _small(threshold=1.5))
    assert ConcernModel(path).find("数据") == ()  # 1 is not above 1.5


def test_a_null_threshold_never_raises_its_concern(tmp_path: Path) -> None:
    document = _small()
    document["weights"]["泄露"] = [9 if c == "security" else 0 for c in CONCERNS]  # type: ignore[index]
    _write(path := tmp_path / "m.json.gz", document)
    assert ConcernModel(path).find("泄露") == ()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="数据骗好的人脸泄露了吗 ab1，。[]", max_size=30), min_size=16, max_size=40))
def test_batches_find_what_single_texts_find(texts: list[str]) -> None:
    model = ConcernModel()
    assert model.find_many(texts) == [model.find(text) for text in texts]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="数据骗好的人脸泄露了吗开心难过 ab1，。[]", max_size=30), min_size=16, max_size=40))
def test_the_joint_pass_gives_the_sentiment_and_concerns_of_the_separate_ones(texts: list[str]) -> None:
    sentiment, model = WeiboSentiment(), ConcernModel()
    scores, masks = sentiment.score_and_flag(texts, model.columns)
    assert scores == [sentiment.score(text) for text in texts]
    assert [model.concerns_of(mask) for mask in masks] == [model.find(text) for text in texts]


def test_it_pickles_by_path(model: ConcernModel) -> None:
    copy = pickle.loads(pickle.dumps(model))
    assert copy.name == model.name and len(pickle.dumps(model)) < 500
    assert copy.find(CONCERN_POSTS[1][0]) == model.find(CONCERN_POSTS[1][0])


@pytest.mark.parametrize(
    ("change", "message", "key"),
    [
        (None, "cannot read", None),
        ({"format": "other/1"}, "not a monitor.concern_model/1 model", "format"),
        ({"normalization": "v0"}, "rebuild it", "normalization"),
        ({"columns": ["privacy"]}, "columns", "columns"),
        ({"weights": {"数据": [1, 2]}}, "malformed", None),
        ({"concerns": {}}, "malformed", None),
    ],
)
def test_unusable_model_files_are_config_errors_naming_the_file(
    tmp_path: Path, change: dict[str, object] | None, message: str, key: str | None
) -> None:
    path = tmp_path / "model.json.gz"
    if change is None:
        path.write_bytes(b"not gzip")
    else:
        _write(path, {**_small(), **change})
    with pytest.raises(ConfigError, match=message) as caught:
        ConcernModel(path)
    assert str(path) in str(caught.value)
    assert key is None or caught.value.key == key


def test_the_analyzer_adds_the_models_concerns_but_not_its_evidence() -> None:
    text = "我妈又接到电话说她医保卡被冻结，要她把钱转到指定账户“核查”"
    with_model = make_analyzer(WATCHLIST, NlpSettings()).analyze(text)
    rules_only = make_analyzer(WATCHLIST, NlpSettings(concern_model=False)).analyze(text)
    assert "fraud" in with_model.concerns and "fraud" not in rules_only.concerns
    assert with_model.terms == rules_only.terms  # `terms` stay the lexicon's evidence
    assert with_model.analyzer_version != rules_only.analyzer_version


def test_a_watched_apps_name_is_no_evidence_for_the_model() -> None:
    text = "ZAO已经被我删了，换脸视频也删了，就当没玩过"
    assert "biometric" in ConcernModel().find(text)  # read with the app's name, it weighs...
    analyzer = make_analyzer(WATCHLIST, NlpSettings())
    assert analyzer.analyze(text).concerns == ()  # ...but the analyzer's models never read it
    assert analyzer._without_apps("ZAO换脸排队，逢脸造戏") == " 排队， "


def test_the_setting_turns_the_model_off_and_a_typo_names_the_key(tmp_path: Path) -> None:
    from monitor.config import load_settings

    config = tmp_path / "monitor.toml"
    config.write_text('[nlp]\nconcern_model = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    assert "concern_model" in str(caught.value)
    config.write_text("[nlp]\nconcern_model = false\n", encoding="utf-8")
    assert load_settings(config, env={}).nlp.concern_model is False


def _train_concerns():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(REPO / "bench"))
    import train_concerns

    return train_concerns


def test_the_committed_model_was_trained_on_the_committed_files() -> None:
    document = json.loads(gzip.decompress(MODEL_PATH.read_bytes()))
    recorded = document["training"]["data"]
    bench = REPO / "bench" / "data"
    for name in ("concern_train_synthetic.jsonl", "concern_train_synthetic_2.jsonl", "app_storm_probes_a.jsonl",
                 "app_storm_probes_b.jsonl", "app_storm_probes_c.jsonl", "concern_labels.jsonl"):
        assert recorded[name] == hashlib.sha256((bench / name).read_bytes()).hexdigest(), name
    assert "app_storm_probes_d.jsonl" not in recorded and "app_storm_probes_e.jsonl" not in recorded
    assert "concern_train_synthetic_3.jsonl" not in recorded  # round 10: written, not adopted
    assert document["training"]["left_out"] == []


@pytest.mark.skipif(not (SHARED / "sentiment").is_dir(), reason="../shared/data is not here")
def test_training_posts_hold_no_post_the_model_is_measured_on() -> None:
    train = _train_concerns()
    import bench_concerns

    posts = train.load_posts(SHARED, train.ConcernParams(negatives=5000))
    taught = {post.text for post in posts}
    texts = bench_concerns.read_texts(SHARED)
    labelled, _ = bench_concerns.read_labels(bench_concerns.LABELS, texts)
    assert not taught & {p.text for p in labelled if p.split == "heldout"}
    for name in bench_concerns.UNSEEN_PROBES:
        assert not taught & {text for text, _ in bench_concerns.read_posts(train.probe_path(name))}
    for dev_only in (False, True):
        sample = bench_concerns.everyday_sample(texts, labelled, 20_000, dev_only=dev_only)
        assert not taught & {texts[name][row] for name, row in sample}
    sources = {post.source for post in posts}
    assert sources == {"synthetic", "probe_a", "probe_b", "probe_c", "real-dev", "real-negative"}
    assert all(bench_concerns.split_of(p.text) == "dev" for p in posts if p.source.startswith("real"))


@pytest.mark.parametrize(("name", "count"), [("concern_train_synthetic.jsonl", 2500),
                                             ("concern_train_synthetic_2.jsonl", 1680),
                                             ("concern_train_synthetic_3.jsonl", 1680)])
def test_synthetic_training_posts_are_well_formed(name: str, count: int) -> None:
    rows = [json.loads(line) for line in (REPO / "bench" / "data" / name).read_text(encoding="utf-8").splitlines()]
    assert len(rows) == count and len({row["text"] for row in rows}) == count
    for number, row in enumerate(rows, 1):
        assert set(row) == {"text", "concerns", "event"}, number
        assert row["concerns"] == [c for c in CONCERNS if c in row["concerns"]], number
        assert row["text"].strip() == row["text"] and model_text(row["text"]), number


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_cross_fitting_never_scores_a_real_post_with_a_model_that_learned_it(
        share: float, monkeypatch: pytest.MonkeyPatch) -> None:
    train = _train_concerns()
    scam, calm = frozenset({"fraud"}), frozenset()
    posts = [train.Post(f"第{i}位网友：{'骗子冒充客服让我转账' if i % 3 == 0 else '今天的晚霞真好看'}",
                        scam if i % 3 == 0 else calm, "real-dev", 1.0) for i in range(30)]
    posts += [train.Post(f"写的第{i}条：{'接到诈骗电话要验证码' if i % 2 else '周末去爬山了'}",
                         scam if i % 2 else calm, "synthetic", 2.0) for i in range(20)]
    learned: list[list[str]] = []
    fit = train.train

    def recording(chosen, params):  # type: ignore[no-untyped-def]
        learned.append([post.text for post in chosen])
        return fit(chosen, params)

    monkeypatch.setattr(train, "train", recording)
    real, table = train.cross_fitted(posts, train.ConcernParams(min_df=1), share)
    assert sorted(post.text for post in real) == sorted(post.text for post in posts[:30])
    assert table.shape == (30, len(CONCERNS))
    assert len(learned) == train.FOLDS
    for k, texts in enumerate(learned):  # the k-th model scores fold k
        taught = [post for post in posts[:30] if post.text in texts]
        assert all(train._fold(post.text) != k for post in taught)
        assert all(train._rank(post.text) < share for post in taught)
        assert sum(post.source == "synthetic" for post in posts if post.text in texts) == 20
    assert [train._fold(post.text) for post in real] == sorted(train._fold(post.text) for post in real)
    if share == 1.0:
        assert sum(len(texts) for texts in learned) == 20 * train.FOLDS + 30 * (train.FOLDS - 1)
    ranks = [train._rank(post.text) for post in posts]
    assert all(0 <= rank < 1 for rank in ranks) and len(set(ranks)) == len(ranks)
