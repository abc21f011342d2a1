"""Aggregate queries for the district's report: timings of alerts, tasks, check-ins, cases, municipi."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinRequest, CheckinState
from alerts.models import Alert, AlertState
from centrale.assessments.service import profile
from centrale.cases.models import Case, CaseState
from centrale.clock import to_rome, utcnow
from centrale.condomini.models import AssistedPerson, Condominio
from centrale.operators.models import Operator
from centrale.persons.models import Person
from centrale.tasks.models import Task, TaskState
from integrations.reports.models import Report, Table, percentile


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 60


async def alert_timings(session: AsyncSession, *, start: datetime, end: datetime) -> Table:
    """Minutes to acknowledge and to resolve, p50/p90, by severity and source (alerts opened in the period)."""
    alerts = (await session.exec(select(Alert).where(col(Alert.opened_at) >= start, col(Alert.opened_at) < end))).all()
    groups: dict[tuple[str, str], list[Alert]] = defaultdict(list)
    for alert in alerts:
        groups[(str(alert.severity), str(alert.source))].append(alert)
    rows: list[list[str | int | float | None]] = []
    for (severity, source), items in sorted(groups.items()):
        acks = [m for a in items if (m := _minutes(a.opened_at, a.acknowledged_at)) is not None]
        fixes = [
            m
            for a in items
            if a.state == AlertState.RISOLTA and (m := _minutes(a.opened_at, a.resolved_at)) is not None
        ]
        rows.append(
            [
                severity,
                source,
                len(items),
                percentile(acks, 50),
                percentile(acks, 90),
                percentile(fixes, 50),
                percentile(fixes, 90),
            ]
        )
    return Table(
        key="tempi_allerte",
        title="Tempi di presa visione e risoluzione (minuti)",
        columns=[
            "Priorità",
            "Origine",
            "Allerte",
            "Presa visione p50",
            "Presa visione p90",
            "Risoluzione p50",
            "Risoluzione p90",
        ],
        rows=rows,
        chart_column=3,
        units=[None, None, None, "min", "min", "min", "min"],
    )


async def _condominio_of_person(session: AsyncSession) -> dict[int, tuple[str, int]]:
    rows = (
        await session.exec(
            select(AssistedPerson.person_id, Condominio.name, Condominio.id).join(
                Condominio, col(Condominio.id) == col(AssistedPerson.condominio_id)
            )
        )
    ).all()
    return {person_id: (name, cond_id or 0) for person_id, name, cond_id in rows}


def _is_overdue(task: Task, now: datetime) -> bool:
    if task.state == TaskState.MANCATA:
        return True
    if task.state == TaskState.SVOLTA:
        return task.closed_at is not None and task.closed_at > task.due_end
    return task.due_end < now  # still open past its deadline


async def overdue_tasks(session: AsyncSession, *, start: datetime, end: datetime) -> tuple[Table, Table]:
    """Share of tasks done late or not at all, per tutor and per condominio (tasks due in the period)."""
    now = utcnow()
    tasks = (
        await session.exec(
            select(Task).where(
                col(Task.due_end) >= start, col(Task.due_end) < end, col(Task.state) != TaskState.ANNULLATA
            )
        )
    ).all()
    names = {o.id: o.full_name for o in (await session.exec(select(Operator))).all()}
    condominio = await _condominio_of_person(session)
    by_tutor: dict[tuple[str, int], list[bool]] = defaultdict(list)  # by operator: two tutors may share a name
    by_cond: dict[tuple[str, int], list[bool]] = defaultdict(list)
    for task in tasks:
        late = _is_overdue(task, now)
        by_tutor[(names.get(task.assignee_id, "operatore"), task.assignee_id)].append(late)
        by_cond[condominio.get(task.person_id, ("(fuori dai condomini)", 0))].append(late)

    def table(key: str, title: str, label: str, groups: dict[tuple[str, int], list[bool]]) -> Table:
        rows: list[list[str | int | float | None]] = [
            [name, len(flags), sum(flags), round(100 * sum(flags) / len(flags), 1)]
            for (name, _), flags in sorted(groups.items())
        ]
        return Table(
            key=key,
            title=title,
            columns=[label, "Attività", "In ritardo", "% in ritardo"],
            rows=rows,
            chart_column=3,
            units=[None, None, None, "%"],
        )

    return (
        table("attivita_tutor", "Attività in ritardo per tutor", "Tutor", by_tutor),
        table("attivita_condominio", "Attività in ritardo per condominio", "Condominio", by_cond),
    )


async def checkin_response(session: AsyncSession, *, start: datetime, end: datetime) -> Table:
    """Check-ins answered within their window over those whose window has closed (due in the period)."""
    requests = (
        await session.exec(
            select(CheckinRequest).where(col(CheckinRequest.due_at) >= start, col(CheckinRequest.due_at) < end)
        )
    ).all()
    answered = sum(1 for r in requests if r.state == CheckinState.RISPOSTO)
    missed = sum(1 for r in requests if r.state == CheckinState.MANCATO)
    closed = answered + missed
    rate = round(100 * answered / closed, 1) if closed else None
    return Table(
        key="checkin",
        title="Risposta ai check-in",
        columns=["Richieste concluse", "Risposte", "Mancate", "% risposta"],
        rows=[[closed, answered, missed, rate]],
        units=[None, None, None, "%"],
    )


NO_CONDOMINIO = "(fuori dai condomini)"
NO_MUNICIPIO = "(municipio non indicato)"


async def alert_breakdowns(session: AsyncSession, *, start: datetime, end: datetime) -> list[Table]:
    """Alerts opened in the period per municipio, per condominio and by severity: one query, so the three
    totals are the same count. An alert without a person takes its condominio's municipio; one outside
    the condomini solidali (or of nobody known) has a row of its own instead of being left out."""
    rows = (
        await session.exec(
            select(Alert.severity, Person.municipio, Condominio.name, Condominio.municipio)
            .outerjoin(Person, col(Person.id) == col(Alert.person_id))
            .outerjoin(Condominio, col(Condominio.id) == col(Alert.condominio_id))
            .where(col(Alert.opened_at) >= start, col(Alert.opened_at) < end)
        )
    ).all()
    by_municipio = Counter(person_m or cond_m or NO_MUNICIPIO for _, person_m, _, cond_m in rows)
    by_condominio = Counter(name or NO_CONDOMINIO for _, _, name, _ in rows)
    by_severity = Counter(str(severity) for severity, _, _, _ in rows)
    order = {"URGENTE": 0, "ALTA": 1, "MEDIA": 2, "BASSA": 3}

    def table(key: str, title: str, label: str, counts: Counter[str], keys: list[str]) -> Table:
        return Table(
            key=key,
            title=title,
            columns=[label, "Allerte"],
            rows=[[k, counts[k]] for k in keys],
            chart_column=1,
            total=len(rows),
        )

    return [
        table("allerte_municipio", "Allerte per municipio", "Municipio", by_municipio, sorted(by_municipio)),
        table("allerte_condominio", "Allerte per condominio", "Condominio", by_condominio, sorted(by_condominio)),
        table(
            "allerte_priorita",
            "Allerte per priorità",
            "Priorità",
            by_severity,
            sorted(by_severity, key=lambda k: order.get(k, 9)),
        ),
    ]


def _monday(moment: datetime) -> date:
    day = to_rome(moment).date()
    return day - timedelta(days=day.weekday())


async def weekly_trend(session: AsyncSession, *, start: datetime, end: datetime) -> Table:
    """Week by week (Rome weeks from Monday): median minutes to acknowledge, % of tasks late, % of check-ins
    answered — the three figures the page draws as lines."""
    now = utcnow()
    alerts = (await session.exec(select(Alert).where(col(Alert.opened_at) >= start, col(Alert.opened_at) < end))).all()
    tasks = (
        await session.exec(
            select(Task).where(
                col(Task.due_end) >= start, col(Task.due_end) < end, col(Task.state) != TaskState.ANNULLATA
            )
        )
    ).all()
    checkins = (
        await session.exec(
            select(CheckinRequest).where(col(CheckinRequest.due_at) >= start, col(CheckinRequest.due_at) < end)
        )
    ).all()
    acks: dict[date, list[float]] = defaultdict(list)
    for a in alerts:
        if (m := _minutes(a.opened_at, a.acknowledged_at)) is not None:
            acks[_monday(a.opened_at)].append(m)
    late: dict[date, list[bool]] = defaultdict(list)
    for t in tasks:
        late[_monday(t.due_end)].append(_is_overdue(t, now))
    answered: dict[date, list[bool]] = defaultdict(list)
    for c in checkins:
        if c.state in (CheckinState.RISPOSTO, CheckinState.MANCATO):
            answered[_monday(c.due_at)].append(c.state == CheckinState.RISPOSTO)
    rows: list[list[str | int | float | None]] = []
    week = _monday(start)
    while week <= _monday(end - timedelta(seconds=1)):
        rows.append(
            [
                week.strftime("%d/%m/%Y"),
                percentile(acks[week], 50),
                round(100 * sum(late[week]) / len(late[week]), 1) if late[week] else None,
                round(100 * sum(answered[week]) / len(answered[week]), 1) if answered[week] else None,
            ]
        )
        week += timedelta(days=7)
    return Table(
        key="andamento_settimanale",
        title="Andamento settimanale",
        columns=["Settimana dal", "Presa visione (mediana)", "% attività in ritardo", "% risposta ai check-in"],
        rows=rows,
        units=[None, "min", "%", "%"],
    )


async def cases_breakdown(session: AsyncSession, *, start: datetime, end: datetime) -> list[Table]:
    """Cases open during the period by phase, SIUSS area, care intensity and municipio; alerts per municipio."""
    cases = (
        await session.exec(
            select(Case, Person.municipio)
            .join(Person, col(Person.id) == col(Case.person_id))
            .where(col(Case.opened_at) < end)
        )
    ).all()
    live = [(c, m) for c, m in cases if c.state != CaseState.CHIUSO or (c.updated_at or c.opened_at) >= start]
    phase = Counter(str(c.phase) for c, _ in live)
    area = Counter(str(int(c.siuss_area)) for c, _ in live)
    municipio = Counter(m or "?" for _, m in live)
    intensity: Counter[str] = Counter()
    for c, _ in live:
        found = (await profile(session, person_id=c.person_id)).intensity_now
        intensity[str(found) if found else "NON VALUTATA"] += 1

    def table(key: str, title: str, label: str, counts: Counter[str]) -> Table:
        return Table(
            key=key,
            title=title,
            columns=[label, "Casi"],
            rows=[[k, v] for k, v in sorted(counts.items())],
            chart_column=1,
        )

    return [
        table("casi_fase", "Casi per fase", "Fase", phase),
        table("casi_area", "Casi per area utenza SIUSS", "Area", area),
        table("casi_intensita", "Casi per intensità assistenziale", "Intensità", intensity),
        table("casi_municipio", "Casi per municipio", "Municipio", municipio),
    ]


async def district_report(session: AsyncSession, *, start: datetime, end: datetime) -> Report:
    tutor, condominio = await overdue_tasks(session, start=start, end=end)
    return Report(
        start=start,
        end=end,
        generated_at=utcnow(),
        tables=[
            await alert_timings(session, start=start, end=end),
            tutor,
            condominio,
            await checkin_response(session, start=start, end=end),
            await weekly_trend(session, start=start, end=end),
            *await alert_breakdowns(session, start=start, end=end),
            *await cases_breakdown(session, start=start, end=end),
        ],
        notes=[
            "Percentili per interpolazione lineare tra i ranghi (p50 mediana, p90).",
            "Attività in ritardo: mancate, svolte dopo la scadenza, o ancora aperte oltre la scadenza.",
            "Le allerte per municipio, per condominio e per priorità contano le stesse allerte: quelle fuori dai "
            "condomini solidali e quelle senza municipio hanno una riga propria.",
        ],
    )
