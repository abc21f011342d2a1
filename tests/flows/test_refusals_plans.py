"""Refusals of the plan, consent and referral flows, on every surface that calls them.

An operator without need-to-know of the object (a case manager of another municipio, who is neither on
the care team nor a party of the referral nor an administrator) calls each flow through its API route and
its page form: the answer is 403, nothing in the database changes, and one DENIED audit row is written per
attempt. The same call by the operator who may make it then succeeds, so the refusal is the policy's and
not a malformed request's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.consents.models import Consent
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.plans.catalogue import seed_catalogue
from centrale.plans.models import Goal, Intervention, Plan, PlanApproval, ServiceType
from centrale.referrals.models import Referral, ReferralStep
from tests import factories as f
from tests.centrale.test_cases import open_case
from tests.centrale.test_plans import plan_body
from web.api.deps import COOKIE_NAME


async def _person_id(session: AsyncSession, office: Organisation) -> int:
    person = await f.person(session, office)
    assert person.id is not None
    return person.id


COVERED: set[str] = {
    "plan.create",
    "plan.edit",
    "plan.approve",
    "plan.sign",
    "plan.goal_mark",
    "catalogue.configure",
    "consent.record",
    "referral.request",
    "referral.step",
}


@dataclass
class World:
    """A case of municipio IX with (``draft``) a draft plan, a consent to share and a referral to a PUA."""

    case_id: int
    person_id: int
    plan_id: int
    goal_id: int
    referral_id: int
    pua_org_id: int
    tokens: dict[str, str]  # "manager", "receiver", "admin", "stranger"
    stranger: Operator


async def _world(client: httpx.AsyncClient, session: AsyncSession, *, draft: bool) -> World:
    await seed_catalogue(session)
    await commit(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
    pua = await f.org(session, OrgKind.ASL_PUA, municipio="IX")
    manager = await f.operator(session, Role.CASE_MANAGER, municipio)
    stranger = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO, municipio="I"))
    admin = await f.operator(session, Role.AMMINISTRATORE, await f.org(session, OrgKind.CENTRALE))
    tokens = {
        "manager": await f.token_for(session, manager),
        "receiver": await f.token_for(session, await f.operator(session, Role.OPERATORE_PUA, pua)),
        "admin": await f.token_for(session, admin),
        "stranger": await f.token_for(session, stranger),
    }
    h = f.bearer(tokens["manager"])
    case = await open_case(client, tokens["manager"], await _person_id(session, municipio))
    r = await client.post(
        f"/api/v1/persons/{case['person_id']}/consents",
        headers=h,
        json={"purpose": "CONDIVISIONE_ENTI", "signed_by": "Maria Bianchi"},
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/cases/{case['id']}/referrals", headers=h, json={"to_org_id": pua.id, "reason": "Valutazione"}
    )
    assert r.status_code == 201, r.text
    referral_id = r.json()["id"]
    plan_id = goal_id = 0
    if draft:
        r = await client.post(f"/api/v1/cases/{case['id']}/plans", headers=h, json=plan_body(municipio.id or 0))
        assert r.status_code == 201, r.text
        plan_id, goal_id = r.json()["id"], r.json()["goals"][0]["id"]
    assert pua.id is not None
    return World(
        case_id=case["id"],
        person_id=case["person_id"],
        plan_id=plan_id,
        goal_id=goal_id,
        referral_id=referral_id,
        pua_org_id=pua.id,
        tokens=tokens,
        stranger=stranger,
    )


@dataclass(frozen=True)
class Surface:
    """One way to call a flow: an API route (JSON, bearer) or a page form (cookie)."""

    flow: str
    method: str
    url: str  # formatted with the World's fields
    body: Callable[[World], dict[str, Any]] | None
    allowed: str  # who may: a key of World.tokens
    page: bool = False
    draft: bool = True


PLAN_FORM = {"start_date": "2024-05-01"}
SURFACES = [
    Surface("plan.create", "POST", "/api/v1/cases/{case_id}/plans", lambda w: {"start_date": "2024-05-01"},
            "manager", draft=False),
    Surface("plan.create", "POST", "/casi/{case_id}/progetto", lambda w: PLAN_FORM, "manager", page=True, draft=False),
    Surface("plan.edit", "PUT", "/api/v1/plans/{plan_id}", lambda w: {"start_date": "2024-06-01", "note": "Rivisto"},
            "manager"),
    Surface("plan.edit", "POST", "/progetti/{plan_id}/modifica", lambda w: PLAN_FORM, "manager", page=True),
    Surface("plan.approve", "POST", "/api/v1/plans/{plan_id}/approvals", None, "manager"),
    Surface("plan.approve", "POST", "/progetti/{plan_id}/approva", None, "manager", page=True),
    Surface("plan.sign", "POST", "/api/v1/plans/{plan_id}/signature", lambda w: {"signed_by": "Maria Bianchi"},
            "manager"),
    Surface("plan.sign", "POST", "/progetti/{plan_id}/firma", lambda w: {"signed_by": "Maria Bianchi"}, "manager",
            page=True),
    Surface("plan.goal_mark", "PATCH", "/api/v1/plans/{plan_id}/goals/{goal_id}", lambda w: {"reached": True},
            "manager"),
    Surface("catalogue.configure", "PATCH", "/api/v1/services/A2.07", lambda w: {"full_tariff": "99.00"}, "admin"),
    Surface("consent.record", "POST", "/api/v1/persons/{person_id}/consents",
            lambda w: {"purpose": "CONTATTO_SMS", "given": False, "signed_by": "Maria Bianchi"}, "manager"),
    Surface("consent.record", "POST", "/casi/{case_id}/consensi",
            lambda w: {"purpose": "CONTATTO_SMS", "given": "false", "signed_by": "Maria Bianchi"}, "manager",
            page=True),
    Surface("referral.request", "POST", "/api/v1/cases/{case_id}/referrals",
            lambda w: {"to_org_id": w.pua_org_id, "reason": "Seconda valutazione"}, "manager"),
    Surface("referral.request", "POST", "/casi/{case_id}/invii",
            lambda w: {"to_org_id": str(w.pua_org_id), "reason": "Seconda valutazione"}, "manager", page=True),
    Surface("referral.step", "POST", "/api/v1/referrals/{referral_id}/steps", lambda w: {"state": "ACCETTATO"},
            "receiver"),
    Surface("referral.step", "POST", "/invii/{referral_id}/passo", lambda w: {"state": "ACCETTATO"}, "receiver",
            page=True),
]  # fmt: skip


def test_every_covered_flow_is_tried_on_a_surface() -> None:
    assert {s.flow for s in SURFACES} == COVERED


async def _snapshot(session: AsyncSession, w: World) -> tuple[object, ...]:
    """What any of these flows could change (columns, not cached objects: what the database holds now)."""

    async def count(model: Any) -> int:
        return (await session.exec(select(func.count()).select_from(model))).one()

    plan = (
        await session.exec(
            select(col(Plan.start_date), col(Plan.note), col(Plan.signed_at), col(Plan.status)).where(
                col(Plan.id) == w.plan_id
            )
        )
    ).first()
    reached = (await session.exec(select(col(Goal.reached)).where(col(Goal.id) == w.goal_id))).first()
    referral = (await session.exec(select(col(Referral.state)).where(col(Referral.id) == w.referral_id))).one()
    tariff = (await session.exec(select(col(ServiceType.full_tariff)).where(col(ServiceType.code) == "A2.07"))).one()
    counts = [await count(m) for m in (Plan, PlanApproval, Intervention, Consent, Referral, ReferralStep, Event)]
    return (tuple(plan or ()), reached, referral, tariff, *counts)


async def _denied(session: AsyncSession, who: Operator) -> int:
    query = select(func.count()).where(
        col(AuditEvent.agent_operator_id) == who.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
    )
    return (await session.exec(query)).one()


async def _call(client: httpx.AsyncClient, s: Surface, w: World, token: str) -> httpx.Response:
    url = s.url.format(**vars(w))
    body = s.body(w) if s.body else None
    client.cookies.clear()
    if s.page:
        client.cookies.set(COOKIE_NAME, token)
        return await client.request(s.method, url, data=body)
    return await client.request(s.method, url, json=body, headers=f.bearer(token))


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: f"{s.flow}:{'page' if s.page else 'api'}")
async def test_refused_without_need_to_know(surface: Surface, client: httpx.AsyncClient, session: AsyncSession):
    w = await _world(client, session, draft=surface.draft)
    before, denied_before = await _snapshot(session, w), await _denied(session, w.stranger)

    for attempt in (1, 2):
        r = await _call(client, surface, w, w.tokens["stranger"])
        assert r.status_code == 403, r.text
        if surface.page:  # a page says it in a sentence, not in JSON
            assert r.headers["content-type"].startswith("text/html") and "non consentit" in r.text.lower()
        assert await _snapshot(session, w) == before
        assert await _denied(session, w.stranger) == denied_before + attempt

    r = await _call(client, surface, w, w.tokens[surface.allowed])
    assert r.status_code in ((303,) if surface.page else (200, 201)), r.text
    assert await _snapshot(session, w) != before
