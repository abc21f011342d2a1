"""Pages for the care team, diary, consents and referrals: what a case manager and a receiver do."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.cases.models import CareTeamMember, DiaryEntry
from centrale.consents.models import Consent
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.referrals.models import Referral
from tests import factories as f
from tests.centrale.test_cases import open_case
from web.api.deps import COOKIE_NAME


async def _case(client: httpx.AsyncClient, session: AsyncSession) -> tuple[int, int, Operator, Organisation, str]:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    token = await f.token_for(session, cm)
    case = await open_case(client, token, (await f.person(session, municipio)).id)
    client.cookies.set(COOKIE_NAME, token)
    return int(case["id"]), int(case["person_id"]), cm, municipio, token


async def test_add_and_remove_a_member_from_another_organisation(client: httpx.AsyncClient, session: AsyncSession):
    case_id, _pid, cm, _municipio, _token = await _case(client, session)
    pua = await f.org(session, OrgKind.ASL_PUA, name="ASL Roma 2 PUA")
    nurse = await f.operator(session, Role.OPERATORE_PUA, pua)
    page = await client.get(f"/casi/{case_id}/equipe")
    assert page.status_code == 200 and 'id="case-manager">CASE_MANAGER di prova<' in page.text
    assert "ASL Roma 2 PUA" in page.text and '<label for="member-role">Ruolo nel caso' in page.text

    r = await client.post(
        f"/casi/{case_id}/equipe",
        data={"organisation_id": str(pua.id), "operator_id": str(nurse.id), "role": "INFERMIERE"},
    )
    assert r.status_code == 303
    member = (await session.exec(select(CareTeamMember).where(col(CareTeamMember.operator_id) == nurse.id))).one()
    nurse_h = f.bearer(await f.token_for(session, nurse))
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=nurse_h)).status_code == 200

    confirm = await client.get(f"/casi/{case_id}/equipe/{member.id}/rimuovi")
    assert "perde subito" in confirm.text and 'id="confirm-remove"' in confirm.text
    assert (await client.post(f"/casi/{case_id}/equipe/{member.id}/rimuovi")).status_code == 303
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=nurse_h)).status_code == 403
    denied = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.agent_operator_id) == nurse.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
            )
        )
    ).all()
    assert len(denied) == 1

    # an operator of another organisation is refused with the field named; nothing is added
    r = await client.post(
        f"/casi/{case_id}/equipe",
        data={"organisation_id": str(cm.organisation_id), "operator_id": str(nurse.id), "role": "ALTRO"},
    )
    assert r.status_code == 409 and "operator_id" in r.text
    assert len((await session.exec(select(CareTeamMember))).all()) == 2


async def test_team_page_refused_to_a_stranger(client: httpx.AsyncClient, session: AsyncSession):
    case_id, *_ = await _case(client, session)
    stranger = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, stranger))
    assert (await client.get(f"/casi/{case_id}/equipe")).status_code == 403
    r = await client.post(f"/casi/{case_id}/equipe", data={"organisation_id": "1", "role": "ALTRO"})
    assert r.status_code == 403
    assert len((await session.exec(select(CareTeamMember))).all()) == 1


async def test_diary_entries_from_the_page(client: httpx.AsyncClient, session: AsyncSession):
    case_id, *_ = await _case(client, session)
    page = await client.get(f"/casi/{case_id}/diario")
    for kind in ("COLLOQUIO", "VISITA_DOMICILIARE", "TELEFONATA", "RELAZIONE", "NOTA"):
        assert f'value="{kind}"' in page.text
    assert 'value="CAMBIO_STATO"' not in page.text
    r = await client.post(
        f"/casi/{case_id}/diario",
        data={"kind": "VISITA_DOMICILIARE", "text": "Casa in ordine, frigo vuoto", "happened_at": "2024-03-04T10:30"},
        follow_redirects=True,
    )
    assert "04/03/2024 10:30" in r.text and "Visita domiciliare — Casa in ordine, frigo vuoto" in r.text
    entry = (await session.exec(select(DiaryEntry))).one()
    assert entry.happened_at.hour == 9  # 10:30 in Rome (CET) is 09:30 UTC
    r = await client.post(f"/casi/{case_id}/diario", data={"kind": "PETTEGOLEZZO", "text": "x"})
    assert r.status_code == 422 and "kind" in r.text
    assert len((await session.exec(select(DiaryEntry))).all()) == 1


async def test_consents_recorded_per_purpose_with_history(client: httpx.AsyncClient, session: AsyncSession):
    case_id, person_id, *_ = await _case(client, session)
    for given in ("true", "false"):
        r = await client.post(
            f"/casi/{case_id}/consensi",
            data={"purpose": "CONTATTO_SMS", "given": given, "signed_by": "Maria Bianchi"},
        )
        assert r.status_code == 303
    page = await client.get(f"/casi/{case_id}/consensi")
    assert "Contatto via SMS:\n  <strong>Consenso negato</strong>" in page.text
    rows = (await session.exec(select(Consent).where(col(Consent.person_id) == person_id))).all()
    assert [(c.given, c.revoked_at is not None) for c in rows] == [(True, True), (False, False)]
    r = await client.post(f"/casi/{case_id}/consensi", data={"purpose": "CONTATTO_SMS", "signed_by": "M"})
    assert r.status_code == 422 and "signed_by" in r.text


async def test_referral_needs_consent_or_the_responsible_override_and_the_receiver_answers(
    client: httpx.AsyncClient, session: AsyncSession
):
    case_id, _pid, _cm, municipio, cm_token = await _case(client, session)
    pua = await f.org(session, OrgKind.ASL_PUA, name="PUA Distretto 9")
    body = {"to_org_id": str(pua.id), "reason": "Valutazione sanitaria", "shared_sections": ["person"]}
    page = await client.get(f"/casi/{case_id}/invii")
    assert 'name="consent_override_reason"' in page.text  # the responsible case manager, no consent yet

    colleague = await f.operator(session, Role.CASE_MANAGER, municipio)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, colleague))
    assert 'name="consent_override_reason"' not in (await client.get(f"/casi/{case_id}/invii")).text
    r = await client.post(f"/casi/{case_id}/invii", data=body)
    assert r.status_code == 409 and "consenso" in r.text
    r = await client.post(f"/casi/{case_id}/invii", data=body | {"consent_override_reason": "Urgenza"})
    assert r.status_code == 403
    assert (await session.exec(select(Referral))).all() == []

    client.cookies.set(COOKIE_NAME, cm_token)
    r = await client.post(f"/casi/{case_id}/invii", data=body | {"consent_override_reason": "Persona irreperibile"})
    assert r.status_code == 303
    referral = (await session.exec(select(Referral))).one()
    assert referral.consent_override_reason == "Persona irreperibile"
    override = (
        await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "referral.consent_override"))
    ).all()
    assert [(o.outcome, o.outcome_desc) for o in override][-1] == (AuditOutcome.SUCCESS, "Persona irreperibile")

    receiver = await f.operator(session, Role.OPERATORE_PUA, pua)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, receiver))
    inbox = await client.get("/invii")
    assert f'href="/invii/{referral.id}"' in inbox.text and "da rispondere" in inbox.text
    view = await client.get(f"/invii/{referral.id}")
    assert 'id="shared-person">Bianchi Maria' in view.text and 'id="step-ACCETTATO"' in view.text
    assert "Valutazioni" not in view.text.split("Condiviso con te")[1]
    r = await client.post(f"/invii/{referral.id}/passo", data={"state": "COMPLETATO"})
    assert r.status_code == 409 and "consentiti" in r.text
    r = await client.post(
        f"/invii/{referral.id}/passo", data={"state": "ACCETTATO", "note": "Presa in carico"}, follow_redirects=True
    )
    assert 'id="referral-state" data-state="ACCETTATO">Accettato<' in r.text and 'id="step-COMPLETATO"' in r.text
    r = await client.post(f"/invii/{referral.id}/passo", data={"state": "COMPLETATO"}, follow_redirects=True)
    assert 'id="referral-state" data-state="COMPLETATO">Completato<' in r.text
    # the receiver still may not open the case file itself
    assert (await client.get(f"/casi/{case_id}")).status_code == 403


async def test_pages_in_english(client: httpx.AsyncClient, session: AsyncSession):
    case_id, *_ = await _case(client, session)
    assert "Add a member" in (await client.get(f"/casi/{case_id}/equipe?lang=en")).text
    assert "Home visit" in (await client.get(f"/casi/{case_id}/diario?lang=en")).text
