"""The week ahead, hour by hour: every hour in which a role a policy needs has nobody reachable.

Only roles that the rota decides are looked at here (the coordinatore di turno, the PUA on call, and
administrators when they keep a rota); the roles that depend on the alert are checked by
``alerts.coverage``. "Reachable" counts the contact methods that can reach the person now, with the
urgency of the policies that name the role. An hour with a hole in any part of it counts, and
consecutive hours merge, so a report reads "dalle 14:00 alle 17:00".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.models import EscalationPolicy, PolicyRole, PolicyStep
from alerts.escalation.roles import ROTA_ROLES
from alerts.models import Severity
from alerts.rota.words import hole_words
from centrale.clock import as_utc
from centrale.operators.contacts import can_be_reached
from centrale.operators.models import Operator, Role
from centrale.rota.service import duty_segments, roles_with_rota

HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Hole:
    """An interval (whole hours, UTC) in which nobody of the role can be reached."""

    role: Role
    starts_at: datetime
    ends_at: datetime

    @property
    def words(self) -> str:
        """The hole as the notices say it: 'OPERATORE PUA scoperto mercoledì 9 dicembre dalle 14:00 alle 17:00'."""
        return hole_words(self.role, self.starts_at, self.ends_at)


def _floor_hour(moment: datetime) -> datetime:
    return as_utc(moment).replace(minute=0, second=0, microsecond=0)


def _ceil_hour(moment: datetime) -> datetime:
    floor = _floor_hour(moment)
    return floor if floor == as_utc(moment) else floor + HOUR


async def needed_roles(session: AsyncSession) -> dict[Role, bool]:
    """The rota roles active policies name, each with whether any of those policies is urgent."""
    policies = (await session.exec(select(EscalationPolicy).where(col(EscalationPolicy.active).is_(True)))).all()
    kept = await roles_with_rota(session)
    needed: dict[Role, bool] = {}
    for policy in policies:
        urgent = policy.severity in (None, Severity.ALTA)
        for raw in policy.steps:
            role = ROTA_ROLES.get(PolicyStep.model_validate(raw).role)
            if role is None or (role == Role.AMMINISTRATORE and role not in kept):
                continue
            needed[role] = needed.get(role, False) or urgent
    return needed


async def _anyone(session: AsyncSession, holders: list[Operator], urgent: bool, at: datetime) -> bool:
    for op in holders:
        if await can_be_reached(session, op, urgent=urgent, at=at):
            return True
    return False


async def holes_of(session: AsyncSession, role: Role, *, start: datetime, urgent: bool) -> list[Hole]:
    """The merged holes of one role in the 7 days from the hour of ``start``."""
    begin = _floor_hour(start)
    holes: list[Hole] = []
    for a, b, holders in await duty_segments(session, role, begin, begin + WEEK):
        if await _anyone(session, holders, urgent, a):
            continue
        a, b = _floor_hour(a), _ceil_hour(b)
        if holes and holes[-1].ends_at >= a:
            holes[-1] = Hole(role, holes[-1].starts_at, max(b, holes[-1].ends_at))
        else:
            holes.append(Hole(role, a, b))
    return holes


async def week_holes(session: AsyncSession, *, start: datetime) -> list[Hole]:
    """Every hole of every rota role a policy needs, in the 7 days from ``start``, role by role."""
    holes: list[Hole] = []
    for role, urgent in sorted((await needed_roles(session)).items()):
        holes.extend(await holes_of(session, role, start=start, urgent=urgent))
    return holes


#: kept for the readers of policy roles (the coverage page names holes by the policy's word)
POLICY_ROLE_OF: dict[Role, PolicyRole] = {role: policy for policy, role in ROTA_ROLES.items()}
