"""Refusals of the registry flows on their page forms (the API's are in ``test_refusals_registry``).

The same world: a case manager of another municipio's office has no need-to-know of the person, a tutor
does not manage condomini, a coordinator does not administer organisations, accounts or the catalogue. Each
posts the form a signed-in browser would: the answer is 403 with a page that says why in Italian, nothing
changes, one audit row DENIED by that actor names the action; the same form by an actor who may succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import select

from centrale.consents.models import Consent
from centrale.db import Database
from centrale.plans.catalogue import seed_catalogue
from centrale.plans.models import ServiceType
from tests import factories as f
from tests.flows.test_refusals_registry import NEW_PASSWORD, World, _denials, _registry, _world
from web.api.deps import COOKIE_NAME

COVERED: set[str] = {
    "person.create",
    "person.update",
    "person.delete",
    "person.household_set",
    "person.network_add",
    "person.network_remove",
    "consent.record",
    "condominio.create",
    "condominio.update",
    "condominio.assisted_add",
    "sentinel.create",
    "sentinel.update",
    "organisation.create",
    "organisation.update",
    "organisation.delete",
    "operator.create",
    "operator.update",
    "catalogue.configure",
}


@dataclass(frozen=True)
class Form:
    flow: str
    path: str
    data: Callable[[World], dict[str, str]]
    refused: str
    subtype: str
    allowed: str


def _person(_w: World) -> dict[str, str]:
    return {
        "codice_fiscale": f.valid_cf(),
        "cognome": "Nuova",
        "nome": "Persona",
        "sesso": "F",
        "data_nascita": "1944-04-04",
    }


def _person_edit(_w: World) -> dict[str, str]:
    return _person(_w) | {"indirizzo": "Via Nuova 1"}


P = "/persone/{person}"
FORMS: list[Form] = [
    Form("person.create", "/persone/nuova", _person, "analista", "person.create", "cm_ix"),
    Form("person.delete", P + "/archivia", lambda w: {}, "cm_i", "person.delete", "cm_ix"),
    Form("person.update", P, _person_edit, "cm_i", "person.update", "cm_ix"),
    Form(
        "person.household_set",
        P + "/nucleo",
        lambda w: {"relation_self": "INTESTATARIO"},
        "cm_i",
        "person.update",
        "cm_ix",
    ),
    Form(
        "person.network_add",
        P + "/rete",
        lambda w: {"relation": "FAMILIARE", "name": "Figlia"},
        "cm_i",
        "person.update",
        "cm_ix",
    ),
    Form("person.network_remove", P + "/rete/{link}/rimuovi", lambda w: {}, "cm_i", "person.update", "cm_ix"),
    Form(
        "consent.record",
        P + "/consenso-contatto",
        lambda w: {"given": "true", "signed_by": "Maria Bianchi"},
        "cm_i",
        "consent.record",
        "cm_ix",
    ),
    Form(
        "condominio.create",
        "/condomini",
        lambda w: {"name": "Condominio Nuovo", "indirizzo": "Via Nuova 2, Roma", "municipio": "IX"},
        "tutor",
        "condominio.create",
        "coordinatore",
    ),
    Form(
        "condominio.update",
        "/condomini/{condominio}",
        lambda w: {"name": "Nome nuovo", "indirizzo": "Via Nuova 3", "municipio": "IX"},
        "tutor",
        "condominio.update",
        "coordinatore",
    ),
    Form(
        "condominio.assisted_add",
        "/condomini/{condominio}/assistiti",
        lambda w: {"person_id": str(w.ids["person"]), "alias": "Z9"},
        "cm_i",
        "condominio.assisted.add",
        "cm_ix",
    ),
    Form(
        "sentinel.create",
        "/condomini/{condominio}/sentinelle",
        lambda w: {"name": "Nuova sentinella", "phone": "+393339998877"},
        "tutor",
        "sentinel.create",
        "coordinatore",
    ),
    Form(
        "sentinel.update",
        "/condomini/{condominio}/sentinelle/{sentinel}",
        lambda w: {"name": "Nome nuovo"},
        "tutor",
        "sentinel.update",
        "coordinatore",
    ),
    Form(
        "organisation.create",
        "/amministrazione/organizzazioni",
        lambda w: {"name": "Nuova ETS", "kind": "ETS"},
        "coordinatore",
        "organisation.create",
        "admin",
    ),
    Form(
        "organisation.update",
        "/amministrazione/organizzazioni/{spare_org}",
        lambda w: {"name": "Rinominata"},
        "coordinatore",
        "organisation.update",
        "admin",
    ),
    Form(
        "organisation.delete",
        "/amministrazione/organizzazioni/{spare_org}/archivia",
        lambda w: {},
        "coordinatore",
        "organisation.delete",
        "admin",
    ),
    Form(
        "operator.create",
        "/amministrazione/operatori",
        lambda w: {
            "username": "nuovo.tutor",
            "full_name": "Nuovo Tutor",
            "role": "TUTOR",
            "organisation_id": str(w.ids["ets"]),
            "password": NEW_PASSWORD,
        },
        "coordinatore",
        "operator.create",
        "admin",
    ),
    Form(
        "operator.update",
        "/amministrazione/operatori/{tutor}",
        lambda w: {"full_name": "Altro Nome", "role": "TUTOR", "organisation_id": str(w.ids["ets"]), "active": "true"},
        "coordinatore",
        "operator.update",
        "admin",
    ),
]


def test_every_page_form_of_these_flows_is_tried() -> None:
    assert {form.flow for form in FORMS} | {"catalogue.configure"} == COVERED


async def _post(client: httpx.AsyncClient, w: World, who: str, url: str, data: dict[str, str]) -> httpx.Response:
    token = w.headers[who]["Authorization"].removeprefix("Bearer ")
    client.cookies.set(COOKIE_NAME, token)
    try:
        return await client.post(url, data=data)
    finally:
        client.cookies.clear()


async def _consents(database: Database) -> list[object]:
    async with database.sessionmaker() as session:
        return [c.model_dump() for c in (await session.exec(select(Consent))).all()]


@pytest.mark.parametrize("form", FORMS, ids=lambda form: f"{form.flow}:{form.path}:{form.refused}")
async def test_a_page_form_is_refused_without_need_to_know_or_role(
    form: Form, client: httpx.AsyncClient, database: Database
) -> None:
    w = await _world(database)
    url = w.fill(form.path)
    before, consents = await _registry(database), await _consents(database)
    denials = await _denials(database, w.ids[form.refused], form.subtype)
    r = await _post(client, w, form.refused, url, form.data(w))
    assert r.status_code == 403, r.text[:300]
    assert r.headers["content-type"].startswith("text/html") and "non consentit" in r.text.lower()
    assert await _registry(database) == before and await _consents(database) == consents
    assert await _denials(database, w.ids[form.refused], form.subtype) == denials + 1
    ok = await _post(client, w, form.allowed, url, form.data(w))
    assert ok.status_code == 303, ok.text[:500]
    assert await _registry(database) != before or await _consents(database) != consents


async def test_the_catalogue_form_is_refused_to_a_coordinator(client: httpx.AsyncClient, database: Database) -> None:
    w = await _world(database)
    async with database.sessionmaker() as session:
        await seed_catalogue(session)
        await session.commit()

    async def tariff() -> object:
        async with database.sessionmaker() as session:
            row = await session.get(ServiceType, "A2.07")
            assert row is not None
            return row.full_tariff

    before = await tariff()
    denials = await _denials(database, w.ids["coordinatore"], "catalogue.configure")
    prices = {"isee_min": "7.500,00", "isee_max": "30.000,00", "subsidised_max": "8,00", "full_tariff": "15,00"}
    r = await _post(client, w, "coordinatore", "/amministrazione/catalogo/A2.07", prices)
    assert r.status_code == 403 and "non consentit" in r.text.lower()
    assert await tariff() == before
    assert await _denials(database, w.ids["coordinatore"], "catalogue.configure") == denials + 1
    assert (await _post(client, w, "admin", "/amministrazione/catalogo/A2.07", prices)).status_code == 303
    assert str(await tariff()) == "15.00"
