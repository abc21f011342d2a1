"""Refusals of the administration pages' forms: each page form calls the flow the API calls, so an operator
who may not make the change gets a 403 page in Italian, nothing changes, and the refusal is audited once.
The same form by who may succeeds, so the refusal is the policy's and not a malformed form's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinSchedule, HeatWaveLevel
from alerts.escalation.models import EscalationPolicy
from centrale.db import Database
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.alerts.escalation.helpers import District, district, three_step_policy
from tests.flows.common import Who, denials
from web.api.deps import COOKIE_NAME

#: the flows whose page forms this file tries (their API surfaces are in test_refusals_sms_checkins)
COVERED: set[str] = {"policy.create", "policy.update", "heat.set_level", "checkins.schedule_create"}

Count = Callable[[AsyncSession], Awaitable[object]]


async def _policies(session: AsyncSession) -> object:
    rows = (await session.exec(select(EscalationPolicy).order_by(col(EscalationPolicy.id)))).all()
    return [(p.name, p.steps) for p in rows]


async def _schedules(session: AsyncSession) -> object:
    return (await session.exec(select(func.count()).select_from(CheckinSchedule))).one()


async def _heat(session: AsyncSession) -> object:
    return (await session.exec(select(HeatWaveLevel.level))).all()


async def _fresh(database: Database, state: Count) -> object:
    """What the database holds now, read in a session of its own."""
    async with database.sessionmaker() as fresh:
        return await state(fresh)


def _policy_form(policy_id: int | None) -> dict[str, object]:
    return {
        "name": "Notturna" if policy_id is None else "Prova",
        "severity": "ALTA",
        "active": "1",
        "rows": "1",
        "role_0": "COORDINATORE_DI_TURNO",
        "channel_0": ["SMS"],
        "wait_0": "7",
    }


CASES = [
    # flow, url (policy id filled in), form, what must not change, who is refused, who may
    ("policy.create", "/amministrazione/politiche/nuova", _policy_form(None), _policies, "coordinator", "admin"),
    ("policy.update", "/amministrazione/politiche/{policy}", _policy_form(1), _policies, "coordinator", "admin"),
    ("heat.set_level", "/amministrazione/ondata-di-calore", {"level": "3"}, _heat, "tutor", "coordinator"),
]


async def _who(session: AsyncSession, role: Role, kind: OrgKind, name: str) -> Who:
    op = await f.operator(session, role, await f.org(session, kind))
    return Who(name, op, await f.token_for(session, op))


@pytest.mark.parametrize(("flow", "url", "form", "state", "refused", "allowed"), CASES)
async def test_an_admin_page_form_is_refused_audited_and_changes_nothing(
    client: httpx.AsyncClient,
    database: Database,
    session: AsyncSession,
    flow: str,
    url: str,
    form: dict[str, object],
    state: Count,
    refused: str,
    allowed: str,
):
    await district(session)
    policy_id = await three_step_policy(session)
    people = {
        "coordinator": await _who(session, Role.COORDINATORE, OrgKind.CENTRALE, "coordinator"),
        "admin": await _who(session, Role.AMMINISTRATORE, OrgKind.CENTRALE, "admin"),
        "tutor": await _who(session, Role.TUTOR, OrgKind.ETS, "tutor"),
    }
    url = url.format(policy=policy_id)
    before = await _fresh(database, state)
    client.cookies.set(COOKIE_NAME, people[refused].token)
    r = await client.post(url, data=form)
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html") and 'id="refusal"' in r.text
    assert await _fresh(database, state) == before
    assert await denials(database, people[refused], flow) == 1

    client.cookies.set(COOKIE_NAME, people[allowed].token)
    assert (await client.post(url, data=form)).status_code == 303
    assert await _fresh(database, state) != before


async def test_a_check_in_schedule_for_a_person_the_planner_may_not_write_for(
    client: httpx.AsyncClient, database: Database, session: AsyncSession
):
    d: District = await district(session)
    stranger = await _who(session, Role.CASE_MANAGER, OrgKind.MUNICIPIO, "stranger")
    form = {"target": f"persona:{d.person.id}", "phone": "+393331112233", "repeat": "GIORNALIERA", "at": "10:00"}
    client.cookies.set(COOKIE_NAME, stranger.token)
    r = await client.post("/amministrazione/checkin", data=form)
    assert r.status_code == 403 and 'id="refusal"' in r.text
    assert await _fresh(database, _schedules) == 0
    assert await denials(database, stranger, "checkins.schedule_create") == 1
    client.cookies.set(COOKIE_NAME, await f.token_for(session, d.coordinatore))
    assert (await client.post("/amministrazione/checkin", data=form)).status_code == 303
    assert await _fresh(database, _schedules) == 1


def test_every_covered_flow_is_tried_on_a_page() -> None:
    assert {case[0] for case in CASES} | {"checkins.schedule_create"} == COVERED
