"""Pages of a case's personalised plan: the editor of a new version, a version, approval and signature."""

from __future__ import annotations

from decimal import InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select

from centrale.authz.policy import CaseAction
from centrale.errors import Conflict, DomainError, Invalid
from centrale.organisations.models import Organisation
from centrale.plans import flows
from centrale.plans import service as plans
from centrale.plans.models import Frequency, PlanIn, ServiceType
from centrale.uow import Tx
from web.api.deps import SessionDep, flow_route
from web.errors import status_of
from web.pages.base import render
from web.pages.cases import _error
from web.pages.refused import page_tx, refused_page

router = APIRouter(include_in_schema=False)


def _plan_form(form: Any) -> PlanIn:
    rows = []
    for i in range(3):
        code = form.get(f"service_{i}")
        if not code:
            continue
        rows.append(
            {
                "service_code": code,
                "provider_org_id": form.get(f"provider_{i}"),
                "frequency": form.get(f"frequency_{i}"),
                "rrule": form.get(f"rrule_{i}") or None,
                "hours_per_month": form.get(f"hours_{i}") or "0",
                "tariff": form.get(f"tariff_{i}") or None,
            }
        )
    goals = [
        {"term": form.get(f"goal_term_{i}"), "description": form.get(f"goal_{i}")}
        for i in range(3)
        if form.get(f"goal_{i}")
    ]
    return PlanIn.model_validate(
        {
            "start_date": form.get("start_date"),
            "planned_end": form.get("planned_end") or None,
            "review_every": form.get("review_every") or 3,
            "review_unit": form.get("review_unit") or "MESI",
            "isee": form.get("isee") or None,
            "goals": goals,
            "interventions": rows,
        }
    )


def _status(exc: Exception) -> int:
    """A form that breaks a rule is 422, a state that forbids the step 409 (as the API says)."""
    return status_of(exc) if isinstance(exc, DomainError) else 422


async def _editor(request: Request, tx: Tx, case_id: int, error: str | None = None, status: int = 200) -> Response:
    try:
        access = await flows.load_case(tx, case_id, CaseAction.MANAGE, "plan.editor")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    services = (await tx.session.exec(select(ServiceType).order_by(col(ServiceType.code)))).all()
    orgs = (
        await tx.session.exec(
            select(Organisation).where(col(Organisation.deleted_at).is_(None)).order_by(col(Organisation.name))
        )
    ).all()
    return render(
        request,
        "cases/plan_editor.html",
        status_code=status,
        actor=access.actor,
        case=access.case,
        services=services,
        orgs=orgs,
        frequencies=list(Frequency),
        error=error,
    )


@router.get("/casi/{case_id}/progetto", response_class=HTMLResponse)
async def plan_editor(request: Request, session: SessionDep, case_id: int) -> Response:
    return await _editor(request, await page_tx(request, session), case_id)


@router.post("/casi/{case_id}/progetto", openapi_extra=flow_route("plan.create"))
async def plan_submit(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    try:
        plan = await flows.create_plan(tx, case_id=case_id, data=_plan_form(await request.form()))
    except (ValidationError, Conflict, Invalid, InvalidOperation) as exc:
        await tx.rollback()
        return await _editor(request, tx, case_id, error=_error(exc), status=_status(exc))
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back=f"/casi/{case_id}")
    await tx.commit()
    return RedirectResponse(f"/progetti/{plan.id}", status_code=303)


async def _plan_page(request: Request, tx: Tx, plan_id: int, error: str | None = None, status: int = 200) -> Response:
    try:
        plan, access = await flows.load_plan(tx, plan_id, CaseAction.READ, "plan.read")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    orgs = {o.id: o.name for o in (await tx.session.exec(select(Organisation))).all()}
    return render(
        request,
        "cases/plan.html",
        status_code=status,
        actor=access.actor,
        p=await plans.plan_public(tx.session, plan=plan),
        orgs=orgs,
        error=error,
    )


@router.get("/progetti/{plan_id}", response_class=HTMLResponse)
async def plan_page(request: Request, session: SessionDep, plan_id: int) -> Response:
    return await _plan_page(request, await page_tx(request, session), plan_id)


async def _after(request: Request, tx: Tx, plan_id: int, exc: DomainError) -> Response:
    """A refusal or a missing plan said on its own page; a state that forbids the step, on the plan's."""
    await tx.rollback()
    if isinstance(exc, Conflict | Invalid):
        return await _plan_page(request, tx, plan_id, error=_error(exc), status=status_of(exc))
    return refused_page(request, tx.require_actor(), exc, back="/casi")


@router.post("/progetti/{plan_id}/approva", openapi_extra=flow_route("plan.approve"))
async def plan_approve(request: Request, session: SessionDep, plan_id: int) -> Response:
    tx = await page_tx(request, session)
    try:
        await flows.approve_plan(tx, plan_id=plan_id)
    except DomainError as exc:
        return await _after(request, tx, plan_id, exc)
    await tx.commit()
    return RedirectResponse(f"/progetti/{plan_id}", status_code=303)


@router.post("/progetti/{plan_id}/firma", openapi_extra=flow_route("plan.sign"))
async def plan_sign(request: Request, session: SessionDep, plan_id: int) -> Response:
    tx = await page_tx(request, session)
    signed_by = str((await request.form()).get("signed_by") or "")
    try:
        await flows.sign_plan(tx, plan_id=plan_id, signed_by=signed_by)
    except DomainError as exc:
        return await _after(request, tx, plan_id, exc)
    await tx.commit()
    return RedirectResponse(f"/progetti/{plan_id}", status_code=303)
