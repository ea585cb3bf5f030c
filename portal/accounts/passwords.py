"""Password rules: length only, no composition rules, and no well-known passwords."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 128

# argon2-cffi's defaults follow RFC 9106's low-memory recommendation and use argon2id.
_hasher = PasswordHasher()


@cache
def _common_passwords() -> frozenset[str]:
    lines = (Path(__file__).with_name("common_passwords.txt")).read_text().splitlines()
    return frozenset(line.strip() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, phone: str | None = None) -> str | None:
    """A message that says what to change, or None if the password is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) == 1:
        return _("That password is one of the most common, so it is easy to guess. "
                 "Try a short phrase you will remember.")
    if phone and phone in password:
        return _("Don't use your phone number in your password.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


# A fixed hash to verify against when the account does not exist, so that a wrong phone
# number takes as long as a wrong password and the timing does not reveal who is registered.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def burn_time(password: str) -> None:
    verify_password(_DUMMY_HASH, password)
