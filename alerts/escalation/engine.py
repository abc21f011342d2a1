"""The escalation engine: claim due steps, re-check, run exactly one step, record each notification once.

Every instance runs ``tick`` (APScheduler, every few seconds; tests call it directly with a
travelled clock). A step runs in one transaction that holds the alert's row lock: it re-checks the
state, the lease and the step index, records one notification per (alert, round, step, recipient,
channel) under a unique key, advances the schedule and commits. Acknowledging takes the same row
lock, so a step either committed before the acknowledgement or sees it and does nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.calls import deliver_pending_calls
from alerts.escalation.delivery import deliver_pending_sms
from alerts.escalation.models import PolicyStep
from alerts.escalation.pushes import deliver_pending_push
from alerts.escalation.reach import PERSONAL_REACH, Contacts, personal_notifications
from alerts.escalation.roles import RESOLVERS
from alerts.escalation.service import next_due_after, step_at
from alerts.escalation.texts import board_text
from alerts.models import Alert, AlertState, Channel, DeliveryState, EntryKind, Notification
from alerts.raising import add_entry, alert_event
from alerts.service import retrigger
from centrale.clock import utcnow
from centrale.db import Database
from centrale.events.service import commit, emit
from centrale.flows import flow
from centrale.operators.models import Operator
from centrale.ports import SmsSender, VoiceCaller

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    steps_run: int = 0
    retriggered: int = 0
    sms: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    push: dict[str, int] = field(default_factory=dict)
    #: for the instance's metrics: how late each step ran (seconds), notifications made by (channel, state)
    lateness: list[float] = field(default_factory=list)
    notified: Counter[tuple[str, str]] = field(default_factory=Counter)


def _notification(
    alert: Alert,
    step_index: int,
    step: PolicyStep,
    channel: Channel,
    *,
    operator: Operator | None = None,
    **fields: Any,
) -> Notification:
    """One notification row of a step: to the board (no operator) or to one operator."""
    assert alert.id is not None
    return Notification(
        alert_id=alert.id,
        escalation_round=alert.escalation_round,
        step_index=step_index,
        recipient="board" if operator is None else f"operator:{operator.id}",
        recipient_operator_id=None if operator is None else operator.id,
        channel=channel,
        role=step.role,
        **fields,
    )


def _board(
    session: AsyncSession,
    alert: Alert,
    step_index: int,
    step: PolicyStep,
    operators: Sequence[Operator],
    now: datetime,
) -> list[Notification]:
    """One broadcast to the live board, whoever the recipients."""
    text = board_text(alert)
    emit(
        session,
        kind="notification.board",
        entity_type="Alert",
        entity_id=alert.id,
        person_id=alert.person_id,
        payload={"alert_id": alert.id, "step": step_index, "role": step.role, "text": text},
    )
    sent: dict[str, Any] = {"body": text, "state": DeliveryState.INVIATA, "sent_at": now}
    return [_notification(alert, step_index, step, Channel.BACHECA, **sent)]


def _personal(
    session: AsyncSession,
    alert: Alert,
    step_index: int,
    step: PolicyStep,
    operators: Sequence[Operator],
    now: datetime,
) -> list[Notification]:
    """An event on each recipient's personal websocket channel (the board hub delivers it)."""
    text = board_text(alert)
    sent: dict[str, Any] = {"body": text, "state": DeliveryState.INVIATA, "sent_at": now}
    made = []
    for op in operators:
        emit(
            session,
            kind="notification.personal",
            entity_type="Alert",
            entity_id=alert.id,
            recipient_operator_id=op.id,
            payload={"alert_id": alert.id, "text": text},
        )
        made.append(_notification(alert, step_index, step, Channel.PERSONALE, operator=op, **sent))
    return made


ChannelHandler = Callable[[AsyncSession, Alert, int, PolicyStep, Sequence[Operator], datetime], list[Notification]]
CHANNELS: dict[Channel, ChannelHandler] = {
    Channel.BACHECA: _board,
    Channel.PERSONALE: _personal,
}


