"""Personal data at rest (ID numbers, the care register's sensitive fields): Fernet
encryption, plus a keyed hash for look-ups.

The key (PORTAL_DATA_KEY) lives outside the database. The lookup hash uses a key derived
from it, so a stolen database alone neither reveals nor lets anyone test guessed numbers.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


@lru_cache(maxsize=4)
def _keys(data_key: str) -> tuple[Fernet, bytes]:
    fernet = Fernet(data_key.encode())
    lookup = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                  info=b"linli aid id-number lookup").derive(data_key.encode())
    return fernet, lookup


def _current() -> tuple[Fernet, bytes]:
    return _keys(current_app.config["DATA_KEY"])


def encrypt(plain: str) -> str:
    return _current()[0].encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _current()[0].decrypt(token.encode()).decode()


def lookup_hash(number: str) -> str:
    return hmac.new(_current()[1], number.encode(), hashlib.sha256).hexdigest()
