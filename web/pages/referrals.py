"""Pages for consents (per purpose, with history) and referrals: request, the receiver's view, answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.authz.case_guard import CaseAccess
from centrale.authz.guard import audit_read, check_person
from centrale.authz.policy import CaseAction, PersonAction, Section
from centrale.cases import fascicolo
from centrale.cases.models import Case
from centrale.cases.service import team_organisations
from centrale.common import Conflict
from centrale.consents import service as consents
from centrale.consents.models import ConsentIn, ConsentPurpose
from centrale.events.service import commit
from centrale.referrals import flows
from centrale.referrals import service as referrals
from centrale.referrals.models import Referral, ReferralIn, ReferralState
from web import container
from web.api.deps import SessionDep
from web.pages.base import render
from web.pages.cases import _actor, _case, _error
from web.pages.team import _names, may

router = APIRouter(include_in_schema=False)

# --- consents -------------------------------------------------------------------------------------------


async def _consents_page(
    request: Request, session: AsyncSession, access: CaseAccess, error: str | None = None
) -> Response:
    person = await check_person(
        session, container.database(request), access.actor, access.person_id, PersonAction.READ, "consent.read"
    )
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
    access = await _case(request, session, case_id, CaseAction.READ, "consent.page")
    return await _consents_page(request, session, access)


@router.post("/casi/{case_id}/consensi")
async def consent_record(request: Request, session: SessionDep, case_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.READ, "consent.page")
    person = await check_person(
        session, container.database(request), access.actor, access.person_id, PersonAction.WRITE, "consent.record"
    )
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
    except ValidationError as exc:
        return await _consents_page(request, session, access, error=_error(exc))
    row = await consents.record_consent(session, person_id=person.person_id, data=data, actor=access.actor)
    person.audit(AuditAction.CREATE, "consent.record", "Consent", row.id)
    await commit(session)
    return RedirectResponse(f"/casi/{case_id}/consensi", status_code=303)


# --- referrals from a case ------------------------------------------------------------------------------


async def _referrals_page(
    request: Request, session: AsyncSession, access: CaseAccess, error: str | None = None
) -> Response:
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
    access = await _case(request, session, case_id, CaseAction.READ, "referral.page")
    await access.require_section(Section.REFERRALS, "referral.page")
    return await _referrals_page(request, session, access)


@router.post("/casi/{case_id}/invii")
async def referral_request(request: Request, session: SessionDep, case_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.CONTRIBUTE, "referral.create")
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
        row = await flows.request_referral(access, data)
    except (ValidationError, Conflict) as exc:
        await session.rollback()
        await session.refresh(access.case)
        return await _referrals_page(request, session, access, error=_error(exc))
    await commit(session)
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
    row = await flows.load_for_party(session, container.database(request), actor, referral_id)
    case = await session.get(Case, row.case_id)
    assert case is not None
    await audit_read(
        container.database(request),
        actor,
        subtype="referral.read",
        entity_type="Referral",
        entity_id=referral_id,
        person_id=row.person_id,
    )
    shared = await fascicolo.build(
        session, case=case, actor=actor, only=frozenset(Section(s) for s in row.shared_sections)
    )
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
    return await _referral_page(request, session, referral_id)


@router.post("/invii/{referral_id}/passo")
async def referral_step(request: Request, session: SessionDep, referral_id: int) -> Response:
    actor = await _actor(request)
    row = await flows.load_for_party(session, container.database(request), actor, referral_id, "referral.step")
    form = await request.form()
    try:
        to = ReferralState(str(form.get("state")))
        await referrals.step(session, referral=row, to=to, actor=actor, note=str(form.get("note") or "") or None)
    except (ValueError, Conflict) as exc:
        await session.rollback()
        message = _error(exc) if isinstance(exc, Conflict) else f"state: {form.get('state')!r} non valido"
        return await _referral_page(request, session, referral_id, error=message)
    session.add(
        build_event(
            agent=actor.agent(),
            action=AuditAction.UPDATE,
            subtype="referral.step",
            entity_type="Referral",
            entity_id=referral_id,
            person_id=row.person_id,
        )
    )
    await commit(session)
    return RedirectResponse(f"/invii/{referral_id}", status_code=303)
