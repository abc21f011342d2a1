"""The tasks API: mine (audited), refusals 403 audited and changing nothing, absence cover by the centre."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import ROME, utcnow
from centrale.db import Database
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.tasks.models import Task, TaskCreate, TaskState, TaskType
from centrale.tasks.service import create_task
from tests import factories as f
from tests.centrale.tasks.helpers import Team, team


async def _task(session: AsyncSession, t: Team, *, start: datetime | None = None) -> int:
    start = start or utcnow() + timedelta(hours=1)
    task = await create_task(
        session,
        data=TaskCreate(
            person_id=t.person.id or 0,
            type=TaskType.TELEFONATA,
            assignee_id=t.tutor.id or 0,
            due_start=start,
            due_end=start + timedelta(hours=1),
        ),
        created_by_id=None,
    )
    await commit(session)
    return task.id or 0


async def _audits(database: Database, subtype: str) -> list[AuditEvent]:
    async with database.sessionmaker() as s:
        return list((await s.exec(select(AuditEvent).where(col(AuditEvent.subtype) == subtype))).all())


async def test_my_tasks_are_listed_and_each_read_audited(
    database: Database, session: AsyncSession, client: httpx.AsyncClient
):
    t = await team(session)
    task_id = await _task(session, t)
    answer = await client.get("/api/v1/tasks/mine", headers=f.bearer(await f.token_for(session, t.tutor)))
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1 and body["data"][0]["id"] == task_id and body["data"][0]["cognome"] == "Bianchi"
    reads = await _audits(database, "task.list")
    assert [(a.person_id, a.outcome) for a in reads] == [(t.person.id, AuditOutcome.SUCCESS)]


async def test_someone_elses_task_cannot_be_closed_and_nothing_changes(
    database: Database, session: AsyncSession, client: httpx.AsyncClient
):
    t = await team(session)
    task_id = await _task(session, t)
    stranger = await f.operator(session, Role.TUTOR, await f.org(session, OrgKind.ETS))
    answer = await client.post(
        f"/api/v1/tasks/{task_id}/close", json={"note": "x"}, headers=f.bearer(await f.token_for(session, stranger))
    )
    assert answer.status_code == 403
    denied = await _audits(database, "task.close")
    assert [a.outcome for a in denied] == [AuditOutcome.DENIED]
    async with database.sessionmaker() as s:
        task = await s.get(Task, task_id)
    assert task is not None and task.state == TaskState.APERTA and task.closed_at is None
    person_read = await client.get(
        f"/api/v1/tasks/person/{t.person.id}", headers=f.bearer(await f.token_for(session, stranger))
    )
    assert person_read.status_code == 403


async def test_the_assignee_closes_from_the_api(database: Database, session: AsyncSession, client: httpx.AsyncClient):
    t = await team(session)
    task_id = await _task(session, t)
    answer = await client.post(
        f"/api/v1/tasks/{task_id}/close",
        json={"note": "sentita, sta bene"},
        headers=f.bearer(await f.token_for(session, t.tutor)),
    )
    assert answer.status_code == 200
    assert (answer.json()["state"], answer.json()["closed_via"]) == ("SVOLTA", "API")


async def test_reassignment_by_the_centre_and_refusals(
    database: Database, session: AsyncSession, client: httpx.AsyncClient
):
    t = await team(session)
    start = datetime(2027, 5, 4, 10, 0, tzinfo=ROME)
    await _task(session, t, start=start)
    await _task(session, t, start=start + timedelta(days=10))
    body = {
        "from_operator_id": t.tutor.id,
        "to_operator_id": t.substitute.id,
        "start": date(2027, 5, 1).isoformat(),
        "end": date(2027, 5, 7).isoformat(),
    }
    by_tutor = await client.post(
        "/api/v1/tasks/reassign", json=body, headers=f.bearer(await f.token_for(session, t.tutor))
    )
    assert by_tutor.status_code == 403
    stranger = await f.operator(session, Role.TUTOR, await f.org(session, OrgKind.ETS))
    coordinator = f.bearer(await f.token_for(session, t.coordinatore))
    refused = await client.post(
        "/api/v1/tasks/reassign", json=body | {"to_operator_id": stranger.id}, headers=coordinator
    )
    assert refused.status_code == 422 and refused.json()["field"] == "to_operator_id"
    assert "il sostituto non segue" in refused.json()["detail"]
    bad = await client.post("/api/v1/tasks/reassign", json=body | {"end": "2027-04-01"}, headers=coordinator)
    assert bad.status_code == 422 and "end" in bad.json()["message"]
    async with database.sessionmaker() as s:
        assert {x.assignee_id for x in (await s.exec(select(Task))).all()} == {t.tutor.id}
    moved = await client.post("/api/v1/tasks/reassign", json=body, headers=coordinator)
    assert moved.status_code == 200 and moved.json()["count"] == 1
    load = await client.get("/api/v1/tasks/workload", headers=coordinator)
    assert load.status_code == 200
    assert {r["operator_id"] for r in load.json()} >= {t.tutor.id, t.substitute.id}
