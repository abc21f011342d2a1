"""The intake page: a proposal opens the case file; a form the flow refuses is shown again with the reason,
with the status the reason has (invalid 422, not allowed by the state of things 409, not allowed 403)."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.cases.models import Case, Intake
from centrale.events.models import Event
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from web.api.deps import COOKIE_NAME

FORM = {
    "requested_by": "Laura Bianchi",
    "expressed_need": "Non riesce più a fare la spesa e vive sola",
    "source": "FAMILIARE",
    "outcome": "PROPOSTA_PRESA_IN_CARICO",
    "category": "ANZIANI",
}


async def test_a_proposal_from_the_page_opens_the_case(client: httpx.AsyncClient, session: AsyncSession) -> None:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    person = await f.person(session, municipio)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, cm))
    form = FORM | {"person_id": str(person.id)}

    r = await client.post("/casi/nuovo", data=form | {"requested_by": ""})
    assert r.status_code == 422 and "requested_by" in r.text
    r = await client.post("/casi/nuovo", data=form | {"outcome": "ORIENTAMENTO"})
    assert r.status_code == 409 and "referred_to" in r.text
    assert (await session.exec(select(Intake))).all() == []

    r = await client.post("/casi/nuovo", data=form)
    assert r.status_code == 303
    case = (await session.exec(select(Case).where(col(Case.person_id) == person.id))).one()
    assert r.headers["location"] == f"/casi/{case.id}" and case.case_manager_id == cm.id
    assert [e.kind for e in (await session.exec(select(Event))).all()] == ["case.opened"]
    audit = (await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "case.intake"))).all()
    assert [(a.outcome, a.entity_type) for a in audit] == [(AuditOutcome.SUCCESS, "Intake")]


async def test_an_intake_for_a_person_of_another_office_is_refused_on_the_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    person = await f.person(session, await f.org(session, OrgKind.MUNICIPIO, municipio="IX"))
    stranger = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO, municipio="VII"))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, stranger))
    r = await client.post("/casi/nuovo", data=FORM | {"person_id": str(person.id)})
    assert r.status_code == 403 and "Accesso non consentito" in r.text
    assert "Bianchi Maria" not in r.text  # the form lists only the persons the operator may take in
    assert (await session.exec(select(Intake))).all() == []
    denied = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.agent_operator_id) == stranger.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
            )
        )
    ).all()
    assert [(d.subtype, d.person_id) for d in denied] == [("case.intake", person.id)]
