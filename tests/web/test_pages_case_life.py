"""The case's life on its file page, and the person's answer to "who accessed my file".

A case manager takes a case in charge, suspends it with a reason and is told in words what a closing
without its reason lacks; the file page tells the story in sentences. The person's access page lists, in
words, the GP's reading of the file and the refused attempt of a member taken off the team; opening it
is itself in the audit log.
"""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.cases.models import CareTeamMember, Case, CaseState
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.centrale.test_cases import open_case
from web.api.deps import COOKIE_NAME


def _as(client: httpx.AsyncClient, token: str) -> None:
    client.cookies.set(COOKIE_NAME, token)


async def _state(session: AsyncSession, case_id: int) -> CaseState:
    session.expire_all()
    case = await session.get(Case, case_id)
    assert case is not None
    return case.state


async def test_take_in_charge_suspend_and_close_from_the_file_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    token = await f.token_for(session, cm)
    case = await open_case(client, token, (await f.person(session, municipio)).id)
    case_id = case["id"]
    _as(client, token)

    page = await client.get(f"/casi/{case_id}")
    assert page.status_code == 200 and ">Prendi in carico</button>" in page.text
    assert "Scheda di accoglienza: Laura Bianchi chiede «Non riesce più a fare la spesa e vive sola»" in page.text

    r = await client.post(f"/casi/{case_id}/stato", data={"state": "PRESO_IN_CARICO", "note": "colloquio fatto"})
    assert r.status_code == 303 and await _state(session, case_id) == CaseState.PRESO_IN_CARICO
    r = await client.post(f"/casi/{case_id}/stato", data={"state": "SOSPESO", "note": "ricovero in ospedale"})
    assert r.status_code == 303 and await _state(session, case_id) == CaseState.SOSPESO

    refused = await client.post(f"/casi/{case_id}/stato", data={"state": "CHIUSO"})
    assert refused.status_code == 409 and "Per chiudere il caso serve il motivo di chiusura." in refused.text
    assert await _state(session, case_id) == CaseState.SOSPESO

    page = await client.get(f"/casi/{case_id}")
    assert "Il caso passa da «Aperto» a «Preso in carico»: colloquio fatto." in page.text
    assert "Il caso passa da «Preso in carico» a «Sospeso»: ricovero in ospedale." in page.text
    assert "PRESO_IN_CARICO</" not in page.text and ">Prendi in carico</button>" in page.text  # back from a pause

    r = await client.post(f"/casi/{case_id}/stato", data={"state": "CHIUSO", "note": "trasferita in RSA"})
    assert r.status_code == 303 and await _state(session, case_id) == CaseState.CHIUSO
    page = await client.get(f"/casi/{case_id}")
    assert "Motivo di chiusura: trasferita in RSA" in page.text and ">Riapri il caso</button>" in page.text


async def test_a_tutor_on_the_team_cannot_change_the_state(client: httpx.AsyncClient, session: AsyncSession) -> None:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    case = await open_case(client, await f.token_for(session, cm), (await f.person(session, municipio)).id)
    coop = await f.org(session, OrgKind.ETS)
    tutor = await f.operator(session, Role.TUTOR, coop)
    session.add(
        CareTeamMember(
            case_id=case["id"], organisation_id=coop.id, operator_id=tutor.id, role="TUTOR", added_by_id=cm.id
        )
    )
    await session.commit()
    katz = {"bagno": 1, "vestirsi": 1, "toilette": 0, "spostarsi": 1, "continenza": 1, "alimentazione": 1}
    cm_token = await f.token_for(session, cm)
    recorded = await client.post(
        f"/api/v1/cases/{case['id']}/assessments",
        json={"kind": "KATZ_ADL", "answers": katz},
        headers=f.bearer(cm_token),
    )
    assert recorded.status_code == 201, recorded.text
    _as(client, cm_token)
    assert "Valutazione ADL di Katz: 5" in (await client.get(f"/casi/{case['id']}")).text

    _as(client, await f.token_for(session, tutor))
    page = await client.get(f"/casi/{case['id']}")
    assert page.status_code == 200 and "Prendi in carico" not in page.text
    assert "Entra nell'équipe" in page.text and "ADL di Katz" not in page.text  # the scales are not the tutor's
    r = await client.post(f"/casi/{case['id']}/stato", data={"state": "PRESO_IN_CARICO"})
    assert r.status_code == 403 and "non consentit" in r.text.lower()
    assert await _state(session, case["id"]) == CaseState.APERTO


