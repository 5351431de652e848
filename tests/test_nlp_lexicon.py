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


CONTEXT = """
negators = ["不"]
exclude_patterns = []
[cue_sets]
worry = ["担心"]
"""


def _concern(name: str, body: str = "") -> str:
    """A small valid concern file; `body` goes before its one topic rule."""
    return (f'concern = "{name}"\nstrong = ["{name}强词"]\nexclude_patterns = []\n{body}\n'
            f'[[topic]]\nterms = ["{name}话题"]\ncue_sets = ["worry"]\n')


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    """A minimal valid lexicon folder, so each case below breaks exactly one thing."""
    target = tmp_path / "small"
    target.mkdir()
    (target / "context.toml").write_text(CONTEXT, encoding="utf-8")
    for name in CONCERNS:
        (target / f"{name}.toml").write_text(_concern(name), encoding="utf-8")
    (target / "userdict.txt").write_text("ZAO 1000 nz\n", encoding="utf-8")
    return target


def test_the_small_lexicon_is_valid(small_dir: Path) -> None:
    assert len(load_lexicon(small_dir).concerns) == len(CONCERNS)


BAD = [  # file, content, key the error must name, words it must say
    ("privacy.toml", _concern("privacy", "colour = 1"), "colour", "unknown key"),
    ("privacy.toml", 'concern = "privacy"\nstrong = ["个人 信息"]\n', "strong[0]",
     "cannot contain spaces"),
    ("privacy.toml", 'strong = ["隐私", 3]\n', "strong[1]", "non-empty string"),
    ("privacy.toml", 'strong = "隐私"\n', "strong", "list of words"),
    ("privacy.toml", 'strong = ["{app}"]\n', "strong[0]", "cue lists only"),
    ("fraud.toml", '[[topic]]\nterms = ["骗子"]\ncue_sets = ["scam"]\n', "topic[0].cue_sets[0]",
     "unknown cue set 'scam'"),
    ("fraud.toml", '[[topic]]\nterms = ["骗子"]\ntems = ["x"]\ncues = ["钱"]\n',
     "topic[0].tems", "unknown key"),
    ("fraud.toml", '[[topic]]\nterms = []\ncues = ["钱"]\n', "topic[0].terms",
     "at least one term"),
    ("fraud.toml", '[[topic]]\nterms = ["骗子"]\n', "topic[0].cues", "needs cues"),
    ("fraud.toml", "topic = 5\n", "topic", "array of tables"),
    ("regulatory.toml", 'exclude_patterns = ["(unclosed"]\n', "exclude_patterns[0]",
     "bad pattern"),
    ("security.toml", 'strong_patterns = ["盗(我"]\n', "strong_patterns[0]", "bad pattern"),
    ("security.toml", 'strong_patterns = "盗"\n', "strong_patterns", "list of patterns"),
    ("security.toml", 'strong_patterns = ["[^。]+(被)?"]\n', "strong_patterns[0]", "no fixed word"),
    ("biometric.toml", 'concern = "privacy"\n', "concern", "file name"),
    ("biometric.toml", 'description = 5\n', "description", "a string"),
    ("security.toml", 'strong = ["泄露"]\n[[topic]]\nterms = ["泄露"]\ncues = ["密码"]\n',
     "topic[0].terms", "already listed in strong"),
    ("security.toml", '[[topic]]\nterms = ["被盗"]\ncues = ["微博"]\n'
     '[[topic]]\nterms = ["被盗"]\ncues = ["账号"]\n', "topic[1].terms",
     "already listed in topic[0].terms"),
    ("context.toml", CONTEXT.replace("exclude_patterns = []", 'exclude_patterns = [".*"]'),
     "exclude_patterns[0]", "empty string"),
    ("context.toml", CONTEXT + "broken = 5\n", "cue_sets.broken", "list of words"),
    ("context.toml", "speling = []\n" + CONTEXT, "speling", "unknown key"),
    ("userdict.txt", "ZAO lots nz\n", "line 1", "whole-number frequency"),
    ("userdict.txt", "# words\nZAO 1000 nz extra\n", "line 2", "word [freq] [tag]"),
]


@pytest.mark.parametrize(("name", "content", "key", "message"), BAD,
                         ids=[f"{b[0]}:{b[2]}" for b in BAD])
def test_bad_content_names_file_and_key(
    small_dir: Path, name: str, content: str, key: str, message: str
) -> None:
    (small_dir / name).write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_lexicon(small_dir)
    error = raised.value
    assert error.path == str(small_dir / name)
    assert error.key == key
    assert str(error).startswith(f"{small_dir / name}: {key}: ")
    assert message in str(error)


def test_a_broken_shipped_file_is_named(lexicon_dir: Path) -> None:
    _edit(lexicon_dir, "regulatory.toml", "exclude_patterns = [\n", 'exclude_patterns = [\n  "(",\n')
    with pytest.raises(ConfigError, match=r"regulatory\.toml: exclude_patterns\[0\]: bad pattern"):
        load_lexicon(lexicon_dir)


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
    nlp = NlpSettings(lexicon_dir=str(lexicon_dir), concern_model=False)  # the lexicon's hash alone
    first = make_analyzer([], nlp, FixedSentiment()).version
    assert first == make_analyzer([], nlp, FixedSentiment()).version
    assert first.startswith(f"a2-fixed-{lexicon_hash(lexicon_dir)[:12]}-")
    _edit(lexicon_dir, "fraud.toml", 'strong = [\n', 'strong = [\n  "新型骗术",\n')
    second = make_analyzer([], nlp, FixedSentiment())
    assert second.version != first
    assert second.analyze("小心新型骗术").concerns == ("fraud",)
