"""The case file's part "Dimissione protetta": the transition's milestones with their deadlines in words,
a button to record each one done, the discharge date to move, and the condominio's sentinels to tell.

Every button calls its flow (``discharge.complete_milestone``, ``discharge.move_date``,
``discharge.cancel``, ``discharge.tell_sentinels``), which authorises on the transition and audits; a
refusal is said on a page of its own, a wrong value beside the form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import flows, sentinels
from alerts.discharges.models import Discharge, DischargeState, Milestone
from alerts.discharges.service import milestones_of
from centrale.authz.case_guard import check_case
from centrale.authz.policy import CaseAction
from centrale.clock import utcnow
from centrale.errors import DomainError, Invalid, NotFound
from centrale.organisations.models import Organisation
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep, flow_route
from web.board.discharges import contact_parts
from web.errors import status_of
from web.i18n import lang_of
from web.pages.base import page_actor, render
from web.pages.refused import page_tx, refused_page
from web.pages.registry_forms import is_refusal, read_form, sentence
from web.words.discharges import day_words, deadline_words

router = APIRouter(include_in_schema=False)
_DATE = TypeAdapter(date)
_MILESTONE = TypeAdapter(Milestone)


async def _discharges(session: AsyncSession, case_id: int) -> list[Discharge]:
    """The case's transitions, the one in flight first, then the latest."""
    rows = (await session.exec(select(Discharge).where(col(Discharge.case_id) == case_id))).all()
    return sorted(rows, key=lambda d: (d.state != DischargeState.IN_CORSO, -(d.id or 0)))


async def _current(session: AsyncSession, case_id: int) -> Discharge:
    found = [d for d in await _discharges(session, case_id) if d.state == DischargeState.IN_CORSO]
    if not found:
        raise NotFound("Dimissione in corso del caso", case_id)
    return found[0]


async def _page(
    request: Request, session: AsyncSession, case_id: int, *, error: str | None = None, status_code: int = 200
) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse(f"/login?next=/casi/{case_id}/dimissione", status_code=303)
    access = await check_case(session, container.database(request), actor, case_id, CaseAction.READ, "discharge.file")
    lang = lang_of(request)
    now = utcnow()
    shown: list[dict[str, Any]] = []
    for discharge in (await _discharges(session, case_id))[:3]:
        hospital = await session.get(Organisation, discharge.hospital_org_id)
        name, phone = contact_parts(discharge.hospital_contact)
        steps = await milestones_of(session, discharge.id or 0)
        shown.append(
            {
                "d": discharge,
                "hospital": hospital.name if hospital else "",
                "contact_name": name,
                "contact_phone": phone,
                "expected_words": day_words(discharge.expected_date, lang),
                "steps": [
                    {
                        "row": s,
                        "due_words": deadline_words(s.due_at, lang),
                        "done_words": deadline_words(s.done_at, lang) if s.done_at else None,
                        "late": s.done_at is None and s.due_at < now,
                    }
                    for s in steps
                ],
                "building": await sentinels.building_of(session, discharge.person_id),
            }
        )
    return render(
        request,
        "discharges/file.html",
        status_code=status_code,
        actor=actor,
        case=access.case,
        discharges=shown,
        error=error,
        told=int(told) if (told := request.query_params.get("avvisate", "")).isdigit() else None,
    )


@router.get("/casi/{case_id}/dimissione", response_class=HTMLResponse)
async def discharge_file(request: Request, session: SessionDep, case_id: int) -> Response:
    return await _page(request, session, case_id)


async def _done(request: Request, session: SessionDep, tx: Tx, case_id: int, exc: Exception | None) -> Response:
    """After a button: back to the part, or the part again with the sentence, or the refusal's page."""
    if exc is None:
        await tx.commit()
        return RedirectResponse(f"/casi/{case_id}/dimissione", status_code=303)
    await tx.rollback()
    if isinstance(exc, DomainError) and is_refusal(exc):
        return refused_page(request, tx.require_actor(), exc, back=f"/casi/{case_id}")
    said = sentence(exc) if isinstance(exc, ValidationError | DomainError) else {"": str(exc)}
    text = "; ".join(f"{_FIELDS.get(k, k)}: {v}" if k else v for k, v in said.items())
    code = status_of(exc) if isinstance(exc, DomainError) else 422
    return await _page(request, session, case_id, error=text, status_code=code)


#: the form's fields as the sentence names them
_FIELDS = {
    "milestone": "Passaggio",
    "expected_date": "Nuova data di dimissione",
    "reason": "Motivo",
    "note": "Nota",
    "done_at": "Data",
    "state": "Dimissione",
}


@router.post("/casi/{case_id}/dimissione/tappa", openapi_extra=flow_route("discharge.complete_milestone"))
async def milestone_done(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await read_form(request)
    try:
        discharge = await _current(session, case_id)
        milestone = _MILESTONE.validate_python(form.get("milestone"))
        await flows.complete_milestone(
            tx, discharge_id=discharge.id or 0, milestone=milestone, note=form.get("note", "")[:1000] or None
        )
    except (ValidationError, DomainError) as exc:
        return await _done(request, session, tx, case_id, _named(exc, "milestone"))
    return await _done(request, session, tx, case_id, None)


@router.post("/casi/{case_id}/dimissione/data", openapi_extra=flow_route("discharge.move_date"))
async def move_date(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await read_form(request)
    try:
        discharge = await _current(session, case_id)
        new_date = _DATE.validate_python(form.get("expected_date"))
        await flows.move_date(tx, discharge_id=discharge.id or 0, expected_date=new_date)
    except (ValidationError, DomainError) as exc:
        return await _done(request, session, tx, case_id, _named(exc, "expected_date"))
    return await _done(request, session, tx, case_id, None)


@router.post("/casi/{case_id}/dimissione/annulla", openapi_extra=flow_route("discharge.cancel"))
async def cancel(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await read_form(request)
    try:
        discharge = await _current(session, case_id)
        await flows.cancel(tx, discharge_id=discharge.id or 0, reason=form.get("reason", "")[:500])
    except DomainError as exc:
        return await _done(request, session, tx, case_id, exc)
    return await _done(request, session, tx, case_id, None)


@router.post("/casi/{case_id}/dimissione/sentinelle", openapi_extra=flow_route("discharge.tell_sentinels"))
async def tell_sentinels(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    try:
        discharge = await _current(session, case_id)
        told = await sentinels.tell_sentinels(tx, discharge_id=discharge.id or 0, sender=container.sms_sender(request))
    except DomainError as exc:
        return await _done(request, session, tx, case_id, exc)
    await tx.commit()
    return RedirectResponse(f"/casi/{case_id}/dimissione?avvisate={told}", status_code=303)


def _named(exc: ValidationError | DomainError, field: str) -> ValidationError | DomainError:
    """A value a form field gave that pydantic refused, as an error naming that field."""
    if isinstance(exc, ValidationError):
        return Invalid(f"{field}: valore non valido / invalid value", field=field)
    return exc
