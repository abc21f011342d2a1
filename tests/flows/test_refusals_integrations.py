"""Refusals of the SIUSS flows on a case: the data INPS needs, and emitting the case's flows.

A case managed by a Municipio IX office, complete enough that its flows can be emitted. Operators
without need-to-know of it (a case manager of another municipio, a cooperative and an ASL office that
are not on its care team) call each guarded flow on every surface it has (the API; the case file page
offers no SIUSS form): the answer is 403, nothing changes in the database, and an audit row DENIED
names the actor and the case. The same call by the case's manager succeeds, so the refusal cannot come
from a malformed request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.db import Database
from centrale.events.models import Event
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.settings import Settings
from integrations.siuss.models import SiussCounter, SiussData, SiussFlow
from tests import factories as f
from tests.integrations.scenario import Scenario, build

COVERED: set[str] = {"siuss.data_set", "siuss.emit"}

SIUSS_DATA = {
    "protocollo_domanda": "PRT-2024-17",
    "codice_cittadinanza": "380",
    "disturbi_comportamentali": "1",
    "area_reddituale": "2",
}
OTHER_DATA = SIUSS_DATA | {"protocollo_domanda": "PRT-ALTRO-99", "area_reddituale": "3"}

#: who has no need-to-know of the case: (role, kind and municipio of their organisation)
OUTSIDERS = {
    "case manager of another municipio": (Role.CASE_MANAGER, OrgKind.MUNICIPIO, "VII"),
    "cooperative not on the team": (Role.OPERATORE_ETS, OrgKind.ETS, "IX"),
    "ASL office not on the team": (Role.OPERATORE_PUA, OrgKind.ASL_PUA, "IX"),
}

Call = Callable[[httpx.AsyncClient, int, dict[str, str]], Awaitable[httpx.Response]]


async def _put_data(client: httpx.AsyncClient, case_id: int, headers: dict[str, str]) -> httpx.Response:
    return await client.put(f"/api/v1/cases/{case_id}/siuss/dati", headers=headers, json=OTHER_DATA)


async def _emit(client: httpx.AsyncClient, case_id: int, headers: dict[str, str]) -> httpx.Response:
    return await client.post(f"/api/v1/cases/{case_id}/siuss/flussi", headers=headers)


#: flow -> its surfaces (the API route is the only one)
SURFACES: dict[str, dict[str, Call]] = {
    "siuss.data_set": {"PUT /cases/{id}/siuss/dati": _put_data},
    "siuss.emit": {"POST /cases/{id}/siuss/flussi": _emit},
}
CASES = [(flow, surface, who) for flow, calls in SURFACES.items() for surface in calls for who in OUTSIDERS]


@pytest.fixture
def settings(database: Database) -> Settings:
    """The ente's operator code is set, so that a complete case's flows can really be emitted."""
    return Settings(
        environment="test",
        database_url=database.url,
        public_url="http://testserver",
        scheduler_enabled=False,
        siuss_cf_operatore="02438750586",
    )


async def _state(session: AsyncSession) -> dict[str, Any]:
    """What either flow would change: the SIUSS data, the flows and their counter, the outbox."""
    session.expire_all()
    data = [d.model_dump(exclude={"updated_at"}) for d in (await session.exec(select(SiussData))).all()]
    flows = (await session.exec(select(col(SiussFlow.id_flusso)).order_by(col(SiussFlow.id)))).all()
    counters = [(c.day, c.last) for c in (await session.exec(select(SiussCounter))).all()]
    events = (await session.exec(select(func.count()).select_from(Event))).one()
    return {"data": data, "flows": list(flows), "counters": counters, "events": events}


async def _denials(session: AsyncSession, operator_id: int, case_id: int) -> list[AuditEvent]:
    rows = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.outcome) == AuditOutcome.DENIED,
            col(AuditEvent.agent_operator_id) == operator_id,
            col(AuditEvent.entity_id) == str(case_id),
        )
    )
    return list(rows.all())


async def _ready_case(client: httpx.AsyncClient, session: AsyncSession) -> Scenario:
    """A case with an active plan and the SIUSS data its flows need (so that an emit would emit)."""
    s = await build(client, session)
    r = await client.put(f"/api/v1/cases/{s.case['id']}/siuss/dati", headers=s.headers, json=SIUSS_DATA)
    assert r.status_code == 200 and r.json()["blocked"] == [], r.text
    return s


@pytest.mark.parametrize(("flow", "surface", "who"), CASES)
async def test_an_operator_without_need_to_know_is_refused_changes_nothing_and_is_audited(
    client: httpx.AsyncClient, session: AsyncSession, flow: str, surface: str, who: str
) -> None:
    s = await _ready_case(client, session)
    case_id = int(s.case["id"])
    role, kind, municipio = OUTSIDERS[who]
    outsider = await f.operator(session, role, await f.org(session, kind, municipio=municipio))
    headers = f.bearer(await f.token_for(session, outsider))
    outsider_id, person_id = outsider.id, s.person.id
    assert outsider_id is not None
    before = await _state(session)

    r = await SURFACES[flow][surface](client, case_id, headers)

    assert r.status_code == 403, r.text
    assert await _state(session) == before
    denied = await _denials(session, outsider_id, case_id)
    assert [(d.entity_type, d.person_id) for d in denied] == [("Case", person_id)]


@pytest.mark.parametrize(
    ("flow", "surface"), [(flow, surface) for flow, calls in SURFACES.items() for surface in calls]
)
async def test_the_case_manager_may_make_the_same_call(
    client: httpx.AsyncClient, session: AsyncSession, flow: str, surface: str
) -> None:
    s = await _ready_case(client, session)
    before = await _state(session)

    r = await SURFACES[flow][surface](client, int(s.case["id"]), s.headers)

    assert r.status_code == 200, r.text
    assert await _state(session) != before  # the refused call above would have changed this
