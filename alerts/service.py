"""Alerts: raise or join, acknowledge, assign, comment, resolve; each change on the timeline and outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.service import choose_policy, due_time, snapshot
from alerts.models import (
    OPEN_STATES,
    Alert,
    AlertEntry,
    AlertOutcome,
    AlertSource,
    AlertState,
    DeliveryState,
    EntryKind,
    Notification,
    Severity,
)
from centrale.clock import utcnow
from centrale.common import Conflict, NotFound
from centrale.condomini.models import Condominio
from centrale.events.service import emit
from centrale.persons.models import Person
from centrale.settings import get_settings


def _lock(model: Any) -> Any:
    """``SELECT id … FOR UPDATE`` of one row, built once (the hot path reuses its cache key)."""
    table = model.__table__
    return core_select(table.c.id).where(table.c.id == bindparam("id")).with_for_update()


_LOCK_PERSON = _lock(Person)
_LOCK_CONDOMINIO = _lock(Condominio)


@dataclass(frozen=True)
class GroupingRules:
    """How reports are grouped: per person within a window; per building when N arrive within M minutes."""

    join_window: timedelta
    building_reports: int
    building_window: timedelta

    @classmethod
    def from_settings(cls) -> GroupingRules:
        s = get_settings()
        return cls(
            join_window=timedelta(minutes=s.alert_join_window_minutes),
            building_reports=s.building_alert_reports,
            building_window=timedelta(minutes=s.building_alert_window_minutes),
        )


@dataclass
class Raised:
    """What ``raise_alert`` did: the alert the report belongs to, and whether it joined an open one."""

    alert: Alert
    joined: bool
    building_alert: Alert | None = None


def alert_event(session: AsyncSession, alert: Alert, kind: str, **extra: Any) -> None:
    """Outbox event for an alert change (ids and codes only: the board reads details through the API)."""
    payload = {
        "alert_id": alert.id,
        "state": alert.state,
        "severity": alert.severity,
        "source": alert.source,
        "condominio_id": alert.condominio_id,
        "building_level": alert.building_level,
    } | extra
    emit(
        session,
        kind=kind,
        entity_type="Alert",
        entity_id=alert.id,
        person_id=alert.person_id,
        payload=payload,
    )


def add_entry(
    session: AsyncSession,
    alert: Alert,
    kind: EntryKind,
    *,
    at: datetime,
    operator_id: int | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> AlertEntry:
    assert alert.id is not None
    entry = AlertEntry(
        alert_id=alert.id,
        at=at,
        kind=kind,
        operator_id=operator_id,
        text=text,
        condominio_id=alert.condominio_id,
        data=data or {},
    )
    session.add(entry)
    return entry


async def _open_alert(session: AsyncSession, *, now: datetime, **fields: Any) -> Alert:
    alert = Alert(opened_at=now, last_report_at=now, **fields)
    policy = await choose_policy(session, severity=alert.severity, source=alert.source)
    if policy is not None:
        alert.policy_id = policy.id
        alert.policy_snapshot = snapshot(policy)
        alert.next_step_at = due_time(alert.policy_snapshot, 0, now)
    session.add(alert)
    await session.flush()
    add_entry(
        session,
        alert,
        EntryKind.APERTA,
        at=now,
        text=alert.summary,
        data={"policy": alert.policy_snapshot.get("name")},
    )
    alert_event(session, alert, "alert.opened")
    return alert


def _join(
    session: AsyncSession,
    alert: Alert,
    *,
    severity: Severity,
    summary: str,
    now: datetime,
    report: dict[str, Any],
) -> None:
    alert.report_count += 1
    alert.last_report_at = now
    add_entry(session, alert, EntryKind.SEGNALAZIONE, at=now, text=summary, data=report)
    if severity.rank > alert.severity.rank:
        add_entry(session, alert, EntryKind.PRIORITA, at=now, data={"da": alert.severity, "a": severity})
        alert.severity = severity
    session.add(alert)
    alert_event(session, alert, "alert.joined")


async def _open_for(session: AsyncSession, *where: Any) -> Alert | None:
    query = select(Alert).where(col(Alert.state).in_(OPEN_STATES), *where).order_by(col(Alert.id).desc())
    return (await session.exec(query.with_for_update())).first()


async def raise_alert(
    session: AsyncSession,
    *,
    source: AlertSource,
    severity: Severity,
    summary: str,
    person_id: int | None = None,
    condominio_id: int | None = None,
    case_id: int | None = None,
    dedupe_key: str | None = None,
    report: dict[str, Any] | None = None,
    now: datetime | None = None,
    rules: GroupingRules | None = None,
) -> Raised:
    """Open or join an alert for a sentinel report, a missed check-in, an overdue task, a plan review...

    - ``summary``: short Italian text for operators (shown on the board; never sent by SMS).
    - With ``person_id``: a report within the join window of the person's open alert joins it (the count
      grows, a higher severity raises the alert's); otherwise a new alert opens with the escalation
      policy chosen for (severity, source) as its snapshot.
    - With ``condominio_id``: when the building's reports within the building window reach the
      threshold, one building-level alert opens (later reports join it while it is open).
    - ``dedupe_key``: alerts about the same thing (e.g. a coverage gap) join while open, whatever the time.
    - ``report``: a small dict kept on the timeline (e.g. {"sms_id": 12}); no health data.
    The caller commits; the events and the timeline commit with it.
    """
    now = now or utcnow()
    rules = rules or GroupingRules.from_settings()
    report = report or {}
    if person_id is not None:  # serialise reports about one person (no double alerts on PostgreSQL)
        await (await session.connection()).execute(_LOCK_PERSON, {"id": person_id})
    if condominio_id is not None:
        await (await session.connection()).execute(_LOCK_CONDOMINIO, {"id": condominio_id})

    existing: Alert | None = None
    if dedupe_key is not None:
        existing = await _open_for(session, col(Alert.dedupe_key) == dedupe_key)
    elif person_id is not None:
        existing = await _open_for(
            session, col(Alert.person_id) == person_id, col(Alert.last_report_at) >= now - rules.join_window
        )
    if existing is not None:
        _join(session, existing, severity=severity, summary=summary, now=now, report=report)
        alert, joined = existing, True
    else:
        alert = await _open_alert(
            session,
            now=now,
            source=source,
            severity=severity,
            summary=summary,
            person_id=person_id,
            condominio_id=condominio_id,
            case_id=case_id,
            dedupe_key=dedupe_key,
        )
        add_entry(session, alert, EntryKind.SEGNALAZIONE, at=now, text=summary, data=report)
        joined = False
    building = None
    if condominio_id is not None and person_id is not None and source != AlertSource.SISTEMA:
        building = await _building_alert(
            session, condominio_id=condominio_id, severity=severity, now=now, rules=rules, report=report
        )
    await session.flush()
    return Raised(alert=alert, joined=joined, building_alert=building)


async def _building_alert(
    session: AsyncSession,
    *,
    condominio_id: int,
    severity: Severity,
    now: datetime,
    rules: GroupingRules,
    report: dict[str, Any],
) -> Alert | None:
    """N reports from one condominio within M minutes: one building-level alert (joined while open)."""
    await session.flush()
    open_building = await _open_for(
        session, col(Alert.condominio_id) == condominio_id, col(Alert.building_level).is_(True)
    )
    summary = "Più segnalazioni dallo stesso condominio"
    if open_building is not None:
        _join(session, open_building, severity=severity, summary=summary, now=now, report=report)
        return open_building
    recent = (
        await session.exec(
            select(func.count())
            .select_from(AlertEntry)
            .join(Alert, col(Alert.id) == col(AlertEntry.alert_id))
            .where(
                col(AlertEntry.condominio_id) == condominio_id,
                col(AlertEntry.kind) == EntryKind.SEGNALAZIONE,
                col(AlertEntry.at) >= now - rules.building_window,
                col(Alert.building_level).is_(False),
            )
        )
    ).one()
    if recent < rules.building_reports:
        return None
    alert = await _open_alert(
        session,
        now=now,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=max(severity, Severity.ALTA, key=lambda s: s.rank),
        summary=summary,
        condominio_id=condominio_id,
        building_level=True,
        report_count=recent,
    )
    return alert


async def get_alert(session: AsyncSession, *, alert_id: int, lock: bool = False) -> Alert:
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
    alert = await get_alert(session, alert_id=alert_id, lock=True)
    if alert.state not in OPEN_STATES:
        raise refusal(alert, "assign")
    alert.assigned_to = assignee_id
    session.add(alert)
    add_entry(session, alert, EntryKind.ASSEGNATA, at=utcnow(), operator_id=by, data={"a": assignee_id})
    alert_event(session, alert, "alert.assigned", assigned_to=assignee_id)
    return alert


async def comment(session: AsyncSession, *, alert_id: int, text: str, by: int | None) -> AlertEntry:
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
    rows = await session.exec(
        select(AlertEntry)
        .where(col(AlertEntry.alert_id) == alert_id)
        .order_by(col(AlertEntry.at), col(AlertEntry.id))
    )
    return list(rows.all())
