"""task.close honours an Idempotency-Key: the same request again, or twice at once, closes once and audits once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlmodel import col, func, select

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import utcnow
from centrale.db import Database
from centrale.idempotency import KEEP, IdempotentOutcome
from centrale.tasks.models import Task, TaskState
from tests import factories as f
from tests.alerts.push.helpers import Crew, crew, new_task


async def _task(client: httpx.AsyncClient, c: Crew, hours: int = 2) -> int:
    answer = await client.post("/api/v1/tasks", json=new_task(c, hours=hours), headers=f.bearer(c.case_manager_token))
    assert answer.status_code == 201, answer.text
    task_id: int = answer.json()["id"]
    return task_id


async def _closes_audited(database: Database, task_id: int) -> int:
    async with database.sessionmaker() as session:
        query = select(func.count()).select_from(AuditEvent)
        query = query.where(
            col(AuditEvent.subtype) == "task.close",
            col(AuditEvent.entity_id) == str(task_id),
            col(AuditEvent.outcome) == AuditOutcome.SUCCESS,
        )
        return (await session.exec(query)).one()


async def test_the_same_key_again_returns_the_first_outcome_and_closes_nothing_more(
    database: Database, client: httpx.AsyncClient
) -> None:
    async with database.sessionmaker() as session:
        c = await crew(session)
    task_id = await _task(client, c)
    headers = f.bearer(c.tutor_token) | {"Idempotency-Key": "0f8e2c1a-queue-1"}
    body = {"state": "SVOLTA", "note": "tutto bene"}

    first = await client.post(f"/api/v1/tasks/{task_id}/close", json=body, headers=headers)
    second = await client.post(f"/api/v1/tasks/{task_id}/close", json=body, headers=headers)

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json() and first.json()["state"] == TaskState.SVOLTA
    assert second.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert await _closes_audited(database, task_id) == 1
    async with database.sessionmaker() as session:
        task = await session.get(Task, task_id)
        assert task is not None and task.closed_at is not None

    # another key is another request: the task is closed already, and says so
    another = f.bearer(c.tutor_token) | {"Idempotency-Key": "another-key-2"}
    other = await client.post(f"/api/v1/tasks/{task_id}/close", json=body, headers=another)
    assert other.status_code == 409
    # the key of a close of this task, used for another task: refused, naming the header
    second_task = await _task(client, c, hours=4)
    reused = await client.post(f"/api/v1/tasks/{second_task}/close", json=body, headers=headers)
    assert reused.status_code == 422 and "Idempotency-Key" in reused.text
    async with database.sessionmaker() as session:
        untouched = await session.get(Task, second_task)
        assert untouched is not None and untouched.state == TaskState.APERTA


async def test_twice_at_once_with_one_key_closes_once(database: Database, client: httpx.AsyncClient) -> None:
    async with database.sessionmaker() as session:
        c = await crew(session)
    task_id = await _task(client, c)
    headers = f.bearer(c.tutor_token) | {"Idempotency-Key": "pressed-twice-offline"}
    answers = await asyncio.gather(
        *(client.post(f"/api/v1/tasks/{task_id}/close", json={"state": "SVOLTA"}, headers=headers) for _ in range(2))
    )
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert await _closes_audited(database, task_id) == 1


async def test_a_malformed_key_is_refused_naming_the_header(database: Database, client: httpx.AsyncClient) -> None:
    async with database.sessionmaker() as session:
        c = await crew(session)
    task_id = await _task(client, c)
    answer = await client.post(
        f"/api/v1/tasks/{task_id}/close",
        json={"state": "SVOLTA"},
        headers=f.bearer(c.tutor_token) | {"Idempotency-Key": "a b"},
    )
    assert answer.status_code == 422 and "Idempotency-Key" in answer.text
    async with database.sessionmaker() as session:
        task = await session.get(Task, task_id)
        assert task is not None and task.state == TaskState.APERTA


async def test_outcomes_older_than_a_week_go_when_a_new_one_is_kept(
    database: Database, client: httpx.AsyncClient
) -> None:
    async with database.sessionmaker() as session:
        c = await crew(session)
        assert c.tutor.id is not None
        old = IdempotentOutcome(
            operator_id=c.tutor.id, key="old-key-0001", scope="task.close:0", status_code=200, body={"note": "vecchia"}
        )
        old.created_at = utcnow() - KEEP - timedelta(minutes=1)
        recent = IdempotentOutcome(operator_id=c.tutor.id, key="recent-key-01", scope="task.close:0", status_code=200)
        session.add_all([old, recent])
        await session.commit()
    task_id = await _task(client, c)
    headers = f.bearer(c.tutor_token) | {"Idempotency-Key": "new-key-000001"}
    answer = await client.post(f"/api/v1/tasks/{task_id}/close", json={"state": "SVOLTA"}, headers=headers)
    assert answer.status_code == 200
    async with database.sessionmaker() as session:
        keys = sorted((await session.exec(select(col(IdempotentOutcome.key)))).all())
    assert keys == ["new-key-000001", "recent-key-01"]
