"""Error answers that name the field in words and say what is wrong, Italian first.

The API answers JSON (its shape unchanged); a page route answers an HTML page in the reader's language
(403, 404, 422, 500), never JSON. A page route is any path outside ``API_PREFIXES``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from asyncpg.exceptions import PostgresError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException

from centrale.errors import Conflict, DomainError, Invalid, NotFound, Refused
from web.i18n import field_name, label, lang_of
from web.pages.base import error_page
from web.words.codes import CODES

log = logging.getLogger(__name__)
_PG_KEY = re.compile(r"Key \((?P<field>[^)]+)\)")
_PREFIX = re.compile(r"^(?P<field>[A-Za-z_][\w.]*): ")

#: paths whose answers are for programs (JSON, TwiML, metrics); every other path is a page
API_PREFIXES = (
    "/api/",
    "/waas/",
    "/integrations/",
    "/twilio/",
    "/ws/",
    "/board/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/redoc",
    "/static/",
)


def is_page(request: Request) -> bool:
    """Whether a person reads the answer in a browser (an HTML page) rather than a program."""
    return not request.url.path.startswith(API_PREFIXES)


def _field(loc: Iterable[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie", "form")]
    return ".".join(parts)


#: what pydantic's error types mean, said to a person ({…} from the error's context)
PROBLEMS: dict[str, dict[str, str]] = {
    "missing": {"it": "è obbligatorio", "en": "is required"},
    "decimal_parsing": {"it": "deve essere un numero (per esempio 12,50)", "en": "must be a number (e.g. 12.50)"},
    "decimal_type": {"it": "deve essere un numero (per esempio 12,50)", "en": "must be a number (e.g. 12.50)"},
    "float_parsing": {"it": "deve essere un numero (per esempio 12,50)", "en": "must be a number (e.g. 12.50)"},
    "float_type": {"it": "deve essere un numero", "en": "must be a number"},
    "int_parsing": {"it": "deve essere un numero intero", "en": "must be a whole number"},
    "int_type": {"it": "deve essere un numero intero", "en": "must be a whole number"},
    "int_from_float": {"it": "deve essere un numero intero", "en": "must be a whole number"},
    "bool_parsing": {"it": "deve essere sì o no", "en": "must be yes or no"},
    "bool_type": {"it": "deve essere sì o no", "en": "must be yes or no"},
    "date_parsing": {"it": "non è una data valida (gg/mm/aaaa)", "en": "is not a valid date"},
    "date_from_datetime_parsing": {"it": "non è una data valida (gg/mm/aaaa)", "en": "is not a valid date"},
    "date_type": {"it": "non è una data valida", "en": "is not a valid date"},
    "datetime_parsing": {"it": "non è una data e ora valida", "en": "is not a valid date and time"},
    "datetime_from_date_parsing": {"it": "non è una data e ora valida", "en": "is not a valid date and time"},
    "datetime_type": {"it": "non è una data e ora valida", "en": "is not a valid date and time"},
    "timezone_aware": {"it": "deve indicare il fuso orario", "en": "must give a time zone"},
    "time_parsing": {"it": "non è un orario valido (hh:mm)", "en": "is not a valid time"},
    "string_type": {"it": "deve essere un testo", "en": "must be text"},
    "string_too_short": {"it": "è troppo corto (almeno {min_length} caratteri)", "en": "is too short"},
    "string_too_long": {"it": "è troppo lungo (al massimo {max_length} caratteri)", "en": "is too long"},
    "string_pattern_mismatch": {"it": "non ha il formato atteso", "en": "has not the expected format"},
    "too_short": {"it": "ne servono almeno {min_length}", "en": "needs at least {min_length}"},
    "too_long": {"it": "al massimo {max_length}", "en": "at most {max_length}"},
    "greater_than": {"it": "deve essere maggiore di {gt}", "en": "must be greater than {gt}"},
    "greater_than_equal": {"it": "deve essere almeno {ge}", "en": "must be at least {ge}"},
    "less_than": {"it": "deve essere minore di {lt}", "en": "must be less than {lt}"},
    "less_than_equal": {"it": "deve essere al massimo {le}", "en": "must be at most {le}"},
    "decimal_max_digits": {"it": "ha troppe cifre", "en": "has too many digits"},
    "decimal_max_places": {"it": "ha troppi decimali (al massimo {decimal_places})", "en": "has too many decimals"},
    "decimal_whole_digits": {"it": "ha troppe cifre prima della virgola", "en": "has too many digits"},
    "finite_number": {"it": "deve essere un numero finito", "en": "must be a finite number"},
    "enum": {"it": "non è tra i valori ammessi ({expected})", "en": "is not one of ({expected})"},
    "literal_error": {"it": "non è tra i valori ammessi ({expected})", "en": "is not one of ({expected})"},
    "extra_forbidden": {"it": "non è previsto", "en": "is not expected"},
    "list_type": {"it": "deve essere un elenco", "en": "must be a list"},
    "dict_type": {"it": "deve essere un insieme di campi", "en": "must be an object"},
    "model_type": {"it": "deve essere un insieme di campi", "en": "must be an object"},
    "model_attributes_type": {"it": "deve essere un insieme di campi", "en": "must be an object"},
    "json_invalid": {"it": "non è un JSON valido", "en": "is not valid JSON"},
    "json_type": {"it": "non è un JSON valido", "en": "is not valid JSON"},
    "url_parsing": {"it": "non è un indirizzo web valido", "en": "is not a valid URL"},
    "uuid_parsing": {"it": "non è un identificativo valido", "en": "is not a valid identifier"},
    "value_error": {"it": "non è valido", "en": "is not valid"},
    "assertion_error": {"it": "non è valido", "en": "is not valid"},
}
_GENERIC = {"it": "non è valido", "en": "is not valid"}
#: our own validators write "campo: italiano / english"; anything else (a library's words) is not shown
_OURS = re.compile(r" / |non |deve |richiede|precede|fuori|vuot|segue", re.IGNORECASE)


def _own_words(message: str, lang: str) -> str | None:
    """The words of one of our validators in ``lang`` (the part before or after " / "), without the field."""
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if not _OURS.search(message):
        return None
    it, _, en = message.partition(" / ")
    words = en if lang == "en" and en else it
    return _PREFIX.sub("", words.strip()).strip()


def _expected(ctx: Mapping[str, Any], lang: str) -> str:
    codes = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    return ", ".join(label(code, lang) for code in codes) or str(ctx.get("expected", ""))


def problem(error: Mapping[str, Any], lang: str = "it") -> str:
    """What is wrong with one field, in words (never pydantic's English nor a Python exception's text)."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        own = _own_words(str(error.get("msg", "")), lang)
        if own:
            return own
    template = PROBLEMS.get(kind, _GENERIC)
    words = template.get(lang, template["it"])
    values = {k: v for k, v in ctx.items() if isinstance(v, str | int | float)}
    values["expected"] = _expected(ctx, lang)
    try:
        return words.format(**values)
    except (KeyError, IndexError, ValueError):
        return _GENERIC.get(lang, _GENERIC["it"])


