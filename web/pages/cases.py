"""Pages for a case manager: case list, case file, intake, assessment forms, plan editor, approvals."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import reads as discharges
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.auth.actor import Actor
from centrale.authz.case_guard import CaseAccess, check_case
from centrale.authz.policy import CaseAction, Section, case_clause
from centrale.cases import fascicolo, flows
from centrale.cases import service as cases
from centrale.cases.models import (
    CaseCategory,
    CasePhase,
    CaseState,
    CaseTransition,
    IntakeCreate,
    IntakeOutcome,
    IntakeSource,
)
from centrale.cases.service import PHASE_TRANSITIONS, STATE_TRANSITIONS
from centrale.cases.timeline import timeline
from centrale.consents import service as consents
from centrale.errors import Conflict, DomainError, Invalid, NotFound
from centrale.events.service import commit
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.persons.models import Person
from centrale.plans import service as plans
from centrale.referrals.models import Referral
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep, flow_route
from web.errors import say, status_of
from web.pages.base import page_actor, render
from web.words import cases as _case_words  # noqa: F401 - registers the case file's words

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
async def intake_form(request: Request, session: SessionDep, person_id: int | None = None) -> Response:
    return await _intake_page(request, session, await _actor(request), values={"person_id": person_id})


async def _intake_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    error: str | None = None,
    status_code: int = 200,
    values: Mapping[str, object] | None = None,
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
        values=values or {},
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
        return await _intake_page(request, session, tx.require_actor(), _error(exc), status, values=form)
    await tx.commit()
    return RedirectResponse(f"/casi/{case.id}" if case else "/casi", status_code=303)


@router.get("/casi/{case_id}", response_class=HTMLResponse)
async def case_file(request: Request, session: SessionDep, case_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.READ, "case.fascicolo")
    return await _file_page(request, session, access)


async def _file_page(
    request: Request, session: AsyncSession, access: CaseAccess, error: str | None = None, status_code: int = 200
) -> Response:
    """The case file: state and what may follow, care team, consents, referrals and the case's story."""
    case_id = access.case_id
    file = await fascicolo.build(session, case=access.case, actor=access.actor)
    sections = frozenset(file.sections)
    versions = await plans.plans_of(session, case_id=case_id)
    orgs = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    members = [m.operator_id for m in file.team or [] if m.operator_id is not None]
    names = await session.exec(select(Operator.id, Operator.full_name).where(col(Operator.id).in_(members)))
    operators = dict(names.all())
    manager = await session.get(Operator, access.case.case_manager_id)
    in_force = await consents.current(session, person_id=access.person_id) if Section.PERSON in sections else None
    referrals = (
        (await session.exec(select(Referral).where(col(Referral.case_id) == case_id).order_by(col(Referral.id)))).all()
        if Section.REFERRALS in sections
        else None
    )
    may_manage = (
        await session.exec(
            select(col(Person.id)).where(
                col(Person.id) == access.person_id, case_clause(access.actor, CaseAction.MANAGE)
            )
        )
    ).first() is not None
    return render(
        request,
        "cases/file.html",
        status_code=status_code,
        actor=access.actor,
        f=file,
        versions=versions,
        orgs=orgs,
        operators=operators,
        manager=manager.full_name if manager else "",
        consents=in_force,
        referrals=referrals,
        moments=await timeline(session, case=access.case, sections=sections),
        may_manage=may_manage,
        discharges=await discharges.of_case(session, case_id=case_id),  # the transitions, their own tab
        states=STATE_TRANSITIONS[access.case.state],
        phases=PHASE_TRANSITIONS[access.case.phase],
        error=error,
    )


@router.post("/casi/{case_id}/stato", openapi_extra=flow_route("case.transition"))
async def transition_submit(request: Request, session: SessionDep, case_id: int) -> Response:
    """A button of the case file: take in charge, suspend, close, reopen (with the reason), or the next phase."""
    tx = Tx(session=session, db=container.database(request), actor=await _actor(request))
    form = {k: str(v).strip() for k, v in (await request.form()).items() if str(v).strip() != ""}
    reason = form.get("note")
    data = {"state": form.get("state"), "phase": form.get("phase"), "note": reason}
    if form.get("state") == CaseState.CHIUSO:
        data["closing_reason"] = reason
    try:
        await flows.transition_case(tx, case_id=case_id, data=CaseTransition.model_validate(data))
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        if isinstance(exc, DomainError) and not isinstance(exc, Conflict | Invalid):
            return _refused(request, tx.require_actor(), exc, f"/casi/{case_id}")
        # showing the file again is a read of it, authorised and audited as such
        access = await _case(request, session, case_id, CaseAction.READ, "case.fascicolo")
        return await _file_page(
            request,
            session,
            access,
            _transition_error(exc),
            422 if isinstance(exc, ValidationError) else status_of(exc),
        )
    await tx.commit()
    return RedirectResponse(f"/casi/{case_id}#case-state", status_code=303)


def _transition_error(exc: Exception) -> str:
    """What a refused change of state means, in words (the service's message names the codes)."""
    if isinstance(exc, Conflict) and "closing_reason" in exc.message:
        return "Per chiudere il caso serve il motivo di chiusura."
    if isinstance(exc, Conflict) and "passaggio non consentito" in exc.message:
        return "Questo passaggio non è più possibile: lo stato del caso è cambiato nel frattempo."
    return _error(exc)


def _refused(request: Request, actor: Actor, exc: DomainError, back: str) -> Response:
    """The refusal (already audited by the flow) said in a sentence (web.pages.refused imports this module)."""
    return render(
        request,
        "cases/refused.html",
        status_code=status_of(exc),
        actor=actor,
        title="Non trovato" if isinstance(exc, NotFound) else "Operazione non consentita",
        error=exc.message.split(" / ", 1)[0],
        back=back,
    )
