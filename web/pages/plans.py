"""Pages of a case's personalised plan: the editor (who delivers each intervention and when, in words),
a version with its approvals and signature, and the contract to print."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from starlette.datastructures import FormData, UploadFile

from centrale.authz.policy import CASE_RULES, CaseAction
from centrale.cases.models import Case
from centrale.cases.service import team as care_team
from centrale.clock import to_rome, utcnow
from centrale.consents.models import Consent
from centrale.errors import Conflict, DomainError, Invalid, NotFound
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.persons.models import Person
from centrale.plans import flows
from centrale.plans import service as plans
from centrale.plans.models import GoalTerm, Plan, PlanIn, PlanStatus, ReviewUnit, ServiceType
from centrale.plans.recurrence import WEEKDAYS, Repeat, When, next_dates, parse, to_rule
from centrale.uow import Tx
from web.api.deps import SessionDep, flow_route
from web.errors import status_of
from web.i18n import lang_of
from web.pages.base import render, templates
from web.pages.cases import _actor
from web.pages.plan_pdf import contract_pdf
from web.pages.refused import page_tx, refused_page
from web.words import admin as _admin_words  # noqa: F401  (the interoperability link's word)
from web.words import plans as _words  # noqa: F401  (registers the words)
from web.words.recurrence import DAYS, describe, when_of

router = APIRouter(include_in_schema=False)
ROWS = 3

templates.env.globals["describe_rule"] = describe

#: form field -> the words a person reads beside an error
FIELD_WORDS = {
    "start_date": "Inizio",
    "planned_end": "Fine prevista",
    "review_every": "Verifica ogni",
    "isee": "ISEE",
    "service_code": "Prestazione",
    "provider_org_id": "Ente erogatore",
    "operator_id": "Operatore",
    "hours_per_month": "Ore al mese",
    "tariff": "Tariffa",
    "description": "Obiettivo",
    "rrule": "Quando",
    "days": "Giorni",
    "on": "Giorno",
    "at": "Ora",
    "every": "Ogni quante settimane",
    "monthly_day": "Giorno del mese",
    "signed_by": "Chi firma",
    "organisation_id": "Organizzazione",
    "status": "Stato",
    "version": "Versione",
}


def say(exc: Exception) -> str:
    """A refused form said in Italian: the field's name and the Italian half of the reason."""
    if isinstance(exc, ValidationError):
        parts = []
        for e in exc.errors():
            loc = [str(p) for p in e["loc"] if not str(p).isdigit()]
            rows = [int(p) + 1 for p in e["loc"] if isinstance(p, int)]
            where = FIELD_WORDS.get(loc[-1] if loc else "", "Modulo")
            if rows:
                where += f" (intervento {rows[0]})" if "interventions" in loc else f" (obiettivo {rows[0]})"
            msg = str(e.get("msg", ""))
            text = msg.removeprefix("Value error, ") if e["type"] == "value_error" else "valore non valido"
            parts.append(f"{where}: {italian_reason(text)}")
        return "; ".join(parts)
    if isinstance(exc, InvalidOperation):
        return "Un importo o un numero di ore non è un numero"
    return italian_reason(str(getattr(exc, "message", exc)))


def italian_reason(text: str) -> str:
    """ "field: italiano / english" -> "Campo: italiano"."""
    text = text.split(" / ")[0]
    head, sep, rest = text.partition(": ")
    last = head.split(".")[-1]
    if sep and last in FIELD_WORDS:
        row = next((int(p) + 1 for p in head.split(".") if p.isdigit()), None)
        where = FIELD_WORDS[last] + (f" (intervento {row})" if row else "")
        return f"{where}: {rest}"
    return text


def _clock(value: str) -> time | None:
    """ "10", "9:30", "09.30" -> a time of day."""
    if not value:
        return None
    hour, _, minute = value.strip().replace(".", ":").partition(":")
    try:
        return time(int(hour), int(minute or 0))
    except ValueError as exc:
        raise Invalid("at: l'ora si scrive come 10:00", field="at") from exc


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{field}: data non valida", field=field) from exc


def _int(value: str, field: str, default: int | None = None) -> int | None:
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise Invalid(f"{field}: deve essere un numero intero", field=field) from exc


