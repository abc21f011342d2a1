"""Personalised plans: costs from the catalogue, approval by every team organisation plus signature,
variations as new versions with the old ones readable."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.events.models import Event
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.plans.catalogue import SIUSS_SERVICES, seed_catalogue
from centrale.plans.models import ServiceType
from tests import factories as f
from tests.centrale.test_cases import open_case


def plan_body(provider_id: int, hours: str = "20", isee: str = "18750") -> dict:
    return {
        "start_date": "2024-03-01",
        "planned_end": "2024-12-31",
        "review_every": 3,
        "review_unit": "MESI",
        "isee": isee,
        "goals": [{"term": "BREVE", "description": "Spesa settimanale garantita"}],
        "interventions": [
            {
                "service_code": "A2.07",
                "provider_org_id": provider_id,
                "frequency": "REGOLARE",
                "rrule": "FREQ=WEEKLY;BYDAY=MO,TH",
                "hours_per_month": hours,
            }
        ],
    }


async def test_catalogue_seed_is_idempotent_and_complete(session: AsyncSession):
    assert await seed_catalogue(session) == len(SIUSS_SERVICES)
    await commit(session)
    assert await seed_catalogue(session) == 0
    home_care = await session.get(ServiceType, "A2.07")
    assert home_care is not None and str(home_care.full_tariff) == "13.80"


async def test_plan_needs_both_organisations_and_signature_and_variation_keeps_v1(
    client: httpx.AsyncClient, session: AsyncSession
):
    await seed_catalogue(session)
    await commit(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    coop = await f.org(session, OrgKind.ETS)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    ets = await f.operator(session, Role.OPERATORE_ETS, coop)
    cm_h, ets_h = f.bearer(await f.token_for(session, cm)), f.bearer(await f.token_for(session, ets))
    case = await open_case(client, cm_h["Authorization"].split()[1], (await f.person(session, municipio)).id)
    r = await client.post(
        f"/api/v1/cases/{case['id']}/team",
        headers=cm_h,
        json={"organisation_id": coop.id, "operator_id": ets.id, "role": "OPERATORE_ETS"},
    )
    assert r.status_code == 201

    r = await client.post(f"/api/v1/cases/{case['id']}/plans", headers=cm_h, json=plan_body(coop.id))
    assert r.status_code == 201, r.text
    v1 = r.json()
    item = v1["interventions"][0]
    assert (item["tariff"], item["user_hourly"], item["cost"], item["share_utente"], item["share_ente"]) == (
        "13.80",
        "4.00",
        "276.00",
        "80.00",
        "196.00",
    )
    assert v1["approvals_missing"] == sorted([municipio.id, coop.id])

    r = await client.post(f"/api/v1/plans/{v1['id']}/approvals", headers=cm_h)
    assert r.json()["status"] == "BOZZA" and r.json()["approvals_missing"] == [coop.id]
    r = await client.post(f"/api/v1/plans/{v1['id']}/signature", headers=cm_h, json={"signed_by": "Maria Bianchi"})
    assert r.json()["status"] == "BOZZA"  # signed, but one organisation has not approved yet
    r = await client.post(f"/api/v1/plans/{v1['id']}/approvals", headers=ets_h)
    assert r.status_code == 200 and r.json()["status"] == "ATTIVO"

    # a variation: version 2 as a draft; version 1 stays active and readable until v2 is approved
    r = await client.post(f"/api/v1/cases/{case['id']}/plans", headers=cm_h, json=plan_body(coop.id, hours="30"))
    assert r.status_code == 201 and r.json()["version"] == 2 and r.json()["status"] == "BOZZA"
    v2 = r.json()
    r = await client.put(f"/api/v1/plans/{v1['id']}", headers=cm_h, json=plan_body(coop.id, hours="1"))
    assert r.status_code == 409  # an active version is never edited in place
    for headers in (cm_h, ets_h):
        await client.post(f"/api/v1/plans/{v2['id']}/approvals", headers=headers)
    r = await client.post(f"/api/v1/plans/{v2['id']}/signature", headers=cm_h, json={"signed_by": "Maria Bianchi"})
    assert r.json()["status"] == "ATTIVO"
    old = (await client.get(f"/api/v1/plans/{v1['id']}", headers=cm_h)).json()
    assert old["status"] == "SOSTITUITO" and old["interventions"][0]["hours_per_month"] == "20.00"
    versions = (await client.get(f"/api/v1/cases/{case['id']}/plans", headers=cm_h)).json()
    assert [(p["version"], p["status"]) for p in versions] == [(1, "SOSTITUITO"), (2, "ATTIVO")]
    kinds = [e.kind for e in (await session.exec(select(Event).where(col(Event.kind).like("plan.%")))).all()]
    assert kinds.count("plan.activated") == 2


async def test_outsider_cannot_approve_and_bad_rrule_names_the_field(client: httpx.AsyncClient, session: AsyncSession):
    await seed_catalogue(session)
    await commit(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm_h = f.bearer(await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio)))
    outsider = await f.operator(session, Role.OPERATORE_ETS, await f.org(session, OrgKind.ETS))
    case = await open_case(client, cm_h["Authorization"].split()[1], (await f.person(session, municipio)).id)
    body = plan_body(municipio.id)
    body["interventions"][0]["rrule"] = "FREQ=SOMETIMES"
    r = await client.post(f"/api/v1/cases/{case['id']}/plans", headers=cm_h, json=body)
    assert r.status_code == 422 and "rrule" in r.json()["message"]
    plan = (await client.post(f"/api/v1/cases/{case['id']}/plans", headers=cm_h, json=plan_body(municipio.id))).json()
    r = await client.post(
        f"/api/v1/plans/{plan['id']}/approvals", headers=f.bearer(await f.token_for(session, outsider))
    )
    assert r.status_code == 403
    assert (await client.get(f"/api/v1/plans/{plan['id']}", headers=cm_h)).json()["approvals"] == []


async def test_catalogue_thresholds_by_an_administrator_only_and_in_order(
    client: httpx.AsyncClient, session: AsyncSession
):
    await seed_catalogue(session)
    await commit(session)
    centrale = await f.org(session, OrgKind.CENTRALE)
    admin_h = f.bearer(await f.token_for(session, await f.operator(session, Role.AMMINISTRATORE, centrale)))
    cm_h = f.bearer(await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, await f.org(session))))
    url = "/api/v1/services/A2.07"
    assert (await client.patch(url, headers=cm_h, json={"full_tariff": "15.00"})).status_code == 403
    r = await client.patch(url, headers=admin_h, json={"isee_max": "5000"})  # below isee_min (7500)
    assert r.status_code == 422 and r.json()["field"] == "isee_max"
    r = await client.patch(url, headers=admin_h, json={"full_tariff": "15.00"})
    assert r.status_code == 200 and r.json()["full_tariff"] == "15.00" and r.json()["isee_max"] == "30000.00"
    assert (await client.patch("/api/v1/services/X9.99", headers=admin_h, json={})).status_code == 404


async def test_signature_names_who_signs(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm_h = f.bearer(await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio)))
    case = await open_case(client, cm_h["Authorization"].split()[1], (await f.person(session, municipio)).id)
    plan = await client.post(f"/api/v1/cases/{case['id']}/plans", headers=cm_h, json={"start_date": "2024-03-01"})
    url = f"/api/v1/plans/{plan.json()['id']}/signature"
    r = await client.post(url, headers=cm_h, json={"signed_by": " M "})
    assert r.status_code == 422 and r.json()["field"] == "signed_by"
    assert (await client.get(f"/api/v1/plans/{plan.json()['id']}", headers=cm_h)).json()["signed_at"] is None