def _named_in(message: str) -> str:
    """The field a model-wide check names at the start of its message ("end: la fine precede l'inizio")."""
    found = _PREFIX.match(message.removeprefix("Value error, ").removeprefix("Assertion failed, "))
    return found.group("field") if found else ""


def sentences(errors: Iterable[Mapping[str, Any]], lang: str = "it", *, keys: bool = False) -> list[str]:
    """One sentence per invalid field: "Codice fiscale: è obbligatorio" (``keys`` adds the field's code)."""
    found = []
    for error in errors:
        field = _field(error.get("loc", ())) or _named_in(str(error.get("msg", "")))
        name = field_name(field, lang) if field else ("richiesta" if lang == "it" else "request")
        name = name[:1].upper() + name[1:]
        if keys and field:
            name = f"{name} ({field})"
        found.append(f"{name}: {problem(error, lang)}")
    return found


_CODE = re.compile(r"\b(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})\b")


def _code_words(match: re.Match[str], lang: str) -> str:
    code = match.group(0)
    return label(code, lang).lower() if code in CODES and code not in ("INSPIRE", "MMSE") else code


def domain_sentence(message: str, lang: str = "it") -> str:
    """A domain error's message in ``lang``: its leading field code and any state code said in words
    ("L'attività T-12 è SVOLTA" -> "L'attività T-12 è svolta")."""
    it, _, en = message.partition(" / ")
    words = (en if lang == "en" and en else it).strip()
    found = _PREFIX.match(words)
    if found:
        name = field_name(found.group("field"), lang)
        words = f"{name[:1].upper()}{name[1:]}: {words[found.end() :]}"
    return _CODE.sub(lambda m: _code_words(m, lang), words)