def when_of_form(form: Any, i: int | str = "") -> When:
    """The schedule chosen with the editor's controls of one intervention (suffix ``_i``)."""
    s = f"_{i}" if i != "" else ""
    try:
        repeat = Repeat(form.get(f"repeat{s}") or Repeat.SETTIMANALE)
    except ValueError as exc:
        raise Invalid("rrule: frequenza sconosciuta", field="rrule") from exc
    return When(
        repeat=repeat,
        days=tuple(str(d) for d in form.getlist(f"day{s}") if str(d) in WEEKDAYS),
        at=_clock(str(form.get(f"at{s}") or "")),
        every=_int(str(form.get(f"every{s}") or ""), "every", 1) or 1,
        on=_day(str(form.get(f"on{s}") or ""), "on"),
        monthly_day=_int(str(form.get(f"monthday{s}") or ""), "monthly_day"),
    )


def _once_after_start(when: When, start: str | None, i: int) -> None:
    """A date "once" is stored as a day of the year: it must fall within a year of the plan's start."""
    first = _day(str(start or ""), "start_date")
    if when.repeat == Repeat.UNA_VOLTA and when.on is not None and first is not None:
        if not first <= when.on < first + timedelta(days=365):
            raise Invalid(
                f"interventions.{i}.on: il giorno deve cadere entro un anno dall'inizio del progetto", field="on"
            )


def plan_form(form: Any) -> PlanIn:
    """The editor's form as the plan's content; each schedule turned into its stored rule."""
    rows = []
    for i in range(ROWS):
        code = form.get(f"service_{i}")
        if not code:
            continue
        when = when_of_form(form, i)
        _once_after_start(when, form.get("start_date"), i)
        try:
            frequency, rule = to_rule(when)
        except Invalid as exc:
            raise Invalid(f"interventions.{i}.{exc.message}", field=exc.field) from exc
        rows.append(
            {
                "service_code": code,
                "provider_org_id": form.get(f"provider_{i}"),
                "operator_id": form.get(f"operator_{i}") or None,
                "frequency": frequency,
                "rrule": rule,
                "hours_per_month": (form.get(f"hours_{i}") or "0").replace(",", "."),
                "tariff": (form.get(f"tariff_{i}") or "").replace(",", ".") or None,
            }
        )
    goals = [
        {"term": form.get(f"goal_term_{i}"), "description": form.get(f"goal_{i}")}
        for i in range(ROWS)
        if form.get(f"goal_{i}")
    ]
    return PlanIn.model_validate(
        {
            "start_date": form.get("start_date"),
            "planned_end": form.get("planned_end") or None,
            "review_every": form.get("review_every") or 3,
            "review_unit": form.get("review_unit") or "MESI",
            "isee": (form.get("isee") or "").replace(".", "").replace(",", ".") or None,
            "goals": goals,
            "interventions": rows,
        }
    )


def _status(exc: Exception) -> int:
    """A form that breaks a rule is 422, a state that forbids the step 409 (as the API says)."""
    return status_of(exc) if isinstance(exc, DomainError) else 422


async def _editor(
    request: Request,
    tx: Tx,
    case_id: int,
    error: str | None = None,
    status: int = 200,
    *,
    draft: Plan | None = None,
) -> Response:
    try:
        access = await flows.load_case(tx, case_id, CaseAction.MANAGE, "plan.editor")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    if draft is None and request.method == "GET":
        waiting = next(
            (p for p in await plans.plans_of(tx.session, case_id=case_id) if p.status == PlanStatus.BOZZA), None
        )
        if waiting is not None:  # one draft at a time: the editor opens it
            return RedirectResponse(f"/progetti/{waiting.id}/modifica", status_code=303)
    if request.method == "POST":
        form: Any = await request.form()
    elif draft is not None:
        form = await draft_form(tx, draft)
    else:
        form = FormData()
    services = (await tx.session.exec(select(ServiceType).order_by(col(ServiceType.code)))).all()
    orgs = (
        await tx.session.exec(
            select(Organisation).where(col(Organisation.deleted_at).is_(None)).order_by(col(Organisation.name))
        )
    ).all()
    operators = (
        await tx.session.exec(
            select(Operator)
            .where(col(Operator.active), col(Operator.deleted_at).is_(None))
            .order_by(col(Operator.full_name))
        )
    ).all()
    lang = lang_of(request)
    return render(
        request,
        "cases/plan_editor.html",
        status_code=status,
        actor=access.actor,
        case=access.case,
        services=services,
        orgs=orgs,
        operators=operators,
        repeats=list(Repeat),
        weekdays=[(code, DAYS[lang][code]) for code in WEEKDAYS],
        units=list(ReviewUnit),
        terms=list(GoalTerm),
        rows=ROWS,
        today=to_rome(utcnow()).date().isoformat(),
        form=form,
        draft=draft,
        error=error,
    )


