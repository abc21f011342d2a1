"""Cases: intake opens a case, valid transitions only (409 naming the allowed), history, care team access."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.cases.models import Case, CaseState
from centrale.events.models import Event
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f


async def open_case(client: httpx.AsyncClient, token: str, person_id: int) -> dict:
    r = await client.post(
        "/api/v1/intakes",
        headers=f.bearer(token),
        json={
            "person_id": person_id,
            "requested_by": "Laura Bianchi",
            "requester_relation": "figlia",
            "expressed_need": "Non riesce più a fare la spesa e vive sola",
            "source": "FAMILIARE",
            "outcome": "PROPOSTA_PRESA_IN_CARICO",
            "category": "ANZIANI",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["case"]


async def test_proposal_opens_a_case_with_the_case_manager_responsible(
    client: httpx.AsyncClient, session: AsyncSession
):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    person = await f.person(session, municipio)
    case = await open_case(client, await f.token_for(session, cm), person.id)
    assert (case["state"], case["phase"], case["siuss_area"], case["case_manager_id"]) == (
        "APERTO",
        "INVIO",
        2,
        cm.id,
    )
    team = await client.get(f"/api/v1/cases/{case['id']}/team", headers=f.bearer(await f.token_for(session, cm)))
    assert [(m["operator_id"], m["role"]) for m in team.json()] == [(cm.id, "RESPONSABILE")]
    events = (await session.exec(select(Event).where(col(Event.entity_id) == str(case["id"])))).all()
    assert [e.kind for e in events] == ["case.opened"]


async def test_orientation_and_refusal_open_no_case(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    person = await f.person(session, municipio)
    body = {
        "person_id": person.id,
        "requested_by": "Sé stessa",
        "expressed_need": "Informazioni sul bonus",
        "source": "SPONTANEO",
        "outcome": "ORIENTAMENTO",
    }
    r = await client.post("/api/v1/intakes", headers=f.bearer(token), json=body)
    assert r.status_code == 409 and "referred_to" in r.json()["detail"]
    r = await client.post("/api/v1/intakes", headers=f.bearer(token), json=body | {"referred_to": "CAF"})
    assert r.status_code == 201 and r.json()["case"] is None
    assert (await session.exec(select(Case))).all() == []


async def test_invalid_transition_is_409_listing_allowed_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    token = await f.token_for(session, cm)
    case = await open_case(client, token, (await f.person(session, municipio)).id)
    url = f"/api/v1/cases/{case['id']}/transitions"
    r = await client.post(url, headers=f.bearer(token), json={"state": "RIAPERTO"})
    assert r.status_code == 409
    assert "PRESO_IN_CARICO" in r.json()["detail"] and "SOSPESO" in r.json()["detail"]
    r = await client.post(url, headers=f.bearer(token), json={"phase": "ATTUAZIONE"})
    assert r.status_code == 409 and "VALUTAZIONE" in r.json()["detail"]
    r = await client.post(
        url,
        headers=f.bearer(token),
        json={"state": "PRESO_IN_CARICO", "phase": "VALUTAZIONE", "note": "Colloquio fissato"},
    )
    assert r.status_code == 200 and r.json()["allowed_states"] == ["SOSPESO", "CHIUSO"]
    r = await client.post(url, headers=f.bearer(token), json={"state": "CHIUSO"})
    assert r.status_code == 409 and "closing_reason" in r.json()["detail"]
    history = (await client.get(f"/api/v1/cases/{case['id']}/history", headers=f.bearer(token))).json()
    assert [(h["from_state"], h["to_state"], h["by_operator_id"]) for h in history] == [
        (None, "APERTO", cm.id),
        ("APERTO", "PRESO_IN_CARICO", cm.id),
    ]
    await session.refresh(await session.get(Case, case["id"]))
    assert (await session.get(Case, case["id"])).state == CaseState.PRESO_IN_CARICO
    kinds = [e.kind for e in (await session.exec(select(Event).order_by(col(Event.id)))).all()]
    assert kinds == ["case.opened", "case.state_changed"]


async def test_removed_member_next_read_is_403_and_audited(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    pua = await f.org(session, OrgKind.ASL_PUA)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    pua_op = await f.operator(session, Role.OPERATORE_PUA, pua)
    colleague = await f.operator(session, Role.OPERATORE_PUA, pua)
    cm_token, pua_token = await f.token_for(session, cm), await f.token_for(session, pua_op)
    case = await open_case(client, cm_token, (await f.person(session, municipio)).id)
    url = f"/api/v1/cases/{case['id']}"
    assert (await client.get(url, headers=f.bearer(pua_token))).status_code == 403  # not yet on the team
    added = []
    for op in (pua_op, colleague):  # two named operators of the same organisation
        r = await client.post(
            f"{url}/team",
            headers=f.bearer(cm_token),
            json={"organisation_id": pua.id, "operator_id": op.id, "role": "OPERATORE_PUA"},
        )
        assert r.status_code == 201, r.text
        added.append(r.json()["id"])
    assert (await client.get(url, headers=f.bearer(pua_token))).status_code == 200
    assert (await client.get(f"/api/v1/persons/{case['person_id']}", headers=f.bearer(pua_token))).status_code == 200
    r = await client.delete(f"{url}/team/{added[0]}", headers=f.bearer(cm_token))
    assert r.status_code == 204
    r = await client.get(url, headers=f.bearer(pua_token))
    assert r.status_code == 403
    denied = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.agent_operator_id) == pua_op.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
            )
        )
    ).all()
    assert [(d.entity_type, d.entity_id) for d in denied][-1] == ("Case", str(case["id"]))
    # the colleague who stays on the team keeps access; the removed one lost the person too
    assert (await client.get(url, headers=f.bearer(await f.token_for(session, colleague)))).status_code == 200
    assert (await client.get(f"/api/v1/persons/{case['person_id']}", headers=f.bearer(pua_token))).status_code == 403


async def test_organisation_wide_membership_opens_the_case_to_its_staff(
    client: httpx.AsyncClient, session: AsyncSession
):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    coop = await f.org(session, OrgKind.ETS)
    cm_token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    ets_token = await f.token_for(session, await f.operator(session, Role.OPERATORE_ETS, coop))
    case = await open_case(client, cm_token, (await f.person(session, municipio)).id)
    r = await client.post(
        f"/api/v1/cases/{case['id']}/team",
        headers=f.bearer(cm_token),
        json={"organisation_id": coop.id, "role": "OPERATORE_ETS"},
    )
    assert r.status_code == 201
    assert (await client.get(f"/api/v1/cases/{case['id']}", headers=f.bearer(ets_token))).status_code == 200
    # a team member may contribute to the diary but not change the state
    r = await client.post(
        f"/api/v1/cases/{case['id']}/diary",
        headers=f.bearer(ets_token),
        json={"kind": "VISITA_DOMICILIARE", "text": "Visita svolta, tutto in ordine"},
    )
    assert r.status_code == 201
    r = await client.post(
        f"/api/v1/cases/{case['id']}/transitions",
        headers=f.bearer(ets_token),
        json={"state": "CHIUSO", "closing_reason": "x"},
    )
    assert r.status_code == 403
    assert (await session.get(Case, case["id"])).state == CaseState.APERTO


async def test_case_list_filters_and_shows_only_visible(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    other = await f.org(session, OrgKind.MUNICIPIO)
    cm_token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    other_token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, other))
    await open_case(client, cm_token, (await f.person(session, municipio, cognome="Neri")).id)
    await open_case(client, other_token, (await f.person(session, other, cognome="Gialli")).id)
    r = await client.get("/api/v1/cases", headers=f.bearer(cm_token))
    assert [c["cognome"] for c in r.json()["data"]] == ["Neri"]
    r = await client.get("/api/v1/cases?state=CHIUSO", headers=f.bearer(cm_token))
    assert r.json()["count"] == 0


async def test_assessment_out_of_range_is_422_naming_the_item(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    case = await open_case(client, token, (await f.person(session, municipio)).id)
    url = f"/api/v1/cases/{case['id']}/assessments"
    answers = {
        "alimentazione": 10,
        "bagno": 5,
        "igiene_personale": 5,
        "abbigliamento": 10,
        "continenza_intestinale": 10,
        "continenza_urinaria": 10,
        "uso_gabinetto": 10,
        "trasferimento_letto_sedia": 15,
        "deambulazione": 15,
        "scale": 10,
    }
    r = await client.post(url, headers=f.bearer(token), json={"kind": "BARTHEL", "answers": answers | {"bagno": 7}})
    assert r.status_code == 422 and "answers.bagno" in r.json()["message"]
    r = await client.post(
        url,
        headers=f.bearer(token),
        json={"kind": "BARTHEL", "answers": answers, "assessed_on": "2024-01-10"},
    )
    assert r.status_code == 201 and (r.json()["total"], r.json()["band"]) == (100, "autonomo")
    r = await client.post(
        url,
        headers=f.bearer(token),
        json={
            "kind": "BARTHEL",
            "assessed_on": "2024-06-10",
            "answers": answers | {"deambulazione": 3, "scale": 0},
        },
    )
    assert r.json()["total"] == 78
    profile = (await client.get(f"{url}/profile", headers=f.bearer(token))).json()
    barthel = profile["scales"][0]
    assert (barthel["then"]["total"], barthel["now"]["total"], barthel["change"]) == (100, 78, -22)
    assert (profile["intensity_then"], profile["intensity_now"]) == ("BASSA", "MEDIA")


async def test_fascicolo_is_filtered_by_role_and_audited(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    coop = await f.org(session, OrgKind.ETS)
    cm_token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    tutor = await f.operator(session, Role.TUTOR, coop)
    case = await open_case(client, cm_token, (await f.person(session, municipio)).id)
    await client.post(
        f"/api/v1/cases/{case['id']}/team",
        headers=f.bearer(cm_token),
        json={"organisation_id": coop.id, "operator_id": tutor.id, "role": "TUTOR"},
    )
    full = (await client.get(f"/api/v1/cases/{case['id']}/fascicolo", headers=f.bearer(cm_token))).json()
    assert full["assessments"] == [] and full["history"] and full["person"]["id"] == case["person_id"]
    tutor_view = await client.get(
        f"/api/v1/cases/{case['id']}/fascicolo", headers=f.bearer(await f.token_for(session, tutor))
    )
    assert tutor_view.status_code == 200
    body = tutor_view.json()
    assert body["assessments"] is None and body["household"] is None and body["team"] is not None
    reads = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.agent_operator_id) == tutor.id, col(AuditEvent.subtype) == "case.read"
            )
        )
    ).all()
    assert [(r.entity_id, r.outcome) for r in reads] == [(str(case["id"]), AuditOutcome.SUCCESS)]
