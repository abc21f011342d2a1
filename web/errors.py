"""Error answers that name the field and say what is wrong, in Italian first."""

from __future__ import annotations

import re

from asyncpg.exceptions import PostgresError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError

from centrale.errors import Conflict, DomainError, Invalid, NotFound, Refused

_PG_KEY = re.compile(r"Key \((?P<field>[^)]+)\)")


def _field(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "richiesta"


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    sentences = []
    for err in errors:
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        sentences.append(f"{_field(err.get('loc', ()))}: {msg}")
    return JSONResponse(
        status_code=422,
        content={
            "message": "Dati non validi / invalid input — " + "; ".join(sentences),
            "detail": jsonable_encoder(errors, custom_encoder={Exception: str}),
        },
    )


def _bad_value(exc: BaseException) -> bool:
    """A value the database cannot hold (a number out of range, text that is not valid Unicode)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OverflowError | UnicodeError) or type(seen).__name__ == "DataError":
            return True
        if "out of range" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# SQLSTATEs: a transaction that lost to another (retry it) and text the database's encoding cannot hold
RETRY_LATER = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
BAD_TEXT = frozenset({"22021", "22P05"})  # character_not_in_repertoire, untranslatable_character


def sqlstate_of(exc: BaseException) -> str | None:
    """The PostgreSQL error code anywhere in the exception's chain (SQLAlchemy wraps asyncpg's errors)."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(code, str):
            return code
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return None


async def database_refusal(_request: Request, exc: Exception) -> JSONResponse:
    """What the database refused because of the input: 409 / 422, never 500 (the transaction is rolled back).

    A database that is down is not the caller's fault and stays a 5xx (Twilio retries those); a deadlock
    or a serialization failure is a 503 with ``Retry-After``: the same request succeeds when retried.
    """
    code = sqlstate_of(exc)
    if code in RETRY_LATER:
        return JSONResponse(
            status_code=503,
            content={"detail": "Conflitto temporaneo, riprovare / temporary conflict, retry"},
            headers={"Retry-After": "1"},
        )
    if code in BAD_TEXT:
        return JSONResponse(
            status_code=422,
            content={
                "detail": "Dati non validi: un testo contiene un carattere non ammesso (carattere nullo o non valido) "
                "/ invalid input: a text contains a character that cannot be stored"
            },
        )
    if isinstance(exc, IntegrityError):
        found = _PG_KEY.search(str(exc.orig))
        field = found.group("field") if found else "riferimento"
        return JSONResponse(
            status_code=409,
            content={
                "message": f"Conflitto / conflict — {field}: riferimento inesistente o valore già presente "
                "/ missing reference or duplicate value"
            },
        )
    if _bad_value(exc):
        return JSONResponse(
            status_code=422,
            content={
                "message": "Dati non validi / invalid input — un numero fuori intervallo o un testo non valido "
                "/ a number out of range or invalid text"
            },
        )
    raise exc


STATUS: dict[type[DomainError], int] = {NotFound: 404, Refused: 403, Conflict: 409, Invalid: 422}


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error (the one place where the two meet)."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]  # type: ignore[index]
    return 400


async def domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    content: dict[str, object] = {"detail": exc.message}
    if exc.field:
        content["field"] = exc.field
    return JSONResponse(status_code=status_of(exc), content=content)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DBAPIError, database_refusal)
    app.add_exception_handler(OverflowError, database_refusal)
    app.add_exception_handler(UnicodeEncodeError, database_refusal)
    # asyncpg's own errors, where a statement runs on the driver's connection without SQLAlchemy's wrapping
    app.add_exception_handler(PostgresError, database_refusal)
