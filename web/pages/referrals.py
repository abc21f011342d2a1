"""Pages for consents (per purpose, with history) and referrals: request, the receiver's view, answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.authz.guard import check_person
from centrale.authz.policy import CaseAction, PersonAction, Section
from centrale.cases.models import Case
from centrale.cases.service import team_organisations
from centrale.consents import flows as consent_flows
from centrale.consents import service as consents
from centrale.consents.models import ConsentIn, ConsentPurpose
from centrale.errors import Conflict, DomainError, Invalid, NotFound
from centrale.referrals import flows
from centrale.referrals import service as referrals
from centrale.referrals.models import Referral, ReferralIn, ReferralState
from web import container
from web.api.deps import SessionDep, flow_route
from web.pages.base import render
from web.pages.cases import _actor, _case, _error
from web.pages.refused import page_tx, refused_page
from web.pages.team import _names, may

router = APIRouter(include_in_schema=False)

# --- consents -------------------------------------------------------------------------------------------


async def _consents_page(request: Request, session: AsyncSession, case_id: int, error: str | None = None) -> Response:
    """The consents of the case's person (or why not, in a sentence)."""
    try:
        access = await _case(request, session, case_id, CaseAction.READ, "consent.page")
        person = await check_person(
            session, container.database(request), access.actor, access.person_id, PersonAction.READ, "consent.read"
        )
    except DomainError as exc:
        return refused_page(request, await _actor(request), exc, back="/casi")
    history = await consents.history(session, person_id=person.person_id)
    current = {c.purpose: c for c in await consents.current(session, person_id=person.person_id)}
    return render(
        request,
        "cases/consents.html",
        status_code=422 if error else 200,
        actor=access.actor,
        case=access.case,
        history=history,
        current=current,
        purposes=list(ConsentPurpose),
        error=error,
    )


@router.get("/casi/{case_id}/consensi", response_class=HTMLResponse)
async def consents_page(request: Request, session: SessionDep, case_id: int) -> Response:
    return await _consents_page(request, session, case_id)


