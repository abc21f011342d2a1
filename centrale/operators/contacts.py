"""Whether an operator can be reached, and by what: the rota's coverage check and escalation ask here.

Only methods that reach the person count: a phone for a call or an SMS, a browser that accepted web
push. The board is not a way to reach someone who is away from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import column, func, table
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import to_rome, utcnow
from centrale.operators.contact_models import (
    SEVERITIES,
    ContactSettings,
    OperatorPhone,
    ReachMethod,
)
from centrale.operators.models import Operator

#: rules for an operator who has written none: the SMS the centre always sent, and the device too; a call
#: (which wakes people) is each person's choice
DEFAULT_RULES: dict[str, list[tuple[ReachMethod, int]]] = {
    "URGENTE": [(ReachMethod.SMS, 0), (ReachMethod.PUSH, 0)],
    "ALTA": [(ReachMethod.SMS, 0), (ReachMethod.PUSH, 0)],
    "MEDIA": [(ReachMethod.PUSH, 0), (ReachMethod.SMS, 10)],
    "BASSA": [(ReachMethod.PUSH, 0)],
}

#: the push subscriptions table, named rather than imported: it belongs to ``alerts`` (above this package)
_push_subscription = table("push_subscription", column("operator_id"))


@dataclass(frozen=True)
class Reach:
    """What can reach one operator now: the numbers for calls and SMS, and whether push can."""

    voice: tuple[str, ...]
    sms: tuple[str, ...]
    push: bool

    def has(self, method: ReachMethod) -> bool:
        return bool({ReachMethod.VOCE: self.voice, ReachMethod.SMS: self.sms, ReachMethod.PUSH: self.push}[method])


async def has_push(session: AsyncSession, operator_id: int) -> bool:
    query = select(func.count()).select_from(_push_subscription).where(_push_subscription.c.operator_id == operator_id)
    return bool((await session.exec(query)).one())  # type: ignore[call-overload]


async def phones(session: AsyncSession, operator_id: int) -> list[OperatorPhone]:
    query = select(OperatorPhone).where(col(OperatorPhone.operator_id) == operator_id).order_by(col(OperatorPhone.id))
    return list((await session.exec(query)).all())


async def reach_of(session: AsyncSession, operator: Operator) -> Reach:
    """The profile's mobile first (calls and SMS), then the extra phones in the order they were added."""
    assert operator.id is not None
    voice: list[str] = [operator.phone] if operator.phone else []
    sms: list[str] = [operator.phone] if operator.phone else []
    for phone in await phones(session, operator.id):
        if phone.voice and phone.number not in voice:
            voice.append(phone.number)
        if phone.sms and phone.number not in sms:
            sms.append(phone.number)
    return Reach(voice=tuple(voice), sms=tuple(sms), push=await has_push(session, operator.id))


async def settings_of(session: AsyncSession, operator_id: int) -> ContactSettings:
    """The operator's settings, or unsaved defaults (no quiet hours, default rules)."""
    found = await session.get(ContactSettings, operator_id)
    return found if found is not None else ContactSettings(operator_id=operator_id)


def rule_for(settings: ContactSettings, severity: str) -> list[tuple[ReachMethod, int]]:
    """The ordered (method, delay in minutes) of a severity: the operator's own, else the default."""
    own = settings.rules.get(severity)
    if own:
        return [(ReachMethod(step["method"]), int(step["delay_minutes"])) for step in own]
    return list(DEFAULT_RULES.get(severity, DEFAULT_RULES["ALTA"]))


def in_quiet_hours(settings: ContactSettings, at: datetime) -> bool:
    """Whether ``at`` falls in the quiet hours (Rome wall clock; a span may cross midnight)."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return False
    local: time = to_rome(at).time().replace(tzinfo=None)
    return start <= local < end if start < end else local >= start or local < end


async def can_be_reached(
    session: AsyncSession, operator: Operator, *, urgent: bool, at: datetime | None = None
) -> bool:
    """True when one of the methods the operator's rule names can reach them at ``at`` (default: now).

    ``urgent``: the rule of an ALTA alert, through quiet hours; otherwise the rule of a MEDIA alert,
    and nobody is reachable during their quiet hours.
    """
    if not operator.active or operator.deleted_at is not None or operator.id is None:
        return False
    settings = await settings_of(session, operator.id)
    if not urgent and in_quiet_hours(settings, at or utcnow()):
        return False
    reach = await reach_of(session, operator)
    return any(reach.has(method) for method, _ in rule_for(settings, "ALTA" if urgent else "MEDIA"))


__all__ = ["DEFAULT_RULES", "SEVERITIES", "Reach", "can_be_reached", "reach_of", "rule_for", "settings_of"]
