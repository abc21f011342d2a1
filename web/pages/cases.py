"""Pages for a case manager: case list, case file, intake, assessment forms, plan editor, approvals."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.auth.actor import Actor
from centrale.authz.case_guard import CaseAccess, check_case
from centrale.authz.policy import CaseAction, case_clause
from centrale.cases import fascicolo, flows
from centrale.cases import service as cases
from centrale.cases.models import (
    CaseCategory,
    CasePhase,
    CaseState,
    IntakeCreate,
    IntakeOutcome,
    IntakeSource,
)
from centrale.errors import DomainError
from centrale.events.service import commit
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.persons.models import Person
from centrale.plans import service as plans
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep, flow_route
from web.errors import say, status_of
from web.pages.base import page_actor, render

router = APIRouter(include_in_schema=False)


async def _actor(request: Request) -> Actor:
    actor = await page_actor(request)
    if actor is None:
        raise HTTPException(status_code=303, headers={"Location": f"/login?next={request.url.path}"})
    return actor


async def _case(request: Request, session: SessionDep, case_id: int, action: CaseAction, subtype: str) -> CaseAccess:
    return await check_case(session, container.database(request), await _actor(request), case_id, action, subtype)


def _error(exc: Exception) -> str:
    """The sentence beside the form: Italian words naming the field (web.errors.say)."""
    return say(exc)


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
    return await _intake_page(request, session, await _actor(request), error)


async def _intake_page(
    request: Request, session: AsyncSession, actor: Actor, error: str | None = None, status_code: int = 200
) -> Response:
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
        status_code=status_code,
        actor=actor,
        persons=persons,
        sources=list(IntakeSource),
        outcomes=list(IntakeOutcome),
        categories=list(CaseCategory),
        error=error,
    )


@router.post("/casi/nuovo", openapi_extra=flow_route("case.intake"))
async def intake_submit(request: Request, session: SessionDep) -> Response:
    # built here rather than with web.pages.refused.page_tx, which imports this module
    tx = Tx(session=session, db=container.database(request), actor=await _actor(request))
    form = {k: v for k, v in (await request.form()).items() if v != ""}
    try:
        _intake, case = await flows.record_intake(tx, data=IntakeCreate.model_validate(form))
    except (ValidationError, DomainError) as exc:
        # the refusal is already audited by the flow; the form says why, with the status the error has
        await tx.rollback()
        status = status_of(exc) if isinstance(exc, DomainError) else 422
        return await _intake_page(request, session, tx.require_actor(), _error(exc), status)
    await tx.commit()
    return RedirectResponse(f"/casi/{case.id}" if case else "/casi", status_code=303)


@router.get("/casi/{case_id}", response_class=HTMLResponse)
async def case_file(request: Request, session: SessionDep, case_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.READ, "case.fascicolo")
    file = await fascicolo.build(session, case=access.case, actor=access.actor)
    versions = await plans.plans_of(session, case_id=case_id)
    orgs = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    members = [m.operator_id for m in file.team or [] if m.operator_id is not None]
    names = await session.exec(select(Operator.id, Operator.full_name).where(col(Operator.id).in_(members)))
    operators = dict(names.all())
    return render(
        request, "cases/file.html", actor=access.actor, f=file, versions=versions, orgs=orgs, operators=operators
    )
