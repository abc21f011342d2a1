"""Database work on plans: drafts, variations (new versions), approvals, signature, activation (no HTTP)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.actor import Actor
from centrale.cases.models import Case
from centrale.cases.service import team_organisations
from centrale.clock import utcnow
from centrale.common import Conflict
from centrale.consents.models import ConsentIn, ConsentPurpose
from centrale.consents.service import record_consent
from centrale.events.service import emit
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.plans.catalogue import rule_of
from centrale.plans.costs import ZERO, shares
from centrale.plans.models import (
    ApprovalPublic,
    Goal,
    GoalPublic,
    Intervention,
    InterventionPublic,
    Plan,
    PlanApproval,
    PlanIn,
    PlanPublic,
    PlanStatus,
    ServiceType,
    Totals,
)


def _id(value: int | None) -> int:
    assert value is not None
    return value


async def _write_content(session: AsyncSession, *, plan: Plan, data: PlanIn) -> None:
    """Replace goals and interventions, computing each intervention's cost and shares."""
    plan_id = _id(plan.id)
    for model in (Goal, Intervention):
        for old in (await session.exec(select(model).where(col(model.plan_id) == plan_id))).all():
            await session.delete(old)
    for field in ("start_date", "planned_end", "review_every", "review_unit", "isee", "note"):
        setattr(plan, field, getattr(data, field))
    for goal in data.goals:
        session.add(Goal(plan_id=plan_id, **goal.model_dump()))
    for i, item in enumerate(data.interventions):
        where = f"interventions.{i}"
        service = await session.get(ServiceType, item.service_code)
        if service is None:
            raise Conflict(f"{where}.service_code: prestazione {item.service_code} non in catalogo / unknown")
        provider = await session.get(Organisation, item.provider_org_id)
        if provider is None or provider.deleted_at is not None:
            raise Conflict(f"{where}.provider_org_id: organizzazione inesistente / unknown organisation")
        if item.operator_id is not None:
            op = await session.get(Operator, item.operator_id)
            if op is None or op.organisation_id != item.provider_org_id:
                raise Conflict(f"{where}.operator_id: non è un operatore dell'ente erogatore / not of the provider")
        tariff = item.tariff if item.tariff is not None else service.default_tariff
        if tariff is None:
            raise Conflict(f"{where}.tariff: indicare la tariffa oraria / give the hourly tariff")
        split = shares(
            hours=item.hours_per_month,
            tariff=tariff,
            isee=data.isee,
            rule=rule_of(service),
            ssn_hourly=item.ssn_hourly,
        )
        session.add(
            Intervention(
                plan_id=plan_id,
                service_code=item.service_code,
                provider_org_id=item.provider_org_id,
                operator_id=item.operator_id,
                frequency=item.frequency,
                rrule=item.rrule,
                hours_per_month=item.hours_per_month,
                tariff=tariff,
                ssn_hourly=item.ssn_hourly,
                user_hourly=split.user_hourly,
                cost=split.cost,
                share_ente=split.ente,
                share_utente=split.utente,
                share_ssn=split.ssn,
                note=item.note,
            )
        )
    # approvals and signature were given to the previous content: they do not carry over
    for approval in (await session.exec(select(PlanApproval).where(col(PlanApproval.plan_id) == plan_id))).all():
        await session.delete(approval)
    plan.signed_at, plan.signature_consent_id = None, None
    session.add(plan)
    await session.flush()


async def plans_of(session: AsyncSession, *, case_id: int) -> Sequence[Plan]:
    rows = await session.exec(select(Plan).where(col(Plan.case_id) == case_id).order_by(col(Plan.version)))
    return rows.all()


async def active_plan(session: AsyncSession, *, case_id: int) -> Plan | None:
    rows = await session.exec(select(Plan).where(col(Plan.case_id) == case_id, col(Plan.status) == PlanStatus.ATTIVO))
    return rows.first()


async def create_version(session: AsyncSession, *, case: Case, data: PlanIn, actor: Actor) -> Plan:
    """Version 1, or a variation: version N+1 as a draft; earlier versions stay as they are."""
    case_id = _id(case.id)
    drafts = [p for p in await plans_of(session, case_id=case_id) if p.status == PlanStatus.BOZZA]
    if drafts:
        raise Conflict(
            f"version: la versione {drafts[0].version} è ancora in bozza; modificarla / a draft already exists: edit it"
        )
    latest = (await session.exec(select(func.max(col(Plan.version))).where(col(Plan.case_id) == case_id))).one()
    plan = Plan(
        case_id=case_id,
        version=(latest or 0) + 1,
        start_date=data.start_date,
        created_by_id=actor.operator_id,
    )
    session.add(plan)
    await session.flush()
    await _write_content(session, plan=plan, data=data)
    emit(
        session,
        kind="plan.version_created",
        entity_type="Case",
        entity_id=case_id,
        person_id=case.person_id,
        payload={"plan_id": plan.id, "version": plan.version},
    )
    return plan


async def update_draft(session: AsyncSession, *, plan: Plan, data: PlanIn) -> Plan:
    if plan.status != PlanStatus.BOZZA:
        raise Conflict(
            f"status: la versione {plan.version} è {plan.status}; una variazione crea una nuova "
            "versione / only a draft can be edited: make a variation"
        )
    await _write_content(session, plan=plan, data=data)
    return plan


