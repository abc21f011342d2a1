"""The snapshot: the first page of open alerts, the most urgent first, with the true counts; one audit
row per snapshot naming everyone it showed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertSource, AlertState, Severity
from alerts.raising import raise_alert
from centrale.audit.models import AuditAction, AuditEvent, AuditEventPerson, AuditPurpose
from centrale.clock import utcnow
from centrale.condomini.models import Condominio
from centrale.db import Database
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.settings import Settings
from centrale.tasks.models import Task, TaskType
from tests import factories as f
from tests.web.board.helpers import board_connect, receive, serving, two_tutors

LIMIT = 5
SEEN = AlertState.PRESA_VISIONE


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The board tests' settings, with a small snapshot page."""
    return settings.model_copy(update={"board_snapshot_limit": LIMIT})


async def _alert(
    session: AsyncSession,
    summary: str,
    severity: Severity,
    *,
    minutes_ago: int,
    condominio: Condominio | None = None,
    person_id: int | None = None,
    state: AlertState = AlertState.NUOVA,
) -> int:
    alert = Alert(
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=severity,
        summary=summary,
        condominio_id=condominio.id if condominio else None,
        person_id=person_id,
        state=state,
        building_level=person_id is None,
        opened_at=utcnow() - timedelta(minutes=minutes_ago),
    )
    session.add(alert)
    await commit(session)
    assert alert.id is not None
    return alert.id


async def _snapshot(address: str, token: str) -> dict:  # type: ignore[type-arg]
    async with board_connect(address, token) as ws:
        message = await receive(ws)
    assert message["type"] == "snapshot"
    return message


async def test_snapshot_sends_the_limit_most_urgent_first_with_the_true_counts(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
):
    centrale = await f.org(session, OrgKind.CENTRALE)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    building = await f.condominio(session)
    there = {"condominio": building}
    urgent_seen = await _alert(session, "urgente, vista", Severity.URGENTE, minutes_ago=1, state=SEEN, **there)
    urgent_new = await _alert(session, "urgente, nuova", Severity.URGENTE, minutes_ago=90, **there)
    high = [await _alert(session, f"alta {m}", Severity.ALTA, minutes_ago=m, **there) for m in range(10, 70, 10)]
    for m in range(4):
        await _alert(session, f"media {m}", Severity.MEDIA, minutes_ago=m, **there)
    await _alert(session, "bassa", Severity.BASSA, minutes_ago=0, **there)
    await _alert(session, "chiusa", Severity.URGENTE, minutes_ago=0, state=AlertState.RISOLTA, **there)
    token = await f.token_for(session, coordinator)

    async with serving(app) as address:
        snapshot = await _snapshot(address, token)

    # exactly the limit, the most urgent first: severity, not yet acknowledged, the most recent
    assert [a["id"] for a in snapshot["alerts"]] == [urgent_new, urgent_seen, high[0], high[1], high[2]]
    assert snapshot["limit"] == LIMIT
    assert snapshot["total"] == 13  # every open alert, the closed one not counted
    assert snapshot["counts"] == {"URGENTE": 2, "ALTA": 6, "MEDIA": 4, "BASSA": 1}
    # the alerts API lists the rest of a severity and state in the same order: "mostra altre" continues there
    answer = await client.get(
        "/api/v1/alerts",
        params={"severity": "ALTA", "state": "NUOVA", "offset": 3, "limit": 10},
        headers=f.bearer(token),
    )
    assert answer.status_code == 200
    assert [a["id"] for a in answer.json()["data"]] == high[3:]


async def test_tutor_snapshot_counts_only_the_alerts_they_may_see(app: FastAPI, session: AsyncSession):
    people = await two_tutors(session)
    tutor, coordinator, followed, stranger = people.tutor, people.coordinator, people.followed, people.stranger
    mine, theirs = people.mine, people.theirs
    strangers = {"condominio": theirs, "person_id": stranger.id}
    own = [
        await _alert(session, f"seguita {m}", Severity.ALTA, minutes_ago=m, condominio=mine, person_id=followed.id)
        for m in range(1, 4)
    ]
    own.append(await _alert(session, "ascensore guasto", Severity.MEDIA, minutes_ago=5, condominio=mine))
    for m in range(1, 8):  # more urgent, and more of them, than the tutor's own
        await _alert(session, f"estranea {m}", Severity.URGENTE, minutes_ago=m, **strangers)
    await _alert(session, "citofono guasto", Severity.URGENTE, minutes_ago=1, condominio=theirs)

    async with serving(app) as address:
        for_tutor = await _snapshot(address, await f.token_for(session, tutor))
        for_coordinator = await _snapshot(address, await f.token_for(session, coordinator))

    assert for_tutor["total"] == 4  # their people and their building, never the others' (more urgent) ones
    assert for_tutor["counts"] == {"URGENTE": 0, "ALTA": 3, "MEDIA": 1, "BASSA": 0}
    assert [a["id"] for a in for_tutor["alerts"]] == own
    assert all(a["person_id"] in (followed.id, None) for a in for_tutor["alerts"])
    assert for_coordinator["total"] == 12
    assert len(for_coordinator["alerts"]) == LIMIT
    assert {a["severity"] for a in for_coordinator["alerts"]} == {"URGENTE"}


