"""Refusals of the task actions: create, close (API, page, SMS "FATTO <code>"), reassign for an absence.

A person of municipio IX, followed by a tutor (a late task with its overdue alert open) and registered
by the municipio's case manager. Operators without need to know of that person (the Centrale and a case
manager of municipio VII, a tutor of an unrelated organisation) call each flow on every surface it has:
403 (the SMS: the polite "code not recognised"), nothing changes in the database, and an audit row
DENIED names the flow. The same call by someone who may succeeds, so a refusal cannot come from a
malformed request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from alerts.models import Alert, AlertState
from alerts.monitoring import raise_overdue_alerts
from alerts.sms.flows import receive_sms
from alerts.tasks import flows as task_flows
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import ROME, utcnow
from centrale.db import Database
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.flows import FLOWS
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from centrale.tasks.models import Absence, Task, TaskCreate, TaskType
from centrale.tasks.service import create_task
from tests import factories as f
from tests.alerts.sms.test_triage import sms
from tests.centrale.tasks.helpers import Team, team
from web.api.deps import COOKIE_NAME

COVERED: set[str] = {"task.create", "task.close", "task.reassign"}

#: operators who may not see the person of municipio IX
OUTSIDERS = ("coordinatore VII", "case manager VII", "tutor estraneo")
MAY_4 = datetime(2027, 5, 4, 10, 0, tzinfo=ROME)  # a period of the tutor's absence: 4-7 May 2027


@dataclass
class Who:
    operator: Operator
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return f.bearer(self.token)


@dataclass
class World:
    database: Database
    team: Team
    person_vii: Person
    late_task: Task
    actors: dict[str, Who]


async def _task(session: Any, t: Team, person: Person, start: datetime) -> Task:
    task = await create_task(
        session,
        data=TaskCreate(
            person_id=person.id or 0,
            type=TaskType.VISITA_DOMICILIARE,
            assignee_id=t.tutor.id or 0,
            due_start=start,
            due_end=start + timedelta(hours=2),
        ),
        created_by_id=None,
    )
    await commit(session)
    return task


async def _world(database: Database) -> World:
    async with database.sessionmaker() as session:
        t = await team(session)
        municipio_vii = await f.org(session, OrgKind.MUNICIPIO, municipio="VII")
        cast = {
            "coordinatore VII": (Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE, municipio="VII")),
            "case manager VII": (Role.CASE_MANAGER, municipio_vii),
            "tutor estraneo": (Role.TUTOR, await f.org(session, OrgKind.ETS, municipio=None)),
        }
        actors = {}
        for n, (name, (role, org)) in enumerate(cast.items()):
            op = await f.operator(session, role, org, phone=f"+3933300008{n:02d}")
            actors[name] = Who(op, await f.token_for(session, op))
        for name, op in (("tutor", t.tutor), ("coordinatore IX", t.coordinatore), ("case manager IX", t.case_manager)):
            actors[name] = Who(op, await f.token_for(session, op))
        # a person of municipio VII, whom the case manager and the Centrale of VII do see
        person_vii = await f.person(session, municipio_vii, municipio="VII", cognome="Verdi")
        late = await _task(session, t, t.person, utcnow() - timedelta(hours=3))
    assert await raise_overdue_alerts(database)
    async with database.sessionmaker() as session:
        late = (await session.exec(select(Task).where(col(Task.id) == late.id))).one()
    assert late.overdue_alert_id is not None
    return World(database, t, person_vii, late, actors)


async def _snapshot(database: Database) -> tuple[Any, ...]:
    """Everything a task action may change: the tasks, their alerts, absences, task events."""
    async with database.sessionmaker() as s:
        tasks = await s.exec(
            select(col(Task.id), col(Task.state), col(Task.assignee_id), col(Task.closed_at)).order_by(col(Task.id))
        )
        alerts = await s.exec(select(col(Alert.id), col(Alert.state)).order_by(col(Alert.id)))
        absences = await s.exec(select(func.count()).select_from(Absence))
        events = await s.exec(select(func.count()).select_from(Event).where(col(Event.kind).startswith("task.")))
        return tuple(tasks.all()), tuple(alerts.all()), absences.one(), events.one()


async def _denied(database: Database, who: Who, flow: str) -> list[AuditEvent]:
    async with database.sessionmaker() as s:
        rows = await s.exec(
            select(AuditEvent).where(
                col(AuditEvent.outcome) == AuditOutcome.DENIED,
                col(AuditEvent.subtype) == flow,
                col(AuditEvent.agent_operator_id) == who.operator.id,
            )
        )
        return list(rows.all())


def test_covered_names_every_guarded_flow_of_the_task_actions() -> None:
    guarded = {info.name for info in FLOWS.values() if info.guarded and info.fn.__module__ == task_flows.__name__}
    assert guarded == COVERED


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_create_for_a_person_the_actor_may_not_see_is_refused(
    outsider: str, database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database)
    who, start = w.actors[outsider], utcnow() + timedelta(days=1)
    body = {
        "person_id": w.team.person.id,
        "type": "TELEFONATA",
        "assignee_id": w.team.tutor.id,
        "due_start": start.isoformat(),
        "due_end": (start + timedelta(hours=1)).isoformat(),
    }
    before = await _snapshot(database)
    r = await client.post("/api/v1/tasks", json=body, headers=who.headers)
    assert r.status_code == 403, r.text
    assert await _snapshot(database) == before
    assert len(await _denied(database, who, "task.create")) == 1
    # the person's case manager may: the same request is well formed
    done = await client.post("/api/v1/tasks", json=body, headers=w.actors["case manager IX"].headers)
    assert done.status_code == 201, done.text


@pytest.mark.parametrize("surface", ["api", "page", "sms"])
@pytest.mark.parametrize("outsider", ["coordinatore VII", "tutor estraneo"])
async def test_close_by_an_operator_who_may_not_see_the_person_is_refused_on_every_surface(
    outsider: str, surface: str, database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database)
    who, task = w.actors[outsider], w.late_task
    before = await _snapshot(database)
    if surface == "api":
        r = await client.post(f"/api/v1/tasks/{task.id}/close", json={"note": "x"}, headers=who.headers)
        assert r.status_code == 403, r.text
    elif surface == "page":
        client.cookies.set(COOKIE_NAME, who.token)
        r = await client.post(f"/attivita/{task.id}/fatto", data={"note": "x"})
        assert r.status_code == 403 and 'role="alert"' in r.text and "Non puoi registrare" in r.text, r.text
        client.cookies.clear()
    else:
        async with database.sessionmaker() as s:
            message = await receive_sms(s, params=sms(f"FATTO {task.code}", sender=who.operator.phone or ""))
            await commit(s)
        assert "non riconosciuto" in (message.reply or "")
    assert await _snapshot(database) == before
    denied = await _denied(database, who, "task.close")
    assert [(d.entity_id, d.person_id) for d in denied] == [(str(task.id), w.team.person.id)]
    # the coordinatore of IX may record it for the tutor: the task closes, its overdue alert is resolved
    r = await client.post(f"/api/v1/tasks/{task.id}/close", json={}, headers=w.actors["coordinatore IX"].headers)
    assert r.status_code == 200, r.text
    async with database.sessionmaker() as s:
        alert = await s.get(Alert, task.overdue_alert_id)
    assert alert is not None and alert.state == AlertState.RISOLTA


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_reassign_with_a_task_on_a_person_the_actor_may_not_see_moves_nothing(
    outsider: str, database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database)
    async with database.sessionmaker() as s:
        hidden = await _task(s, w.team, w.team.person, MAY_4)  # municipio IX: unseen by the outsiders
        seen = await _task(s, w.team, w.person_vii, MAY_4 + timedelta(days=1))  # municipio VII
    who = w.actors[outsider]
    body = {
        "from_operator_id": w.team.tutor.id,
        "to_operator_id": w.team.substitute.id,
        "start": date(2027, 5, 4).isoformat(),
        "end": date(2027, 5, 7).isoformat(),
    }
    before = await _snapshot(database)
    r = await client.post("/api/v1/tasks/reassign", json=body, headers=who.headers)
    assert r.status_code == 403, r.text
    assert hidden.code not in r.text and seen.code not in r.text  # no code of what the actor may not know
    assert await _snapshot(database) == before  # nothing moved, not even the task they see; no absence
    denied = await _denied(database, who, "task.reassign")
    assert denied and {d.person_id for d in denied} <= {w.team.person.id, None}
    # the Centrale of IX may move the tutor's tasks on the IX person (another period, only those)
    async with database.sessionmaker() as s:
        later = await _task(s, w.team, w.team.person, MAY_4 + timedelta(days=7))
    ok = await client.post(
        "/api/v1/tasks/reassign",
        json=body | {"start": "2027-05-11", "end": "2027-05-14"},
        headers=w.actors["coordinatore IX"].headers,
    )
    assert ok.status_code == 200 and ok.json()["moved"] == [later.id], ok.text
