"""Persons: validation, duplicates, not found, sign-in required, refusals audited and harmless."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from tests import factories as f

NEW_PERSON = {
    "cognome": "Rossi",
    "nome": "Anna",
    "sesso": "F",
    "data_nascita": "1941-03-02",
    "municipio": "IX",
    "telefoni": ["333 123 4567"],
}


async def _case_manager(session: AsyncSession) -> tuple[object, str]:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    op = await f.operator(session, Role.CASE_MANAGER, municipio)
    return municipio, await f.token_for(session, op)


async def test_create_normalises_phone_and_marks_temporary_code(client: httpx.AsyncClient, session: AsyncSession):
    _, token = await _case_manager(session)
    r = await client.post(
        "/api/v1/persons", json=NEW_PERSON | {"codice_fiscale": f.valid_cf()}, headers=f.bearer(token)
    )
    assert r.status_code == 201, r.text
    assert r.json()["telefoni"] == ["+393331234567"]
    assert r.json()["cf_kind"] == "ORDINARIO"
    r = await client.post(
        "/api/v1/persons", json=NEW_PERSON | {"codice_fiscale": "STP1234567890123"}, headers=f.bearer(token)
    )
    assert r.status_code == 201, r.text
    assert r.json()["cf_kind"] == "STP"


async def test_invalid_codice_fiscale_is_422_naming_the_field(client: httpx.AsyncClient, session: AsyncSession):
    _, token = await _case_manager(session)
    good = f.valid_cf()
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")  # the same code with a wrong check letter
    r = await client.post("/api/v1/persons", json=NEW_PERSON | {"codice_fiscale": bad}, headers=f.bearer(token))
    assert r.status_code == 422
    assert "codice_fiscale" in r.json()["message"]
    assert r.json()["detail"][0]["loc"] == ["body", "codice_fiscale"]


async def test_invalid_phone_is_422_naming_the_field(client: httpx.AsyncClient, session: AsyncSession):
    _, token = await _case_manager(session)
    r = await client.post(
        "/api/v1/persons",
        json=NEW_PERSON | {"codice_fiscale": f.valid_cf(), "telefoni": ["12"]},
        headers=f.bearer(token),
    )
    assert r.status_code == 422
    assert "telefoni" in r.json()["message"]


async def test_duplicate_codice_fiscale_is_409_and_first_record_kept(client: httpx.AsyncClient, session: AsyncSession):
    _, token = await _case_manager(session)
    cf = f.valid_cf()
    first = await client.post("/api/v1/persons", json=NEW_PERSON | {"codice_fiscale": cf}, headers=f.bearer(token))
    assert first.status_code == 201
    again = await client.post(
        "/api/v1/persons", json=NEW_PERSON | {"codice_fiscale": cf, "nome": "Altro"}, headers=f.bearer(token)
    )
    assert again.status_code == 409
    assert "codice_fiscale" in again.json()["detail"]
    rows = (await session.exec(select(Person).where(col(Person.codice_fiscale) == cf))).all()
    assert [p.nome for p in rows] == ["Anna"]


async def test_unknown_id_is_404_and_no_session_is_401(client: httpx.AsyncClient, session: AsyncSession):
    _, token = await _case_manager(session)
    assert (await client.get("/api/v1/persons/999999", headers=f.bearer(token))).status_code == 404
    assert (await client.get("/api/v1/persons/999999")).status_code == 401
    assert (await client.get("/api/v1/persons", headers=f.bearer("not-a-token"))).status_code == 401


async def test_refused_update_is_403_audited_and_changes_nothing(client: httpx.AsyncClient, session: AsyncSession):
    municipio, _ = await _case_manager(session)
    coop = await f.org(session, OrgKind.ETS)
    tutor = await f.operator(session, Role.TUTOR, coop)
    target = await f.person(session, municipio)
    token = await f.token_for(session, tutor)
    r = await client.patch(f"/api/v1/persons/{target.id}", json={"cognome": "Cambiato"}, headers=f.bearer(token))
    assert r.status_code == 403
    await session.refresh(target)
    assert target.cognome == "Bianchi"
    denial = (await session.exec(select(AuditEvent).where(col(AuditEvent.person_id) == target.id))).all()
    assert [(a.outcome, a.agent_operator_id, a.action) for a in denial] == [(AuditOutcome.DENIED, tutor.id, "U")]


async def test_who_accessed_lists_reads_and_refusals(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    centrale = await f.org(session, OrgKind.CENTRALE)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    reader = await f.operator(session, Role.CASE_MANAGER, municipio)
    outsider = await f.operator(session, Role.OPERATORE_ETS, await f.org(session, OrgKind.ETS))
    target = await f.person(session, municipio)
    await client.get(f"/api/v1/persons/{target.id}", headers=f.bearer(await f.token_for(session, reader)))
    await client.get(f"/api/v1/persons/{target.id}", headers=f.bearer(await f.token_for(session, outsider)))
    r = await client.get(
        f"/api/v1/persons/{target.id}/accessi", headers=f.bearer(await f.token_for(session, coordinator))
    )
    assert r.status_code == 200
    seen = {(row["agent_operator_id"], row["outcome"]) for row in r.json()["data"]}
    assert (reader.id, "0") in seen and (outsider.id, "4") in seen


async def test_list_shows_only_visible_persons(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    other = await f.org(session, OrgKind.MUNICIPIO)
    mine = await f.person(session, municipio, cognome="Mia")
    await f.person(session, other, cognome="Altrui")
    op = await f.operator(session, Role.CASE_MANAGER, municipio)
    r = await client.get("/api/v1/persons", headers=f.bearer(await f.token_for(session, op)))
    assert r.status_code == 200
    assert r.json()["count"] == 1 and r.json()["data"][0]["id"] == mine.id
