"""Raising alerts: open one or join the open one, per person, per building, or per dedupe key.

Every report (a sentinel's SMS, a missed check-in, an overdue task, a coverage gap...) comes through
``raise_alert``; the timeline entry and the outbox event are written in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.service import choose_policy, due_time, snapshot
from alerts.models import (
    OPEN_STATES,
    Alert,
    AlertEntry,
    AlertSource,
    EntryKind,
    Severity,
)
from centrale.clock import utcnow
from centrale.condomini.models import Condominio
from centrale.db import as_loaded, dialect_of
from centrale.events.service import emit
from centrale.fastsql import Fixed
from centrale.persons.models import Person
from centrale.settings import get_settings


def _lock(model: Any) -> Fixed:
    """``SELECT id … FOR NO KEY UPDATE`` of one row: raisers about the same person or building take turns,
    while other transactions' foreign keys to the row (a message's, a timeline line's) need not wait."""
    table = model.__table__
    return Fixed(core_select(table.c.id).where(table.c.id == bindparam("id")).with_for_update(key_share=True))


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


def _entry(
    alert: Alert,
    kind: EntryKind,
    *,
    at: datetime,
    operator_id: int | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of one timeline line of ``alert`` (grouped by its condominio)."""
    assert alert.id is not None
    values = {"alert_id": alert.id, "at": at, "kind": kind, "operator_id": operator_id}
    return values | {"condominio_id": alert.condominio_id, "text": text, "data": data or {}}


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
    entry = AlertEntry(**_entry(alert, kind, at=at, operator_id=operator_id, text=text, data=data))
    session.add(entry)
    return entry


_ALERT = Alert.__table__  # type: ignore[attr-defined]
_ENTRY = AlertEntry.__table__  # type: ignore[attr-defined]
_ALERT_COLUMNS = tuple(c.name for c in _ALERT.c if c.name != "id")
_ENTRY_COLUMNS = tuple(c.name for c in _ENTRY.c if c.name != "id")


def _open(*where: Any) -> Fixed:
    """The newest open alert matching ``where``, locked until the commit (against every other change)."""
    is_open = or_(*(_ALERT.c.state == state for state in OPEN_STATES))
    query = core_select(_ALERT).where(is_open, *where).order_by(_ALERT.c.id.desc()).limit(1)
    return Fixed(query.with_for_update(key_share=True))  # its key never changes: FKs to it need not wait


_OPEN_BY_KEY = _open(_ALERT.c.dedupe_key == bindparam("key"))
_OPEN_FOR_PERSON = _open(
    _ALERT.c.person_id == bindparam("person"),
    _ALERT.c.last_report_at >= bindparam("since", type_=_ALERT.c.last_report_at.type),
)
_OPEN_FOR_BUILDING = _open(_ALERT.c.condominio_id == bindparam("condominio"), _ALERT.c.building_level.is_(True))
_INSERT_ALERT = Fixed(insert(_ALERT).values({n: bindparam(n) for n in _ALERT_COLUMNS}).returning(_ALERT.c.id))
_INSERT_ENTRY = Fixed(insert(_ENTRY).values({n: bindparam(n) for n in _ENTRY_COLUMNS}))
_COUNTERS = (
    update(_ALERT)
    .where(_ALERT.c.id == bindparam("_id"))
    .values({n: bindparam(n) for n in ("report_count", "last_report_at", "severity")})
)
_JOIN = Fixed(_COUNTERS)
# PostgreSQL: a report's timeline line and the alert's counters in one statement (SQLite has no
# INSERT inside a WITH, and there the two go one after the other)
_JOIN_WITH_ENTRY = Fixed(
    _COUNTERS.add_cte(
        insert(_ENTRY).values({n: bindparam(f"entry_{n}", type_=_ENTRY.c[n].type) for n in _ENTRY_COLUMNS}).cte("entry")
    )
)
_BUILDING_REPORTS = Fixed(
    core_select(func.count())
    .select_from(_ENTRY.join(_ALERT, _ALERT.c.id == _ENTRY.c.alert_id))
    .where(
        _ENTRY.c.condominio_id == bindparam("condominio"),
        _ENTRY.c.kind == EntryKind.SEGNALAZIONE,
        _ENTRY.c.at >= bindparam("since", type_=_ENTRY.c.at.type),
        _ALERT.c.building_level.is_(False),
    )
)


async def _found(session: AsyncSession, statement: Fixed, params: dict[str, Any]) -> Alert | None:
    row = await statement.first(session, params)
    return None if row is None else await _attach(session, as_loaded(Alert, row._asdict()))


async def _attach(session: AsyncSession, alert: Alert) -> Alert:
    """The session's instance of ``alert`` as the database has it now (callers may refresh or change it)."""
    loaded = session.sync_session.identity_map.get(identity_key(Alert, alert.id))
    if loaded is not None:  # the session held it already: bring it up to date
        await session.refresh(loaded)
        return loaded  # type: ignore[no-any-return]
    make_transient_to_detached(alert)  # its values are the stored ones: clean, nothing to flush
    session.add(alert)
    return alert


async def _write_entry(
    session: AsyncSession,
    alert: Alert,
    kind: EntryKind,
    *,
    at: datetime,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    await _INSERT_ENTRY.all(session, _entry(alert, kind, at=at, text=text, data=data))


async def _open_alert(session: AsyncSession, *, now: datetime, **fields: Any) -> Alert:
    alert = Alert(opened_at=now, last_report_at=now, **fields)
    policy = await choose_policy(session, severity=alert.severity, source=alert.source)
    if policy is not None:
        alert.policy_id = policy.id
        alert.policy_snapshot = snapshot(policy)
        alert.next_step_at = due_time(alert.policy_snapshot, 0, now)
    alert.id = await _INSERT_ALERT.scalar(session, {n: getattr(alert, n) for n in _ALERT_COLUMNS})
    alert = await _attach(session, alert)
    data = {"policy": alert.policy_snapshot.get("name")}
    await _write_entry(session, alert, EntryKind.APERTA, at=now, text=alert.summary, data=data)
    alert_event(session, alert, "alert.opened")
    return alert


async def _join(
    session: AsyncSession,
    alert: Alert,
    *,
    severity: Severity,
    summary: str,
    now: datetime,
    report: dict[str, Any],
) -> None:
    """A report joins ``alert`` (read locked): one more report, its timeline line, a higher severity."""
    line = _entry(alert, EntryKind.SEGNALAZIONE, at=now, text=summary, data=report)
    raised = severity.rank > alert.severity.rank
    values = {
        "report_count": alert.report_count + 1,
        "last_report_at": now,
        "severity": severity if raised else alert.severity,
    }
    if raised or dialect_of(session) != "postgresql":
        await _INSERT_ENTRY.all(session, line)
        if raised:
            await _write_entry(session, alert, EntryKind.PRIORITA, at=now, data={"da": alert.severity, "a": severity})
        await _JOIN.all(session, values | {"_id": alert.id})
    else:  # the usual case: one statement
        await _JOIN_WITH_ENTRY.all(session, values | {"_id": alert.id} | {f"entry_{n}": v for n, v in line.items()})
    # written by the statement: the instance takes the values as committed ones (nothing left to flush)
    for name, value in values.items():
        set_committed_value(alert, name, value)
    alert_event(session, alert, "alert.joined")


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
    if session.sync_session.new or session.sync_session.dirty:  # the statements below do not autoflush
        await session.flush()
    # Serialise reports about one building, then about one person (no double alerts on PostgreSQL). The
    # building first: a transaction that raises for several people of one building (a group commit) then
    # holds it before any person, so two such transactions queue on it instead of each holding a person
    # the other wants (a deadlock with the person first: tests/alerts/sms/test_lock_order.py).
    if condominio_id is not None:
        await _LOCK_CONDOMINIO.all(session, {"id": condominio_id})
    if person_id is not None:
        await _LOCK_PERSON.all(session, {"id": person_id})

    existing: Alert | None = None
    if dedupe_key is not None:
        existing = await _found(session, _OPEN_BY_KEY, {"key": dedupe_key})
    elif person_id is not None:
        existing = await _found(session, _OPEN_FOR_PERSON, {"person": person_id, "since": now - rules.join_window})
    if existing is not None:
        await _join(session, existing, severity=severity, summary=summary, now=now, report=report)
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
        await _write_entry(session, alert, EntryKind.SEGNALAZIONE, at=now, text=summary, data=report)
        joined = False
    building = None
    if condominio_id is not None and person_id is not None and source != AlertSource.SISTEMA:
        building = await _building_alert(
            session, condominio_id=condominio_id, severity=severity, now=now, rules=rules, report=report
        )
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
    open_building = await _found(session, _OPEN_FOR_BUILDING, {"condominio": condominio_id})
    summary = "Più segnalazioni dallo stesso condominio"
    if open_building is not None:
        await _join(session, open_building, severity=severity, summary=summary, now=now, report=report)
        return open_building
    recent = await _BUILDING_REPORTS.scalar(
        session, {"condominio": condominio_id, "since": now - rules.building_window}
    )
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