def say(exc: BaseException, lang: str = "it") -> str:
    """What a page shows beside its form when an action fails: Italian words naming the field."""
    if isinstance(exc, ValidationError | RequestValidationError):
        return "; ".join(sentences(exc.errors(), lang))
    if isinstance(exc, DomainError):
        return domain_sentence(exc.message, lang)
    if isinstance(exc, HTTPException):
        return domain_sentence(str(exc.detail), lang)
    return "Dati non validi" if lang == "it" else "Invalid input"


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    lang = lang_of(request)
    errors = exc.errors()
    if is_page(request):
        return await error_page(request, 422, sentences(errors, lang))
    detail = jsonable_encoder(errors, custom_encoder={Exception: str})
    for entry, error in zip(detail, errors, strict=True):
        entry["msg"] = problem(error, lang)
    intro = "Dati non validi" if lang == "it" else "Invalid input"
    return JSONResponse(
        status_code=422,
        content={"message": f"{intro} — " + "; ".join(sentences(errors, lang, keys=True)), "detail": detail},
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


#: what a page says when the database refused the input (the API's JSON says it in both languages)
DATABASE_WORDS = {
    409: "Un dato è già presente, o fa riferimento a qualcosa che non esiste più.",
    422: "Un numero è fuori dall'intervallo ammesso, o un testo contiene un carattere non valido.",
    503: "Conflitto momentaneo con un'altra operazione: riprova.",
}


async def database_refusal(request: Request, exc: Exception) -> Response:
    """What the database refused because of the input (see ``database_answer``), as a page or as JSON."""
    answer = await database_answer(request, exc)
    if not is_page(request):
        return answer
    page = await error_page(request, answer.status_code, [DATABASE_WORDS.get(answer.status_code, "")])
    if "retry-after" in answer.headers:
        page.headers["Retry-After"] = answer.headers["retry-after"]
    return page


async def database_answer(_request: Request, exc: Exception) -> JSONResponse:
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


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if is_page(request):
        return await error_page(request, status_of(exc), [domain_sentence(exc.message, lang_of(request))])
    content: dict[str, object] = {"detail": exc.message}
    if exc.field:
        content["field"] = exc.field
    return JSONResponse(status_code=status_of(exc), content=content)


async def http_error(request: Request, exc: Exception) -> Response:
    """Pages: a redirect stays a redirect, any other status an HTML page; the API keeps FastAPI's JSON."""
    assert isinstance(exc, HTTPException)
    if not is_page(request):
        return await http_exception_handler(request, exc)
    if 300 <= exc.status_code < 400:
        return RedirectResponse(
            (exc.headers or {}).get("Location", "/"), status_code=exc.status_code, headers=exc.headers
        )
    detail = str(exc.detail) if exc.detail and exc.status_code not in (404, 405) else ""
    return await error_page(request, exc.status_code, [domain_sentence(detail, lang_of(request))] if detail else [])


async def internal_error(request: Request, exc: Exception) -> Response:
    """Whatever no other handler took: logged, and said in a sentence (a page) or a short JSON (the API)."""
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    if is_page(request):
        return await error_page(request, 500, [])
    return JSONResponse(status_code=500, content={"detail": "Errore interno / internal error"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(DBAPIError, database_refusal)
    app.add_exception_handler(OverflowError, database_refusal)
    app.add_exception_handler(UnicodeEncodeError, database_refusal)
    # asyncpg's own errors, where a statement runs on the driver's connection without SQLAlchemy's wrapping
    app.add_exception_handler(PostgresError, database_refusal)
    app.add_exception_handler(Exception, internal_error)
