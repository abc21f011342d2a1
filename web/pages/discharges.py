"""The page "Nuova dimissione protetta": the PUA or the ward's discharge planner records a notice.

The form names the person (found by codice fiscale, or registered with the name, sex and birth date),
the hospital and ward, the expected date, what the person will need at home (boxes in words) and the
ward's contact; ``discharge.notify`` does the rest (the case reused or opened, the milestones and their
deadlines) and the page goes to the file's discharge part.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import flows
from alerts.discharges.models import DischargeNotice
from centrale.auth.actor import Actor
from centrale.errors import DomainError
from centrale.operators.models import Operator, Role
from centrale.organisations.models import MUNICIPI, Organisation, OrgKind
from web.api.deps import SessionDep, flow_route
from web.i18n import translator
from web.pages import nav
from web.pages.base import page_actor, render
from web.pages.refused import page_tx
from web.pages.registry_forms import Errors, is_refusal, refusal, sentence, status
from web.words import discharges as words
from web.words import registry as _registry_words  # noqa: F401 - the form's words for sex

router = APIRouter(include_in_schema=False)
PATH = "/dimissioni/nuova"
nav.add(PATH, "nav_discharges", set(flows.NOTIFIERS), order=35)

#: what the person will need at home: a box each, written into the notice's needs in words
NEEDS = ("ASSISTENZA_DOMICILIARE", "AUSILI", "TUTOR", "PASTI", "TRASPORTO", "SENTINELLE")
#: the form's own fields that the notice does not have, and where their errors show
CONTACT = ("contact_name", "contact_phone")


async def _choices(session: AsyncSession) -> dict[str, list[tuple[object, str]]]:
    hospitals = await session.exec(
        select(Organisation)
        .where(col(Organisation.kind) == OrgKind.OSPEDALE, col(Organisation.deleted_at).is_(None))
        .order_by(col(Organisation.name))
    )
    managers = await session.exec(
        select(Operator)
        .where(
            col(Operator.role) == Role.CASE_MANAGER,
            col(Operator.active).is_(True),
            col(Operator.deleted_at).is_(None),
        )
        .order_by(col(Operator.full_name))
    )
    return {
        "hospitals": [(o.id, o.name) for o in hospitals.all()],
        "managers": [(o.id, o.full_name) for o in managers.all()],
        "municipi": [(m, m) for m in MUNICIPI],
    }


async def _page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    *,
    values: dict[str, object] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    allowed = actor.role in flows.NOTIFIERS
    return render(
        request,
        "discharges/new.html",
        status_code=status_code if allowed else 403,
        actor=actor,
        allowed=allowed,
        values=values or {},
        errors=errors or {},
        needs=NEEDS,
        **await _choices(session),
    )


def notice_fields(form: dict[str, str], needs: list[str], lang: str = "it") -> dict[str, object]:
    """The notice as the flow wants it: the needs' boxes and note as one text, the contact as one line."""
    t = translator(lang)
    chosen = [t(f"need_{code}") for code in NEEDS if code in needs]
    note = form.get("note", "")
    contact = ", ".join(part for part in (form.get("contact_name"), form.get("contact_phone")) if part)
    fields: dict[str, object] = {k: v for k, v in form.items() if k not in (*CONTACT, "note")}
    fields["needs"] = "; ".join(chosen) + (f". {note}" if chosen and note else note)
    fields["hospital_contact"] = contact
    return fields


def _errors_in_place(errors: Errors) -> Errors:
    """An error of a field the notice joins shows beside the box it came from."""
    moved = dict(errors)
    if "hospital_contact" in moved:
        moved["contact_name"] = moved.pop("hospital_contact")
    if "needs" in moved:
        moved["note"] = moved.pop("needs")
    return moved


@router.get(PATH, response_class=HTMLResponse)
async def notice_form(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse(f"/login?next={PATH}", status_code=303)
    return await _page(request, session, actor)


@router.post(PATH, openapi_extra=flow_route("discharge.notify"))
async def notice_submit(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    raw = await request.form()
    form = {k: str(v).strip() for k, v in raw.items() if k != "need" and str(v).strip()}
    needs = [str(v) for v in raw.getlist("need")]
    values: dict[str, object] = {**form, "need": needs}
    try:
        notice = DischargeNotice.model_validate(notice_fields(form, needs))
        done = await flows.notify(tx, notice=notice)
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        if isinstance(exc, DomainError) and is_refusal(exc):
            return refusal(request, actor, exc, PATH)
        return await _page(
            request, session, actor, values=values, errors=_errors_in_place(sentence(exc)), status_code=status(exc)
        )
    await tx.commit()
    return RedirectResponse(f"/casi/{done.discharge.case_id}/dimissione", status_code=303)


__all__ = ["router", "words"]  # the words module registers the pages' words
