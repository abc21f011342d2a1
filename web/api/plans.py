"""HTTP routes for the service catalogue and personalised plans (versions, approvals, signature)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import SQLModel, col, select

from centrale.authz.case_guard import CaseAccess
from centrale.authz.policy import CaseAction, Section
from centrale.plans import flows, service
from centrale.plans.models import Plan, PlanIn, PlanPublic, ServiceType, ServiceTypePublic, ServiceTypeUpdate
from centrale.uow import Tx
from web import container
from web.api.deps import CurrentActor, SessionDep, TxDep, case_guard, flow_route

router = APIRouter(tags=["progetti"])


class PlanAccess(SQLModel):
    """A plan and the access to its case."""

    model_config = {"arbitrary_types_allowed": True}
    plan: Plan
    access: CaseAccess


def plan_guard(action: CaseAction, subtype: str) -> Callable[..., Awaitable[PlanAccess]]:
    """Dependency for reads with a ``plan_id`` path parameter: the plan's case decides."""

    async def _guard(plan_id: int, request: Request, actor: CurrentActor, session: SessionDep) -> PlanAccess:
        tx = Tx(session=session, db=container.database(request), actor=actor)
        plan, access = await flows.load_plan(tx, plan_id, action, subtype)
        return PlanAccess(plan=plan, access=access)

    return _guard


ReadablePlan = Annotated[PlanAccess, Depends(plan_guard(CaseAction.READ, "plan.read"))]
ReadableCase = Annotated[CaseAccess, Depends(case_guard(CaseAction.READ, "plan.list"))]


@router.get("/services", response_model=list[ServiceTypePublic], summary="Catalogo prestazioni SIUSS")
async def list_services(session: SessionDep, _actor: CurrentActor) -> list[ServiceTypePublic]:
    rows = (await session.exec(select(ServiceType).order_by(col(ServiceType.code)))).all()
    return [ServiceTypePublic.model_validate(r) for r in rows]


@router.patch(
    "/services/{code}",
    response_model=ServiceTypePublic,
    summary="Configura le soglie ISEE di una prestazione / configure thresholds",
    openapi_extra=flow_route("catalogue.configure"),
)
async def configure_service(code: str, data: ServiceTypeUpdate, tx: TxDep) -> ServiceTypePublic:
    row = await flows.configure_service(tx, code=code, data=data)
    await tx.commit()
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
    openapi_extra=flow_route("plan.create"),
)
async def create_plan(case_id: int, data: PlanIn, tx: TxDep) -> PlanPublic:
    plan = await flows.create_plan(tx, case_id=case_id, data=data)
    await tx.commit()
    return await service.plan_public(tx.session, plan=plan)


@router.get("/plans/{plan_id}", response_model=PlanPublic, summary="Una versione del progetto / a plan version")
async def read_plan(pa: ReadablePlan) -> PlanPublic:
    return await service.plan_public(pa.access.session, plan=pa.plan)


@router.put(
    "/plans/{plan_id}",
    response_model=PlanPublic,
    summary="Modifica la bozza / edit the draft",
    openapi_extra=flow_route("plan.edit"),
)
async def update_plan(plan_id: int, data: PlanIn, tx: TxDep) -> PlanPublic:
    plan = await flows.edit_plan(tx, plan_id=plan_id, data=data)
    await tx.commit()
    return await service.plan_public(tx.session, plan=plan)


@router.post(
    "/plans/{plan_id}/approvals",
    response_model=PlanPublic,
    summary="Approva per la propria organizzazione / approve for one's organisation",
    openapi_extra=flow_route("plan.approve"),
)
async def approve_plan(plan_id: int, tx: TxDep) -> PlanPublic:
    plan = await flows.approve_plan(tx, plan_id=plan_id)
    await tx.commit()
    return await service.plan_public(tx.session, plan=plan)


class SignatureIn(SQLModel):
    signed_by: str


@router.post(
    "/plans/{plan_id}/signature",
    response_model=PlanPublic,
    summary="Firma del beneficiario / the beneficiary signs",
    openapi_extra=flow_route("plan.sign"),
)
async def sign_plan(plan_id: int, data: SignatureIn, tx: TxDep) -> PlanPublic:
    plan = await flows.sign_plan(tx, plan_id=plan_id, signed_by=data.signed_by)
    await tx.commit()
    return await service.plan_public(tx.session, plan=plan)


class GoalReachedIn(SQLModel):
    reached: bool


@router.patch(
    "/plans/{plan_id}/goals/{goal_id}",
    response_model=PlanPublic,
    summary="Obiettivo raggiunto o no / goal reached or not",
    openapi_extra=flow_route("plan.goal_mark"),
)
async def mark_goal(plan_id: int, goal_id: int, data: GoalReachedIn, tx: TxDep) -> PlanPublic:
    plan = await flows.mark_goal(tx, plan_id=plan_id, goal_id=goal_id, reached=data.reached)
    await tx.commit()
    return await service.plan_public(tx.session, plan=plan)
