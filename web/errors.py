"""Error answers that name the field and say what is wrong, in Italian first."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


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


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
