"""The actions on personalised plans: a new version, editing the draft, approval, signature, goals,
and the catalogue's thresholds. Each authorises on the plan's case with the case rules."""

from __future__ import annotations

from centrale.audit.models import AuditAction
from centrale.authz.case_guard import CaseAccess, check_case
from centrale.authz.policy import CaseAction, Section
from centrale.errors import Invalid, NotFound
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.plans import catalogue, service
from centrale.plans.models import Plan, PlanIn, ServiceType, ServiceTypeUpdate
from centrale.tasks.plans import generate_for_plan
from centrale.uow import Tx


async def load_case(tx: Tx, case_id: int, action: CaseAction, subtype: str) -> CaseAccess:
    """The case (404) if the actor may do ``action`` to it and see its plan (403 audited otherwise)."""
    access = await check_case(tx.session, tx.db, tx.require_actor(), case_id, action, subtype)
    await access.require_section(Section.PLAN, subtype)
    return access


async def load_plan(tx: Tx, plan_id: int, action: CaseAction, subtype: str) -> tuple[Plan, CaseAccess]:
    """The plan (404) and its case, under the case rule of ``action`` (403 audited otherwise)."""
    plan = await tx.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("Progetto", plan_id)
    return plan, await load_case(tx, plan.case_id, action, subtype)


def _audit(tx: Tx, subtype: str, plan: Plan, access: CaseAccess, action: AuditAction = AuditAction.UPDATE) -> None:
    tx.audit(action, subtype, entity_type="Plan", entity_id=plan.id, person_id=access.person_id)


@flow("plan.create")
async def create_plan(tx: Tx, *, case_id: int, data: PlanIn) -> Plan:
    """Version 1 of a case's plan, or a variation (version N+1) as a draft."""
    access = await load_case(tx, case_id, CaseAction.MANAGE, "plan.create")
    plan = await service.create_version(tx.session, case=access.case, data=data, actor=access.actor)
    _audit(tx, "plan.create", plan, access, AuditAction.CREATE)
    return plan


@flow("plan.edit")
async def edit_plan(tx: Tx, *, plan_id: int, data: PlanIn) -> Plan:
    """Replace the content of a draft version (an active one is varied with a new version instead)."""
    plan, access = await load_plan(tx, plan_id, CaseAction.MANAGE, "plan.update")
    await service.update_draft(tx.session, plan=plan, data=data)
    _audit(tx, "plan.update", plan, access)
    return plan


@flow("plan.approve")
async def approve_plan(tx: Tx, *, plan_id: int) -> Plan:
    """The actor approves the draft for their organisation; the last approval may activate it, and an
    active plan gives the tutors their tasks in the same transaction."""
    plan, access = await load_plan(tx, plan_id, CaseAction.APPROVE, "plan.approve")
    await service.approve(tx.session, plan=plan, case=access.case, actor=access.actor)
    await generate_for_plan(tx.session, plan=plan, case=access.case)
    _audit(tx, "plan.approve", plan, access)
    return plan


@flow("plan.sign")
async def sign_plan(tx: Tx, *, plan_id: int, signed_by: str) -> Plan:
    """Record the beneficiary's (or guardian's) signature of the draft; it may activate it (and give the
    tutors their tasks at once)."""
    plan, access = await load_plan(tx, plan_id, CaseAction.MANAGE, "plan.sign")
    signed_by = signed_by.strip()
    if not 2 <= len(signed_by) <= 200:
        raise Invalid("signed_by: indicare chi firma / say who signs", field="signed_by")
    await service.sign(tx.session, plan=plan, case=access.case, signed_by=signed_by, actor=access.actor)
    await generate_for_plan(tx.session, plan=plan, case=access.case)
    _audit(tx, "plan.sign", plan, access)
    return plan


@flow("plan.goal_mark")
async def mark_goal(tx: Tx, *, plan_id: int, goal_id: int, reached: bool) -> Plan:
    """Mark a goal of the plan reached or not (monitoring: allowed on the active version too)."""
    plan, access = await load_plan(tx, plan_id, CaseAction.CONTRIBUTE, "plan.goal")
    await service.set_goal_reached(tx.session, plan=plan, goal_id=goal_id, reached=reached)
    tx.audit(AuditAction.UPDATE, "plan.goal", entity_type="Goal", entity_id=goal_id, person_id=access.person_id)
    return plan


@flow("catalogue.configure")
async def configure_service(tx: Tx, *, code: str, data: ServiceTypeUpdate) -> ServiceType:
    """An administrator sets a service's ISEE thresholds and tariffs (they price every new plan)."""
    actor = tx.require_actor()
    if actor.role != Role.AMMINISTRATORE:
        raise await tx.deny(
            AuditAction.UPDATE,
            "catalogue.configure",
            entity_type="ServiceType",
            entity_id=code,
            person_id=None,
            reason=f"role {actor.role} may not configure the catalogue",
        )
    row = await catalogue.configure(tx.session, code=code, data=data)
    tx.audit(AuditAction.UPDATE, "catalogue.configure", entity_type="ServiceType", entity_id=code, person_id=None)
    return row