async def _maybe_activate(session: AsyncSession, *, plan: Plan, case: Case) -> None:
    """Active only once every organisation on the team approved and the beneficiary signed."""
    if plan.status != PlanStatus.BOZZA or plan.signed_at is None:
        return
    if await missing_approvals(session, plan=plan):
        return
    now = utcnow()
    previous = await active_plan(session, case_id=case.id or 0)
    if previous is not None:
        previous.status, previous.replaced_at = PlanStatus.SOSTITUITO, now
        session.add(previous)
        await session.flush()  # one active version at a time
    plan.status, plan.activated_at = PlanStatus.ATTIVO, now
    session.add(plan)
    emit(
        session,
        kind="plan.activated",
        entity_type="Case",
        entity_id=_id(case.id),
        person_id=case.person_id,
        payload={
            "plan_id": plan.id,
            "version": plan.version,
            "replaced_plan_id": previous.id if previous else None,
        },
    )
    await session.flush()


async def missing_approvals(session: AsyncSession, *, plan: Plan) -> list[int]:
    required = await team_organisations(session, case_id=plan.case_id)
    approved = {a.organisation_id for a in await approvals(session, plan_id=_id(plan.id))}
    return sorted(required - approved)


async def approvals(session: AsyncSession, *, plan_id: int) -> Sequence[PlanApproval]:
    rows = await session.exec(
        select(PlanApproval).where(col(PlanApproval.plan_id) == plan_id).order_by(col(PlanApproval.id))
    )
    return rows.all()


async def approve(session: AsyncSession, *, plan: Plan, case: Case, actor: Actor) -> PlanApproval:
    """The actor approves for their organisation, which must be on the care team."""
    if plan.status != PlanStatus.BOZZA:
        raise Conflict(f"status: la versione {plan.version} è {plan.status}: non si approva / not a draft")
    if actor.org_id not in await team_organisations(session, case_id=plan.case_id):
        raise Conflict("organisation_id: la propria organizzazione non è nell'équipe / not on the care team")
    if any(a.organisation_id == actor.org_id for a in await approvals(session, plan_id=_id(plan.id))):
        raise Conflict("organisation_id: la propria organizzazione ha già approvato / already approved")
    row = PlanApproval(
        plan_id=_id(plan.id),
        organisation_id=actor.org_id,
        operator_id=actor.operator_id,
        operator_name=actor.full_name,
    )
    session.add(row)
    await session.flush()
    emit(
        session,
        kind="plan.approved",
        entity_type="Case",
        entity_id=_id(case.id),
        person_id=case.person_id,
        payload={"plan_id": plan.id, "organisation_id": actor.org_id},
    )
    await _maybe_activate(session, plan=plan, case=case)
    return row


async def sign(session: AsyncSession, *, plan: Plan, case: Case, signed_by: str, actor: Actor) -> Plan:
    """Record the beneficiary's signature (a consent with purpose SOTTOSCRIZIONE_PROGETTO)."""
    if plan.status != PlanStatus.BOZZA:
        raise Conflict(f"status: la versione {plan.version} è {plan.status}: non si firma / not a draft")
    consent = await record_consent(
        session,
        person_id=case.person_id,
        actor=actor,
        reference=f"plan:{plan.id}",
        data=ConsentIn(purpose=ConsentPurpose.SOTTOSCRIZIONE_PROGETTO, signed_by=signed_by),
    )
    plan.signed_at, plan.signature_consent_id = utcnow(), consent.id
    session.add(plan)
    await session.flush()
    await _maybe_activate(session, plan=plan, case=case)
    return plan


async def set_goal_reached(session: AsyncSession, *, plan: Plan, goal_id: int, reached: bool) -> Goal:
    """Marking a goal reached is monitoring, not a variation: it is allowed on the active version."""
    goal = await session.get(Goal, goal_id)
    if goal is None or goal.plan_id != plan.id:
        raise Conflict(f"goal_id: obiettivo {goal_id} non di questo progetto / not in this plan")
    goal.reached = reached
    session.add(goal)
    await session.flush()
    return goal


async def plan_public(session: AsyncSession, *, plan: Plan) -> PlanPublic:
    plan_id = _id(plan.id)
    goals = (await session.exec(select(Goal).where(col(Goal.plan_id) == plan_id).order_by(col(Goal.id)))).all()
    items = (
        await session.exec(
            select(Intervention).where(col(Intervention.plan_id) == plan_id).order_by(col(Intervention.id))
        )
    ).all()
    given = await approvals(session, plan_id=plan_id)
    totals = Totals(
        cost=sum((i.cost for i in items), ZERO),
        ente=sum((i.share_ente for i in items), ZERO),
        utente=sum((i.share_utente for i in items), ZERO),
        ssn=sum((i.share_ssn for i in items), ZERO),
    )
    missing = await missing_approvals(session, plan=plan) if plan.status == PlanStatus.BOZZA else []
    return PlanPublic.model_validate(
        plan.model_dump()
        | {
            "goals": [GoalPublic.model_validate(g) for g in goals],
            "interventions": [InterventionPublic.model_validate(i) for i in items],
            "approvals": [ApprovalPublic.model_validate(a) for a in given],
            "approvals_missing": missing,
            "totals": totals,
        }
    )
