"""Password hashing with argon2 (pwdlib's recommended settings)."""

from __future__ import annotations

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
# A hash of a random string, verified against when the username is unknown, so that timing does not
# tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)