async def draft_form(tx: Tx, plan: Plan) -> FormData:
    """A saved draft as the editor's filled-in form (each schedule back in its controls)."""
    public = await plans.plan_public(tx.session, plan=plan)
    items: list[tuple[str, str | UploadFile]] = [
        ("start_date", plan.start_date.isoformat()),
        ("planned_end", plan.planned_end.isoformat() if plan.planned_end else ""),
        ("review_every", str(plan.review_every)),
        ("review_unit", plan.review_unit),
        ("isee", "" if plan.isee is None else str(plan.isee).replace(".", ",")),
    ]
    for i, goal in enumerate(public.goals[:ROWS]):
        items += [(f"goal_term_{i}", goal.term), (f"goal_{i}", goal.description)]
    for i, iv in enumerate(public.interventions[:ROWS]):
        when = parse(iv.rrule, iv.frequency) or When(Repeat.AL_BISOGNO)
        items += [
            (f"service_{i}", iv.service_code),
            (f"provider_{i}", str(iv.provider_org_id)),
            (f"operator_{i}", str(iv.operator_id or "")),
            (f"repeat_{i}", when.repeat),
            (f"at_{i}", when.at.strftime("%H:%M") if when.at else ""),
            (f"every_{i}", str(when.every)),
            (f"monthday_{i}", str(when.monthly_day or "")),
            (f"hours_{i}", str(iv.hours_per_month).replace(".", ",")),
            (f"tariff_{i}", str(iv.tariff).replace(".", ",")),
        ]
        if when.on is not None:  # the day of the year, in the year the plan runs
            on = when.on.replace(year=plan.start_date.year)
            items.append((f"on_{i}", (on if on >= plan.start_date else on.replace(year=on.year + 1)).isoformat()))
        items += [(f"day_{i}", day) for day in when.days]
    return FormData(items)


@router.get("/casi/{case_id}/progetto", response_class=HTMLResponse)
async def plan_editor(request: Request, session: SessionDep, case_id: int) -> Response:
    return await _editor(request, await page_tx(request, session), case_id)


@router.post("/casi/{case_id}/progetto", openapi_extra=flow_route("plan.create"))
async def plan_submit(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    try:
        plan = await flows.create_plan(tx, case_id=case_id, data=plan_form(await request.form()))
    except (ValidationError, Conflict, Invalid, InvalidOperation) as exc:
        await tx.rollback()
        return await _editor(request, tx, case_id, error=say(exc), status=_status(exc))
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back=f"/casi/{case_id}")
    await tx.commit()
    return RedirectResponse(f"/progetti/{plan.id}", status_code=303)


@router.get("/progetti/quando")
async def when_preview(request: Request) -> Response:
    """The words and next dates of the schedule being chosen (the editor asks while the person picks)."""
    await _actor(request)
    lang = lang_of(request)
    params = request.query_params
    try:
        when = when_of_form(params)
        _, rule = to_rule(when)
        start = _day(params.get("start", ""), "start_date") or to_rome(utcnow()).date()
    except Invalid as exc:
        return JSONResponse({"words": say(exc), "dates": []})
    frequency = "UNA_TANTUM" if when.repeat == Repeat.UNA_VOLTA else None
    dates = next_dates(rule, start=start, count=4)
    return JSONResponse({"words": describe(rule, lang, frequency), "dates": [when_of(d, lang) for d in dates]})


@router.get("/progetti/{plan_id}/modifica", response_class=HTMLResponse)
async def draft_editor(request: Request, session: SessionDep, plan_id: int) -> Response:
    """The editor of the case's draft, filled in with what it holds (an active version is varied instead)."""
    tx = await page_tx(request, session)
    try:
        plan, _ = await flows.load_plan(tx, plan_id, CaseAction.MANAGE, "plan.editor")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    if plan.status != PlanStatus.BOZZA:
        return RedirectResponse(f"/progetti/{plan_id}", status_code=303)
    return await _editor(request, tx, plan.case_id, draft=plan)


@router.post("/progetti/{plan_id}/modifica", openapi_extra=flow_route("plan.edit"))
async def draft_submit(request: Request, session: SessionDep, plan_id: int) -> Response:
    tx = await page_tx(request, session)
    try:
        await flows.edit_plan(tx, plan_id=plan_id, data=plan_form(await request.form()))
    except (ValidationError, Conflict, Invalid, InvalidOperation) as exc:
        await tx.rollback()
        draft = await session.get(Plan, plan_id)
        if draft is None:
            return refused_page(request, tx.require_actor(), NotFound("Progetto", plan_id), back="/casi")
        return await _editor(request, tx, draft.case_id, error=say(exc), status=_status(exc), draft=draft)
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    await tx.commit()
    return RedirectResponse(f"/progetti/{plan_id}", status_code=303)


