"""Registry pages as their users work them: an administrator registers organisations, accounts and the
catalogue's prices; a case manager registers and edits a person; a coordinator opens a condominio with its
sentinels. Every form goes through its flow; a mistake is said in Italian beside its field."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.condomini.models import Condominio, Sentinel
from centrale.consents.models import Consent, ConsentPurpose
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import HouseholdMember, NetworkLink, Person
from centrale.plans.catalogue import seed_catalogue
from centrale.plans.models import ServiceType
from tests import factories as f
from web.api.deps import COOKIE_NAME


async def _sign_in(client: httpx.AsyncClient, session: AsyncSession, role: Role, org: Organisation) -> Operator:
    who = await f.operator(session, role, org)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, who))
    return who


async def test_an_administrator_registers_an_organisation_and_its_operator(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _sign_in(client, session, Role.AMMINISTRATORE, await f.org(session, OrgKind.CENTRALE))
    page = await client.get("/amministrazione/organizzazioni")
    assert page.status_code == 200 and "Terzo settore (cooperativa, associazione)" in page.text

    r = await client.post(
        "/amministrazione/organizzazioni", data={"name": "Cooperativa Il Faro", "kind": "ETS", "municipio": "IX"}
    )
    assert r.status_code == 303
    coop = (await session.exec(select(Organisation).where(col(Organisation.name) == "Cooperativa Il Faro"))).one()
    emptied = await client.post(f"/amministrazione/organizzazioni/{coop.id}", data={"name": ""})
    assert emptied.status_code == 422 and 'id="e-name">troppo corto<' in emptied.text
    await session.refresh(coop)
    assert coop.name == "Cooperativa Il Faro"
    listed = await client.get("/amministrazione/organizzazioni")
    assert "<td>Terzo settore (cooperativa, associazione)</td>" in listed.text and "<td>ETS</td>" not in listed.text

    short = await client.post(
        "/amministrazione/operatori",
        data={
            "full_name": "Luca Neri",
            "username": "luca.neri",
            "password": "corta",
            "role": "TUTOR",
            "organisation_id": str(coop.id),
        },
    )
    assert short.status_code == 422 and 'id="e-password">troppo corto<' in short.text
    assert "corta" not in short.text  # a password is never sent back

    r = await client.post(
        "/amministrazione/operatori",
        data={
            "full_name": "Luca Neri",
            "username": "luca.neri",
            "password": "una-password-lunga",
            "role": "TUTOR",
            "organisation_id": str(coop.id),
            "prefers_sms": "true",
        },
    )
    assert r.status_code == 303
    luca = (await session.exec(select(Operator).where(col(Operator.username) == "luca.neri"))).one()
    assert luca.organisation_id == coop.id and luca.prefers_sms

    r = await client.post(
        f"/amministrazione/operatori/{luca.id}",
        data={"full_name": "Luca Neri", "role": "TUTOR", "organisation_id": str(coop.id)},
    )
    assert r.status_code == 303
    await session.refresh(luca)
    assert not luca.active and not luca.prefers_sms  # boxes left empty

    spare = await f.org(session, OrgKind.FARMACIA, name="Farmacia chiusa")
    assert (await client.post(f"/amministrazione/organizzazioni/{spare.id}/archivia")).status_code == 303
    assert "Farmacia chiusa" not in (await client.get("/amministrazione/organizzazioni")).text
    await session.refresh(spare)
    assert spare.deleted_at is not None


async def test_the_administration_pages_are_refused_to_other_roles(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _sign_in(client, session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    for path in ("/amministrazione/organizzazioni", "/amministrazione/operatori", "/amministrazione/catalogo"):
        r = await client.get(path)
        assert r.status_code == 403 and "riservata agli amministratori" in r.text
    r = await client.post("/amministrazione/organizzazioni", data={"name": "Abusiva", "kind": "ETS"})
    assert r.status_code == 403 and "non consentit" in r.text.lower()
    assert (await session.exec(select(Organisation).where(col(Organisation.name) == "Abusiva"))).first() is None


async def test_the_catalogue_takes_italian_amounts_and_refuses_thresholds_out_of_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await seed_catalogue(session)
    await commit(session)
    await _sign_in(client, session, Role.AMMINISTRATORE, await f.org(session, OrgKind.CENTRALE))
    page = await client.get("/amministrazione/catalogo")
    assert "A2.07 — Assistenza domiciliare socio-assistenziale" in page.text and "13,80" in page.text
    prices = {
        "isee_min": "6.000,00",
        "isee_max": "25.000",
        "subsidised_max": "7,50",
        "full_tariff": "14,20",
        "default_tariff": "14,20",
    }
    assert (await client.post("/amministrazione/catalogo/A2.02", data=prices)).status_code == 303
    row = await session.get(ServiceType, "A2.02")
    assert row is not None
    await session.refresh(row)
    assert str(row.isee_min) == "6000.00" and str(row.subsidised_max) == "7.50" and str(row.isee_max) == "25000.00"

    wrong = await client.post("/amministrazione/catalogo/A2.02", data=prices | {"isee_max": "1000"})
    assert wrong.status_code == 422 and "aria-invalid" in wrong.text
    await session.refresh(row)
    assert str(row.isee_max) == "25000.00"


async def test_a_case_manager_registers_and_completes_a_person(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    municipio = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
    gp = await f.org(session, OrgKind.MMG, name="Studio dott. Ferri")
    await _sign_in(client, session, Role.CASE_MANAGER, municipio)
    form = {
        "cognome": "Rossi",
        "nome": "Anna",
        "sesso": "F",
        "data_nascita": "1938-05-02",
        "municipio": "IX",
        "mmg_organisation_id": str(gp.id),
        "telefoni": "333 123 4567\n06 1234 5678",
        "indirizzo": "Via Laurentina 10",
    }
    bad = await client.post("/persone/nuova", data=form | {"codice_fiscale": "RSSNNA38E42H501X"})
    assert bad.status_code == 422 and 'id="e-codice_fiscale">' in bad.text
    assert "il carattere di controllo non corrisponde" in bad.text and "checksum" not in bad.text
    assert 'value="Rossi"' in bad.text  # what was typed is kept

    cf = f.valid_cf()
    r = await client.post("/persone/nuova", data=form | {"codice_fiscale": cf})
    assert r.status_code == 303
    person = (await session.exec(select(Person).where(col(Person.codice_fiscale) == cf))).one()
    assert person.telefoni == ["+393331234567", "+390612345678"] and person.mmg_organisation_id == gp.id
    assert r.headers["location"] == f"/persone/{person.id}"

    card = await client.get(f"/persone/{person.id}")
    assert card.status_code == 200 and "Studio dott. Ferri" in card.text and "Chi ha consultato i dati" in card.text

    r = await client.post(f"/persone/{person.id}", data=form | {"codice_fiscale": cf, "indirizzo": "Via Nuova 1"})
    assert r.status_code == 303
    await session.refresh(person)
    assert person.indirizzo == "Via Nuova 1"

    husband = await f.person(session, municipio, cognome="Rossi")
    r = await client.post(
        f"/persone/{person.id}/nucleo",
        data={"relation_self": "INTESTATARIO", "member_0": str(husband.id), "relation_0": "CONIUGE"},
    )
    assert r.status_code == 303
    assert len((await session.exec(select(HouseholdMember))).all()) == 2
    card = await client.get(f"/persone/{person.id}")
    assert f'<option value="{husband.id}" selected>' in card.text  # the form starts from the household as it is

    r = await client.post(
        f"/persone/{person.id}/rete",
        data={"name": "Giulia", "relation": "FAMILIARE", "role": "CAREGIVER", "phone": "3331112222"},
    )
    assert r.status_code == 303
    link = (await session.exec(select(NetworkLink))).one()
    assert link.phone == "+393331112222"

    r = await client.post(f"/persone/{person.id}/consenso-contatto", data={"given": "true", "signed_by": "Anna Rossi"})
    assert r.status_code == 303
    consent = (await session.exec(select(Consent))).one()
    assert consent.purpose == ConsentPurpose.CONTATTO_SMS and consent.given
    card = await client.get(f"/persone/{person.id}")
    assert "Sì, dal" in card.text and "Coniuge" in card.text and "Caregiver" in card.text

    found = await client.get("/persone", params={"q": "ross"})
    assert f'href="/persone/{person.id}"' in found.text

    assert (await client.post(f"/persone/{person.id}/archivia")).status_code == 303
    found = await client.get("/persone", params={"q": "ross"})
    assert f'href="/persone/{person.id}"' not in found.text
    await session.refresh(person)
    assert person.deleted_at is not None


async def test_a_coordinator_opens_a_condominio_with_a_sentinel_and_records_its_consent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    centrale = await f.org(session, OrgKind.CENTRALE)
    tutor = await f.operator(session, Role.TUTOR, await f.org(session, OrgKind.ETS))
    await _sign_in(client, session, Role.COORDINATORE, centrale)
    r = await client.post(
        "/condomini",
        data={
            "name": "Via Pescaglia 12",
            "indirizzo": "Via Pescaglia 12, Roma",
            "municipio": "XI",
            "operator_id": str(tutor.id),
        },
    )
    assert r.status_code == 303
    cond = (await session.exec(select(Condominio))).one()
    emptied = await client.post(f"/condomini/{cond.id}", data={})
    assert emptied.status_code == 422 and 'id="e-name">troppo corto<' in emptied.text
    bad = await client.post(f"/condomini/{cond.id}/sentinelle", data={"name": "Sig.ra Pina", "phone": "12"})
    assert bad.status_code == 422 and "numero di telefono non valido" in bad.text
    r = await client.post(
        f"/condomini/{cond.id}/sentinelle", data={"name": "Sig.ra Pina", "phone": "3471234567", "kind": "ANTENNA"}
    )
    assert r.status_code == 303
    sentinel = (await session.exec(select(Sentinel))).one()
    assert not sentinel.consent_sms
    page = await client.get(f"/condomini/{cond.id}")
    assert "Antenna (negoziante, portiere)" in page.text and "senza consenso: non riceve SMS" in page.text
    r = await client.post(f"/condomini/{cond.id}/sentinelle/{sentinel.id}", data={"consent_sms": "true"})
    assert r.status_code == 303
    await session.refresh(sentinel)
    assert sentinel.consent_sms and sentinel.consent_at is not None
