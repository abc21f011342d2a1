"""HTTP routes for the service catalogue and personalised plans (versions, approvals, signature)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import SQLModel, col, select

from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.authz.case_guard import CaseAccess, check_case
from centrale.authz.policy import CaseAction, Section
from centrale.common import NotFound
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.plans import service
from centrale.plans.costs import CostShareRule
from centrale.plans.models import Plan, PlanIn, PlanPublic, ServiceType, ServiceTypePublic, ServiceTypeUpdate
from web import container
from web.api.deps import CurrentActor, SessionDep, case_guard, require_roles

router = APIRouter(tags=["progetti"])
Admin = Annotated[Actor, Depends(require_roles(Role.AMMINISTRATORE))]


class PlanAccess(SQLModel):
    """A plan and the access to its case."""

    model_config = {"arbitrary_types_allowed": True}
    plan: Plan
    access: CaseAccess


def plan_guard(action: CaseAction, subtype: str) -> Callable[..., Awaitable[PlanAccess]]:
    async def _guard(plan_id: int, request: Request, actor: CurrentActor, session: SessionDep) -> PlanAccess:
        plan = await session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("Progetto", plan_id)
        access = await check_case(session, container.database(request), actor, plan.case_id, action, subtype)
        await access.require_section(Section.PLAN, subtype)
        return PlanAccess(plan=plan, access=access)

    return _guard


ReadablePlan = Annotated[PlanAccess, Depends(plan_guard(CaseAction.READ, "plan.read"))]
ManageablePlan = Annotated[PlanAccess, Depends(plan_guard(CaseAction.MANAGE, "plan.update"))]
ApprovablePlan = Annotated[PlanAccess, Depends(plan_guard(CaseAction.APPROVE, "plan.approve"))]
ContributablePlan = Annotated[PlanAccess, Depends(plan_guard(CaseAction.CONTRIBUTE, "plan.goal"))]
ReadableCase = Annotated[CaseAccess, Depends(case_guard(CaseAction.READ, "plan.list"))]
ManageableCase = Annotated[CaseAccess, Depends(case_guard(CaseAction.MANAGE, "plan.create"))]


@router.get("/services", response_model=list[ServiceTypePublic], summary="Catalogo prestazioni SIUSS")
async def list_services(session: SessionDep, _actor: CurrentActor) -> list[ServiceTypePublic]:
    rows = (await session.exec(select(ServiceType).order_by(col(ServiceType.code)))).all()
    return [ServiceTypePublic.model_validate(r) for r in rows]


@router.patch(
    "/services/{code}",
    response_model=ServiceTypePublic,
    summary="Configura le soglie ISEE di una prestazione / configure thresholds",
)
async def configure_service(
    code: str, data: ServiceTypeUpdate, session: SessionDep, _admin: Admin
) -> ServiceTypePublic:
    row = await session.get(ServiceType, code)
    if row is None:
        raise NotFound("Prestazione", code)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    if (
        row.isee_min is not None
        and row.isee_max is not None
        and row.subsidised_max is not None
        and row.full_tariff is not None
    ):
        CostShareRule(row.isee_min, row.isee_max, row.subsidised_max, row.full_tariff)  # refuses max <= min
    session.add(row)
    await commit(session)
    return ServiceTypePublic.model_validate(row)


@router.get("/cases/{case_id}/plans", response_model=list[PlanPublic], summary="Versioni del progetto")
async def list_plans(access: ReadableCase) -> list[PlanPublic]:
    await access.require_section(Section.PLAN, "plan.list")
    return [
        await service.plan_public(access.session, plan=p)
        for p in await service.plans_of(access.session, case_id=access.case_id)
    ]


@router.post(
    "/cases/{case_id}/plans",
    response_model=PlanPublic,
    status_code=201,
    summary="Nuovo progetto o variazione (nuova versione) / new plan or variation",
)
async def create_plan(data: PlanIn, access: ManageableCase) -> PlanPublic:
    plan = await service.create_version(access.session, case=access.case, data=data, actor=access.actor)
    access.audit(AuditAction.CREATE, "plan.create", "Plan", plan.id)
    await commit(access.session)
    return await service.plan_public(access.session, plan=plan)


@router.get("/plans/{plan_id}", response_model=PlanPublic, summary="Una versione del progetto / a plan version")
async def read_plan(pa: ReadablePlan) -> PlanPublic:
    return await service.plan_public(pa.access.session, plan=pa.plan)


@router.put("/plans/{plan_id}", response_model=PlanPublic, summary="Modifica la bozza / edit the draft")
async def update_plan(data: PlanIn, pa: ManageablePlan) -> PlanPublic:
    plan = await service.update_draft(pa.access.session, plan=pa.plan, data=data)
    pa.access.audit(AuditAction.UPDATE, "plan.update", "Plan", plan.id)
    await commit(pa.access.session)
    return await service.plan_public(pa.access.session, plan=plan)


@router.post(
    "/plans/{plan_id}/approvals",
    response_model=PlanPublic,
    summary="Approva per la propria organizzazione / approve for one's organisation",
)
async def approve_plan(pa: ApprovablePlan) -> PlanPublic:
    await service.approve(pa.access.session, plan=pa.plan, case=pa.access.case, actor=pa.access.actor)
    pa.access.audit(AuditAction.UPDATE, "plan.approve", "Plan", pa.plan.id)
    await commit(pa.access.session)
    return await service.plan_public(pa.access.session, plan=pa.plan)


class SignatureIn(SQLModel):
    signed_by: str


@router.post(
    "/plans/{plan_id}/signature",
    response_model=PlanPublic,
    summary="Firma del beneficiario / the beneficiary signs",
)
async def sign_plan(data: SignatureIn, pa: ManageablePlan) -> PlanPublic:
    await service.sign(
        pa.access.session, plan=pa.plan, case=pa.access.case, signed_by=data.signed_by, actor=pa.access.actor
    )
    pa.access.audit(AuditAction.UPDATE, "plan.sign", "Plan", pa.plan.id)
    await commit(pa.access.session)
    return await service.plan_public(pa.access.session, plan=pa.plan)


class GoalReachedIn(SQLModel):
    reached: bool


@router.patch(
    "/plans/{plan_id}/goals/{goal_id}",
    response_model=PlanPublic,
    summary="Obiettivo raggiunto o no / goal reached or not",
)
async def mark_goal(goal_id: int, data: GoalReachedIn, pa: ContributablePlan) -> PlanPublic:
    await service.set_goal_reached(pa.access.session, plan=pa.plan, goal_id=goal_id, reached=data.reached)
    pa.access.audit(AuditAction.UPDATE, "plan.goal", "Goal", goal_id)
    await commit(pa.access.session)
    return await service.plan_public(pa.access.session, plan=pa.plan)