async def plan_view(tx: Tx, plan: Plan, lang: str) -> dict[str, Any]:
    """What the plan page and the contract show: names instead of ids, schedules in words."""
    session = tx.session
    public = await plans.plan_public(session, plan=plan)
    orgs = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    ops = {o.id: o for o in (await session.exec(select(Operator))).all()}
    services = {s.code: s.label for s in (await session.exec(select(ServiceType))).all()}
    rows = []
    today = to_rome(utcnow()).replace(tzinfo=None)
    for iv in public.interventions:
        operator = ops.get(iv.operator_id) if iv.operator_id else None
        rows.append(
            {
                "iv": iv,
                "service": f"{services.get(iv.service_code, iv.service_code)} ({iv.service_code})",
                "org": orgs.get(iv.provider_org_id, ""),
                "operator": operator.full_name if operator else None,
                "when": describe(iv.rrule, lang, iv.frequency),
                "next": [when_of(d, lang) for d in next_dates(iv.rrule, start=plan.start_date, after=today)],
            }
        )
    case = await session.get(Case, plan.case_id)
    assert case is not None
    person = await session.get(Person, case.person_id)
    signature = await session.get(Consent, plan.signature_consent_id) if plan.signature_consent_id else None
    team_rows = await care_team(session, case_id=plan.case_id)
    return {
        "p": public,
        "case": case,
        "person": person,
        "rows": rows,
        "orgs": orgs,
        "case_manager": ops.get(case.case_manager_id),
        "team": sorted({orgs.get(m.organisation_id, "") for m in team_rows}),
        "missing": [orgs.get(o, "") for o in public.approvals_missing],
        "signature": signature,
    }


def _may(actor_role: object, action: CaseAction) -> bool:
    return action in CASE_RULES.get(actor_role, {})  # type: ignore[call-overload]


async def _plan_page(request: Request, tx: Tx, plan_id: int, error: str | None = None, status: int = 200) -> Response:
    try:
        plan, access = await flows.load_plan(tx, plan_id, CaseAction.READ, "plan.read")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    actor = access.actor
    view = await plan_view(tx, plan, lang_of(request))
    draft = plan.status == PlanStatus.BOZZA
    return render(
        request,
        "cases/plan.html",
        status_code=status,
        actor=actor,
        error=error,
        # approving is offered only to whom the policy lets approve, for an organisation that has not yet
        may_approve=draft and _may(actor.role, CaseAction.APPROVE) and actor.org_id in view["p"].approvals_missing,
        may_sign=draft and plan.signed_at is None and _may(actor.role, CaseAction.MANAGE),
        may_edit=draft and _may(actor.role, CaseAction.MANAGE),
        **view,
    )


@router.get("/progetti/{plan_id}", response_class=HTMLResponse)
async def plan_page(request: Request, session: SessionDep, plan_id: int) -> Response:
    return await _plan_page(request, await page_tx(request, session), plan_id)


@router.get("/progetti/{plan_id}/contratto", response_class=HTMLResponse)
async def plan_contract(request: Request, session: SessionDep, plan_id: int) -> Response:
    """The plan as the contract signed at the kitchen table: a page that prints as one (print stylesheet)."""
    tx = await page_tx(request, session)
    try:
        plan, access = await flows.load_plan(tx, plan_id, CaseAction.READ, "plan.contract")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    view = await plan_view(tx, plan, lang_of(request))
    printed = to_rome(utcnow())
    return render(request, "cases/plan_contract.html", actor=access.actor, printed=printed, **view)


@router.get("/progetti/{plan_id}/contratto.pdf")
async def plan_contract_pdf(request: Request, session: SessionDep, plan_id: int) -> Response:
    """The same contract as a PDF file, to print or send."""
    tx = await page_tx(request, session)
    try:
        plan, _ = await flows.load_plan(tx, plan_id, CaseAction.READ, "plan.contract")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    lang = lang_of(request)
    body = contract_pdf(await plan_view(tx, plan, lang), printed=to_rome(utcnow()), lang=lang)
    name = f"progetto-caso-{plan.case_id}-v{plan.version}.pdf"
    return Response(
        body, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


async def _after(request: Request, tx: Tx, plan_id: int, exc: DomainError) -> Response:
    """A refusal or a missing plan said on its own page; a state that forbids the step, on the plan's."""
    await tx.rollback()
    if isinstance(exc, Conflict | Invalid):
        return await _plan_page(request, tx, plan_id, error=say(exc), status=status_of(exc))
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
