"""Registry pages of the condomini solidali: the buildings, the operator who follows each, the people it
looks after (with the alias sentinels use) and its sentinels and antennas with their consent to be contacted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.auth.actor import Actor
from centrale.authz.policy import PersonAction, visibility_clause
from centrale.condomini import flows, service
from centrale.condomini.models import (
    AssistedPersonIn,
    Condominio,
    CondominioCreate,
    CondominioUpdate,
    SentinelCreate,
    SentinelKind,
    SentinelUpdate,
)
from centrale.errors import DomainError
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import MUNICIPI
from centrale.persons.models import Person
from web.api.deps import SessionDep, flow_route
from web.pages import nav
from web.pages.base import render
from web.pages.cases import _actor
from web.pages.refused import page_tx
from web.pages.registry_forms import Errors, is_refusal, read_form, refusal, sentence, status
from web.words import registry as words

router = APIRouter(include_in_schema=False)
VIEWERS = {Role.COORDINATORE, Role.AMMINISTRATORE, Role.TUTOR, Role.CASE_MANAGER, Role.OPERATORE_PUA}
MANAGERS = {Role.COORDINATORE, Role.AMMINISTRATORE}
nav.add("/condomini", "nav_condomini", roles=VIEWERS, order=27)
LIST = "/condomini"


def _not_for(request: Request, actor: Actor) -> Response | None:
    if actor.role in VIEWERS:
        return None
    return render(
        request,
        "cases/refused.html",
        status_code=403,
        actor=actor,
        title="Operazione non consentita",
        error="Il tuo ruolo non prevede la consultazione dei condomini solidali.",
        back="/",
    )


async def _operators(session: AsyncSession) -> list[tuple[int | None, str]]:
    rows = await session.exec(
        select(Operator)
        .where(
            col(Operator.active).is_(True),
            col(Operator.deleted_at).is_(None),
            col(Operator.role).in_([Role.TUTOR, Role.OPERATORE_ETS]),
        )
        .order_by(col(Operator.full_name))
    )
    return [(o.id, o.full_name) for o in rows.all()]


async def _list_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    code: int = 200,
) -> Response:
    where = [col(Condominio.operator_id) == actor.operator_id] if actor.role == Role.TUTOR else []
    rows, _total = await service.list_condomini(session, where=where, offset=0, limit=500)
    operators = await _operators(session)
    return render(
        request,
        "registry/condomini.html",
        status_code=code,
        actor=actor,
        rows=rows,
        operators=operators,
        op_names=dict(operators),
        municipi=[(m, m) for m in MUNICIPI],
        may_manage=actor.role in MANAGERS,
        values=values or {},
        errors=errors or {},
    )


@router.get(LIST, response_class=HTMLResponse)
async def condomini_page(request: Request, session: SessionDep) -> Response:
    actor = await _actor(request)
    return _not_for(request, actor) or await _list_page(request, session, actor)


@router.post(LIST, openapi_extra=flow_route("condominio.create"))
async def condominio_create(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    try:
        row = await flows.create_condominio(tx, data=CondominioCreate.model_validate(form))
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        if isinstance(exc, DomainError) and is_refusal(exc):
            return refusal(request, actor, exc, LIST)
        return await _list_page(request, session, actor, form, sentence(exc), status(exc))
    await tx.commit()
    return RedirectResponse(f"{LIST}/{row.id}", status_code=303)


# --- one condominio -------------------------------------------------------------------------------------


async def _page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    condominio_id: int,
    *,
    posted: dict[str, Any] | None = None,
    errors: Errors | None = None,
    failed: str | None = None,
    code: int = 200,
) -> Response:
    row = await service.get_condominio(session, condominio_id=condominio_id)
    assisted = await service.assisted_people(session, condominio_id=condominio_id, visible=visibility_clause(actor))
    for item in assisted:  # each person shown is a read of their data
        session.add(
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype="condominio.assisted",
                entity_type="AssistedPerson",
                entity_id=item.id,
                person_id=item.person_id,
            )
        )
    await commit(session)
    people = {
        p.id: f"{p.cognome} {p.nome}"
        for p in (
            await session.exec(
                select(Person)
                .where(visibility_clause(actor, PersonAction.WRITE), col(Person.deleted_at).is_(None))
                .order_by(col(Person.cognome))
                .limit(300)
            )
        ).all()
    }
    shown = {
        p.id: f"{p.cognome} {p.nome}"
        for p in (await session.exec(select(Person).where(col(Person.id).in_([a.person_id for a in assisted])))).all()
    }
    operators = await _operators(session)
    return render(
        request,
        "registry/condominio.html",
        status_code=code,
        actor=actor,
        c=row,
        assisted=assisted,
        shown=shown,
        people=list(people.items()),
        sentinels=await service.sentinels_of(session, condominio_id=condominio_id),
        operators=operators,
        op_names=dict(operators),
        kinds=[(k.value, words.WORDS[f"reg_sentinel_{k.value}"]["it"]) for k in SentinelKind],
        municipi=[(m, m) for m in MUNICIPI],
        may_manage=actor.role in MANAGERS,
        values=posted if failed == "condominio" and posted is not None else row.model_dump(),
        posted=posted or {},
        errors={failed: errors or {}} if failed else {},
        failed=failed,
    )


@router.get(LIST + "/{condominio_id}", response_class=HTMLResponse)
async def condominio_page(request: Request, session: SessionDep, condominio_id: int) -> Response:
    actor = await _actor(request)
    if (refused := _not_for(request, actor)) is not None:
        return refused
    try:
        return await _page(request, session, actor, condominio_id)
    except DomainError as exc:
        return refusal(request, actor, exc, LIST)


async def _again(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    condominio_id: int,
    exc: ValidationError | DomainError,
    form: dict[str, str],
    which: str,
) -> Response:
    if isinstance(exc, DomainError) and is_refusal(exc):
        return refusal(request, actor, exc, f"{LIST}/{condominio_id}")
    return await _page(
        request, session, actor, condominio_id, posted=form, errors=sentence(exc), failed=which, code=status(exc)
    )


@router.post(LIST + "/{condominio_id}", openapi_extra=flow_route("condominio.update"))
async def condominio_update(request: Request, session: SessionDep, condominio_id: int) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    # a required field left empty is named by the check (not stored empty); an empty operator means none
    data = {
        "name": form.get("name", ""),
        "indirizzo": form.get("indirizzo", ""),
        "operator_id": form.get("operator_id"),
    }
    data |= {"municipio": form["municipio"]} if "municipio" in form else {}
    try:
        await flows.update_condominio(tx, condominio_id=condominio_id, data=CondominioUpdate.model_validate(data))
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        return await _again(request, session, actor, condominio_id, exc, form, "condominio")
    await tx.commit()
    return RedirectResponse(f"{LIST}/{condominio_id}", status_code=303)


@router.post(LIST + "/{condominio_id}/assistiti", openapi_extra=flow_route("condominio.assisted_add"))
async def assisted_add(request: Request, session: SessionDep, condominio_id: int) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    try:
        data = AssistedPersonIn.model_validate({"person_id": form.get("person_id", ""), "alias": form.get("alias", "")})
        await flows.add_assisted(tx, condominio_id=condominio_id, data=data)
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        return await _again(request, session, actor, condominio_id, exc, form, "assisted")
    await tx.commit()
    return RedirectResponse(f"{LIST}/{condominio_id}#assisted", status_code=303)


@router.post(LIST + "/{condominio_id}/sentinelle", openapi_extra=flow_route("sentinel.create"))
async def sentinel_create(request: Request, session: SessionDep, condominio_id: int) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    try:
        data = SentinelCreate.model_validate(
            {
                "name": form.get("name", ""),
                "phone": form.get("phone", ""),
                "kind": form.get("kind", SentinelKind.SENTINELLA),
                "condominio_id": condominio_id,
                "consent_sms": form.get("consent_sms") in ("true", "on"),
            }
        )
        await flows.create_sentinel(tx, data=data)
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        return await _again(request, session, actor, condominio_id, exc, form, "sentinel")
    await tx.commit()
    return RedirectResponse(f"{LIST}/{condominio_id}#sentinels", status_code=303)


@router.post(LIST + "/{condominio_id}/sentinelle/{sentinel_id}", openapi_extra=flow_route("sentinel.update"))
async def sentinel_update(request: Request, session: SessionDep, condominio_id: int, sentinel_id: int) -> Response:
    """Change a sentinel's consent to be contacted (and, when given, its name or phone)."""
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    data: dict[str, Any] = {"consent_sms": form.get("consent_sms") in ("true", "on")}
    data |= {k: form[k] for k in ("name", "phone", "kind") if k in form}
    try:
        await flows.update_sentinel(tx, sentinel_id=sentinel_id, data=SentinelUpdate.model_validate(data))
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        return await _again(request, session, actor, condominio_id, exc, form, "sentinel")
    await tx.commit()
    return RedirectResponse(f"{LIST}/{condominio_id}#sentinels", status_code=303)
