"""Channels (① and ⑥), WeChat crypto: callback signatures and safe-mode AES for the Official Account and WeCom.

Pure functions and one small class, no I/O. The AES-CBC / PKCS#7 / receive-id framing is wechatpy's `PrpCrypto`
(the Official Account flavour from `wechatpy.crypto`, the WeCom flavour from `wechatpy.work.crypto`, called
`wechatpy.enterprise.crypto` in wechatpy 1.8); everything that compares a signature is done here, in constant time,
because wechatpy compares with `!=`.

Safe mode does not authenticate the ciphertext (CBC without a MAC): only `msg_signature` does. Always check it
(`MessageCrypto.verify`, or `MessageCrypto.verify_and_decrypt` which does both) before trusting what `decrypt` returns.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from collections.abc import Mapping
from typing import Any

from wechatpy.crypto import PrpCrypto as MpPrpCrypto
from wechatpy.exceptions import WeChatException

try:  # wechatpy >= 2: WeCom lives in wechatpy.work
    from wechatpy.work.crypto import PrpCrypto as WorkPrpCrypto
except ImportError:  # wechatpy 1.8: the same class under its old name
    from wechatpy.enterprise.crypto import PrpCrypto as WorkPrpCrypto

AES_KEY_CHARS = 43  # EncodingAESKey: the Base64 of a 32-byte AES key without its trailing "="
AES_KEY_BYTES = 32
MAX_TIMESTAMP_DIGITS = 15
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9]{1,64}")  # what a nonce or timestamp we echo into an envelope may contain
_ENVELOPE = (
    "<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{signature}]]></MsgSignature>"
    "<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
)


class CryptoError(ValueError):
    """A ciphertext that does not decrypt to a well-framed message for this receiver, or a bad msg_signature."""


def signature(*parts: str) -> str:
    """WeChat's callback signature: SHA1 (hex) of the parts sorted as strings and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's protocol, not our choice


def check_signature(expected: str, *parts: str) -> bool:
    """Whether `expected` is the signature of `parts`; constant-time, case-insensitive hex, never raises."""
    return hmac.compare_digest(signature(*parts).encode(), expected.lower().encode("utf-8", "replace"))


def timestamp_fresh(timestamp: str, now: float, window_seconds: int) -> bool:
    """Whether a callback's timestamp (ASCII digits, seconds) is within `window_seconds` of `now`."""
    if not (0 < len(timestamp) <= MAX_TIMESTAMP_DIGITS and timestamp.isascii() and timestamp.isdigit()):
        return False
    return abs(now - int(timestamp)) <= window_seconds


def refusal(
    query: Mapping[str, str], token: str, now: float, window_seconds: int, *payload: str, field: str = "signature"
) -> str | None:
    """Why a callback is not authentic, or None when it is: the one check of the Official Account and WeCom.

    `query` holds timestamp, nonce and the signature under `field` ("signature" for a plain Official Account
    callback, "msg_signature" for an encrypted one); `payload` is what the signature covers besides token,
    timestamp and nonce (the Encrypt element, or WeCom's echostr).
    """
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not token:
        return "channel not configured"
    if not timestamp_fresh(timestamp, now, window_seconds):
        return "stale or missing timestamp"
    if not check_signature(query.get(field, ""), token, timestamp, nonce, *payload):
        return "bad signature"
    return None


def _random_prefix() -> str:
    """The 16 random bytes that start every plaintext (wechatpy's default uses `random`, not a CSPRNG)."""
    return secrets.token_hex(8)


class MessageCrypto:
    """Safe-mode ("安全模式") message crypto for one Official Account (receive id = AppID) or WeCom app (CorpID)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str, *, work: bool = False) -> None:
        if not token:
            raise ValueError("WeChat token is empty")
        if not receive_id:
            raise ValueError("WeChat receive id (AppID or CorpID) is empty")
        if len(encoding_aes_key) != AES_KEY_CHARS:
            raise ValueError(
                f"EncodingAESKey must be exactly {AES_KEY_CHARS} characters (got {len(encoding_aes_key)}); "
                "copy it again from the WeChat admin console"
            )
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey must contain only the letters a-z, A-Z and the digits 0-9") from exc
        if len(key) != AES_KEY_BYTES:  # pragma: no cover - 43 valid Base64 characters always give 32 bytes
            raise ValueError(f"EncodingAESKey must decode to {AES_KEY_BYTES} bytes")
        self.token = token
        self.receive_id = receive_id
        self.work = work
        self._key = key

    def _prp(self) -> Any:
        prp = (WorkPrpCrypto if self.work else MpPrpCrypto)(self._key)
        prp.get_random_string = _random_prefix
        return prp

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> bool:
        """Whether msg_signature signs (token, timestamp, nonce, encrypt); constant time."""
        return check_signature(msg_signature, self.token, timestamp, nonce, encrypt)

    def decrypt(self, encrypt_b64: str) -> str:
        """The plaintext (the inner XML) of an `Encrypt` value; CryptoError for anything that is not ours or broken.

        This checks the framing and the receive id, not integrity: check msg_signature first.
        """
        try:
            raw = base64.b64decode(encrypt_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError("Encrypt is not valid Base64") from exc
        if len(raw) < AES_KEY_BYTES or len(raw) % 16:
            raise CryptoError("Encrypt is not a whole number of AES blocks")
        try:
            plain = self._prp().decrypt(encrypt_b64, self.receive_id)
        except (WeChatException, ValueError, struct.error, IndexError, TypeError) as exc:
            # WeChatException: InvalidAppIdException / InvalidCorpIdException (receive id mismatch);
            # ValueError covers binascii.Error and UnicodeDecodeError; struct/IndexError: a frame too short.
            raise CryptoError(f"cannot decrypt the message ({type(exc).__name__})") from exc
        if not isinstance(plain, str):  # pragma: no cover - wechatpy always returns text
            raise CryptoError("cannot decrypt the message")
        return plain

    def verify_and_decrypt(self, encrypt_b64: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Check msg_signature, then decrypt; CryptoError if either fails."""
        if not self.verify(msg_signature, timestamp, nonce, encrypt_b64):
            raise CryptoError("msg_signature does not match")
        return self.decrypt(encrypt_b64)

    def decrypt_echo(self, echostr: str) -> str:
        """WeCom URL verification: the plaintext to answer for an encrypted `echostr` (check msg_signature first)."""
        return self.decrypt(echostr)

    def encrypt(self, plain_xml: str, nonce: str, timestamp: str) -> str:
        """The passive-reply envelope `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` for `plain_xml`."""
        for name, value in (("nonce", nonce), ("timestamp", timestamp)):
            if not _TOKEN_CHARS.fullmatch(value):
                raise ValueError(f"{name} must be 1-64 ASCII letters or digits")
        encrypted = self._prp().encrypt(plain_xml, self.receive_id)
        encrypt = encrypted.decode("ascii") if isinstance(encrypted, bytes) else str(encrypted)
        sign = signature(self.token, timestamp, nonce, encrypt)
        return _ENVELOPE.format(encrypt=encrypt, signature=sign, timestamp=timestamp, nonce=nonce)
