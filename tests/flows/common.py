"""What the refusal tests share: signed-in operators by name, and counting the refusals the audit log holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.db import Database
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation
from tests import factories as f


@dataclass
class Who:
    """An operator of a test, signed in: the name the test calls them by, their row, their session token."""

    name: str
    operator: Operator
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return f.bearer(self.token)


async def cast_of(
    session: AsyncSession, orgs: dict[str, Organisation], cast: dict[str, tuple[Role, str]]
) -> dict[str, Who]:
    """One signed-in operator per entry of ``cast``: name -> (role, the name of their organisation in ``orgs``)."""
    actors: dict[str, Who] = {}
    for name, (role, org) in cast.items():
        operator = await f.operator(session, role, orgs[org])
        actors[name] = Who(name, operator, await f.token_for(session, operator))
    return actors


async def denials(database: Database, who: Who, flow: str, *, entity_id: object | None = None) -> int:
    """How many refusals of ``flow`` by ``who`` the audit log holds (about ``entity_id`` when given)."""
    where = [
        col(AuditEvent.outcome) == AuditOutcome.DENIED,
        col(AuditEvent.subtype) == flow,
        col(AuditEvent.agent_operator_id) == who.operator.id,
    ]
    if entity_id is not None:
        where.append(col(AuditEvent.entity_id) == str(entity_id))
    async with database.sessionmaker() as session:
        return (await session.exec(select(func.count()).select_from(AuditEvent).where(*where))).one()
