"""Who acts: the signed-in operator as the policy and the audit log see them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.service import Agent
from centrale.auth.service import SessionLimits, resolve
from centrale.db import Database
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind


@dataclass(frozen=True)
class Actor:
    """The signed-in operator, with what authorisation and audit need to know."""

    operator_id: int
    username: str
    full_name: str
    role: Role
    org_id: int
    org_kind: OrgKind
    municipio: str | None
    source_address: str | None
    token: str

    def agent(self) -> Agent:
        return Agent(
            operator_id=self.operator_id,
            name=self.full_name,
            role=self.role.value,
            org_id=self.org_id,
            source_address=self.source_address,
        )


def actor_from(operator: Operator, org: Organisation, *, source_address: str | None = None, token: str = "") -> Actor:
    """An operator and their organisation as the policy sees them."""
    assert operator.id is not None and org.id is not None
    return Actor(
        operator_id=operator.id,
        username=operator.username,
        full_name=operator.full_name,
        role=operator.role,
        org_id=org.id,
        org_kind=org.kind,
        municipio=org.municipio,
        source_address=source_address,
        token=token,
    )


async def actor_of(session: AsyncSession, operator_id: int) -> Actor | None:
    """Another active operator as the policy sees them (e.g. to check an assignee may see the person)."""
    found = (
        await session.exec(
            select(Operator, Organisation)
            .join(Organisation, col(Organisation.id) == col(Operator.organisation_id))
            .where(col(Operator.id) == operator_id, col(Operator.active).is_(True), col(Operator.deleted_at).is_(None))
        )
    ).first()
    return None if found is None else actor_from(*found)


async def actor_for_token(
    db: Database, token: str, source_address: str | None, limits: SessionLimits | None = None
) -> Actor | None:
    """The operator signed in with ``token``, or None (unknown, revoked, idle too long or too old)."""
    async with db.sessionmaker() as session:
        found = await resolve(session, token, limits)
    if found is None:
        return None
    operator, org = found
    return actor_from(operator, org, source_address=source_address, token=token)
