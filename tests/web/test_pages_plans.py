"""Pages of the personalised plan: the editor saves a version, the team approves it, the beneficiary signs."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.plans.catalogue import seed_catalogue
from centrale.plans.models import Intervention, Plan, PlanStatus
from tests import factories as f
from tests.centrale.test_cases import open_case
from web.api.deps import COOKIE_NAME


async def _person_id(session: AsyncSession, office: Organisation) -> int:
    person = await f.person(session, office)
    assert person.id is not None
    return person.id


async def test_a_plan_from_the_editor_to_active(client: httpx.AsyncClient, session: AsyncSession):
    await seed_catalogue(session)
    await commit(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    case = await open_case(client, token, await _person_id(session, municipio))
    client.cookies.set(COOKIE_NAME, token)

    editor = await client.get(f"/casi/{case['id']}/progetto")
    assert editor.status_code == 200 and 'id="plan-form"' in editor.text
    form = {
        "start_date": "2024-03-01",
        "isee": "18750",
        "goal_term_0": "BREVE",
        "goal_0": "Spesa settimanale garantita",
        "service_0": "A2.07",
        "provider_0": str(municipio.id),
        "frequency_0": "REGOLARE",
        "rrule_0": "FREQ=WEEKLY;BYDAY=MO,TH",
        "hours_0": "20",
    }
    r = await client.post(f"/casi/{case['id']}/progetto", data=form | {"rrule_0": "FREQ=SOMETIMES"})
    assert r.status_code == 422 and "rrule" in r.text and 'id="plan-form"' in r.text
    assert (await session.exec(select(Plan))).all() == []

    r = await client.post(f"/casi/{case['id']}/progetto", data=form)
    assert r.status_code == 303
    plan = (await session.exec(select(Plan))).one()
    assert r.headers["location"] == f"/progetti/{plan.id}"
    cost = (await session.exec(select(col(Intervention.cost)).where(col(Intervention.plan_id) == plan.id))).one()
    assert str(cost) == "276.00"

    r = await client.post(f"/progetti/{plan.id}/firma", data={"signed_by": "M"})
    assert r.status_code == 422 and "signed_by" in r.text
    r = await client.post(f"/progetti/{plan.id}/approva", follow_redirects=True)
    assert 'id="plan-status">BOZZA<' in r.text
    r = await client.post(f"/progetti/{plan.id}/approva")
    assert r.status_code == 409 and "già approvato" in r.text  # said on the plan's page
    r = await client.post(f"/progetti/{plan.id}/firma", data={"signed_by": "Maria Bianchi"}, follow_redirects=True)
    assert 'id="plan-status">ATTIVO<' in r.text
    status = (await session.exec(select(col(Plan.status)).where(col(Plan.id) == plan.id))).one()
    assert status == PlanStatus.ATTIVO


async def test_a_stranger_is_told_in_a_sentence(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    case = await open_case(client, token, await _person_id(session, municipio))
    stranger = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO, municipio="I"))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, stranger))
    for url in (f"/casi/{case['id']}/progetto", "/progetti/999"):
        r = await client.get(url)
        assert r.headers["content-type"].startswith("text/html") and 'id="refusal"' in r.text
    assert (await client.get(f"/casi/{case['id']}/progetto")).status_code == 403
    assert (await client.get("/progetti/999")).status_code == 404
    denied = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.agent_operator_id) == stranger.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
        )
    )
    assert [e.subtype for e in denied.all()] == ["plan.editor", "plan.editor"]
