"""Keyed pseudonyms for author ids: the monitor stores no raw author id.

A pseudonym is an HMAC-SHA256 of `source + "\\0" + author_id` under a secret key, so
the same author gets the same pseudonym on every run (posts can be grouped by author)
while nobody without the key can go back from a pseudonym to the account.

The key comes from the environment variable named by `[privacy] pseudonym_key_env`
(hex, 32 bytes or more recommended; any other text is used as UTF-8 bytes). If that
variable is unset, a random key is generated once into `<data_dir>/pseudonym.key`
(mode 0600) and reused; a warning says where, because losing that file breaks
pseudonym continuity (every author then gets a new pseudonym). The key never goes into
the database and never into logs; neither do raw author ids.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from monitor.config import PrivacySettings
from monitor.errors import ConfigError

__all__ = [
    "KEY_FILE_NAME",
    "MIN_KEY_BYTES",
    "PseudonymFn",
    "Pseudonymizer",
    "load_pseudonym_key",
]

log = logging.getLogger(__name__)

KEY_FILE_NAME = "pseudonym.key"
MIN_KEY_BYTES = 16
"""Shorter keys are refused: a guessable key would let anyone re-identify authors."""

PSEUDONYM_PREFIX = "p_"
PSEUDONYM_HEX_CHARS = 20

PseudonymFn = Callable[[str, str], "str | None"]
"""What the parsers call to turn `(namespace, raw author id)` into a pseudonym."""


def load_pseudonym_key(privacy: PrivacySettings, env: Mapping[str, str] | None = None) -> bytes:
    """The pseudonym key: from `env[privacy.pseudonym_key_env]`, else from the key file.

    `env` defaults to `os.environ`. Without the variable, `<privacy.data_dir>/pseudonym.key`
    is read, or generated once (32 random bytes, hex, mode 0600; safe against two
    processes racing to create it), and a WARNING names the file. Raises `ConfigError`
    if the key is too short or the key file is unusable; the key itself is never shown.
    """
    env = os.environ if env is None else env
    name = privacy.pseudonym_key_env
    value = env.get(name, "").strip()
    if value:
        return _decode_key(value, where="environment", key=name)
    path = Path(privacy.data_dir) / KEY_FILE_NAME
    created = _create_key_file(path)
    key = _read_key_file(path)
    log.warning(
        "%s is not set: %s the pseudonym key file %s. Keep it secret and back it up; "
        "losing it breaks pseudonym continuity (every author gets a new pseudonym).",
        name,
        "generated" if created else "using",
        path,
    )
    return key


def _decode_key(text: str, *, where: str, key: str) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = text.encode("utf-8")
    if len(raw) < MIN_KEY_BYTES:
        raise ConfigError(
            f"pseudonym key too short (expected at least {MIN_KEY_BYTES} bytes, "
            "e.g. 64 hex digits from `python -c 'import secrets; print(secrets.token_hex(32))'`)",
            path=where,
            key=key,
        )
    return raw


def _create_key_file(path: Path) -> bool:
    """Create `path` with a fresh key unless it exists; True if this call created it.

    The key is written to a private temporary file first and then hard-linked into
    place, so a concurrent reader never sees a half-written key and a concurrent
    creator never overwrites one.
    """
    if path.exists():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=".pseudonym-", dir=path.parent)  # mode 0600
    except OSError as exc:
        raise ConfigError(
            f"cannot create the pseudonym key file ({exc.strerror})", path=str(path)
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_bytes(32).hex() + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp_name, path)
    except FileExistsError:
        return False
    except OSError as exc:
        raise ConfigError(
            f"cannot create the pseudonym key file ({exc.strerror})", path=str(path)
        ) from None
    finally:
        os.unlink(tmp_name)
    return True


def _read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not ASCII hex"
        raise ConfigError(
            f"cannot read the pseudonym key file ({reason})", path=str(path)
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("pseudonym key file %s is accessible to other users; chmod 600 it", path)
    return _decode_key(text, where=str(path), key="pseudonym key")


class Pseudonymizer:
    """Turns `(source, author_id)` into a stable keyed pseudonym like `p_3f9c…` (22 chars).

    Same key and input give the same pseudonym; another key gives another. Empty or
    missing ids give None. The raw id is neither returned, stored nor logged.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"pseudonym key must be at least {MIN_KEY_BYTES} bytes")
        self._key = bytes(key)

    def __call__(self, source: str, author_id: str | None) -> str | None:
        """The pseudonym of `author_id` within `source`, or None for an empty id."""
        if author_id is None:
            return None
        author = str(author_id).strip()
        if not author:
            return None
        message = f"{source}\0{author}".encode("utf-8", "surrogatepass")
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_CHARS]

    def __repr__(self) -> str:
        return "Pseudonymizer(key=<hidden>)"
