"""Pages for a case manager: case list, case file, intake, assessment forms, plan editor, approvals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.auth.actor import Actor
from centrale.authz.case_guard import CaseAccess, check_case, check_person_for_case
from centrale.authz.policy import CaseAction, case_clause
from centrale.cases import fascicolo
from centrale.cases import service as cases
from centrale.cases.models import (
    CaseCategory,
    CasePhase,
    CaseState,
    IntakeCreate,
    IntakeOutcome,
    IntakeSource,
)
from centrale.common import Conflict
from centrale.events.service import commit
from centrale.organisations.models import Organisation
from centrale.persons.models import Person
from centrale.plans import service as plans
from centrale.plans.models import Frequency, Plan, PlanIn, ServiceType
from web import container
from web.api.deps import SessionDep
from web.pages.base import page_actor, render, templates

router = APIRouter(include_in_schema=False)


async def _actor(request: Request) -> Actor:
    actor = await page_actor(request)
    if actor is None:
        raise HTTPException(status_code=303, headers={"Location": f"/login?next={request.url.path}"})
    return actor


async def _case(request: Request, session: SessionDep, case_id: int, action: CaseAction, subtype: str) -> CaseAccess:
    return await check_case(session, container.database(request), await _actor(request), case_id, action, subtype)


def _error(exc: Exception) -> str:
    if isinstance(exc, HTTPException):
        return str(exc.detail)
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return str(exc)


@router.get("/casi", response_class=HTMLResponse)
async def case_list(request: Request, session: SessionDep, state: str = "", phase: str = "", q: str = "") -> Response:
    actor = await _actor(request)
    rows, total = await cases.list_cases(
        session,
        visible=case_clause(actor, CaseAction.READ),
        state=CaseState(state) if state else None,
        phase=CasePhase(phase) if phase else None,
        q=q or None,
        limit=200,
    )
    for case, _person in rows:
        session.add(
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype="case.list",
                entity_type="Case",
                entity_id=case.id,
                person_id=case.person_id,
            )
        )
    await commit(session)
    return render(
        request,
        "cases/list.html",
        actor=actor,
        rows=rows,
        total=total,
        states=list(CaseState),
        phases=list(CasePhase),
        f={"state": state, "phase": phase, "q": q},
    )


@router.get("/casi/nuovo", response_class=HTMLResponse)
async def intake_form(request: Request, session: SessionDep, error: str | None = None) -> Response:
    actor = await _actor(request)
    persons = (
        await session.exec(
            select(Person)
            .where(case_clause(actor, CaseAction.INTAKE), col(Person.deleted_at).is_(None))
            .order_by(col(Person.cognome))
            .limit(500)
        )
    ).all()
    return render(
        request,
        "cases/intake.html",
        actor=actor,
        persons=persons,
        sources=list(IntakeSource),
        outcomes=list(IntakeOutcome),
        categories=list(CaseCategory),
        error=error,
    )


@router.post("/casi/nuovo")
async def intake_submit(request: Request, session: SessionDep) -> Response:
    actor = await _actor(request)
    form = {k: v for k, v in (await request.form()).items() if v != ""}
    try:
        data = IntakeCreate.model_validate(form)
        await check_person_for_case(
            session, container.database(request), actor, data.person_id, CaseAction.INTAKE, "intake.create"
        )
        intake, case = await cases.record_intake(session, data=data, actor=actor)
    except (ValidationError, Conflict) as exc:
        await session.rollback()
        return await intake_form(request, session, error=_error(exc))
    session.add(
        build_event(
            agent=actor.agent(),
            action=AuditAction.CREATE,
            subtype="intake.create",
            entity_type="Intake",
            entity_id=intake.id,
            person_id=data.person_id,
        )
    )
    await commit(session)
    return RedirectResponse(f"/casi/{case.id}" if case else "/casi", status_code=303)


@router.get("/casi/{case_id}", response_class=HTMLResponse)
async def case_file(request: Request, session: SessionDep, case_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.READ, "case.fascicolo")
    file = await fascicolo.build(session, case=access.case, actor=access.actor)
    versions = await plans.plans_of(session, case_id=case_id)
    orgs = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    return render(request, "cases/file.html", actor=access.actor, f=file, versions=versions, orgs=orgs)


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


@router.get("/casi/{case_id}/progetto", response_class=HTMLResponse)
async def plan_editor(request: Request, session: SessionDep, case_id: int, error: str | None = None) -> Response:
    access = await _case(request, session, case_id, CaseAction.MANAGE, "plan.editor")
    services = (await session.exec(select(ServiceType).order_by(col(ServiceType.code)))).all()
    orgs = (
        await session.exec(
            select(Organisation).where(col(Organisation.deleted_at).is_(None)).order_by(col(Organisation.name))
        )
    ).all()
    return render(
        request,
        "cases/plan_editor.html",
        actor=access.actor,
        case=access.case,
        services=services,
        orgs=orgs,
        frequencies=list(Frequency),
        error=error,
    )


@router.post("/casi/{case_id}/progetto")
async def plan_submit(request: Request, session: SessionDep, case_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.MANAGE, "plan.create")
    try:
        plan = await plans.create_version(
            session, case=access.case, data=_plan_form(await request.form()), actor=access.actor
        )
    except (ValidationError, Conflict, InvalidOperation) as exc:
        await session.rollback()
        return await plan_editor(request, session, case_id, error=_error(exc))
    access.audit(AuditAction.CREATE, "plan.create", "Plan", plan.id)
    await commit(session)
    return RedirectResponse(f"/progetti/{plan.id}", status_code=303)


async def _plan(
    request: Request, session: SessionDep, plan_id: int, action: CaseAction, subtype: str
) -> tuple[Plan, CaseAccess]:
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise HTTPException(status_code=404, detail="Progetto non trovato")
    return plan, await _case(request, session, plan.case_id, action, subtype)


@router.get("/progetti/{plan_id}", response_class=HTMLResponse)
async def plan_page(request: Request, session: SessionDep, plan_id: int, error: str | None = None) -> Response:
    plan, access = await _plan(request, session, plan_id, CaseAction.READ, "plan.read")
    orgs = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    return render(
        request,
        "cases/plan.html",
        actor=access.actor,
        p=await plans.plan_public(session, plan=plan),
        orgs=orgs,
        error=error,
    )


@router.post("/progetti/{plan_id}/approva")
async def plan_approve(request: Request, session: SessionDep, plan_id: int) -> Response:
    plan, access = await _plan(request, session, plan_id, CaseAction.APPROVE, "plan.approve")
    try:
        await plans.approve(session, plan=plan, case=access.case, actor=access.actor)
    except Conflict as exc:
        await session.rollback()
        return await plan_page(request, session, plan_id, error=_error(exc))
    access.audit(AuditAction.UPDATE, "plan.approve", "Plan", plan_id)
    await commit(session)
    return RedirectResponse(f"/progetti/{plan_id}", status_code=303)


@router.post("/progetti/{plan_id}/firma")
async def plan_sign(request: Request, session: SessionDep, plan_id: int) -> Response:
    plan, access = await _plan(request, session, plan_id, CaseAction.MANAGE, "plan.sign")
    signed_by = str((await request.form()).get("signed_by") or "").strip()
    try:
        if len(signed_by) < 2:
            raise Conflict("signed_by: indicare chi firma / say who signs")
        await plans.sign(session, plan=plan, case=access.case, signed_by=signed_by, actor=access.actor)
    except Conflict as exc:
        await session.rollback()
        return await plan_page(request, session, plan_id, error=_error(exc))
    access.audit(AuditAction.UPDATE, "plan.sign", "Plan", plan_id)
    await commit(session)
    return RedirectResponse(f"/progetti/{plan_id}", status_code=303)


def euro(value: Decimal | None) -> str:
    return "—" if value is None else f"€ {value:.2f}".replace(".", ",")


templates.env.filters["euro"] = euro
