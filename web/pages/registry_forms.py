"""What the registry pages share: reading a form, the Italian sentence beside each field, the refusal page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from centrale.auth.actor import Actor
from centrale.errors import Conflict, DomainError, Invalid, NotFound
from centrale.operators.models import Role
from web.errors import status_of
from web.pages.base import render
from web.pages.refused import refused_page

#: pydantic's error types -> what a person is told
_SENTENCES = {
    "missing": "campo obbligatorio",
    "string_too_short": "troppo corto",
    "string_too_long": "troppo lungo",
    "enum": "scegliere un valore dall'elenco",
    "literal_error": "scegliere un valore dall'elenco",
    "date_parsing": "data non valida (gg/mm/aaaa)",
    "date_from_datetime_parsing": "data non valida (gg/mm/aaaa)",
    "date_type": "data non valida (gg/mm/aaaa)",
    "int_parsing": "numero non valido",
    "int_type": "numero non valido",
    "decimal_parsing": "importo non valido (es. 13,80)",
    "decimal_type": "importo non valido (es. 13,80)",
    "greater_than_equal": "non può essere negativo",
    "bool_parsing": "rispondere sì o no",
    "too_short": "indicare almeno un valore",
}

#: python-stdnum's reasons (in English) -> Italian
_STDNUM = {
    "The number has an invalid length.": "lunghezza errata (16 caratteri, o 11 cifre se provvisorio)",
    "The number's checksum or check digit is invalid.": "il carattere di controllo non corrisponde",
    "The number has an invalid format.": "formato non valido",
    "One of the parts of the number are invalid or unknown.": "data di nascita o comune non validi",
}

Errors = dict[str, str]


def _italian(text: str) -> str:
    for english, italian in _STDNUM.items():
        text = text.replace(english, italian)
    return text


async def read_form(request: Request) -> dict[str, str]:
    """The posted fields that are not empty, trimmed (an empty field means "not given")."""
    form = await request.form()
    return {key: str(value).strip() for key, value in form.items() if str(value).strip() != ""}


def sentence(exc: ValidationError | DomainError) -> Errors:
    """Field -> what is wrong, in Italian ("" for what belongs to no field)."""
    if isinstance(exc, ValidationError):
        errors: Errors = {}
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            if err["type"] == "value_error":
                text = _italian(str(err["msg"]).removeprefix("Value error, ").split(" / ", 1)[0])
            else:
                text = _SENTENCES.get(err["type"], "valore non valido")
            errors.setdefault(name, text)
        return errors
    text = exc.message.split(" / ", 1)[0]
    field = exc.field
    if field is None and ": " in text and " " not in text.split(": ", 1)[0]:
        field, text = text.split(": ", 1)
    return {field or "": text}


def status(exc: ValidationError | DomainError) -> int:
    return 422 if isinstance(exc, ValidationError) else status_of(exc)


def is_refusal(exc: ValidationError | DomainError) -> bool:
    """A refusal (already audited by the flow) or a missing object: said on a page of its own."""
    return (isinstance(exc, DomainError) and not isinstance(exc, Conflict | Invalid)) or isinstance(exc, NotFound)


def refusal(request: Request, actor: Actor, exc: DomainError, back: str) -> Response:
    return refused_page(request, actor, exc, back=back)


def admin_only(request: Request, actor: Actor) -> Response | None:
    """The page saying that administrators only may open it (or None for an administrator)."""
    if actor.role == Role.AMMINISTRATORE:
        return None
    return render(
        request,
        "cases/refused.html",
        status_code=403,
        actor=actor,
        title="Operazione non consentita",
        error="Questa pagina è riservata agli amministratori.",
        back="/",
    )
