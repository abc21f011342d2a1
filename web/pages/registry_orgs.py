"""Administration pages: organisations, operator accounts and the service catalogue (administrators only)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.actor import Actor
from centrale.errors import DomainError, NotFound
from centrale.operators import flows as operator_flows
from centrale.operators.models import Operator, OperatorCreate, OperatorUpdate, Role
from centrale.organisations import flows as org_flows
from centrale.organisations.models import MUNICIPI, Organisation, OrganisationCreate, OrganisationUpdate, OrgKind
from centrale.plans import flows as plan_flows
from centrale.plans.models import ServiceType, ServiceTypeUpdate
from web.api.deps import SessionDep, flow_route
from web.pages import nav
from web.pages.base import render
from web.pages.cases import _actor
from web.pages.refused import page_tx
from web.pages.registry_forms import Errors, admin_only, is_refusal, read_form, refusal, sentence, status
from web.words import registry as words

router = APIRouter(include_in_schema=False)
ADMIN = {Role.AMMINISTRATORE}
nav.add("/amministrazione/organizzazioni", "nav_admin_orgs", roles=ADMIN, order=80)
nav.add("/amministrazione/operatori", "nav_admin_operators", roles=ADMIN, order=81)
nav.add("/amministrazione/catalogo", "nav_admin_catalogue", roles=ADMIN, order=82)

ORGS = "/amministrazione/organizzazioni"
OPERATORS = "/amministrazione/operatori"
CATALOGUE = "/amministrazione/catalogo"


def _kinds() -> list[tuple[str, str]]:
    return [(k.value, words.ORG_KINDS[k]["it"]) for k in OrgKind]


def _roles() -> list[tuple[str, str]]:
    return [(r.value, words.ROLES[r]["it"]) for r in Role]


async def _organisations(session: AsyncSession) -> list[Organisation]:
    query = select(Organisation).where(col(Organisation.deleted_at).is_(None)).order_by(col(Organisation.name))
    return list((await session.exec(query)).all())


async def _failed(
    request: Request, actor: Actor, tx_rollback: Any, exc: ValidationError | DomainError, back: str
) -> Response | Errors:
    """After a failed change: the refusal page, or the errors to show beside the fields."""
    await tx_rollback()
    if isinstance(exc, DomainError) and is_refusal(exc):
        return refusal(request, actor, exc, back)
    return sentence(exc)


# --- organisations --------------------------------------------------------------------------------------


async def _orgs_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    code: int = 200,
) -> Response:
    return render(
        request,
        "registry/organisations.html",
        status_code=code,
        actor=actor,
        orgs=await _organisations(session),
        kinds=_kinds(),
        kind_names=dict(_kinds()),
        municipi=[(m, m) for m in MUNICIPI],
        values=values or {"kind": OrgKind.ETS.value},
        errors=errors or {},
    )


@router.get(ORGS, response_class=HTMLResponse)
async def organisations_page(request: Request, session: SessionDep) -> Response:
    actor = await _actor(request)
    return admin_only(request, actor) or await _orgs_page(request, session, actor)


@router.post(ORGS, openapi_extra=flow_route("organisation.create"))
async def organisation_create(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    try:
        await org_flows.create_organisation(tx, data=OrganisationCreate.model_validate(form))
    except (ValidationError, DomainError) as exc:
        failed = await _failed(request, actor, tx.rollback, exc, ORGS)
        if isinstance(failed, Response):
            return failed
        return await _orgs_page(request, session, actor, form, failed, status(exc))
    await tx.commit()
    return RedirectResponse(ORGS, status_code=303)


async def _org_edit_page(
    request: Request,
    org: Organisation,
    actor: Actor,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    code: int = 200,
) -> Response:
    return render(
        request,
        "registry/organisation_edit.html",
        status_code=code,
        actor=actor,
        org=org,
        kind_name=words.ORG_KINDS[org.kind]["it"],
        municipi=[(m, m) for m in MUNICIPI],
        values=values if values is not None else org.model_dump(),
        errors=errors or {},
    )


async def _org(session: AsyncSession, organisation_id: int) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise NotFound("Organizzazione", organisation_id)
    return org


@router.get(ORGS + "/{organisation_id}", response_class=HTMLResponse)
async def organisation_edit_page(request: Request, session: SessionDep, organisation_id: int) -> Response:
    actor = await _actor(request)
    if (refused := admin_only(request, actor)) is not None:
        return refused
    try:
        org = await _org(session, organisation_id)
    except NotFound as exc:
        return refusal(request, actor, exc, ORGS)
    return await _org_edit_page(request, org, actor)


@router.post(ORGS + "/{organisation_id}", openapi_extra=flow_route("organisation.update"))
async def organisation_update(request: Request, session: SessionDep, organisation_id: int) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    data = {"name": form.get("name", ""), "municipio": form.get("municipio"), "phone": form.get("phone")}
    try:
        await org_flows.update_organisation(
            tx, organisation_id=organisation_id, data=OrganisationUpdate.model_validate(data)
        )
    except (ValidationError, DomainError) as exc:
        failed = await _failed(request, actor, tx.rollback, exc, ORGS)
        if isinstance(failed, Response):
            return failed
        return await _org_edit_page(request, await _org(session, organisation_id), actor, form, failed, status(exc))
    await tx.commit()
    return RedirectResponse(ORGS, status_code=303)


@router.post(ORGS + "/{organisation_id}/archivia", openapi_extra=flow_route("organisation.delete"))
async def organisation_archive(request: Request, session: SessionDep, organisation_id: int) -> Response:
    """Archive an organisation (it leaves the lists; what it did stays in the record)."""
    tx = await page_tx(request, session)
    try:
        await org_flows.delete_organisation(tx, organisation_id=organisation_id)
    except DomainError as exc:
        await tx.rollback()
        return refusal(request, tx.require_actor(), exc, ORGS)
    await tx.commit()
    return RedirectResponse(ORGS, status_code=303)


# --- operators ------------------------------------------------------------------------------------------


async def _operators_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    code: int = 200,
) -> Response:
    orgs = await _organisations(session)
    operators = (
        await session.exec(select(Operator).where(col(Operator.deleted_at).is_(None)).order_by(col(Operator.full_name)))
    ).all()
    return render(
        request,
        "registry/operators.html",
        status_code=code,
        actor=actor,
        operators=operators,
        org_options=[(o.id, o.name) for o in orgs],
        org_names={o.id: o.name for o in orgs},
        roles=_roles(),
        role_names=dict(_roles()),
        values=values or {},
        errors=errors or {},
    )


@router.get(OPERATORS, response_class=HTMLResponse)
async def operators_page(request: Request, session: SessionDep) -> Response:
    actor = await _actor(request)
    return admin_only(request, actor) or await _operators_page(request, session, actor)


def _flags(form: dict[str, str], *names: str) -> dict[str, bool]:
    """Checkboxes: a box left empty is not posted at all, so it means False."""
    return {name: form.get(name) in ("true", "on") for name in names}


@router.post(OPERATORS, openapi_extra=flow_route("operator.create"))
async def operator_create(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    try:
        data = OperatorCreate.model_validate(form | _flags(form, "prefers_sms"))
        await operator_flows.create_operator(tx, data=data)
    except (ValidationError, DomainError) as exc:
        failed = await _failed(request, actor, tx.rollback, exc, OPERATORS)
        if isinstance(failed, Response):
            return failed
        form.pop("password", None)  # never sent back to the page
        return await _operators_page(request, session, actor, form, failed, status(exc))
    await tx.commit()
    return RedirectResponse(OPERATORS, status_code=303)


async def _operator(session: AsyncSession, operator_id: int) -> Operator:
    operator = await session.get(Operator, operator_id)
    if operator is None or operator.deleted_at is not None:
        raise NotFound("Operatore", operator_id)
    return operator


async def _operator_edit_page(
    request: Request,
    session: AsyncSession,
    operator: Operator,
    actor: Actor,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    code: int = 200,
) -> Response:
    orgs = await _organisations(session)
    return render(
        request,
        "registry/operator_edit.html",
        status_code=code,
        actor=actor,
        op=operator,
        org_options=[(o.id, o.name) for o in orgs],
        roles=_roles(),
        values=values if values is not None else operator.model_dump(exclude={"password_hash"}),
        errors=errors or {},
    )


@router.get(OPERATORS + "/{operator_id}", response_class=HTMLResponse)
async def operator_edit_page(request: Request, session: SessionDep, operator_id: int) -> Response:
    actor = await _actor(request)
    if (refused := admin_only(request, actor)) is not None:
        return refused
    try:
        operator = await _operator(session, operator_id)
    except NotFound as exc:
        return refusal(request, actor, exc, OPERATORS)
    return await _operator_edit_page(request, session, operator, actor)


@router.post(OPERATORS + "/{operator_id}", openapi_extra=flow_route("operator.update"))
async def operator_update(request: Request, session: SessionDep, operator_id: int) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    fields = ("full_name", "role", "organisation_id", "phone", "email", "password")
    data = {k: form[k] for k in fields if k in form} | _flags(form, "prefers_sms", "active")
    try:
        await operator_flows.update_operator(tx, operator_id=operator_id, data=OperatorUpdate.model_validate(data))
    except (ValidationError, DomainError) as exc:
        failed = await _failed(request, actor, tx.rollback, exc, OPERATORS)
        if isinstance(failed, Response):
            return failed
        form.pop("password", None)
        operator = await _operator(session, operator_id)
        return await _operator_edit_page(request, session, operator, actor, form, failed, status(exc))
    await tx.commit()
    return RedirectResponse(OPERATORS, status_code=303)


# --- service catalogue ----------------------------------------------------------------------------------

THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")  # "25.000": dots that group thousands, no decimals
PRICES = ("isee_min", "isee_max", "subsidised_max", "full_tariff", "default_tariff")


def _amount(text: str) -> str:
    """An amount as written in Italian ("13,80", "7.500,00", "25.000") or with a decimal point ("13.80")."""
    if "," in text or THOUSANDS.match(text):
        return text.replace(".", "").replace(",", ".")
    return text


def _euro_input(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


async def _catalogue_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    failed: tuple[str, dict[str, str], Errors] | None = None,
    code: int = 200,
) -> Response:
    services = (await session.exec(select(ServiceType).order_by(col(ServiceType.code)))).all()
    rows = []
    for service in services:
        values = {name: _euro_input(getattr(service, name)) for name in PRICES}
        errors: Errors = {}
        if failed is not None and failed[0] == service.code:
            values, errors = failed[1], failed[2]
        rows.append((service, values, errors))
    return render(request, "registry/catalogue.html", status_code=code, actor=actor, rows=rows, prices=PRICES)


@router.get(CATALOGUE, response_class=HTMLResponse)
async def catalogue_page(request: Request, session: SessionDep) -> Response:
    actor = await _actor(request)
    return admin_only(request, actor) or await _catalogue_page(request, session, actor)


@router.post(CATALOGUE + "/{code}", openapi_extra=flow_route("catalogue.configure"))
async def catalogue_configure(request: Request, session: SessionDep, code: str) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    data = {name: _amount(form[name]) if name in form else None for name in PRICES}  # an empty box clears it
    try:
        await plan_flows.configure_service(tx, code=code, data=ServiceTypeUpdate.model_validate(data))
    except (ValidationError, DomainError) as exc:
        failed = await _failed(request, actor, tx.rollback, exc, CATALOGUE)
        if isinstance(failed, Response):
            return failed
        return await _catalogue_page(request, session, actor, (code, form, failed), status(exc))
    await tx.commit()
    return RedirectResponse(f"{CATALOGUE}#svc-{code}", status_code=303)
