"""Pseudonyms: keyed, stable, never the raw id; the key from env or a private file."""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.config import PrivacySettings
from monitor.errors import ConfigError
from monitor.ingest.pseudonym import KEY_FILE_NAME, Pseudonymizer, load_pseudonym_key

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PSEUDONYM = re.compile(r"p_[0-9a-f]{20}")


def test_same_input_gives_the_same_pseudonym() -> None:
    first = Pseudonymizer(KEY)("weibo", "1000000001")
    again = Pseudonymizer(KEY)("weibo", "1000000001")
    assert first == again
    assert first is not None and PSEUDONYM.fullmatch(first)


def test_another_key_another_source_or_another_id_gives_another_pseudonym() -> None:
    base = Pseudonymizer(KEY)("weibo", "1000000001")
    assert Pseudonymizer(OTHER_KEY)("weibo", "1000000001") != base
    assert Pseudonymizer(KEY)("rss", "1000000001") != base
    assert Pseudonymizer(KEY)("weibo", "1000000002") != base


def test_source_and_id_are_separated_so_they_cannot_be_shifted() -> None:
    pseudonymize = Pseudonymizer(KEY)
    assert pseudonymize("weibo1", "23") != pseudonymize("weibo", "123")


@given(st.integers(10**7, 10**15), st.sampled_from(["weibo", "rss", "file"]))
def test_the_raw_id_never_appears_in_the_pseudonym(uid: int, source: str) -> None:
    pseudonym = Pseudonymizer(KEY)(source, str(uid))
    assert pseudonym is not None and PSEUDONYM.fullmatch(pseudonym)
    assert str(uid) not in pseudonym


@given(st.text(min_size=1).filter(str.strip))
def test_any_text_id_gives_a_well_formed_pseudonym(author_id: str) -> None:
    pseudonym = Pseudonymizer(KEY)("weibo", author_id)
    assert pseudonym is not None and PSEUDONYM.fullmatch(pseudonym)


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_no_author_gives_no_pseudonym(empty: str | None) -> None:
    assert Pseudonymizer(KEY)("weibo", empty) is None


def test_the_key_is_not_shown_and_must_be_long_enough() -> None:
    assert KEY.hex() not in repr(Pseudonymizer(KEY))
    with pytest.raises(ValueError):
        Pseudonymizer(b"short")


def test_key_from_environment_hex_or_text(tmp_path: Path) -> None:
    privacy = PrivacySettings(data_dir=str(tmp_path / "var"))
    assert load_pseudonym_key(privacy, {"MONITOR_PSEUDONYM_KEY": KEY.hex()}) == KEY
    text = "a long enough passphrase, not hex"
    assert load_pseudonym_key(privacy, {"MONITOR_PSEUDONYM_KEY": text}) == text.encode()
    custom = PrivacySettings(pseudonym_key_env="MY_KEY", data_dir=str(tmp_path / "var"))
    assert load_pseudonym_key(custom, {"MY_KEY": KEY.hex()}) == KEY
    assert not (tmp_path / "var").exists()  # no key file when the environment has one


def test_a_short_environment_key_is_refused_without_showing_it(tmp_path: Path) -> None:
    privacy = PrivacySettings(data_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="MONITOR_PSEUDONYM_KEY") as caught:
        load_pseudonym_key(privacy, {"MONITOR_PSEUDONYM_KEY": "hunter2"})
    assert "hunter2" not in str(caught.value)


def test_without_env_a_key_file_is_generated_once_private_and_reused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    privacy = PrivacySettings(data_dir=str(tmp_path / "var" / "data"))
    key_file = tmp_path / "var" / "data" / KEY_FILE_NAME
    with caplog.at_level(logging.WARNING, logger="monitor.ingest.pseudonym"):
        key = load_pseudonym_key(privacy, {})
    assert len(key) == 32
    assert key_file.read_text().strip() == key.hex()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in key_file.parent.iterdir()] == [KEY_FILE_NAME]  # no temp left
    message = caplog.records[-1].getMessage()
    assert caplog.records[-1].levelno == logging.WARNING
    assert str(key_file) in message and "continuity" in message and "generated" in message
    assert key.hex() not in caplog.text

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="monitor.ingest.pseudonym"):
        assert load_pseudonym_key(privacy, {}) == key
    assert key_file.read_text().strip() == key.hex()
    assert "using" in caplog.records[-1].getMessage()


def test_the_key_file_and_the_environment_give_the_same_pseudonyms(tmp_path: Path) -> None:
    privacy = PrivacySettings(data_dir=str(tmp_path))
    from_file = load_pseudonym_key(privacy, {})
    hex_key = (tmp_path / KEY_FILE_NAME).read_text().strip()
    from_env = load_pseudonym_key(privacy, {"MONITOR_PSEUDONYM_KEY": hex_key})
    assert Pseudonymizer(from_file)("weibo", "42") == Pseudonymizer(from_env)("weibo", "42")


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE_NAME).write_text(KEY.hex() + "\n")
    os.chmod(tmp_path / KEY_FILE_NAME, 0o600)
    assert load_pseudonym_key(PrivacySettings(data_dir=str(tmp_path)), {}) == KEY
    assert (tmp_path / KEY_FILE_NAME).read_text() == KEY.hex() + "\n"


def test_a_key_file_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / KEY_FILE_NAME).write_text(KEY.hex())
    os.chmod(tmp_path / KEY_FILE_NAME, 0o644)
    with caplog.at_level(logging.WARNING, logger="monitor.ingest.pseudonym"):
        load_pseudonym_key(PrivacySettings(data_dir=str(tmp_path)), {})
    assert any("other users" in record.getMessage() for record in caplog.records)


def test_a_damaged_key_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE_NAME).write_text("abc")
    with pytest.raises(ConfigError, match=KEY_FILE_NAME):
        load_pseudonym_key(PrivacySettings(data_dir=str(tmp_path)), {})
