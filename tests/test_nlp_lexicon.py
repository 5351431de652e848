"""The lexicon files: the shipped ones load; bad content names file and key; the hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.config import NlpSettings
from monitor.errors import ConfigError
from monitor.nlp.analyzer import make_analyzer
from monitor.nlp.lexicon import (
    APP_CUE,
    LEXICON_FILES,
    default_lexicon_dir,
    lexicon_hash,
    load_lexicon,
)
from monitor.nlp.sentiment import NEUTRAL
from monitor.types import CONCERNS


class FixedSentiment:
    """A hand-written model: the same score for every text."""

    name = "fixed"

    def score(self, text: str) -> float:
        return NEUTRAL


@pytest.fixture
def lexicon_dir(tmp_path: Path) -> Path:
    target = tmp_path / "lexicon"
    shutil.copytree(default_lexicon_dir(), target)
    return target


def test_shipped_lexicon_loads() -> None:
    lexicon = load_lexicon()
    assert tuple(c.concern for c in lexicon.concerns) == CONCERNS
    assert all(c.strong and c.topics for c in lexicon.concerns)
    words = {w.word for w in lexicon.segmenter_words()}
    expected = {"ZAO", "逢脸造戏", "用户协议", "刷脸支付", "人脸识别", "不可撤销", "工信部",
                "网信办"}
    assert expected <= words
    assert APP_CUE not in words
    assert len(lexicon.hash) == 64


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "old", "new", "key", "message"),
    [
        ("privacy.toml", "strong = [", "colour = 1\nstrong = [", "colour", "unknown key"),
        ("privacy.toml", 'strong = [\n  "个人信息",', 'strong = [\n  "个人 信息",', "strong[0]",
         "cannot contain spaces"),
        ("privacy.toml", 'strong = [\n  "个人信息",', 'strong = [\n  3,', "strong[0]",
         "non-empty string"),
        ("privacy.toml", 'strong = [', 'strong = "隐私"\nstrong_old = [', "strong", None),
        ("fraud.toml", 'cue_sets = ["scam_signal"]\ncues', 'cue_sets = ["scam"]\ncues',
         "topic[0].cue_sets[0]", "unknown cue set 'scam'"),
        ("fraud.toml", 'terms = ["骗子",', 'tems = ["x"]\nterms = ["骗子",', "topic[0].tems",
         "unknown key"),
        ("regulatory.toml", 'exclude_patterns = [\n', 'exclude_patterns = [\n  "(unclosed",\n',
         "exclude_patterns[0]", "bad pattern"),
        ("context.toml", "exclude_patterns = []", 'exclude_patterns = [".*"]',
         "exclude_patterns[0]", "empty string"),
        ("context.toml", "[cue_sets]", "[cue_sets]\nbroken = 5", "cue_sets.broken",
         "list of words"),
        ("biometric.toml", 'concern = "biometric"', 'concern = "privacy"', "concern", "file name"),
        ("security.toml", 'strong = [\n  "数据泄露",', 'strong = [\n  "泄露",', "topic[0].terms",
         "already listed in strong"),
        ("privacy.toml", 'strong = [\n  "个人信息",', 'strong = [\n  "{app}",', "strong[0]",
         "cue lists only"),
        ("userdict.txt", "ZAO 1000 nz", "ZAO lots nz", "line 5", "whole-number frequency"),
        ("userdict.txt", "ZAO 1000 nz", "ZAO 1000 nz extra", "line 5", "word [freq] [tag]"),
    ],
)
def test_bad_content_names_file_and_key(
    lexicon_dir: Path, name: str, old: str, new: str, key: str, message: str | None
) -> None:
    _edit(lexicon_dir, name, old, new)
    with pytest.raises(ConfigError) as raised:
        load_lexicon(lexicon_dir)
    error = raised.value
    assert error.path == str(lexicon_dir / name)
    assert error.key is not None and error.key.startswith(key)
    assert str(error).startswith(f"{lexicon_dir / name}: {error.key}: ")
    if message:
        assert message in str(error)


def test_topic_without_cues_is_an_error(lexicon_dir: Path) -> None:
    (lexicon_dir / "security.toml").write_text(
        'strong = ["黑客"]\n[[topic]]\nterms = ["泄露"]\n', encoding="utf-8")
    needs_cues = r"security\.toml: topic\[0\]\.cues: a topic rule needs cues"
    with pytest.raises(ConfigError, match=needs_cues):
        load_lexicon(lexicon_dir)


def test_invalid_toml_names_the_file(lexicon_dir: Path) -> None:
    (lexicon_dir / "fraud.toml").write_text("strong = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fraud\.toml: not valid TOML"):
        load_lexicon(lexicon_dir)


def test_missing_and_unknown_files(lexicon_dir: Path) -> None:
    (lexicon_dir / "misc.toml").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"misc\.toml: unknown lexicon file"):
        load_lexicon(lexicon_dir)
    (lexicon_dir / "misc.toml").unlink()
    (lexicon_dir / "userdict.txt").unlink()
    with pytest.raises(ConfigError, match=r"userdict\.txt: lexicon file is missing"):
        load_lexicon(lexicon_dir)
    with pytest.raises(ConfigError, match="lexicon folder not found"):
        load_lexicon(lexicon_dir / "nowhere")


def test_hash_covers_every_file(lexicon_dir: Path) -> None:
    before = lexicon_hash(lexicon_dir)
    assert before == load_lexicon(lexicon_dir).hash
    for name in LEXICON_FILES:
        path = lexicon_dir / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n# edited\n")
        assert lexicon_hash(lexicon_dir) != before, name
        path.write_bytes(original)
    assert lexicon_hash(lexicon_dir) == before
    (lexicon_dir / "README.md").write_text("notes", encoding="utf-8")
    assert lexicon_hash(lexicon_dir) == before  # docs are not the lexicon


def test_analyzer_version_changes_with_a_lexicon_edit(lexicon_dir: Path) -> None:
    nlp = NlpSettings(lexicon_dir=str(lexicon_dir))
    first = make_analyzer([], nlp, FixedSentiment()).version
    assert first == make_analyzer([], nlp, FixedSentiment()).version
    assert first.startswith("a1-fixed-") and first.endswith(lexicon_hash(lexicon_dir)[:12])
    _edit(lexicon_dir, "fraud.toml", 'strong = [\n', 'strong = [\n  "新型骗术",\n')
    second = make_analyzer([], nlp, FixedSentiment())
    assert second.version != first
    assert second.analyze("小心新型骗术").concerns == ("fraud",)
