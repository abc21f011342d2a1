"""Domain errors: what a flow or a service refuses, in words; ``web`` turns them into HTTP answers once.

Each error carries an Italian-first sentence (``message``) and, where one field is at fault, its name
(``field``). None of them knows about HTTP: the mapping to status codes lives in ``web/errors.py``.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal a caller can understand: ``message`` says what is wrong, ``field`` where."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist (or is deleted)."""

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} non trovato / not found")
        self.what = what
        self.ident = ident


class Refused(DomainError):
    """The actor may not do this to this object (need-to-know or role); the refusal is already audited."""

    def __init__(self, message: str = "Accesso non consentito / access denied") -> None:
        super().__init__(message)


class Conflict(DomainError):
    """The object's state does not allow the action (already closed, a duplicate, a stale version)."""


class Invalid(DomainError):
    """The input breaks a domain rule (a date in the past, a phone that is not mobile...)."""


Forbidden = Refused
