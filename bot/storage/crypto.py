"""Storage, encryption at rest: AES-256-GCM for personal fields and keyed hashes for user keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


class Crypto:
    """Encrypt and decrypt small blobs; derive stable pseudonymous ids from user keys."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the encryption key must be 32 bytes (base64 in ANNING_ENCRYPTION_KEY)")
        self._aead = AESGCM(key)
        self._mac_key = hashlib.sha256(b"anning-user-key|" + key).digest()
        self._tag_key = hashlib.sha256(b"anning-tag|" + key).digest()

    def encrypt(self, plain: bytes, context: bytes = b"") -> bytes:
        """Nonce || ciphertext+tag; the context (e.g. the user id) is authenticated too."""
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plain, context)

    def decrypt(self, blob: bytes, context: bytes = b"") -> bytes:
        """Inverse of encrypt; raises if the blob was altered or moved to another context."""
        return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], context)

    def pseudonym(self, user_key: str) -> str:
        """HMAC-SHA256 of a channel user key: the database never stores the raw key."""
        return hmac.new(self._mac_key, user_key.encode(), hashlib.sha256).hexdigest()

    def tag(self, purpose: str, data: bytes) -> bytes:
        """HMAC-SHA256 of data for one purpose (e.g. signed download links); not usable as a pseudonym."""
        return hmac.new(self._tag_key, purpose.encode() + b"|" + data, hashlib.sha256).digest()


def load_key(configured: str, key_file: Path) -> bytes:
    """The key from settings, or from a private key file created on first run (never a built-in default)."""
    if configured:
        return base64.urlsafe_b64decode(configured.encode() + b"=" * (-len(configured) % 4))
    if key_file.exists():
        return base64.urlsafe_b64decode(key_file.read_bytes().strip())
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(base64.urlsafe_b64encode(key))
    return key
