"""Errors said in Italian, naming the field in words: HTML pages for page routes, JSON for the API."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError, field_validator
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from web.api.deps import COOKIE_NAME
from web.errors import say, sentences

ENGLISH = ("Input should", "Field required", "not enough values", "value is not", "validation error")


def _is_html_page(r: httpx.Response) -> bool:
    return r.headers["content-type"].startswith("text/html") and '<html lang="it">' in r.text


async def _signed_in(client: httpx.AsyncClient, session: AsyncSession, role: Role = Role.COORDINATORE) -> None:
    op = await f.operator(session, role, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, op))


async def test_a_missing_case_is_an_italian_page_not_json(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _signed_in(client, session)
    r = await client.get("/casi/9999")
    assert r.status_code == 404 and _is_html_page(r)
    assert "<h1" in r.text and "non trovat" in r.text.lower() and '"detail"' not in r.text
    r = await client.get("/una-pagina-che-non-esiste")
    assert r.status_code == 404 and _is_html_page(r) and "Pagina non trovata" in r.text
    english = await client.get("/una-pagina-che-non-esiste?lang=en")
    assert english.status_code == 404 and "Page not found" in english.text


async def test_a_bad_path_parameter_on_a_page_is_an_italian_422_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _signed_in(client, session)
    r = await client.get("/casi/abc")
    assert r.status_code == 422 and _is_html_page(r)
    assert "Caso: deve essere un numero intero" in r.text
    assert not any(words in r.text for words in ENGLISH)


async def test_an_anonymous_page_visit_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    r = await client.get("/casi")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_the_api_keeps_json_with_italian_words_and_the_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _signed_in(client, session, Role.CASE_MANAGER)
    op = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO))
    headers = f.bearer(await f.token_for(session, op))
    r = await client.post("/api/v1/persons", json={"cognome": "Rossi"}, headers=headers)
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert "Codice fiscale (codice_fiscale): è obbligatorio" in body["message"]
    assert any(e["loc"] == ["body", "codice_fiscale"] and e["msg"] == "è obbligatorio" for e in body["detail"])
    assert not any(words in str(body) for words in ENGLISH)
    english = await client.post("/api/v1/persons?lang=en", json={"cognome": "Rossi"}, headers=headers)
    assert "Tax code (codice_fiscale): is required" in english.json()["message"]
    missing = await client.get("/api/v1/cases/9999", headers=headers)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"


class _Money(BaseModel):
    tariff: float
    hours_per_month: int
    at: str

    @field_validator("at")
    @classmethod
    def _split(cls, value: str) -> str:
        hours, minutes = value.split(":")  # a library's own words ("not enough values to unpack") on "10"
        return f"{hours}:{minutes}"


def test_pydantic_and_python_words_never_reach_a_reader() -> None:
    with pytest.raises(ValidationError) as caught:
        _Money.model_validate({"tariff": "dodici", "hours_per_month": "1,5", "at": "10"})
    said = say(caught.value)
    assert said == (
        "Tariffa oraria: deve essere un numero (per esempio 12,50); Ore al mese: deve essere un numero intero; "
        "Ora: non è valido"
    )
    assert not any(words in said for words in ENGLISH)


def test_our_own_validators_are_said_in_the_reader_language() -> None:
    error = {
        "type": "value_error",
        "loc": ("body", "due_end"),
        "msg": "Value error, due_end: la scadenza deve seguire l'inizio / must be after due_start",
    }
    assert sentences([error]) == ["Scadenza: la scadenza deve seguire l'inizio"]
    assert sentences([error], "en") == ["Due by: must be after due_start"]
    enum = {"type": "enum", "loc": ("body", "role"), "msg": "x", "ctx": {"expected": "'TUTOR' or 'MMG'"}}
    assert sentences([enum]) == ["Ruolo: non è tra i valori ammessi (Tutor, Medico di medicina generale)"]


async def test_an_unexpected_failure_is_an_italian_page_on_pages_and_short_json_on_the_api(app: FastAPI) -> None:
    async def boom() -> None:
        raise RuntimeError("a bug's own words, never shown")

    app.add_api_route("/una-pagina-rotta", boom, include_in_schema=False)
    app.add_api_route("/api/v1/una-risorsa-rotta", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        page = await plain.get("/una-pagina-rotta")
        api = await plain.get("/api/v1/una-risorsa-rotta")
    assert page.status_code == 500 and _is_html_page(page) and "Errore interno" in page.text
    assert "never shown" not in page.text and "Traceback" not in page.text
    assert api.status_code == 500 and api.json() == {"detail": "Errore interno / internal error"}
