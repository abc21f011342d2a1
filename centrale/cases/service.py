"""Database work on intakes, cases, their history, care team and diary (no HTTP, no events: the flows emit)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.actor import Actor
from centrale.cases.models import (
    CareTeamMember,
    Case,
    CaseCategory,
    CaseHistory,
    CasePhase,
    CasePublic,
    CaseState,
    CaseTransition,
    DiaryEntry,
    DiaryEntryIn,
    DiaryKind,
    Intake,
    IntakeCreate,
    IntakeOutcome,
    SiussArea,
    TeamMemberIn,
    TeamRole,
)
from centrale.clock import utcnow
from centrale.common import Conflict
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation
from centrale.persons.models import Person

#: state -> the states a case may move to
STATE_TRANSITIONS: dict[CaseState, tuple[CaseState, ...]] = {
    CaseState.SEGNALATO: (CaseState.APERTO, CaseState.CHIUSO),
    CaseState.APERTO: (CaseState.PRESO_IN_CARICO, CaseState.SOSPESO, CaseState.CHIUSO),
    CaseState.PRESO_IN_CARICO: (CaseState.SOSPESO, CaseState.CHIUSO),
    CaseState.SOSPESO: (CaseState.PRESO_IN_CARICO, CaseState.CHIUSO),
    CaseState.CHIUSO: (CaseState.RIAPERTO,),
    CaseState.RIAPERTO: (CaseState.PRESO_IN_CARICO, CaseState.SOSPESO, CaseState.CHIUSO),
}

#: Nautilus phase -> the phases that may follow (monitoring may send the case back to assessment or design)
PHASE_TRANSITIONS: dict[CasePhase, tuple[CasePhase, ...]] = {
    CasePhase.INVIO: (CasePhase.VALUTAZIONE,),
    CasePhase.VALUTAZIONE: (CasePhase.PROGETTAZIONE,),
    CasePhase.PROGETTAZIONE: (CasePhase.VALUTAZIONE, CasePhase.ATTUAZIONE),
    CasePhase.ATTUAZIONE: (CasePhase.MONITORAGGIO,),
    CasePhase.MONITORAGGIO: (CasePhase.VALUTAZIONE, CasePhase.PROGETTAZIONE, CasePhase.ATTUAZIONE),
}

#: the SIUSS area utenza that a case category falls in by default
CATEGORY_AREA: dict[CaseCategory, SiussArea] = {
    CaseCategory.FAMIGLIA_MINORI: SiussArea.FAMIGLIA_MINORI,
    CaseCategory.DISABILI: SiussArea.DISABILITA_NON_AUTOSUFFICIENZA,
    CaseCategory.ANZIANI: SiussArea.DISABILITA_NON_AUTOSUFFICIENZA,
    CaseCategory.ADULTI: SiussArea.POVERTA_ESCLUSIONE,
}

OPEN_STATES = (
    CaseState.SEGNALATO,
    CaseState.APERTO,
    CaseState.PRESO_IN_CARICO,
    CaseState.SOSPESO,
    CaseState.RIAPERTO,
)


#: the words of a state and a phase in the diary's sentence (the diary is read as it was written)
STATE_WORDS = {
    CaseState.SEGNALATO: "segnalato",
    CaseState.APERTO: "aperto",
    CaseState.PRESO_IN_CARICO: "preso in carico",
    CaseState.SOSPESO: "sospeso",
    CaseState.CHIUSO: "chiuso",
    CaseState.RIAPERTO: "riaperto",
}
PHASE_WORDS = {
    CasePhase.INVIO: "invio",
    CasePhase.VALUTAZIONE: "valutazione",
    CasePhase.PROGETTAZIONE: "progettazione",
    CasePhase.ATTUAZIONE: "attuazione",
    CasePhase.MONITORAGGIO: "monitoraggio",
}


def _change_in_words(from_state: CaseState, to_state: CaseState, from_phase: CasePhase, to_phase: CasePhase) -> str:
    """ "Il caso passa da aperto a preso in carico" (and the phase, when it changes too)."""
    parts = []
    if from_state != to_state:
        parts.append(f"Il caso passa da {STATE_WORDS[from_state]} a {STATE_WORDS[to_state]}")
    if from_phase != to_phase:
        parts.append(f"fase da {PHASE_WORDS[from_phase]} a {PHASE_WORDS[to_phase]}")
    text = "; ".join(parts) or "stato e fase confermati"
    return text[0].upper() + text[1:]


def case_public(case: Case) -> CasePublic:
    return CasePublic.model_validate(
        case.model_dump()
        | {
            "allowed_states": list(STATE_TRANSITIONS[case.state]),
            "allowed_phases": list(PHASE_TRANSITIONS[case.phase]),
        }
    )


def _assert_id(value: int | None) -> int:
    assert value is not None
    return value


async def _check_case_manager(session: AsyncSession, operator_id: int) -> Operator:
    manager = await session.get(Operator, operator_id)
    if manager is None or not manager.active or manager.role != Role.CASE_MANAGER:
        raise Conflict(
            f"case_manager_id: l'operatore {operator_id} non è un case manager attivo / not an active case manager"
        )
    return manager


async def record_intake(session: AsyncSession, *, data: IntakeCreate, actor: Actor) -> tuple[Intake, Case | None]:
    """Store the scheda di accoglienza; a proposal opens a case with its case manager on the team."""
    if data.outcome == IntakeOutcome.ORIENTAMENTO and not data.referred_to:
        raise Conflict("referred_to: indicare il servizio a cui la persona è orientata / say where it was sent")
    intake = Intake.model_validate(
        data.model_dump(exclude={"case_manager_id"})
        | {"organisation_id": actor.org_id, "recorded_by_id": actor.operator_id}
    )
    session.add(intake)
    case = None
    if data.outcome == IntakeOutcome.PROPOSTA_PRESA_IN_CARICO:
        if data.category is None:
            raise Conflict("category: la categoria è necessaria per aprire un caso / needed to open a case")
        manager_id = data.case_manager_id or (actor.operator_id if actor.role == Role.CASE_MANAGER else None)
        if manager_id is None:
            raise Conflict("case_manager_id: indicare il responsabile del caso / name the case manager")
        manager = await _check_case_manager(session, manager_id)
        case = Case(
            person_id=data.person_id,
            state=CaseState.APERTO,
            phase=CasePhase.INVIO,
            category=data.category,
            siuss_area=data.siuss_area or CATEGORY_AREA[data.category],
            case_manager_id=manager_id,
            organisation_id=manager.organisation_id,
        )
        session.add(case)
        await session.flush()
        case_id = _assert_id(case.id)
        intake.case_id = case_id
        session.add(
            CareTeamMember(
                case_id=case_id,
                organisation_id=manager.organisation_id,
                operator_id=manager_id,
                role=TeamRole.RESPONSABILE,
                added_by_id=actor.operator_id,
            )
        )
        session.add(
            CaseHistory(
                case_id=case_id,
                to_state=case.state,
                to_phase=case.phase,
                note="Apertura da scheda di accoglienza",
                by_operator_id=actor.operator_id,
                by_name=actor.full_name,
            )
        )
    await session.flush()
    return intake, case


def _refuse(what: str, current: str, wanted: str, allowed: Sequence[str]) -> Conflict:
    options = ", ".join(allowed) or "nessuna / none"
    return Conflict(
        f"{what}: passaggio non consentito da {current} a {wanted} / transition not allowed; "
        f"consentiti / allowed: {options}"
    )


async def transition(session: AsyncSession, *, case: Case, data: CaseTransition, actor: Actor) -> Case:
    """Move a case to another state and/or phase (409 naming the allowed ones), kept as history."""
    if data.state is None and data.phase is None:
        raise Conflict("state: indicare lo stato o la fase / give a state or a phase")
    new_state, new_phase = data.state or case.state, data.phase or case.phase
    if data.state is not None and data.state not in STATE_TRANSITIONS[case.state]:
        raise _refuse("state", case.state, data.state, STATE_TRANSITIONS[case.state])
    if data.phase is not None and data.phase not in PHASE_TRANSITIONS[case.phase]:
        raise _refuse("phase", case.phase, data.phase, PHASE_TRANSITIONS[case.phase])
    if new_state == CaseState.CHIUSO and not (data.closing_reason or "").strip():
        raise Conflict("closing_reason: il motivo di chiusura è obbligatorio / a closing reason is required")
    case_id = _assert_id(case.id)
    session.add(
        CaseHistory(
            case_id=case_id,
            from_state=case.state,
            to_state=new_state,
            from_phase=case.phase,
            to_phase=new_phase,
            note=data.note,
            by_operator_id=actor.operator_id,
            by_name=actor.full_name,
        )
    )
    text = _change_in_words(case.state, new_state, case.phase, new_phase)
    session.add(
        DiaryEntry(
            case_id=case_id,
            kind=DiaryKind.CAMBIO_STATO,
            text=text + (f". {data.note}" if data.note else ""),
            author_id=actor.operator_id,
            author_name=actor.full_name,
            organisation_id=actor.org_id,
        )
    )
    case.state, case.phase = new_state, new_phase
    if new_state == CaseState.CHIUSO:
        case.closing_reason = data.closing_reason
    elif new_state == CaseState.RIAPERTO:
        case.closing_reason = None
    case.updated_at = utcnow()
    session.add(case)
    await session.flush()
    return case


async def history(session: AsyncSession, *, case_id: int) -> Sequence[CaseHistory]:
    rows = await session.exec(
        select(CaseHistory).where(col(CaseHistory.case_id) == case_id).order_by(col(CaseHistory.id))
    )
    return rows.all()


async def team(session: AsyncSession, *, case_id: int, include_removed: bool = False) -> Sequence[CareTeamMember]:
    query = select(CareTeamMember).where(col(CareTeamMember.case_id) == case_id)
    if not include_removed:
        query = query.where(col(CareTeamMember.removed_at).is_(None))
    return (await session.exec(query.order_by(col(CareTeamMember.id)))).all()


async def team_organisations(session: AsyncSession, *, case_id: int) -> set[int]:
    """The organisations currently on the care team (each must approve the plan)."""
    return {m.organisation_id for m in await team(session, case_id=case_id)}


async def add_member(session: AsyncSession, *, case: Case, data: TeamMemberIn, actor: Actor) -> CareTeamMember:
    org = await session.get(Organisation, data.organisation_id)
    if org is None or org.deleted_at is not None:
        raise Conflict(f"organisation_id: organizzazione {data.organisation_id} inesistente / unknown")
    if data.operator_id is not None:
        op = await session.get(Operator, data.operator_id)
        if op is None or not op.active or op.organisation_id != data.organisation_id:
            raise Conflict(
                f"operator_id: l'operatore {data.operator_id} non appartiene all'organizzazione / "
                "not an active operator of that organisation"
            )
    case_id = _assert_id(case.id)
    for existing in await team(session, case_id=case_id):
        if existing.organisation_id == data.organisation_id and existing.operator_id == data.operator_id:
            raise Conflict("operator_id: già nell'équipe / already on the care team")
    member = CareTeamMember(
        case_id=case_id,
        organisation_id=data.organisation_id,
        operator_id=data.operator_id,
        role=data.role,
        added_by_id=actor.operator_id,
    )
    session.add(member)
    await session.flush()
    return member


async def remove_member(session: AsyncSession, *, case: Case, member_id: int, actor: Actor) -> CareTeamMember:
    """Remove a member: access ends with this commit (the policy reads active members only)."""
    member = await session.get(CareTeamMember, member_id)
    if member is None or member.case_id != case.id or member.removed_at is not None:
        raise Conflict(f"member_id: {member_id} non è un membro attivo di questa équipe / not an active member")
    if member.operator_id == case.case_manager_id and member.role == TeamRole.RESPONSABILE:
        raise Conflict(
            "member_id: il responsabile del caso non si rimuove; nominarne prima un altro / "
            "name another case manager first"
        )
    member.removed_at, member.removed_by_id = utcnow(), actor.operator_id
    session.add(member)
    await session.flush()
    return member


async def add_diary(session: AsyncSession, *, case: Case, data: DiaryEntryIn, actor: Actor) -> DiaryEntry:
    entry = DiaryEntry(
        case_id=_assert_id(case.id),
        kind=data.kind,
        text=data.text,
        happened_at=data.happened_at or utcnow(),
        author_id=actor.operator_id,
        author_name=actor.full_name,
        organisation_id=actor.org_id,
    )
    session.add(entry)
    await session.flush()
    return entry


async def diary(session: AsyncSession, *, case_id: int) -> Sequence[DiaryEntry]:
    rows = await session.exec(
        select(DiaryEntry)
        .where(col(DiaryEntry.case_id) == case_id)
        .order_by(col(DiaryEntry.happened_at).desc(), col(DiaryEntry.id).desc())
    )
    return rows.all()


async def list_cases(
    session: AsyncSession,
    *,
    visible: ColumnElement[bool],
    state: CaseState | None = None,
    phase: CasePhase | None = None,
    category: CaseCategory | None = None,
    case_manager_id: int | None = None,
    q: str | None = None,
    only_open: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[tuple[Case, Person]], int]:
    """Cases of the persons the caller may see, with filters."""
    where: list[ColumnElement[bool]] = [visible, col(Person.deleted_at).is_(None)]
    if state:
        where.append(col(Case.state) == state)
    if only_open:
        where.append(col(Case.state).in_(OPEN_STATES))
    if phase:
        where.append(col(Case.phase) == phase)
    if category:
        where.append(col(Case.category) == category)
    if case_manager_id:
        where.append(col(Case.case_manager_id) == case_manager_id)
    if q:
        like = f"%{q.strip().lower()}%"
        where.append(
            or_(
                func.lower(col(Person.cognome)).like(like),
                func.lower(col(Person.nome)).like(like),
                func.lower(col(Person.codice_fiscale)).like(like),
            )
        )
    base = select(Case, Person).join(Person, col(Person.id) == col(Case.person_id)).where(*where)
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    rows = await session.exec(base.order_by(col(Case.id).desc()).offset(offset).limit(limit))
    return rows.all(), total
