"""Database work on protected discharges: the person, the case, the transition and its milestones.

No authorisation, audit or events here: ``alerts.discharges.flows`` does those around these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.deadlines import FOLLOW_THE_DATE, deadlines
from alerts.discharges.models import (
    MILESTONES,
    Discharge,
    DischargeMilestone,
    DischargeMilestonePublic,
    DischargeNotice,
    DischargePublic,
    DischargeSource,
    DischargeState,
    Milestone,
)
from centrale.cases.models import (
    CareTeamMember,
    Case,
    CaseCategory,
    CaseHistory,
    CasePhase,
    CaseState,
    Intake,
    IntakeOutcome,
    IntakeSource,
    TeamRole,
)
from centrale.cases.service import CATEGORY_AREA
from centrale.cases.service import OPEN_STATES as OPEN_CASE_STATES
from centrale.clock import as_utc, to_rome, utcnow
from centrale.errors import Conflict, Invalid, NotFound
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation
from centrale.persons.models import Person, Sesso
from centrale.validators import classify_codice_fiscale

#: the pathway's words on the intake that opens a case for a discharge
PATHWAY = "Dimissione protetta"
ELDERLY_FROM = 65


def compact_cf(value: str) -> str:
    """The codice fiscale as stored, or ``Invalid`` naming the field."""
    try:
        return classify_codice_fiscale(value)[0]
    except ValueError as exc:
        raise Invalid(f"codice_fiscale: {exc}", field="codice_fiscale") from exc


async def person_by_cf(session: AsyncSession, codice_fiscale: str) -> Person | None:
    query = select(Person).where(col(Person.codice_fiscale) == compact_cf(codice_fiscale))
    return (await session.exec(query.where(col(Person.deleted_at).is_(None)))).first()


async def create_person(session: AsyncSession, *, notice: DischargeNotice, registered_by_org_id: int) -> Person:
    """Register the person the notice names (name, sex and birth date are needed for that)."""
    code, kind = classify_codice_fiscale(compact_cf(notice.codice_fiscale))
    for name in ("cognome", "nome", "sesso", "data_nascita"):
        if not getattr(notice, name):
            raise Invalid(f"{name}: serve per registrare una persona nuova / needed for a new person", field=name)
    if notice.sesso not in ("M", "F"):
        raise Invalid("sesso: M o F / M or F", field="sesso")
    person = Person(
        cognome=notice.cognome or "",
        nome=notice.nome or "",
        sesso=Sesso(notice.sesso),
        data_nascita=notice.data_nascita or date.min,
        indirizzo=notice.indirizzo,
        municipio=notice.municipio,
        codice_fiscale=code,
        cf_kind=kind,
        registered_by_org_id=registered_by_org_id,
    )
    session.add(person)
    await session.flush()
    return person


async def open_case_of(session: AsyncSession, person_id: int) -> Case | None:
    query = select(Case).where(col(Case.person_id) == person_id, col(Case.state).in_(OPEN_CASE_STATES))
    return (await session.exec(query.order_by(col(Case.id).desc()))).first()


async def _case_manager(session: AsyncSession, *, wanted: int | None, org_ids: Sequence[int]) -> Operator:
    """The named case manager, else the first active one of the receiving organisations."""
    active = (
        col(Operator.active).is_(True),
        col(Operator.deleted_at).is_(None),
        col(Operator.role) == Role.CASE_MANAGER,
    )
    if wanted is not None:
        manager = (await session.exec(select(Operator).where(col(Operator.id) == wanted, *active))).first()
        if manager is None:
            raise Invalid(
                "case_manager_id: non è un responsabile del caso attivo / not an active case manager",
                field="case_manager_id",
            )
        return manager
    for org_id in org_ids:
        query = select(Operator).where(col(Operator.organisation_id) == org_id, *active).order_by(col(Operator.id))
        found = (await session.exec(query)).first()
        if found is not None:
            return found
    raise Invalid("case_manager_id: indicare il responsabile del caso / name the case manager", field="case_manager_id")


async def case_for_discharge(
    session: AsyncSession,
    *,
    person: Person,
    notice: DischargeNotice,
    receiving_org_id: int,
    recorded_by_id: int | None,
    by_name: str,
) -> tuple[Case, bool]:
    """The person's open case, or a new one on the protected-discharge pathway; the receiving PUA on its team."""
    case = await open_case_of(session, person.id or 0)
    opened = case is None
    if case is None:
        manager = await _case_manager(
            session, wanted=notice.case_manager_id, org_ids=[receiving_org_id, person.registered_by_org_id]
        )
        assert manager.id is not None
        recorder = recorded_by_id or manager.id
        age = (to_rome(utcnow()).date() - person.data_nascita).days // 365
        category = CaseCategory.ANZIANI if age >= ELDERLY_FROM else CaseCategory.DISABILI
        case = Case(
            person_id=person.id or 0,
            state=CaseState.APERTO,
            phase=CasePhase.VALUTAZIONE,
            category=category,
            siuss_area=CATEGORY_AREA[category],
            case_manager_id=manager.id,
            organisation_id=manager.organisation_id,
        )
        session.add(case)
        await session.flush()
        assert case.id is not None
        session.add(
            Intake(
                person_id=case.person_id,
                requested_by=f"{PATHWAY}: {notice.ward}"[:200],
                expressed_need=(notice.needs or PATHWAY)[:4000].ljust(3, "."),
                source=IntakeSource.OSPEDALE,
                outcome=IntakeOutcome.PROPOSTA_PRESA_IN_CARICO,
                category=category,
                organisation_id=receiving_org_id,
                recorded_by_id=recorder,
                case_id=case.id,
            )
        )
        session.add(
            CareTeamMember(
                case_id=case.id,
                organisation_id=manager.organisation_id,
                operator_id=manager.id,
                role=TeamRole.RESPONSABILE,
                added_by_id=recorder,
            )
        )
        session.add(
            CaseHistory(
                case_id=case.id,
                to_state=case.state,
                to_phase=case.phase,
                note=f"Apertura per {PATHWAY.lower()}",
                by_operator_id=recorder,
                by_name=by_name,
            )
        )
    assert case.id is not None
    on_team = await session.exec(
        select(col(CareTeamMember.id)).where(
            col(CareTeamMember.case_id) == case.id,
            col(CareTeamMember.organisation_id) == receiving_org_id,
            col(CareTeamMember.removed_at).is_(None),
        )
    )
    if on_team.first() is None:
        session.add(
            CareTeamMember(
                case_id=case.id,
                organisation_id=receiving_org_id,
                role=TeamRole.OPERATORE_PUA,
                added_by_id=recorded_by_id or case.case_manager_id,
            )
        )
    await session.flush()
    return case, opened