async def retrigger_expired_acks(database: Database, *, batch: int = 100) -> int:
    """Acknowledged alerts not resolved within their timeout start escalating again."""
    async with database.sessionmaker() as session:
        now = utcnow()
        query = (
            select(Alert)
            .where(col(Alert.state) == AlertState.PRESA_VISIONE, col(Alert.ack_deadline) <= now)
            .order_by(col(Alert.ack_deadline))
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        alerts = (await session.exec(query)).all()
        for alert in alerts:
            await retrigger(session, alert=alert, now=now)
        await commit(session)
        return len(alerts)


async def claim_due_steps(database: Database, *, instance: str, lease: timedelta, batch: int = 100) -> list[int]:
    """Lease due alerts to this instance (SKIP LOCKED: instances never wait on each other's claims)."""
    async with database.sessionmaker() as session:
        now = utcnow()
        query = (
            select(col(Alert.id))
            .where(
                col(Alert.state) == AlertState.NUOVA,
                col(Alert.next_step_at) <= now,
                or_(col(Alert.lease_until).is_(None), col(Alert.lease_until) < now),
            )
            .order_by(col(Alert.next_step_at))
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        ids = [int(i or 0) for i in (await session.exec(query)).all()]
        if ids:
            await session.exec(
                update(Alert)
                .where(col(Alert.id).in_(ids))  # type: ignore[call-overload]
                .values(lease_owner=instance, lease_until=now + lease)
            )
        await commit(session)
        return ids


Cache = dict[tuple[str, int | None, int | None], Sequence[Operator]]


async def _run_locked(
    session: AsyncSession,
    alert: Alert,
    *,
    instance: str,
    now: datetime,
    cache: Cache,
    seen: TickResult | None = None,
    contacts: Contacts | None = None,
) -> bool:
    """Run the step of an alert whose row lock this transaction holds; True if it ran (no commit)."""
    if alert.lease_owner != instance:
        return False
    alert.lease_owner, alert.lease_until = None, None
    due = alert.state == AlertState.NUOVA and alert.next_step_at is not None and alert.next_step_at <= now
    step = step_at(alert.policy_snapshot, alert.next_step_index) if due else None
    if step is None:
        if due:  # past the last step: escalation is over, the alert stays on the board
            alert.next_step_at = None
        session.add(alert)
        return False
    index = alert.next_step_index
    # within one batch the same role for the same person and place resolves to the same people
    who = (step.role, alert.person_id, alert.condominio_id)
    if who not in cache:
        cache[who] = await RESOLVERS[step.role](session, alert)
    operators = cache[who]
    if seen is not None and alert.next_step_at is not None:
        seen.lateness.append((now - alert.next_step_at).total_seconds())
    made: list[Notification] = []
    quiet: list[int] = []
    for channel in step.channels:
        if channel not in PERSONAL_REACH:
            made += CHANNELS[channel](session, alert, index, step, operators, now)
    if PERSONAL_REACH.intersection(step.channels):  # each person's own rule, once however many channels
        contacts = contacts if contacts is not None else Contacts()
        made += await personal_notifications(
            session, alert, index, step, operators, now, contacts=contacts, quiet=quiet
        )
    for notification in made:
        session.add(notification)
        if seen is not None:
            seen.notified[(notification.channel.value, notification.state.value)] += 1
    add_entry(
        session,
        alert,
        EntryKind.NOTIFICA,
        at=now,
        data={
            "passo": index,
            "ruolo": step.role,
            "canali": list(step.channels),
            "destinatari": [op.id for op in operators],
        }
        | ({"ore_di_quiete": quiet} if quiet else {}),
    )
    alert.next_step_index = index + 1
    alert.next_step_at = next_due_after(alert.policy_snapshot, index, now)
    session.add(alert)
    if Channel.BACHECA in step.channels:  # the board hears of the step; SMS-only steps add no event
        alert_event(session, alert, "alert.escalated", step=index, role=step.role)
    return True


async def run_steps(
    database: Database, *, alert_ids: Sequence[int], instance: str, seen: TickResult | None = None
) -> int:
    """Run the due steps of alerts leased to us, in one transaction holding their row locks; how many ran.

    Rows are locked in id order (instances never wait on each other in a cycle) and the clock is read
    after the locks: an acknowledgement either committed before (seen: nothing runs) or waits for us.
    """
    async with database.sessionmaker() as session:
        query = select(Alert).where(col(Alert.id).in_(alert_ids)).order_by(col(Alert.id)).with_for_update()
        alerts = (await session.exec(query)).all()
        now = utcnow()
        cache: Cache = {}
        contacts = Contacts()
        ran = 0
        for alert in alerts:
            ran += await _run_locked(
                session, alert, instance=instance, now=now, cache=cache, seen=seen, contacts=contacts
            )
        await commit(session)
        return ran


async def run_step(database: Database, *, alert_id: int, instance: str) -> bool:
    """Run the alert's due step if it is still due and still leased to us; True if it ran."""
    return bool(await run_steps(database, alert_ids=[alert_id], instance=instance))


@flow("escalation.tick", guarded=False)
async def tick(
    database: Database,
    *,
    sender: SmsSender,
    instance: str,
    lease_seconds: float = 30,
    batch: int = 100,
    caller: VoiceCaller | None = None,
) -> TickResult:
    """One pass: re-trigger expired acknowledgements, run due steps, send what is due (SMS, device
    notifications, and calls when a ``caller`` is given: without one they wait for an instance that has it)."""
    result = TickResult()
    result.retriggered = await retrigger_expired_acks(database, batch=batch)
    lease = timedelta(seconds=lease_seconds)
    claimed = await claim_due_steps(database, instance=instance, lease=lease, batch=batch)
    if claimed:
        try:
            result.steps_run += await run_steps(database, alert_ids=claimed, instance=instance, seen=result)
        except Exception:  # one broken alert must not stop the others: run them one by one
            log.exception("escalation batch failed; running its alerts one by one")
            result.lateness.clear()  # the batch rolled back: what it saw did not happen
            result.notified.clear()
            for alert_id in claimed:
                try:
                    result.steps_run += int(await run_step(database, alert_id=alert_id, instance=instance))
                except Exception:  # its lease expires and it is retried
                    log.exception("escalation step failed for alert %s", alert_id)
    result.sms = await deliver_pending_sms(database, sender=sender, batch=batch * 3)
    result.push = await deliver_pending_push(database, batch=batch)
    if caller is not None:
        result.calls = await deliver_pending_calls(database, caller=caller, batch=batch)
    return result
