"""A tutor who follows a person, and the case manager who plans their tasks, for the push tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import utcnow
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from tests import factories as f


@dataclass
class Crew:
    tutor: Operator
    other_tutor: Operator
    case_manager: Operator
    person: Person
    tutor_token: str
    case_manager_token: str
    other_token: str


async def crew(session: AsyncSession) -> Crew:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    ets = await f.org(session, OrgKind.ETS)
    tutor = await f.operator(session, Role.TUTOR, ets)
    other = await f.operator(session, Role.TUTOR, ets)
    case_manager = await f.operator(session, Role.CASE_MANAGER, municipio)
    person = await f.person(session, municipio, cognome="Quintavalle")
    await f.assisted(session, await f.condominio(session, tutor), person)
    await f.assisted(session, await f.condominio(session, other), person, alias="B2")
    return Crew(
        tutor,
        other,
        case_manager,
        person,
        await f.token_for(session, tutor),
        await f.token_for(session, case_manager),
        await f.token_for(session, other),
    )


def new_task(c: Crew, *, hours: int = 2, assignee: Operator | None = None) -> dict[str, object]:
    """The JSON of a visit today, assigned to the tutor (or ``assignee``)."""
    start = utcnow() + timedelta(hours=hours)
    return {
        "person_id": c.person.id,
        "type": "VISITA_DOMICILIARE",
        "assignee_id": (assignee or c.tutor).id,
        "due_start": start.isoformat(),
        "due_end": (start + timedelta(hours=2)).isoformat(),
    }