async def by_hospital_ref(session: AsyncSession, *, hospital_org_id: int, hospital_ref: str) -> Discharge | None:
    query = select(Discharge).where(
        col(Discharge.hospital_org_id) == hospital_org_id, col(Discharge.hospital_ref) == hospital_ref
    )
    return (await session.exec(query)).first()


async def check_hospital(session: AsyncSession, hospital_org_id: int) -> Organisation:
    org = await session.get(Organisation, hospital_org_id)
    if org is None or org.deleted_at is not None:
        raise Invalid("hospital_org_id: ospedale sconosciuto / unknown hospital", field="hospital_org_id")
    return org


async def create_discharge(
    session: AsyncSession,
    *,
    notice: DischargeNotice,
    person: Person,
    case: Case,
    source: DischargeSource,
    notified_by_id: int | None,
    now: datetime,
) -> Discharge:
    """The transition and its milestones, the notice done at once."""
    discharge = Discharge(
        person_id=person.id or 0,
        case_id=case.id or 0,
        hospital_org_id=notice.hospital_org_id,
        ward=notice.ward,
        expected_date=notice.expected_date,
        first_expected_date=notice.expected_date,
        needs=notice.needs,
        hospital_contact=notice.hospital_contact,
        hospital_ref=notice.hospital_ref,
        source=source,
        notified_at=now,
        notified_by_id=notified_by_id,
    )
    session.add(discharge)
    await session.flush()
    due = deadlines(notified_at=now, expected_date=notice.expected_date)
    for position, milestone in enumerate(MILESTONES):
        first = milestone == Milestone.NOTIFICA
        session.add(
            DischargeMilestone(
                discharge_id=discharge.id or 0,
                milestone=milestone,
                position=position,
                due_at=due[milestone],
                done_at=now if first else None,
                done_by_id=notified_by_id if first else None,
            )
        )
    await session.flush()
    return discharge


async def get_discharge(session: AsyncSession, discharge_id: int, *, lock: bool = False) -> Discharge:
    query = select(Discharge).where(col(Discharge.id) == discharge_id)
    found = (await session.exec(query.with_for_update() if lock else query)).first()
    if found is None:
        raise NotFound("Dimissione", discharge_id)
    return found


