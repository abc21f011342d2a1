"""Referrals: no consent, no sharing outside the team unless the case manager overrides (audited);
the receiver answers and sees only what the referral shares."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.referrals.models import Referral
from tests import factories as f
from tests.centrale.test_cases import open_case


async def _setup(client: httpx.AsyncClient, session: AsyncSession):  # type: ignore[no-untyped-def]
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    pua = await f.org(session, OrgKind.ASL_PUA)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    cm_token = await f.token_for(session, cm)
    case = await open_case(client, cm_token, (await f.person(session, municipio)).id)
    return municipio, pua, cm, f.bearer(cm_token), case


async def test_referral_outside_team_refused_without_consent(client: httpx.AsyncClient, session: AsyncSession):
    _municipio, pua, cm, cm_h, case = await _setup(client, session)
    url = f"/api/v1/cases/{case['id']}/referrals"
    r = await client.post(url, headers=cm_h, json={"to_org_id": pua.id, "reason": "Valutazione sanitaria"})
    assert r.status_code == 409 and "consent" in r.json()["detail"]
    assert (await session.exec(select(Referral))).all() == []
    denied = (await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "referral.no_consent"))).all()
    assert [(d.agent_operator_id, d.outcome) for d in denied] == [(cm.id, AuditOutcome.DENIED)]

    r = await client.post(
        f"/api/v1/persons/{case['person_id']}/consents",
        headers=cm_h,
        json={"purpose": "CONDIVISIONE_ENTI", "signed_by": "Maria Bianchi"},
    )
    assert r.status_code == 201
    r = await client.post(url, headers=cm_h, json={"to_org_id": pua.id, "reason": "Valutazione sanitaria"})
    assert r.status_code == 201 and r.json()["consent_override_reason"] is None


async def test_override_by_case_manager_is_audited_with_reason(client: httpx.AsyncClient, session: AsyncSession):
    municipio, pua, _cm, cm_h, case = await _setup(client, session)
    colleague = await f.operator(session, Role.CASE_MANAGER, municipio)  # same office, not responsible
    body = {
        "to_org_id": pua.id,
        "reason": "Urgenza sanitaria",
        "consent_override_reason": "Persona non contattabile",
    }
    url = f"/api/v1/cases/{case['id']}/referrals"
    r = await client.post(url, headers=f.bearer(await f.token_for(session, colleague)), json=body)
    assert r.status_code == 403
    r = await client.post(url, headers=cm_h, json=body)
    assert r.status_code == 201
    override = (
        await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "referral.consent_override"))
    ).all()
    assert [(o.outcome, o.outcome_desc) for o in override] == [
        (AuditOutcome.DENIED, "only the responsible case manager may override_consent"),
        (AuditOutcome.SUCCESS, "Persona non contattabile"),
    ]


async def test_receiver_answers_and_sees_only_shared_sections(client: httpx.AsyncClient, session: AsyncSession):
    _municipio, pua, _cm, cm_h, case = await _setup(client, session)
    await client.post(
        f"/api/v1/persons/{case['person_id']}/consents",
        headers=cm_h,
        json={"purpose": "CONDIVISIONE_ENTI", "signed_by": "Maria Bianchi"},
    )
    r = await client.post(
        f"/api/v1/cases/{case['id']}/referrals",
        headers=cm_h,
        json={"to_org_id": pua.id, "reason": "Valutazione", "shared_sections": ["person"]},
    )
    ref = r.json()
    pua_h = f.bearer(await f.token_for(session, await f.operator(session, Role.OPERATORE_PUA, pua)))
    seen = (await client.get(f"/api/v1/referrals/{ref['id']}", headers=pua_h)).json()
    assert seen["shared"]["person"]["id"] == case["person_id"]
    assert seen["shared"]["diary"] is None and seen["shared"]["team"] is None
    assert (await client.get(f"/api/v1/cases/{case['id']}", headers=pua_h)).status_code == 403
    steps = f"/api/v1/referrals/{ref['id']}/steps"
    assert (await client.post(steps, headers=cm_h, json={"state": "ACCETTATO"})).status_code == 409  # not receiver
    assert (await client.post(steps, headers=pua_h, json={"state": "COMPLETATO"})).status_code == 409
    assert (
        await client.post(steps, headers=pua_h, json={"state": "ACCETTATO", "note": "Presa in carico"})
    ).status_code == 200
    r = await client.post(steps, headers=pua_h, json={"state": "COMPLETATO", "note": "Visita fatta"})
    assert [s["to_state"] for s in r.json()["steps"]] == ["RICHIESTO", "ACCETTATO", "COMPLETATO"]
