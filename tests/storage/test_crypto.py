"""Encryption at rest: round trip, tamper detection, stable pseudonyms, private key file."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from bot.storage.crypto import Crypto, load_key


def test_round_trip_and_tamper_detection() -> None:
    c = Crypto(os.urandom(32))
    blob = c.encrypt("张某 13800000000".encode(), b"user-a")
    assert "张某".encode() not in blob
    assert c.decrypt(blob, b"user-a").decode() == "张某 13800000000"
    with pytest.raises(InvalidTag):
        c.decrypt(blob, b"user-b")  # moved to another user's row
    with pytest.raises(InvalidTag):
        c.decrypt(blob[:-1] + bytes([blob[-1] ^ 1]), b"user-a")


def test_pseudonyms_are_stable_and_key_dependent() -> None:
    k = os.urandom(32)
    assert Crypto(k).pseudonym("telegram:1") == Crypto(k).pseudonym("telegram:1")
    assert Crypto(k).pseudonym("telegram:1") != Crypto(os.urandom(32)).pseudonym("telegram:1")


def test_key_file_is_created_once_with_private_permissions(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    key = load_key("", path)
    assert load_key("", path) == key and len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    configured = base64.urlsafe_b64encode(os.urandom(32)).decode()
    assert load_key(configured, path) == base64.urlsafe_b64decode(configured)


def test_wrong_key_length_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Crypto(b"short")
