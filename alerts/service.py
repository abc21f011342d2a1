"""Alerts after they are raised: acknowledge, assign, comment, resolve; each change on the timeline and outbox.

Database work only: the operator's actions reach these through their flows (``alerts/flows.py``), which
authorise and audit. Raising (open or join) is in ``alerts/raising.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.service import due_time
from alerts.models import (
    OPEN_STATES,
    Alert,
    AlertEntry,
    AlertOutcome,
    AlertState,
    DeliveryState,
    EntryKind,
    Notification,
)
from alerts.raising import add_entry, alert_event
from centrale.clock import utcnow
from centrale.errors import Conflict, NotFound


async def get_alert(session: AsyncSession, *, alert_id: int, lock: bool = False) -> Alert:
    """The alert (with its row lock if ``lock``), or NotFound."""
    query = select(Alert).where(col(Alert.id) == alert_id)
    alert = (await session.exec(query.with_for_update() if lock else query)).first()
    if alert is None:
        raise NotFound("Allerta", alert_id)
    return alert


async def _cancel_pending(session: AsyncSession, alert: Alert, now: datetime) -> None:
    pending = await session.exec(
        select(Notification).where(
            col(Notification.alert_id) == alert.id,
            col(Notification.state) == DeliveryState.IN_ATTESA,
            col(Notification.step_index) >= 0,  # the reporter's feedback (step -1) still goes out
        )
    )
    for notification in pending.all():
        notification.state = DeliveryState.ANNULLATA
        notification.updated_at = now
        session.add(notification)


#: what may still be done to an alert in each state (a 409 names them)
ALLOWED_ACTIONS: dict[AlertState, tuple[str, ...]] = {
    AlertState.NUOVA: ("acknowledge", "assign", "comment", "resolve", "cancel"),
    AlertState.PRESA_VISIONE: ("assign", "comment", "resolve", "cancel"),
    AlertState.RISOLTA: ("comment",),
    AlertState.ANNULLATA: ("comment",),
}


def refusal(alert: Alert, action: str) -> Conflict:
    """409 for an action the alert's state does not allow, naming the actions it does."""
    allowed = ", ".join(ALLOWED_ACTIONS[alert.state])
    return Conflict(
        f"L'allerta è {alert.state}: azione '{action}' non consentita; azioni consentite: {allowed} / "
        f"the alert is {alert.state}: '{action}' is not allowed; allowed actions: {allowed}"
    )


def _stop_escalation(alert: Alert) -> None:
    alert.next_step_at = None
    alert.lease_owner = None
    alert.lease_until = None


async def acknowledge(session: AsyncSession, *, alert_id: int, operator_id: int | None) -> Alert:
    """Presa visione: stops every pending notification at once; re-triggers if not resolved in time."""
    alert = await get_alert(session, alert_id=alert_id, lock=True)  # waits for a step in progress
    now = utcnow()  # read after the lock: nothing of this alert can be sent after this instant
    if alert.state != AlertState.NUOVA:
        raise refusal(alert, "acknowledge")
    alert.state = AlertState.PRESA_VISIONE
    alert.acknowledged_at = now
    alert.acknowledged_by = operator_id
    timeout = int(alert.policy_snapshot.get("ack_timeout_minutes", 60))
    alert.ack_deadline = now + timedelta(minutes=timeout)
    _stop_escalation(alert)
    await _cancel_pending(session, alert, now)
    session.add(alert)
    add_entry(session, alert, EntryKind.PRESA_VISIONE, at=now, operator_id=operator_id)
    alert_event(session, alert, "alert.acknowledged", operator_id=operator_id)
    return alert


def bring_next_step_forward(alert: Alert, *, escalation_round: int, step_index: int, now: datetime) -> bool:
    """A definite SMS failure of step ``step_index``: the next step runs now instead of after the wait.

    Only if the alert still waits on exactly that next step, in the same round (the caller holds the
    alert's row lock and records the timeline entry); True if the step was brought forward.
    """
    moved = (
        step_index >= 0  # not the reporter's feedback
        and alert.state == AlertState.NUOVA
        and alert.escalation_round == escalation_round
        and alert.next_step_index == step_index + 1
        and alert.next_step_at is not None
        and alert.next_step_at > now
    )
    if moved:
        alert.next_step_at = now
    return moved


async def retrigger(session: AsyncSession, *, alert: Alert, now: datetime) -> None:
    """An acknowledgement not followed by resolution in time: escalation starts again (a new round)."""
    alert.state = AlertState.NUOVA
    alert.escalation_round += 1
    alert.next_step_index = 0
    alert.next_step_at = due_time(alert.policy_snapshot, 0, now)
    alert.ack_deadline = None
    session.add(alert)
    add_entry(session, alert, EntryKind.RIATTIVATA, at=now, data={"round": alert.escalation_round})
    alert_event(session, alert, "alert.retriggered")


async def assign(session: AsyncSession, *, alert_id: int, assignee_id: int, by: int | None) -> Alert:
    """Assign an open alert to an operator (Conflict once it is closed)."""
    alert = await get_alert(session, alert_id=alert_id, lock=True)
    if alert.state not in OPEN_STATES:
        raise refusal(alert, "assign")
    alert.assigned_to = assignee_id
    session.add(alert)
    add_entry(session, alert, EntryKind.ASSEGNATA, at=utcnow(), operator_id=by, data={"a": assignee_id})
    alert_event(session, alert, "alert.assigned", assigned_to=assignee_id)
    return alert


async def comment(session: AsyncSession, *, alert_id: int, text: str, by: int | None) -> AlertEntry:
    """A comment on the alert's timeline, in any state."""
    alert = await get_alert(session, alert_id=alert_id)
    entry = add_entry(session, alert, EntryKind.COMMENTO, at=utcnow(), operator_id=by, text=text)
    alert_event(session, alert, "alert.commented")
    return entry


async def close(
    session: AsyncSession,
    *,
    alert_id: int,
    by: int | None,
    outcome: AlertOutcome | None,
    note: str | None,
    cancel: bool = False,
) -> Alert:
    """Resolve with an outcome (or cancel): escalation stops and pending notifications are cancelled."""
    alert = await get_alert(session, alert_id=alert_id, lock=True)
    now = utcnow()
    if alert.state not in OPEN_STATES:
        raise refusal(alert, "cancel" if cancel else "resolve")
    alert.state = AlertState.ANNULLATA if cancel else AlertState.RISOLTA
    alert.resolved_at = now
    alert.outcome = outcome
    alert.outcome_note = note
    alert.ack_deadline = None
    _stop_escalation(alert)
    await _cancel_pending(session, alert, now)
    session.add(alert)
    kind = EntryKind.ANNULLATA if cancel else EntryKind.RISOLTA
    add_entry(session, alert, kind, at=now, operator_id=by, text=note, data={"esito": outcome})
    alert_event(session, alert, "alert.cancelled" if cancel else "alert.resolved")
    return alert


async def timeline(session: AsyncSession, *, alert_id: int) -> list[AlertEntry]:
    """Everything that happened to the alert, oldest first."""
    rows = await session.exec(
        select(AlertEntry).where(col(AlertEntry.alert_id) == alert_id).order_by(col(AlertEntry.at), col(AlertEntry.id))
    )
    return list(rows.all())
