"""The actions on a protected discharge: notify, complete a milestone, move the date, cancel.

They live in ``alerts`` because a milestone done late resolves its overdue alert, and a cancelled
transition withdraws them, in the same transaction. Who may act: the PUA of the case's team (or of the
person's registering organisation), the case's own manager, and coordinators of the district; a
hospital's system notifies through its client credential (checked by the surface, passed as ``client``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select

from alerts.discharges import service
from alerts.discharges.models import (
    Discharge,
    DischargeMilestone,
    DischargeNotice,
    DischargeSource,
    HospitalClient,
    Milestone,
)
from alerts.models import OPEN_STATES, AlertOutcome
from alerts.service import close as close_alert
from alerts.service import get_alert
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.authz.guard import audit_read
from centrale.authz.policy import (
    CaseAction,
    PersonAction,
    case_clause,
    case_refusal_reason,
    refusal_reason,
    visibility_clause,
)
from centrale.cases.models import Case
from centrale.clock import as_utc, utcnow
from centrale.errors import Invalid, Refused
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.persons.models import Person
from centrale.uow import Tx

#: the roles that may record a notice from the page
NOTIFIERS = frozenset({Role.OPERATORE_PUA, Role.CASE_MANAGER, Role.COORDINATORE})


@dataclass
class Notified:
    """What a notice did: the transition, and whether it (and the person, the case) are new."""

    discharge: Discharge
    created: bool
    person_created: bool = False
    case_opened: bool = False
    milestones: list[DischargeMilestone] = field(default_factory=list)


def _event(tx: Tx, kind: str, discharge: Discharge, **extra: object) -> None:
    """Ids and codes only: the board reads the rest through need-to-know (no needs, no names)."""
    payload = {
        "discharge_id": discharge.id,
        "case_id": discharge.case_id,
        "state": discharge.state,
        "expected_date": discharge.expected_date.isoformat(),
    } | extra
    tx.emit(kind=kind, entity_type="Discharge", entity_id=discharge.id, person_id=discharge.person_id, payload=payload)


async def _may_see(tx: Tx, actor: Actor, person_id: int, action: PersonAction = PersonAction.READ) -> bool:
    query = select(col(Person.id)).where(col(Person.id) == person_id, visibility_clause(actor, action))
    return (await tx.session.exec(query)).first() is not None


async def _may_act(tx: Tx, actor: Actor, discharge: Discharge) -> str | None:
    """None when the actor may change this transition, else the reason of the refusal."""
    case = await tx.session.get(Case, discharge.case_id)
    if actor.role == Role.CASE_MANAGER:
        if case is not None and case.case_manager_id == actor.operator_id:
            return None
        return "only the case's manager may act on its discharge"
    if actor.role not in (Role.OPERATORE_PUA, Role.COORDINATORE):
        return f"role {actor.role} may not act on discharges"
    query = select(col(Person.id)).where(col(Person.id) == discharge.person_id, case_clause(actor, CaseAction.READ))
    if (await tx.session.exec(query)).first() is None:
        return case_refusal_reason(actor, CaseAction.READ)
    return None


async def _authorised(tx: Tx, discharge_id: int, subtype: str, *, lock: bool = True) -> tuple[Discharge, Actor]:
    actor = tx.require_actor()
    discharge = await service.get_discharge(tx.session, discharge_id, lock=lock)
    reason = await _may_act(tx, actor, discharge)
    if reason is not None:
        raise await tx.deny(
            AuditAction.UPDATE,
            subtype,
            entity_type="Discharge",
            entity_id=discharge_id,
            person_id=discharge.person_id,
            reason=reason,
        )
    return discharge, actor


async def discharge_for(tx: Tx, discharge_id: int, subtype: str = "discharge.read") -> Discharge:
    """Read one transition under need-to-know (403 audited; a granted read audited too)."""
    discharge = await service.get_discharge(tx.session, discharge_id)
    actor = tx.require_actor()
    query = select(col(Person.id)).where(col(Person.id) == discharge.person_id, case_clause(actor, CaseAction.READ))
    if (await tx.session.exec(query)).first() is None:
        raise await tx.deny(
            AuditAction.READ,
            subtype,
            entity_type="Discharge",
            entity_id=discharge_id,
            person_id=discharge.person_id,
            reason=case_refusal_reason(actor, CaseAction.READ),
        )
    await audit_read(
        tx.db, actor, subtype=subtype, entity_type="Discharge", entity_id=discharge_id, person_id=discharge.person_id
    )
    return discharge


@flow("discharge.notify")
async def notify(tx: Tx, *, notice: DischargeNotice, client: HospitalClient | None = None) -> Notified:
    """A discharge notice from the page (an operator) or from a hospital's system (``client``).

    The person is found by codice fiscale or registered; their open case is reused or one is opened on
    the protected-discharge pathway with the receiving PUA on its team. The same hospital identifier
    again changes nothing and answers the transition already recorded."""
    actor = tx.actor
    if client is not None:
        receiving_org_id, source, by_id = client.receiving_org_id, DischargeSource.FHIR, None
        notice = notice.model_copy(update={"hospital_org_id": client.hospital_org_id})
    elif actor is not None:
        receiving_org_id, source, by_id = actor.org_id, DischargeSource.PAGINA, actor.operator_id
        if actor.role not in NOTIFIERS:
            raise await tx.deny(
                AuditAction.CREATE,
                "discharge.notify",
                entity_type="Discharge",
                entity_id=None,
                person_id=None,
                reason=f"role {actor.role} may not record discharge notices",
            )
    else:
        raise Refused("Serve un operatore o un ospedale autenticato / an authenticated caller is required")
    await service.check_hospital(tx.session, notice.hospital_org_id)
    if notice.hospital_ref:
        known = await service.by_hospital_ref(
            tx.session, hospital_org_id=notice.hospital_org_id, hospital_ref=notice.hospital_ref
        )
        if known is not None:
            if client is None and actor is not None and not await _may_see(tx, actor, known.person_id):
                raise await tx.deny(
                    AuditAction.CREATE,
                    "discharge.notify",
                    entity_type="Discharge",
                    entity_id=known.id,
                    person_id=known.person_id,
                    reason=refusal_reason(actor, PersonAction.READ),
                )
            return Notified(discharge=known, created=False)
    service.check_expected_date(notice.expected_date)
    person = await service.person_by_cf(tx.session, notice.codice_fiscale)
    person_created = person is None
    if person is None:
        person = await service.create_person(tx.session, notice=notice, registered_by_org_id=receiving_org_id)
        tx.audit(AuditAction.CREATE, "discharge.notify", entity_type="Person", entity_id=person.id, person_id=person.id)
    elif actor is not None and client is None and not await _may_see(tx, actor, person.id or 0):
        raise await tx.deny(
            AuditAction.CREATE,
            "discharge.notify",
            entity_type="Person",
            entity_id=person.id,
            person_id=person.id,
            reason=refusal_reason(actor, PersonAction.READ),
        )
    by_name = f"Ospedale ({client.client_id})" if client is not None else (actor.full_name if actor else "")
    case, opened = await service.case_for_discharge(
        tx.session,
        person=person,
        notice=notice,
        receiving_org_id=receiving_org_id,
        recorded_by_id=by_id,
        by_name=by_name,
    )
    now = utcnow()
    discharge = await service.create_discharge(
        tx.session, notice=notice, person=person, case=case, source=source, notified_by_id=by_id, now=now
    )
    tx.audit(
        AuditAction.CREATE, "discharge.notify", entity_type="Discharge", entity_id=discharge.id, person_id=person.id
    )
    if opened:
        tx.emit(
            kind="case.opened",
            entity_type="Case",
            entity_id=case.id,
            person_id=case.person_id,
            payload={"state": case.state, "phase": case.phase, "category": case.category},
        )
    _event(tx, "discharge.notified", discharge, source=source)
    milestones = await service.milestones_of(tx.session, discharge.id or 0)
    return Notified(discharge, True, person_created, opened, milestones)


async def _withdraw_alert(tx: Tx, row: DischargeMilestone, *, by: int | None, done: bool) -> None:
    """A milestone done late resolves its overdue alert; one no longer late (or cancelled) withdraws it."""
    if row.overdue_alert_id is None:
        return
    alert = await get_alert(tx.session, alert_id=row.overdue_alert_id, lock=True)
    if alert.state in OPEN_STATES:
        await close_alert(
            tx.session,
            alert_id=row.overdue_alert_id,
            by=by,
            outcome=AlertOutcome.RISOLTA_SUL_POSTO if done else None,
            note=f"Dimissione protetta: {row.milestone}",
            cancel=not done,
        )
    if not done:
        row.overdue_alert_id = None
        tx.session.add(row)


@flow("discharge.complete_milestone")
async def complete_milestone(
    tx: Tx, *, discharge_id: int, milestone: Milestone, at: datetime | None = None, note: str | None = None
) -> DischargeMilestone:
    """Record one milestone done (now, or earlier today when said); the last one completes the transition."""
    discharge, actor = await _authorised(tx, discharge_id, "discharge.complete_milestone")
    now = utcnow()
    when = as_utc(at) if at is not None else now
    if when > now:
        raise Invalid("done_at: non può essere nel futuro / cannot be in the future", field="done_at")
    row, moved = await service.complete(
        tx.session, discharge=discharge, milestone=milestone, by=actor.operator_id, at=when, note=note
    )
    await _withdraw_alert(tx, row, by=actor.operator_id, done=True)
    await _withdraw_no_longer_due(tx, moved, by=actor.operator_id, now=now)
    tx.audit(
        AuditAction.UPDATE,
        "discharge.complete_milestone",
        entity_type="Discharge",
        entity_id=discharge_id,
        person_id=discharge.person_id,
        outcome_desc=str(milestone),
    )
    _event(tx, "discharge.milestone_done", discharge, milestone=milestone)
    if discharge.state != "IN_CORSO":
        _event(tx, "discharge.completed", discharge)
    return row


async def _withdraw_no_longer_due(tx: Tx, moved: list[DischargeMilestone], *, by: int | None, now: datetime) -> None:
    """A deadline moved past now: the alert it raised is withdrawn (it is not late any more)."""
    for row in moved:
        if as_utc(row.due_at) > now:
            await _withdraw_alert(tx, row, by=by, done=False)


@flow("discharge.move_date")
async def move_date(tx: Tx, *, discharge_id: int, expected_date: date) -> list[DischargeMilestone]:
    """The ward moves the discharge date: the deadlines that follow it move too (an alert no longer due goes)."""
    discharge, actor = await _authorised(tx, discharge_id, "discharge.move_date")
    before = discharge.expected_date
    service.check_expected_date(expected_date)
    moved = await service.move_date(tx.session, discharge=discharge, expected_date=expected_date)
    await _withdraw_no_longer_due(tx, moved, by=actor.operator_id, now=utcnow())
    tx.audit(
        AuditAction.UPDATE,
        "discharge.move_date",
        entity_type="Discharge",
        entity_id=discharge_id,
        person_id=discharge.person_id,
    )
    _event(tx, "discharge.date_moved", discharge, from_date=before.isoformat())
    return moved


@flow("discharge.cancel")
async def cancel(tx: Tx, *, discharge_id: int, reason: str) -> Discharge:
    """The discharge will not happen: the transition closes and its overdue alerts are withdrawn."""
    discharge, actor = await _authorised(tx, discharge_id, "discharge.cancel")
    for row in await service.cancel(tx.session, discharge=discharge, reason=reason):
        await _withdraw_alert(tx, row, by=actor.operator_id, done=False)
    tx.audit(
        AuditAction.UPDATE,
        "discharge.cancel",
        entity_type="Discharge",
        entity_id=discharge_id,
        person_id=discharge.person_id,
    )
    _event(tx, "discharge.cancelled", discharge)
    return discharge
