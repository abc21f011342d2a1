"""Assessment pages: a form per scale (INSPIRE, Barthel, Katz ADL, Lawton IADL, MMSE) and the result."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.assessments import flows
from centrale.assessments.models import Assessment, AssessmentCreate
from centrale.assessments.scales import MMSE_AGE, ScaleError, ScaleKind
from centrale.assessments.service import bands_from
from centrale.authz.case_guard import CaseAccess
from centrale.authz.policy import CaseAction, Section
from centrale.clock import to_rome, utcnow
from centrale.errors import DomainError
from centrale.persons.models import Person
from web import container
from web.api.deps import SessionDep, flow_route
from web.pages.base import render
from web.pages.cases import _case
from web.pages.refused import page_tx, refused_page
from web.pages.scale_forms import FORMS, band_text, decimal, mmse_grid, parse_answer, signed

router = APIRouter(include_in_schema=False)


def _kind(kind: str) -> ScaleKind:
    try:
        return ScaleKind(kind)
    except ValueError as exc:
        raise HTTPException(status_code=404, detail=f"Scala {kind} sconosciuta / unknown scale") from exc


@router.get("/casi/{case_id}/valutazione", response_class=HTMLResponse)
async def assessment_form(request: Request, session: SessionDep, case_id: int, kind: str = "BARTHEL") -> Response:
    access = await _case(request, session, case_id, CaseAction.CONTRIBUTE, "assessment.form")
    await access.require_section(Section.ASSESSMENTS, "assessment.form")
    scale = _kind(kind)
    answers = {MMSE_AGE: str(await _age_today(session, access.person_id))} if scale == ScaleKind.MMSE else None
    return _render_form(request, access, scale, answers=answers)


async def _age_today(session: AsyncSession, person_id: int) -> int:
    """The person's age in whole years today (Rome), what the MMSE correction asks (the form lets it change)."""
    person = await session.get(Person, person_id)
    assert person is not None
    born, today = person.data_nascita, to_rome(utcnow()).date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _render_form(
    request: Request,
    access: CaseAccess,
    kind: ScaleKind,
    error: ScaleError | None = None,
    answers: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "cases/assessment.html",
        status_code=422 if error else 200,
        actor=access.actor,
        case=access.case,
        scale=FORMS[kind],
        kinds=list(FORMS),
        error=error,
        error_text=str(error).split(": ", 1)[-1] if error else None,
        answers=answers or {},
        notes=notes or {},
        mmse_grid=mmse_grid,
        band_text=band_text,
        signed=signed,
        decimal=decimal,
    )


@router.post("/casi/{case_id}/valutazione", openapi_extra=flow_route("assessment.record"))
async def assessment_submit(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await request.form()
    scale = FORMS[_kind(str(form.get("kind")))]
    items = {item.key: item for item in scale.items}
    raw = {k[2:]: str(v) for k, v in form.items() if k.startswith("a_") and str(v).strip() != ""}
    notes = {k[2:]: str(v) for k, v in form.items() if k.startswith("n_") and str(v).strip()}
    answers = {key: parse_answer(items[key], value) if key in items else value for key, value in raw.items()}
    try:
        row = await flows.record_assessment(
            tx,
            case_id=case_id,
            data=AssessmentCreate(kind=scale.kind, answers=answers, notes=notes),
            bands=bands_from(container.settings_of(request)),
        )
    except ScaleError as exc:
        await tx.rollback()
        # the flow authorised the actor before scoring: the form is shown again with the item named
        access = await _case(request, session, case_id, CaseAction.CONTRIBUTE, "assessment.form")
        return _render_form(request, access, scale.kind, error=exc, answers=raw, notes=notes)
    except DomainError as exc:
        await tx.rollback()
        return refused_page(request, tx.require_actor(), exc, back=f"/casi/{case_id}")
    await tx.commit()
    return RedirectResponse(f"/casi/{case_id}/valutazioni/{row.id}", status_code=303)


@router.get("/casi/{case_id}/valutazioni/{assessment_id}", response_class=HTMLResponse)
async def assessment_result(request: Request, session: SessionDep, case_id: int, assessment_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.READ, "assessment.read")
    await access.require_section(Section.ASSESSMENTS, "assessment.read")
    row = await session.get(Assessment, assessment_id)
    if row is None or row.person_id != access.person_id:
        raise HTTPException(status_code=404, detail="Valutazione non trovata / assessment not found")
    return render(
        request,
        "cases/assessment_result.html",
        actor=access.actor,
        case=access.case,
        a=row,
        scale=FORMS[row.kind],
        mmse_grid=mmse_grid,
        band_text=band_text,
        signed=signed,
        decimal=decimal,
    )
