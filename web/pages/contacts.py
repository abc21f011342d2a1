"""The "I miei recapiti" page: an operator's phones, this device's notices, quiet hours and rules by priority;
an administrator opens anyone's from the operators' pages (``/recapiti/{id}``).

Every read and change goes through the contact flows (their own, or any for an administrator; anyone
else is refused and audited). Rules are said in words; the form sends methods and minutes per priority.
"""

from __future__ import annotations

from datetime import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from centrale.auth.actor import Actor
from centrale.errors import Invalid
from centrale.operators import contact_flows as flows
from centrale.operators.contact_forms import ContactRulesUpdate, PhoneCreate, RuleStep
from centrale.operators.contact_models import MAX_DELAY_MINUTES, SEVERITIES, ReachMethod
from centrale.operators.models import Operator
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep, flow_route
from web.i18n import lang_of
from web.pages import nav
from web.pages.base import page_actor, render
from web.words import push as _push_words  # noqa: F401 - the device block's words
from web.words.contacts import WORDS, describe

router = APIRouter(include_in_schema=False)
nav.add("/recapiti", "nav_contacts", order=90)

ROWS = 3  # rows of a priority's rule on the form
METHODS = tuple(ReachMethod)


def _tx(request: Request, session: SessionDep, actor: Actor) -> Tx:
    return Tx(session=session, db=container.database(request), actor=actor)


def _url(actor: Actor, operator_id: int) -> str:
    return "/recapiti" if operator_id == actor.operator_id else f"/recapiti/{operator_id}"


async def _page(request: Request, session: SessionDep, actor: Actor, operator_id: int) -> Response:
    tx = _tx(request, session, actor)
    shown = await flows.read_contacts(tx, operator_id=operator_id)
    await tx.commit()
    operator = await session.get(Operator, operator_id)
    lang = lang_of(request)
    sentences = {s: describe([(r.method.value, r.delay_minutes) for r in shown.rules[s]], lang) for s in SEVERITIES}
    return render(
        request,
        "contacts/index.html",
        actor=actor,
        shown=shown,
        full_name=operator.full_name if operator else "",
        own=operator_id == actor.operator_id,
        base=_url(actor, operator_id),
        sentences=sentences,
        severities=SEVERITIES,
        methods=METHODS,
        rows=ROWS,
        max_delay=MAX_DELAY_MINUTES,
        saved=request.query_params.get("salvato") == "1",
    )


@router.get("/recapiti", response_class=HTMLResponse)
async def my_contacts(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/recapiti", status_code=303)
    return await _page(request, session, actor, actor.operator_id)


@router.get("/recapiti/{operator_id}", response_class=HTMLResponse)
async def contacts_of(operator_id: int, request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse(f"/login?next=/recapiti/{operator_id}", status_code=303)
    return await _page(request, session, actor, operator_id)


def _time(form: FormData, field: str) -> time | None:
    text = str(form.get(field) or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        what = "inizio" if field == "quiet_start" else "fine"
        raise Invalid(
            f"Ore di quiete, {what}: scrivere un'ora come 22:00 / quiet hours: write a time such as 22:00", field=field
        ) from None


def _rules(form: FormData) -> dict[str, list[RuleStep]]:
    """Each priority's rows with a method chosen; a priority with none goes back to the default."""
    rules: dict[str, list[RuleStep]] = {}
    for severity in SEVERITIES:
        steps = []
        for row in range(ROWS):
            method = str(form.get(f"{severity}_method_{row}") or "")
            if not method:
                continue
            field = f"{severity}_delay_{row}"
            delay = str(form.get(field) or "0").strip()
            if method not in ReachMethod.__members__ or not delay.isdigit() or int(delay) > MAX_DELAY_MINUTES:
                raise Invalid(
                    f"{WORDS[f'ct_sev_{severity}']['it']}, passo {row + 1}, minuti: scrivere un numero da 0 a "
                    f"{MAX_DELAY_MINUTES} / {WORDS[f'ct_sev_{severity}']['en']}, step {row + 1}, minutes: write a "
                    f"number from 0 to {MAX_DELAY_MINUTES}",
                    field=field,
                )
            steps.append(RuleStep(method=ReachMethod(method), delay_minutes=int(delay)))
        rules[severity] = sorted(steps, key=lambda step: step.delay_minutes)
    return rules


async def _actor_or_login(request: Request) -> Actor | Response:
    actor = await page_actor(request)
    return actor if actor is not None else RedirectResponse("/login", status_code=303)


@router.post("/recapiti/{operator_id}/regole", openapi_extra=flow_route("contacts.update"))
async def save_rules(operator_id: int, request: Request, session: SessionDep) -> Response:
    actor = await _actor_or_login(request)
    if not isinstance(actor, Actor):
        return actor
    form = await request.form()
    data = ContactRulesUpdate(
        quiet_start=_time(form, "quiet_start"), quiet_end=_time(form, "quiet_end"), rules=_rules(form)
    )
    tx = _tx(request, session, actor)
    await flows.update_contacts(tx, operator_id=operator_id, data=data)
    await tx.commit()
    return RedirectResponse(f"{_url(actor, operator_id)}?salvato=1", status_code=303)


@router.post("/recapiti/{operator_id}/telefoni", openapi_extra=flow_route("contacts.add_phone"))
async def add_phone(operator_id: int, request: Request, session: SessionDep) -> Response:
    actor = await _actor_or_login(request)
    if not isinstance(actor, Actor):
        return actor
    form = await request.form()
    number = str(form.get("number") or "").strip()
    if not number:
        raise Invalid(
            "Numero di telefono: scrivere il numero di telefono / number: write the phone number", field="number"
        )
    try:
        data = PhoneCreate(
            number=number,
            label=str(form.get("label") or "").strip()[:60],
            sms=form.get("sms") == "1",
            voice=form.get("voice") == "1",
        )
    except ValueError:
        raise Invalid(
            f"Numero di telefono: {number} non è un numero di telefono valido / number: {number} is not a phone",
            field="number",
        ) from None
    tx = _tx(request, session, actor)
    await flows.add_phone(tx, operator_id=operator_id, data=data)
    await tx.commit()
    return RedirectResponse(f"{_url(actor, operator_id)}?salvato=1", status_code=303)


@router.post("/recapiti/{operator_id}/telefoni/{phone_id}/togli", openapi_extra=flow_route("contacts.remove_phone"))
async def remove_phone(operator_id: int, phone_id: int, request: Request, session: SessionDep) -> Response:
    actor = await _actor_or_login(request)
    if not isinstance(actor, Actor):
        return actor
    tx = _tx(request, session, actor)
    await flows.remove_phone(tx, operator_id=operator_id, phone_id=phone_id)
    await tx.commit()
    return RedirectResponse(_url(actor, operator_id), status_code=303)
