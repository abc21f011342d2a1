"""A tutor with a followed person, and a weekly visit intervention, for the task tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from centrale.tasks.models import Task, TaskType
from centrale.tasks.schedule import ScheduledIntervention
from tests import factories as f
from tests.centrale.rota.helpers import put_on_duty


@dataclass
class Team:
    tutor: Operator
    substitute: Operator
    case_manager: Operator
    coordinatore: Operator
    person: Person


async def team(session: AsyncSession) -> Team:
    """A tutor who follows the person's condominio, a second tutor of the same building, a case manager."""
    centrale = await f.org(session, OrgKind.CENTRALE)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    ets = await f.org(session, OrgKind.ETS)
    tutor = await f.operator(session, Role.TUTOR, ets, phone="+393330000311")
    substitute = await f.operator(session, Role.TUTOR, ets, phone="+393330000312")
    case_manager = await f.operator(session, Role.CASE_MANAGER, municipio, phone="+393330000313")
    coordinatore = await f.operator(session, Role.COORDINATORE, centrale, phone="+393330000314")
    await put_on_duty(session, coordinatore)
    person = await f.person(session, municipio)
    await f.assisted(session, await f.condominio(session, tutor), person)
    await f.assisted(session, await f.condominio(session, substitute), person, alias="B2")
    return Team(tutor, substitute, case_manager, coordinatore, person)


def weekly_visit(
    t: Team, *, intervention_id: int = 1, starts: date = date(2027, 1, 1), **kw: object
) -> ScheduledIntervention:
    """A home visit every Tuesday at 10:00 (Rome), a two-hour window."""
    assert t.person.id is not None and t.tutor.id is not None
    fields: dict[str, object] = {
        "id": intervention_id,
        "person_id": t.person.id,
        "assignee_id": t.tutor.id,
        "rule": "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0",
        "task_type": TaskType.VISITA_DOMICILIARE,
        "starts": starts,
        "duration": timedelta(hours=2),
    } | kw
    return ScheduledIntervention(**fields)  # type: ignore[arg-type]


async def all_tasks(session: AsyncSession) -> list[Task]:
    query = select(Task).order_by(col(Task.due_start), col(Task.id)).execution_options(populate_existing=True)
    return list((await session.exec(query)).all())
