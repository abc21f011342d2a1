"""The district report on a seeded scenario with known timings: p50/p90, rates, small cells for analysts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.models import Alert, AlertSource, AlertState, Severity
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.tasks.models import Task, TaskState, TaskType
from integrations.reports.models import percentile
from tests import factories as f

T0 = datetime(2024, 5, 10, 8, 0, tzinfo=UTC)
PERIOD = {"from": "2024-05-01", "to": "2024-05-31"}


def test_percentiles_interpolate_between_ranks():
    assert percentile([1, 2, 3, 4, 10], 50) == 3
    assert percentile([1, 2, 3, 4, 10], 90) == 7.6
    assert percentile([7], 90) == 7 and percentile([], 50) is None


async def seed(session: AsyncSession) -> dict:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    coop = await f.org(session, OrgKind.ETS)
    tutor_a = await f.operator(session, Role.TUTOR, coop)
    tutor_b = await f.operator(session, Role.TUTOR, coop)
    cond = await f.condominio(session, tutor_a)
    people = [await f.person(session, municipio) for _ in range(3)]
    await f.assisted(session, cond, people[0])
    # five high-priority sentinel alerts: acknowledged after 1, 2, 3, 4, 10 minutes; resolved after 10..50
    for ack, fix in zip((1, 2, 3, 4, 10), (10, 20, 30, 40, 50), strict=True):
        session.add(
            Alert(
                source=AlertSource.SEGNALAZIONE_SENTINELLA,
                severity=Severity.ALTA,
                summary="x",
                person_id=people[0].id,
                condominio_id=cond.id,
                state=AlertState.RISOLTA,
                opened_at=T0,
                acknowledged_at=T0 + timedelta(minutes=ack),
                resolved_at=T0 + timedelta(minutes=fix),
            )
        )
    # one urgent alert still open and not acknowledged; one outside the period
    session.add(
        Alert(
            source=AlertSource.CHECKIN_MANCATO,
            severity=Severity.URGENTE,
            summary="x",
            person_id=people[1].id,
            opened_at=T0,
        )
    )
    session.add(
        Alert(
            source=AlertSource.CHECKIN_MANCATO,
            severity=Severity.URGENTE,
            summary="x",
            person_id=people[1].id,
            opened_at=T0 - timedelta(days=60),
            acknowledged_at=T0,
        )
    )
    # tutor A: 4 tasks (one missed, one done late, two on time); tutor B: 2 tasks (one open past due, one cancelled)
    specs = [
        (tutor_a, people[0], TaskState.MANCATA, None),
        (tutor_a, people[0], TaskState.SVOLTA, timedelta(hours=3)),
        (tutor_a, people[0], TaskState.SVOLTA, timedelta(minutes=30)),
        (tutor_a, people[0], TaskState.SVOLTA, timedelta(minutes=10)),
        (tutor_b, people[2], TaskState.APERTA, None),
        (tutor_b, people[2], TaskState.SVOLTA, timedelta(minutes=5)),
        (tutor_b, people[2], TaskState.ANNULLATA, None),
    ]
    for i, (tutor, who, state, closed_after) in enumerate(specs):
        session.add(
            Task(
                code=f"T{i}",
                person_id=who.id,
                type=TaskType.VISITA_DOMICILIARE,
                assignee_id=tutor.id,
                due_start=T0,
                due_end=T0 + timedelta(hours=1),
                state=state,
                closed_at=T0 + closed_after if closed_after else None,
            )
        )
    schedule = CheckinSchedule(person_id=people[1].id, phone="+393330000999", rrule="FREQ=DAILY;BYHOUR=10")
    session.add(schedule)
    await session.flush()
    for day, state in enumerate([CheckinState.RISPOSTO] * 3 + [CheckinState.MANCATO, CheckinState.IN_ATTESA]):
        due = T0 + timedelta(days=day)
        session.add(
            CheckinRequest(
                schedule_id=schedule.id,
                phone=schedule.phone,
                due_at=due,
                window_ends_at=due + timedelta(hours=1),
                state=state,
            )
        )
    await commit(session)
    return {"municipio": municipio, "tutors": (tutor_a, tutor_b), "condominio": cond}


def table(report: dict, key: str) -> list[list]:
    return next(t["rows"] for t in report["tables"] if t["key"] == key)


async def test_known_timings_give_the_expected_percentiles_and_rates(client: httpx.AsyncClient, session: AsyncSession):
    seeded = await seed(session)
    coordinator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    r = await client.get("/api/v1/reports", params=PERIOD, headers=f.bearer(await f.token_for(session, coordinator)))
    assert r.status_code == 200, r.text
    report = r.json()
    assert table(report, "tempi_allerte") == [
        ["ALTA", "SEGNALAZIONE_SENTINELLA", 5, 3.0, 7.6, 30.0, 46.0],
        ["URGENTE", "CHECKIN_MANCATO", 1, None, None, None, None],
    ]
    tutor_a, tutor_b = seeded["tutors"]
    assert sorted(table(report, "attivita_tutor")) == sorted(
        [[tutor_a.full_name, 4, 2, 50.0], [tutor_b.full_name, 2, 1, 50.0]]
    )
    assert [seeded["condominio"].name, 4, 2, 50.0] in table(report, "attivita_condominio")
    assert table(report, "checkin") == [[4, 3, 1, 75.0]]
    # the urgent check-in alert belongs to no condominio: it has a row, so every breakdown counts 6 alerts
    assert table(report, "allerte_condominio") == [["(fuori dai condomini)", 1], [seeded["condominio"].name, 5]]
    assert table(report, "allerte_municipio") == [["IX", 6]]
    assert table(report, "allerte_priorita") == [["URGENTE", 1], ["ALTA", 5]]
    weeks = table(report, "andamento_settimanale")
    assert weeks == [  # Rome weeks from Monday: ack median, % tasks late, % check-ins answered
        ["29/04/2024", None, None, None],
        ["06/05/2024", 3.0, 50.0, 100.0],
        ["13/05/2024", None, None, 0.0],
        ["20/05/2024", None, None, None],
        ["27/05/2024", None, None, None],
    ]


async def test_analysts_see_aggregates_with_small_cells_hidden_and_csv(
    client: httpx.AsyncClient, session: AsyncSession
):
    await seed(session)
    analyst = await f.operator(session, Role.ANALISTA, await f.org(session, OrgKind.CENTRALE))
    headers = f.bearer(await f.token_for(session, analyst))
    report = (await client.get("/api/v1/reports", params=PERIOD, headers=headers)).json()
    assert report["suppressed_below"] == 5
    timings = table(report, "tempi_allerte")
    assert timings[0] == ["ALTA", "SEGNALAZIONE_SENTINELLA", 5, 3.0, 7.6, 30.0, 46.0]  # five: shown
    assert timings[1] == ["URGENTE", "CHECKIN_MANCATO", None, None, None, None, None]  # one: hidden
    assert {row[0] for row in table(report, "attivita_tutor")} == {"Tutor 1", "Tutor 2"}  # no names
    assert all(row[1:] == [None, None, None] for row in table(report, "attivita_tutor"))

    r = await client.get("/api/v1/reports/csv", params=PERIOD, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    p90 = next(
        x
        for x in rows
        if x["sezione"] == "tempi_allerte" and x["misura"] == "Presa visione p90" and x["gruppo"].startswith("ALTA")
    )
    assert (p90["valore"], p90["dal"], p90["al"]) == ("7.6", "2024-05-01", "2024-05-31")


async def test_roles_without_reports_are_refused(client: httpx.AsyncClient, session: AsyncSession):
    cm = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO))
    r = await client.get("/api/v1/reports", params=PERIOD, headers=f.bearer(await f.token_for(session, cm)))
    assert r.status_code == 403
    r = await client.get(
        "/api/v1/reports",
        params={"from": "2024-06-01", "to": "2024-05-01"},
        headers=f.bearer(
            await f.token_for(
                session, await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
            )
        ),
    )
    assert r.status_code == 422 and "from" in r.text