async def test_mostra_altre_sends_the_next_cards_of_one_kind_with_their_names_and_audits_them(
    client: httpx.AsyncClient, session: AsyncSession
):
    people = await two_tutors(session)
    mine, followed = people.mine, people.followed
    ids = [
        await _alert(session, f"seguita {m}", Severity.ALTA, minutes_ago=m, condominio=mine, person_id=followed.id)
        for m in range(1, 6)
    ]
    await _alert(
        session, "estranea", Severity.ALTA, minutes_ago=1, condominio=people.theirs, person_id=people.stranger.id
    )
    closed = {"condominio": mine, "person_id": followed.id, "state": AlertState.RISOLTA}
    await _alert(session, "chiusa", Severity.ALTA, minutes_ago=1, **closed)
    signed = {"Authorization": f"Bearer {await f.token_for(session, people.tutor)}"}

    page = {"severity": "ALTA", "state": "NUOVA", "offset": 2, "limit": 2}
    answer = await client.get("/board/alerts", params=page, headers=signed)
    assert answer.status_code == 200
    cards = answer.json()["data"]
    assert [c["id"] for c in cards] == ids[2:4]  # after the two the board holds, most recent first: theirs only
    assert {(c["person"], c["condominio"]) for c in cards} == {(f"Seguita {followed.nome[0]}.", mine.name)}
    assert [persons for _, persons in await _audit_rows(session, "board-more")] == [{followed.id}]

    closed_state = await client.get("/board/alerts", params=page | {"state": "RISOLTA"}, headers=signed)
    assert closed_state.status_code == 422 and "state" in closed_state.json()["detail"]
    assert (await client.get("/board/alerts", params=page)).status_code == 401


async def _audit_rows(session: AsyncSession, subtype: str) -> list[tuple[AuditEvent, set[int]]]:
    rows = (await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == subtype))).all()
    found = []
    for row in rows:
        persons = await session.exec(
            select(col(AuditEventPerson.person_id)).where(col(AuditEventPerson.audit_event_id) == row.id)
        )
        found.append((row, set(persons.all())))
    return found


async def test_one_audit_row_per_snapshot_lists_every_person_shown(
    app: FastAPI, client: httpx.AsyncClient, database: Database, session: AsyncSession
):
    centrale = await f.org(session, OrgKind.CENTRALE)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    building = await f.condominio(session)
    people = [await f.person(session, centrale, cognome=f"Persona{n}") for n in range(LIMIT + 2)]
    ids = [p.id for p in people]
    assert all(ids)
    # one alert each; the two oldest fall beyond the limit, and are not shown
    for n, pid in enumerate(ids):
        await _alert(session, f"allerta {n}", Severity.ALTA, minutes_ago=n, condominio=building, person_id=pid)
    late = await f.person(session, centrale, cognome="ConAttivita")  # shown by the overdue-tasks panel only
    assert coordinator.id and late.id
    session.add(
        Task(
            person_id=late.id,
            type=TaskType.TELEFONATA,
            assignee_id=coordinator.id,
            due_start=utcnow() - timedelta(hours=3),
            due_end=utcnow() - timedelta(hours=2),
            code="T0001",
        )
    )
    await commit(session)
    token = await f.token_for(session, coordinator)

    async with serving(app) as address:
        first = await _snapshot(address, token)
        async with database.sessionmaker() as s:
            assert len(await _audit_rows(s, "board-snapshot")) == 1
        await _snapshot(address, token)

    shown = {a["person_id"] for a in first["alerts"]}
    assert shown == set(ids[:LIMIT])
    assert [line["id"] for line in first["overdue_tasks"]]
    async with database.sessionmaker() as s:
        rows = await _audit_rows(s, "board-snapshot")
        every = (await s.exec(select(AuditEvent))).all()
    assert len(rows) == 2  # one per snapshot, whatever it showed
    assert len(every) == 2  # and nothing else: no row per card, none per task
    for row, persons in rows:
        assert persons == shown | {late.id}  # the alerts' people and the task's, not those beyond the limit
        assert row.action == AuditAction.READ and row.purpose == AuditPurpose.ETREAT
        assert row.agent_operator_id == coordinator.id
        assert row.entity_type == "Board" and row.entity_id == str(first["seq"])
        assert row.outcome_desc == f"{LIMIT} allerte su {LIMIT + 2}, 1 attività in ritardo; {LIMIT + 1} persone"

    # "who accessed this person" still finds the board that showed them, and only that one
    answer = await client.get(f"/api/v1/persons/{ids[0]}/accessi", headers=f.bearer(token))
    assert answer.status_code == 200, answer.text
    assert [r["subtype"] for r in answer.json()["data"]].count("board-snapshot") == 2
    beyond = await client.get(f"/api/v1/persons/{ids[-1]}/accessi", headers=f.bearer(token))
    assert beyond.status_code == 200, beyond.text
    assert "board-snapshot" not in [r["subtype"] for r in beyond.json()["data"]]


async def test_live_events_are_audited_in_one_row_per_batch_naming_the_people(
    app: FastAPI, database: Database, session: AsyncSession
):
    centrale = await f.org(session, OrgKind.CENTRALE)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    building = await f.condominio(session)
    who = await f.person(session, centrale)
    assert who.id and building.id
    token = await f.token_for(session, coordinator)
    async with serving(app) as address, board_connect(address, token) as ws:
        assert (await receive(ws))["type"] == "snapshot"
        async with database.sessionmaker() as s:
            await raise_alert(
                s,
                source=AlertSource.SEGNALAZIONE_SENTINELLA,
                severity=Severity.ALTA,
                summary="Non risponde",
                person_id=who.id,
                condominio_id=building.id,
            )
            await commit(s)
        event = await receive(ws)
        assert event["type"] == "event" and event["alert"]["person_id"] == who.id
        for _ in range(50):  # the audit is written just after delivery
            async with database.sessionmaker() as s:
                rows = await _audit_rows(s, "board-event")
            if rows:
                break
            await asyncio.sleep(0.1)
    assert [persons for _, persons in rows] == [{who.id}]
    assert rows[0][0].agent_operator_id == coordinator.id
