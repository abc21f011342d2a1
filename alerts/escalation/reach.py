"""A step that reaches operators personally follows each one's contact rule for the alert's severity.

A policy step naming SMS means "reach this person": the operator's rule (``centrale.operators.contacts``)
expands into one notification per method, each due at its delay from the step (a call at once, an SMS
two minutes later...). Methods that cannot reach the person (no phone, no browser subscribed) are left
out and the rest move up; when none can, the profile's mobile gets the SMS, as before rules existed. A
step naming only a call or a device notice uses those methods of the rule. During the operator's quiet
hours an alert that is not urgent reaches them on the board only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.models import PolicyStep
from alerts.escalation.texts import push_text, sms_text, voice_text
from alerts.models import Alert, Channel, DeliveryState, Notification
from centrale.operators.contact_models import URGENT_SEVERITIES, ContactSettings, ReachMethod
from centrale.operators.contacts import Reach, in_quiet_hours, reach_of, rule_for, settings_of
from centrale.operators.models import Operator

#: the policy channels that mean "reach the person" (the others are the board and the personal socket)
PERSONAL_REACH = frozenset({Channel.SMS, Channel.VOCE, Channel.PUSH})


@dataclass
class Contacts:
    """Each operator's reach and settings, read once per batch of steps."""

    known: dict[int, tuple[Reach, ContactSettings]] = field(default_factory=dict)

    async def of(self, session: AsyncSession, operator: Operator) -> tuple[Reach, ContactSettings]:
        assert operator.id is not None
        if operator.id not in self.known:
            self.known[operator.id] = (await reach_of(session, operator), await settings_of(session, operator.id))
        return self.known[operator.id]


def plan(
    reach: Reach, settings: ContactSettings, severity: str, only: frozenset[ReachMethod] | None = None
) -> list[tuple[ReachMethod, int]]:
    """The rule's methods that can reach the person (of ``only``, when the step names some), with delays
    counted from the first of them."""
    rule = rule_for(settings, severity)
    if only is not None:
        rule = [(m, d) for m, d in rule if m in only] or [(m, 0) for m in ReachMethod if m in only]
    usable = [(method, delay) for method, delay in rule if reach.has(method)]
    if not usable:
        return [(ReachMethod.SMS, 0)]  # the profile's mobile, or a recorded failure when there is none
    first = min(delay for _, delay in usable)
    return [(method, delay - first) for method, delay in usable]


def _fields(alert: Alert, method: ReachMethod, reach: Reach) -> dict[str, Any]:
    if method == ReachMethod.VOCE:
        return {"channel": Channel.VOCE, "to_phone": reach.voice[0], "body": voice_text(alert)}
    if method == ReachMethod.PUSH:
        return {"channel": Channel.PUSH, "to_phone": None, "body": push_text(alert)}
    phone = reach.sms[0] if reach.sms else None
    missing = {} if phone else {"error": "nessun telefono / no phone", "state": DeliveryState.FALLITA}
    return {"channel": Channel.SMS, "to_phone": phone, "body": sms_text(alert)} | missing


async def personal_notifications(
    session: AsyncSession,
    alert: Alert,
    step_index: int,
    step: PolicyStep,
    operators: Sequence[Operator],
    now: datetime,
    *,
    contacts: Contacts,
    quiet: list[int],
) -> list[Notification]:
    """One notification per method of each operator's rule; ``quiet`` collects who was in quiet hours."""
    assert alert.id is not None
    severity = alert.severity.value
    # SMS in a step means "reach the person" (as it always has): their whole rule; a step naming only a
    # call or a device notice keeps those methods of the rule
    named = {ReachMethod(c.value) for c in step.channels if c in PERSONAL_REACH}
    only = None if Channel.SMS in step.channels else frozenset(named)
    made = []
    for op in operators:
        reach, settings = await contacts.of(session, op)
        if severity not in URGENT_SEVERITIES and in_quiet_hours(settings, now):
            quiet.append(int(op.id or 0))
            continue
        for method, delay in plan(reach, settings, severity, only):
            made.append(
                Notification(
                    alert_id=alert.id,
                    escalation_round=alert.escalation_round,
                    step_index=step_index,
                    recipient=f"operator:{op.id}",
                    recipient_operator_id=op.id,
                    role=step.role,
                    due_at=now + timedelta(minutes=delay) if delay else None,
                    **({"state": DeliveryState.IN_ATTESA} | _fields(alert, method, reach)),
                )
            )
    return made
