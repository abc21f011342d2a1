"""When one way of reaching a person fails (a call unanswered, an SMS undelivered), the rule goes on.

The person's rule says when each method goes ("Allerta alta: chiamata, poi SMS dopo 2 minuti"): a failed
call does not cancel the SMS, which keeps the time the rule gives it — the person may be calling back
in those two minutes, and whoever wrote the rule chose them. When that person has no method left, the
escalation's next step is brought forward to now (``bring_next_step_forward``): waiting for the step's
full wait would only leave the alert with nobody reached. The caller holds the alert's row lock, so an
acknowledgement either came first (nothing is pending any more) or waits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, DeliveryState, Notification
from alerts.service import bring_next_step_forward


async def next_method(session: AsyncSession, notification: Notification, now: datetime) -> int | None:
    """The id of the same person's next waiting method of this step (due when the rule says); None if none."""
    query = (
        select(Notification)
        .where(
            col(Notification.alert_id) == notification.alert_id,
            col(Notification.escalation_round) == notification.escalation_round,
            col(Notification.step_index) == notification.step_index,
            col(Notification.recipient) == notification.recipient,
            col(Notification.state) == DeliveryState.IN_ATTESA,
        )
        .order_by(col(Notification.due_at), col(Notification.id))
        .limit(1)
    )
    following = (await session.exec(query)).first()
    return None if following is None else following.id


async def move_on(
    session: AsyncSession, alert: Alert | None, notification: Notification, now: datetime
) -> dict[str, Any]:
    """After a definite failure of ``notification``: what was brought forward, for the alert's timeline."""
    if alert is None or notification.step_index < 0:
        return {}
    following = await next_method(session, notification, now)
    if following is not None:
        return {"metodo_successivo": following}
    step = bring_next_step_forward(
        alert, escalation_round=notification.escalation_round, step_index=notification.step_index, now=now
    )
    if step:
        session.add(alert)
        return {"passo_successivo": "anticipato"}
    return {}
