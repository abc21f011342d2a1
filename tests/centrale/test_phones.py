"""Phones: SMS go to mobiles only (a landline is for voice calls), and a number with a digit too many is
refused; the refusal is a sentence that names the field, on the API (422) and beside the page's field."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.condomini.models import Sentinel
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.validators import is_mobile, normalise_phone
from tests import factories as f
from web.api.deps import COOKIE_NAME

LANDLINE, MOBILE = "06 4567 8901", "347 123 4567"  # Roma's 06, a 347 mobile
TOO_LONG = "+39 333 123 45678"  # a mobile with one digit too many (libphonenumber calls it a voicemail number)


@pytest.mark.parametrize(
    ("written", "e164", "mobile"),
    [
        (MOBILE, "+393471234567", True),
        ("+39 333 123 4567", "+393331234567", True),
        (LANDLINE, "+390645678901", False),
        ("+39 02 1234 5678", "+390212345678", False),  # Milano
        ("+44 7911 123456", "+447911123456", True),  # a British mobile
    ],
)
def test_numbers_are_normalised_and_told_apart(written: str, e164: str, mobile: bool) -> None:
    assert normalise_phone(written) == e164
    assert is_mobile(e164) is mobile


@pytest.mark.parametrize("written", [TOO_LONG, "333 123 456789", "12", "+39 06"])
def test_numbers_with_digits_too_many_or_too_few_are_refused(written: str) -> None:
    with pytest.raises(ValueError, match="numero di telefono non valido"):
        normalise_phone(written)


async def _coordinator(session: AsyncSession) -> str:
    return await f.token_for(
        session, await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    )


async def test_a_landline_as_a_sentinels_sms_number_is_refused_on_the_api_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = f.bearer(await _coordinator(session))
    cond = await f.condominio(session)
    body = {"name": "Sig.ra Pina", "condominio_id": cond.id}
    r = await client.post("/api/v1/sentinels", headers=headers, json=body | {"phone": LANDLINE})
    assert r.status_code == 422
    assert r.json()["field"] == "phone"
    assert r.json()["detail"].startswith("Numero per gli SMS della sentinella: +390645678901 è un numero fisso")
    r = await client.post("/api/v1/sentinels", headers=headers, json=body | {"phone": TOO_LONG})
    assert r.status_code == 422 and "numero di telefono non valido" in r.json()["message"]
    assert (await session.exec(select(Sentinel))).all() == []

    r = await client.post("/api/v1/sentinels", headers=headers, json=body | {"phone": MOBILE})
    assert r.status_code == 201 and r.json()["phone"] == "+393471234567"
    r = await client.patch(f"/api/v1/sentinels/{r.json()['id']}", headers=headers, json={"phone": LANDLINE})
    assert r.status_code == 422 and r.json()["field"] == "phone"
    assert [s.phone for s in (await session.exec(select(Sentinel))).all()] == ["+393471234567"]


async def test_a_landline_as_a_sentinels_sms_number_is_refused_on_the_page_beside_the_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    client.cookies.set(COOKIE_NAME, await _coordinator(session))
    cond = await f.condominio(session)
    page = await client.get(f"/condomini/{cond.id}")
    assert "un numero fisso vale solo per le chiamate" in page.text  # the form says so before anyone fails
    r = await client.post(f"/condomini/{cond.id}/sentinelle", data={"name": "Sig.ra Pina", "phone": LANDLINE})
    assert r.status_code == 422
    beside = re.search(r'<span class="error" id="e-phone">([^<]*)</span>', r.text)
    assert beside, "no error beside the phone field"
    assert beside.group(1).startswith("Numero per gli SMS della sentinella: +390645678901 è un numero fisso")
    assert (await session.exec(select(Sentinel))).all() == []


async def test_an_operators_phone_receives_sms_so_it_must_be_a_mobile(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await f.operator(session, Role.AMMINISTRATORE, await f.org(session, OrgKind.CENTRALE))
    headers = f.bearer(await f.token_for(session, admin))
    tutor = await f.operator(session, Role.TUTOR, await f.org(session, OrgKind.ETS))
    r = await client.patch(f"/api/v1/operators/{tutor.id}", headers=headers, json={"phone": LANDLINE})
    assert r.status_code == 422 and r.json()["field"] == "phone"
    assert r.json()["detail"].startswith("Cellulare dell'operatore (per gli SMS): +390645678901 è un numero fisso")
    r = await client.patch(f"/api/v1/operators/{tutor.id}", headers=headers, json={"phone": MOBILE})
    assert r.status_code == 200
    await session.refresh(tutor)
    assert tutor.phone == "+393471234567"
    r = await client.patch(f"/api/v1/operators/{tutor.id}", headers=headers, json={"phone": ""})  # a form's empty field
    assert r.status_code == 200
    assert (await session.get(Operator, tutor.id, populate_existing=True)).phone is None  # type: ignore[union-attr]


async def test_a_persons_landline_is_accepted_for_voice_calls_and_the_page_says_so(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    client.cookies.set(COOKIE_NAME, token)
    page = await client.get("/persone/nuova")
    assert "Un numero fisso vale solo per le chiamate: gli SMS vanno ai cellulari" in page.text
    person = {"cognome": "Rossi", "nome": "Anna", "sesso": "F", "data_nascita": "1941-03-02"}
    person |= {"codice_fiscale": f.valid_cf(), "telefoni": [LANDLINE, MOBILE]}
    r = await client.post("/api/v1/persons", headers=f.bearer(token), json=person)
    assert r.status_code == 201 and r.json()["telefoni"] == ["+390645678901", "+393471234567"]
    r = await client.post("/api/v1/persons", headers=f.bearer(token), json=person | {"telefoni": [TOO_LONG]})
    assert r.status_code == 422 and "telefoni" in r.json()["message"]
