"""Pages for a case manager: case list, case file, intake, assessment forms, plan editor, approvals."""

from __future__ import annotations

from decimal import Decimal

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


def euro(value: Decimal | None) -> str:
    return "—" if value is None else f"€ {value:.2f}".replace(".", ",")


templates.env.filters["euro"] = euro