async def milestones_of(session: AsyncSession, discharge_id: int) -> list[DischargeMilestone]:
    query = select(DischargeMilestone).where(col(DischargeMilestone.discharge_id) == discharge_id)
    return list((await session.exec(query.order_by(col(DischargeMilestone.position)))).all())


def public(discharge: Discharge, milestones: Sequence[DischargeMilestone]) -> DischargePublic:
    rows = [DischargeMilestonePublic.model_validate(m.model_dump()) for m in milestones]
    return DischargePublic.model_validate(discharge.model_dump() | {"milestones": rows})


#: how far from today an expected discharge date may be (a notice written after the fact, a long stay)
DATE_WINDOW = (timedelta(days=30), timedelta(days=365))


def check_expected_date(expected_date: date) -> None:
    today = to_rome(utcnow()).date()
    if not today - DATE_WINDOW[0] <= expected_date <= today + DATE_WINDOW[1]:
        raise Invalid(
            "expected_date: la data di dimissione deve cadere tra 30 giorni fa e un anno da oggi "
            "/ must fall between 30 days ago and a year from today",
            field="expected_date",
        )


def require_in_progress(discharge: Discharge) -> None:
    if discharge.state != DischargeState.IN_CORSO:
        raise Conflict(f"state: la dimissione è già {discharge.state.lower()} / the discharge is closed")


def _rebase(discharge: Discharge, milestones: Sequence[DischargeMilestone]) -> list[DischargeMilestone]:
    """Put the deadlines that follow the date (or the real discharge) where they now fall; the moved ones."""
    due = deadlines(
        notified_at=discharge.notified_at, expected_date=discharge.expected_date, discharged_at=discharge.discharged_at
    )
    moved = []
    for m in milestones:
        if m.done_at is None and m.milestone in FOLLOW_THE_DATE and as_utc(m.due_at) != due[m.milestone]:
            m.due_at = due[m.milestone]
            moved.append(m)
    return moved


async def complete(
    session: AsyncSession,
    *,
    discharge: Discharge,
    milestone: Milestone,
    by: int,
    at: datetime,
    note: str | None,
) -> tuple[DischargeMilestone, list[DischargeMilestone]]:
    """Mark one milestone done; the discharge itself re-bases the visit and the call; the last one closes it."""
    require_in_progress(discharge)
    milestones = await milestones_of(session, discharge.id or 0)
    row = next(m for m in milestones if m.milestone == milestone)
    if row.done_at is not None:
        raise Conflict(f"milestone: tappa già registrata / already recorded ({milestone})")
    if as_utc(at) < as_utc(discharge.notified_at):
        raise Invalid("done_at: prima della notifica / before the notice", field="done_at")
    row.done_at, row.done_by_id, row.note = at, by, note
    session.add(row)
    moved: list[DischargeMilestone] = []
    if milestone == Milestone.DIMISSIONE:
        discharge.discharged_at = at
        moved = _rebase(discharge, milestones)
    if all(m.done_at is not None for m in milestones):
        discharge.state = DischargeState.COMPLETATA
        discharge.closed_at = at
    discharge.updated_at = utcnow()
    session.add(discharge)
    await session.flush()
    return row, moved


async def move_date(session: AsyncSession, *, discharge: Discharge, expected_date: date) -> list[DischargeMilestone]:
    """A new expected date: every pending deadline that follows it moves with it."""
    require_in_progress(discharge)
    if discharge.discharged_at is not None:
        raise Conflict("expected_date: la persona è già stata dimessa / already discharged")
    discharge.expected_date = expected_date
    discharge.updated_at = utcnow()
    session.add(discharge)
    moved = _rebase(discharge, await milestones_of(session, discharge.id or 0))
    await session.flush()
    return moved


async def cancel(session: AsyncSession, *, discharge: Discharge, reason: str) -> list[DischargeMilestone]:
    require_in_progress(discharge)
    if not reason.strip():
        raise Invalid("reason: indicare il motivo / give a reason", field="reason")
    discharge.state = DischargeState.ANNULLATA
    discharge.cancel_reason = reason.strip()
    discharge.closed_at = discharge.updated_at = utcnow()
    session.add(discharge)
    await session.flush()
    return [m for m in await milestones_of(session, discharge.id or 0) if m.done_at is None]
