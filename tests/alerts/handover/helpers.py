"""A district on the evening of a hand-off: what the night coordinator must be told, and what not.

Two coordinators of the Centrale (municipio IX) hand over at 20:00 of 4 May 2027. The seeded data has,
for a person of municipio IX (Bianchi): a new alert, an acknowledged one, a resolved one; an overdue
task, a task not yet due, a late task already done; a check-in awaiting its reply, one answered (and a sentinel's
check-in awaiting its reply, in a building of municipio IX); an
active plan ending in three days and one ending in a month. A person of municipio VII (Verdi) has
a new alert, an overdue task and an ending plan the coordinators of IX may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.models import Alert, AlertSource, AlertState, Severity
from centrale.cases.models import Case, CaseCategory, CasePhase, CaseState, SiussArea
from centrale.clock import ROME
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from centrale.plans.models import Plan, PlanStatus
from centrale.tasks.models import Task, TaskState, TaskType
from tests import factories as f

HANDOFF = datetime(2027, 5, 4, 20, 0, tzinfo=ROME)


@dataclass
class Evening:
    outgoing: Operator
    incoming: Operator
    pua: Operator
    tutor: Operator
    bianchi: Person
    verdi: Person
    ids: dict[str, int]


def _alert(person: Person, state: AlertState, summary: str, severity: Severity = Severity.ALTA) -> Alert:
    return Alert(
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=severity,
        summary=summary,
        person_id=person.id,
        state=state,
        opened_at=HANDOFF - timedelta(hours=3),
        last_report_at=HANDOFF - timedelta(hours=3),
    )


def _task(person: Person, assignee: Operator, code: str, due_end: datetime, state: TaskState) -> Task:
    return Task(
        person_id=person.id or 0,
        type=TaskType.VISITA_DOMICILIARE,
        assignee_id=assignee.id or 0,
        due_start=due_end - timedelta(hours=2),
        due_end=due_end,
        code=code,
        state=state,
    )


async def _case(session: AsyncSession, person: Person, manager: Operator) -> Case:
    case = Case(
        person_id=person.id or 0,
        state=CaseState.PRESO_IN_CARICO,
        phase=CasePhase.ATTUAZIONE,
        category=CaseCategory.ANZIANI,
        siuss_area=SiussArea.DISABILITA_NON_AUTOSUFFICIENZA,
        case_manager_id=manager.id or 0,
        organisation_id=manager.organisation_id,
    )
    session.add(case)
    await session.flush()
    return case


def _plan(case: Case, author: Operator, end: date) -> Plan:
    return Plan(
        case_id=case.id or 0,
        version=1,
        status=PlanStatus.ATTIVO,
        start_date=date(2027, 1, 1),
        planned_end=end,
        created_by_id=author.id or 0,
    )


async def evening(session: AsyncSession) -> Evening:
    """Seed the district of the module's docstring."""
    centrale = await f.org(session, OrgKind.CENTRALE)
    ix = await f.org(session, OrgKind.MUNICIPIO)
    vii = await f.org(session, OrgKind.MUNICIPIO, municipio="VII")
    ets = await f.org(session, OrgKind.ETS)
    outgoing = await f.operator(session, Role.COORDINATORE, centrale)
    incoming = await f.operator(session, Role.COORDINATORE, centrale)
    pua = await f.operator(session, Role.OPERATORE_PUA, ix)
    tutor = await f.operator(session, Role.TUTOR, ets)
    manager_ix = await f.operator(session, Role.CASE_MANAGER, ix)
    manager_vii = await f.operator(session, Role.CASE_MANAGER, vii)
    named = ((outgoing, "Anna Neri"), (incoming, "Luca Galli"), (pua, "Sara Fabbri"), (tutor, "Piero Conti"))
    for operator, name in named:  # names as people have them (the factory's name is the role's code)
        operator.full_name = name
        session.add(operator)
    bianchi = await f.person(session, ix, cognome="Bianchi")
    verdi = await f.person(session, vii, municipio="VII", cognome="Verdi")
    rows = {
        "alert_new": _alert(bianchi, AlertState.NUOVA, "Segnalazione: non risponde al citofono"),
        "alert_ack": _alert(bianchi, AlertState.PRESA_VISIONE, "Check-in mancato", Severity.MEDIA),
        "alert_done": _alert(bianchi, AlertState.RISOLTA, "Chiusa ieri"),
        "alert_hidden": _alert(verdi, AlertState.NUOVA, "Allerta di un altro municipio"),
        "task_late": _task(bianchi, tutor, "T-LATE", HANDOFF - timedelta(hours=4), TaskState.APERTA),
        "task_future": _task(bianchi, tutor, "T-NEXT", HANDOFF + timedelta(days=1), TaskState.APERTA),
        "task_done": _task(bianchi, tutor, "T-DONE", HANDOFF - timedelta(hours=5), TaskState.SVOLTA),
        "task_hidden": _task(verdi, manager_vii, "T-HIDE", HANDOFF - timedelta(hours=4), TaskState.APERTA),
    }
    for row in rows.values():
        session.add(row)
    schedule = CheckinSchedule(person_id=bianchi.id, phone="+393330000901", rrule="FREQ=DAILY;BYHOUR=18")
    watcher = await f.sentinel(session, await f.condominio(session, tutor), phone="+393330000902")
    watch = CheckinSchedule(sentinel_id=watcher.id, phone=watcher.phone, rrule="FREQ=DAILY;BYHOUR=19")
    session.add_all([schedule, watch])
    await session.flush()
    waiting = (
        ("checkin_waiting", schedule, CheckinState.IN_ATTESA, 1.0),
        ("checkin_answered", schedule, CheckinState.RISPOSTO, 25.0),
        ("checkin_sentinel", watch, CheckinState.IN_ATTESA, 0.5),
    )
    for key, of, state, hours in waiting:
        due = HANDOFF - timedelta(hours=hours)
        rows[key] = CheckinRequest(
            schedule_id=of.id or 0, phone=of.phone, due_at=due, window_ends_at=due + timedelta(hours=2), state=state
        )
        session.add(rows[key])
    case_ix, case_vii = await _case(session, bianchi, manager_ix), await _case(session, verdi, manager_vii)
    rows["plan_ending"] = _plan(case_ix, manager_ix, HANDOFF.date() + timedelta(days=3))
    rows["plan_later"] = _plan(case_ix, manager_ix, HANDOFF.date() + timedelta(days=30))
    rows["plan_later"].version = 2
    rows["plan_hidden"] = _plan(case_vii, manager_vii, HANDOFF.date() + timedelta(days=2))
    for key in ("plan_ending", "plan_later", "plan_hidden"):
        session.add(rows[key])
    await commit(session)
    ids = {key: int(getattr(row, "id")) for key, row in rows.items()}  # noqa: B009
    return Evening(outgoing, incoming, pua, tutor, bianchi, verdi, ids)