@router.post("/casi/{case_id}/consensi", openapi_extra=flow_route("consent.record"))
async def consent_record(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    case = await session.get(Case, case_id)
    if case is None:
        return refused_page(request, tx.require_actor(), NotFound("Caso", case_id), back="/casi")
    form = await request.form()
    try:
        data = ConsentIn.model_validate(
            {
                "purpose": form.get("purpose"),
                "given": form.get("given") == "true",
                "signed_by": form.get("signed_by"),
                "note": form.get("note") or None,
            }
        )
        await consent_flows.record_consent(tx, person_id=case.person_id, data=data)
    except ValidationError as exc:
        return await _consents_page(request, session, case_id, error=_error(exc))
    except DomainError as exc:
        await tx.rollback()
        return refused_page(request, tx.require_actor(), exc, back=f"/casi/{case_id}")
    await tx.commit()
    return RedirectResponse(f"/casi/{case_id}/consensi", status_code=303)


# --- referrals from a case ------------------------------------------------------------------------------


async def _referrals_page(
    request: Request, session: AsyncSession, case_id: int, error: str | None = None, *, section: bool = True
) -> Response:
    """The referrals of a case and the form to request one (or why not, in a sentence)."""
    try:
        access = await _case(request, session, case_id, CaseAction.READ, "referral.page")
        if section:
            await access.require_section(Section.REFERRALS, "referral.page")
    except DomainError as exc:
        return refused_page(request, await _actor(request), exc, back="/casi")
    orgs, org_names, _ops = await _names(session)
    rows = (
        await session.exec(
            select(Referral).where(col(Referral.case_id) == access.case_id).order_by(col(Referral.id).desc())
        )
    ).all()
    return render(
        request,
        "cases/referrals.html",
        status_code=409 if error else 200,
        actor=access.actor,
        case=access.case,
        referrals=rows,
        orgs=orgs,
        org_names=org_names,
        team_orgs=await team_organisations(session, case_id=access.case_id),
        consent=await consents.has_consent(
            session, person_id=access.person_id, purpose=ConsentPurpose.CONDIVISIONE_ENTI
        ),
        sections=list(Section),
        can_refer=await may(session, access.actor, access.case, CaseAction.CONTRIBUTE),
        responsible=access.case.case_manager_id == access.actor.operator_id,
        error=error,
    )


@router.get("/casi/{case_id}/invii", response_class=HTMLResponse)
async def referrals_page(request: Request, session: SessionDep, case_id: int) -> Response:
    return await _referrals_page(request, session, case_id)


@router.post("/casi/{case_id}/invii", openapi_extra=flow_route("referral.request"))
async def referral_request(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await request.form()
    try:
        data = ReferralIn.model_validate(
            {
                "to_org_id": form.get("to_org_id"),
                "reason": form.get("reason"),
                "shared_sections": form.getlist("shared_sections") or [Section.PERSON],
                "consent_override_reason": form.get("consent_override_reason") or None,
            }
        )
        row = await flows.request_referral(tx, case_id=case_id, data=data)
    except (ValidationError, Conflict, Invalid) as exc:
        await tx.rollback()
        # who may refer but not read the referrals section (a tutor) still sees what went wrong
        return await _referrals_page(request, session, case_id, error=_error(exc), section=False)
    except DomainError as exc:
        await tx.rollback()
        return refused_page(request, tx.require_actor(), exc, back=f"/casi/{case_id}")
    await tx.commit()
    return RedirectResponse(f"/invii/{row.id}", status_code=303)


# --- the receiver's (and the sender's) view --------------------------------------------------------------


@router.get("/invii", response_class=HTMLResponse)
async def referral_inbox(request: Request, session: SessionDep) -> Response:
    actor = await _actor(request)
    rows = await referrals.referrals_for(session, org_id=actor.org_id)
    _orgs, org_names, _ops = await _names(session)
    return render(request, "cases/referral_inbox.html", actor=actor, referrals=rows, org_names=org_names)


async def _referral_page(
    request: Request, session: AsyncSession, referral_id: int, error: str | None = None
) -> Response:
    actor = await _actor(request)
    row, shared = await flows.read_shared(session, container.database(request), actor, referral_id)
    _orgs, org_names, _ops = await _names(session)
    return render(
        request,
        "cases/referral.html",
        status_code=409 if error else 200,
        actor=actor,
        r=await referrals.public(session, referral=row),
        shared=shared,
        org_names=org_names,
        next_states=referrals.STEPS[row.state] if actor.org_id == row.to_org_id else (),
        error=error,
    )


@router.get("/invii/{referral_id}", response_class=HTMLResponse)
async def referral_page(request: Request, session: SessionDep, referral_id: int) -> Response:
    try:
        return await _referral_page(request, session, referral_id)
    except DomainError as exc:
        return refused_page(request, await _actor(request), exc, back="/invii")


@router.post("/invii/{referral_id}/passo", openapi_extra=flow_route("referral.step"))
async def referral_step(request: Request, session: SessionDep, referral_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await request.form()
    try:
        to = ReferralState(str(form.get("state")))
    except ValueError:
        to = None
    try:
        if to is None:
            raise Invalid(f"state: {form.get('state')!r} non valido / not a state", field="state")
        await flows.step_referral(tx, referral_id=referral_id, to=to, note=str(form.get("note") or "") or None)
    except (Conflict, Invalid) as exc:
        await tx.rollback()
        return await _referral_page(request, session, referral_id, error=_error(exc))
    except DomainError as exc:
        await tx.rollback()
        return refused_page(request, tx.require_actor(), exc, back="/invii")
    await tx.commit()
    return RedirectResponse(f"/invii/{referral_id}", status_code=303)