async def test_the_access_page_lists_the_gp_reading_and_the_removed_member_refused_in_words(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    municipio = await f.org(session, OrgKind.MUNICIPIO, name="Municipio IX — Servizio sociale")
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    cm_token = await f.token_for(session, cm)
    gp_practice = await f.org(session, OrgKind.MMG, name="Studio medico Ferri")
    gp = await f.operator(session, Role.MMG, gp_practice)
    coop = await f.org(session, OrgKind.ETS, name="Cooperativa Il Faro")
    tutor = await f.operator(session, Role.TUTOR, coop)
    for op, name in ((gp, "Dott. Paolo Ferri"), (tutor, "Luca Neri"), (cm, "Anna Sala")):
        op.full_name = name
        session.add(op)
    await session.commit()
    person = await f.person(session, municipio, mmg=gp_practice, cognome="Rossi")
    case_id = (await open_case(client, cm_token, person.id))["id"]

    _as(client, cm_token)  # the case manager puts the GP's practice and the tutor on the team
    for org, op, role in ((gp_practice, None, "MMG"), (coop, tutor, "TUTOR")):
        data = {"organisation_id": str(org.id), "role": role} | ({"operator_id": str(op.id)} if op else {})
        assert (await client.post(f"/casi/{case_id}/equipe", data=data)).status_code == 303

    _as(client, await f.token_for(session, gp))  # the GP reads the file
    assert (await client.get(f"/casi/{case_id}")).status_code == 200

    _as(client, cm_token)  # the tutor is taken off the team...
    member = (await session.exec(select(CareTeamMember).where(col(CareTeamMember.operator_id) == tutor.id))).one()
    assert (await client.post(f"/casi/{case_id}/equipe/{member.id}/rimuovi")).status_code == 303
    _as(client, await f.token_for(session, tutor))  # ...and tries to open the file again
    assert (await client.get(f"/casi/{case_id}")).status_code == 403

    _as(client, cm_token)
    page = await client.get(f"/persone/{person.id}/accessi")
    assert page.status_code == 200
    text = page.text
    assert (
        "Dott. Paolo Ferri (Medico di medicina generale, Studio medico Ferri) ha aperto il fascicolo del caso." in text
    )
    assert "Luca Neri (Tutor, Cooperativa Il Faro) ha tentato di aprire il fascicolo del caso: accesso negato." in text
    assert "Accesso negato" in text and "Accesso consentito" in text
    assert "@media print" not in text and 'href="/static/registry.css"' in text  # printed by the stylesheet
    for code in ("case.fascicolo", "CASE_MANAGER", ">R<", ">4<"):
        assert code not in text

    opened = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.subtype) == "person.accesses_page",
                col(AuditEvent.agent_operator_id) == cm.id,
                col(AuditEvent.person_id) == person.id,
                col(AuditEvent.outcome) == AuditOutcome.SUCCESS,
            )
        )
    ).all()
    assert len(opened) == 1  # reading who accessed the file is itself an access, and listed
    assert "Anna Sala (Responsabile del caso, Municipio IX — Servizio sociale) ha consultato l" in text

    _as(client, await f.token_for(session, gp))  # the GP may read the case, not the person's access log
    refused = await client.get(f"/persone/{person.id}/accessi")
    assert refused.status_code == 403 and "Luca Neri" not in refused.text
