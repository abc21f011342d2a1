"""Registry pages of persons: the list and search, registering, the person's card (personal data, phones,
GP, household, network, consent to be contacted) and the cases that concern them."""

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
from centrale.authz.guard import PersonAccess, check_person
from centrale.authz.policy import CaseAction, PersonAction, case_clause, may_create, visibility_clause
from centrale.cases.models import Case
from centrale.consents import flows as consent_flows
from centrale.consents import service as consents
from centrale.consents.models import ConsentIn, ConsentPurpose
from centrale.errors import DomainError
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import MUNICIPI, Organisation, OrgKind
from centrale.persons import flows, service
from centrale.persons.models import (
    HouseholdIn,
    HouseholdRelation,
    NetworkLinkCreate,
    Person,
    PersonCreate,
    PersonUpdate,
    Sesso,
)
from web import container
from web.api.deps import SessionDep, flow_route
from web.pages import nav
from web.pages.base import render
from web.pages.cases import _actor
from web.pages.refused import page_tx
from web.pages.registry_forms import Errors, is_refusal, read_form, refusal, sentence, status
from web.words import registry as words

router = APIRouter(include_in_schema=False)
nav.add(
    "/persone",
    "nav_persons",
    roles={Role.CASE_MANAGER, Role.OPERATORE_PUA, Role.COORDINATORE, Role.MMG, Role.TUTOR, Role.OPERATORE_ETS},
    order=25,
)

#: rows of the household form besides the person's own
HOUSEHOLD_ROWS = 4
PERSON_FIELDS = ("codice_fiscale", "cognome", "nome", "sesso", "data_nascita")
OPTIONAL_FIELDS = ("indirizzo", "municipio", "mmg_organisation_id")


def _it(table: dict[Any, dict[str, str]]) -> list[tuple[str, str]]:
    return [(str(key.value), entry["it"]) for key, entry in table.items()]


async def _may(session: AsyncSession, actor: Actor, person_id: int, action: PersonAction) -> bool:
    """Whether the policy would allow it (to offer the form; the flow still decides on submit)."""
    found = await session.exec(
        select(col(Person.id)).where(col(Person.id) == person_id, visibility_clause(actor, action))
    )
    return found.first() is not None


async def _gps(session: AsyncSession) -> list[tuple[int | None, str]]:
    rows = await session.exec(
        select(Organisation)
        .where(col(Organisation.kind) == OrgKind.MMG, col(Organisation.deleted_at).is_(None))
        .order_by(col(Organisation.name))
    )
    return [(o.id, o.name) for o in rows.all()]


def _person_data(form: dict[str, str]) -> dict[str, Any]:
    """The person's fields from the form: a required one left empty is named by the check, not kept."""
    data: dict[str, Any] = {name: form.get(name, "") for name in PERSON_FIELDS}
    data |= {name: form.get(name) for name in OPTIONAL_FIELDS}
    data["telefoni"] = [line.strip() for line in form.get("telefoni", "").splitlines() if line.strip()]
    return data


def _form_values(person: Person) -> dict[str, Any]:
    return person.model_dump() | {"telefoni": "\n".join(person.telefoni)}


# --- list, search, new ----------------------------------------------------------------------------------


@router.get("/persone", response_class=HTMLResponse)
async def persons_page(request: Request, session: SessionDep, q: str = "") -> Response:
    actor = await _actor(request)
    rows, total = await service.list_persons(
        session, visible=visibility_clause(actor), q=q[:100] or None, municipio=None, offset=0, limit=100
    )
    for person in rows:  # every person shown is a read of their data
        session.add(
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype="person.list",
                entity_type="Person",
                entity_id=person.id,
                person_id=person.id,
            )
        )
    await commit(session)
    return render(
        request, "registry/persons.html", actor=actor, rows=rows, total=total, q=q, may_create=may_create(actor)
    )


async def _new_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    code: int = 200,
) -> Response:
    return render(
        request,
        "registry/person_new.html",
        status_code=code,
        actor=actor,
        values=values or {},
        errors=errors or {},
        sexes=[(s.value, words.WORDS[f"reg_sex_{s.value}"]["it"]) for s in Sesso],
        municipi=[(m, m) for m in MUNICIPI],
        gps=await _gps(session),
    )


@router.get("/persone/nuova", response_class=HTMLResponse)
async def person_new_page(request: Request, session: SessionDep) -> Response:
    return await _new_page(request, session, await _actor(request))


@router.post("/persone/nuova", openapi_extra=flow_route("person.create"))
async def person_create(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    form = await read_form(request)
    try:
        person = await flows.create_person(tx, data=PersonCreate.model_validate(_person_data(form)))
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        if isinstance(exc, DomainError) and is_refusal(exc):
            return refusal(request, actor, exc, "/persone")
        return await _new_page(request, session, actor, form, sentence(exc), status(exc))
    await tx.commit()
    return RedirectResponse(f"/persone/{person.id}", status_code=303)


# --- the person's card ----------------------------------------------------------------------------------


async def _card(
    request: Request,
    session: AsyncSession,
    access: PersonAccess,
    *,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    failed: str | None = None,
    code: int = 200,
) -> Response:
    """The person's page; ``failed`` names the form whose ``errors`` are shown (its values kept)."""
    actor, person, person_id = access.actor, access.person, access.person_id
    household = await service.household_of(session, person_id=person_id)
    visible = (
        await session.exec(
            select(Person)
            .where(visibility_clause(actor), col(Person.deleted_at).is_(None), col(Person.id) != person_id)
            .order_by(col(Person.cognome), col(Person.nome))
            .limit(300)
        )
    ).all()
    names = {p.id: f"{p.cognome} {p.nome}" for p in visible} | {person_id: f"{person.cognome} {person.nome}"}
    cases = (
        await session.exec(
            select(Case)
            .join(Person, col(Person.id) == col(Case.person_id))
            .where(col(Case.person_id) == person_id, case_clause(actor, CaseAction.READ))
            .order_by(col(Case.id).desc())
        )
    ).all()
    household_values: dict[str, Any] = {"relation_self": HouseholdRelation.INTESTATARIO.value}
    if household is not None:  # the form starts from the household as it is
        others_in = [m for m in household.members if m.person_id != person_id]
        for i, member in enumerate(others_in[:HOUSEHOLD_ROWS]):
            household_values |= {f"member_{i}": member.person_id, f"relation_{i}": member.relation.value}
        for member in household.members:
            if member.person_id == person_id:
                household_values["relation_self"] = member.relation.value
    if failed == "household" and values is not None:
        household_values = dict(values)
    contact = await consents.current(session, person_id=person_id, purpose=ConsentPurpose.CONTATTO_SMS)
    gps = await _gps(session)
    return render(
        request,
        "registry/person.html",
        status_code=code,
        actor=actor,
        p=person,
        values=values if failed == "person" and values is not None else _form_values(person),
        errors={failed: errors or {}} if failed else {},
        posted=values if values is not None else {},
        household=household,
        household_rows=HOUSEHOLD_ROWS,
        household_values=household_values,
        names=names,
        others=[(p.id, f"{p.cognome} {p.nome} ({p.codice_fiscale})") for p in visible],
        relations=_it(words.HOUSEHOLD),
        network=await service.network_of(session, person_id=person_id),
        network_relations=_it(words.NETWORK),
        network_roles=_it(words.NETWORK_ROLES),
        contact=contact[0] if contact else None,
        cases=cases,
        sexes=[(s.value, words.WORDS[f"reg_sex_{s.value}"]["it"]) for s in Sesso],
        municipi=[(m, m) for m in MUNICIPI],
        gps=gps,
        gp_names=dict(gps),
        may_write=await _may(session, actor, person_id, PersonAction.WRITE),
        may_see_accesses=await _may(session, actor, person_id, PersonAction.READ_ACCESS_LOG),
        may_archive=await _may(session, actor, person_id, PersonAction.DELETE),
        may_intake=(
            await session.exec(
                select(col(Person.id)).where(col(Person.id) == person_id, case_clause(actor, CaseAction.INTAKE))
            )
        ).first()
        is not None,
    )


async def _read(request: Request, session: AsyncSession, person_id: int) -> PersonAccess:
    actor = await _actor(request)
    return await check_person(session, container.database(request), actor, person_id, PersonAction.READ, "person.page")


@router.get("/persone/{person_id}", response_class=HTMLResponse)
async def person_page(request: Request, session: SessionDep, person_id: int) -> Response:
    try:
        access = await _read(request, session, person_id)
    except DomainError as exc:  # the refusal is audited by the guard
        return refusal(request, await _actor(request), exc, "/persone")
    return await _card(request, session, access)


async def _after_failure(
    request: Request,
    session: AsyncSession,
    person_id: int,
    exc: ValidationError | DomainError,
    form: dict[str, str],
    which: str,
) -> Response:
    """The refusal page (already audited), or the card again with the form's errors beside its fields."""
    actor = await _actor(request)
    if isinstance(exc, DomainError) and is_refusal(exc):
        return refusal(request, actor, exc, f"/persone/{person_id}")
    try:
        access = await _read(request, session, person_id)
    except DomainError as refused:
        return refusal(request, actor, refused, "/persone")
    return await _card(request, session, access, values=form, errors=sentence(exc), failed=which, code=status(exc))


@router.post("/persone/{person_id}", openapi_extra=flow_route("person.update"))
async def person_update(request: Request, session: SessionDep, person_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await read_form(request)
    try:
        await flows.update_person(tx, person_id=person_id, data=PersonUpdate.model_validate(_person_data(form)))
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        return await _after_failure(request, session, person_id, exc, form, "person")
    await tx.commit()
    return RedirectResponse(f"/persone/{person_id}#saved", status_code=303)


def _household(person_id: int, form: dict[str, str]) -> HouseholdIn:
    members = [{"person_id": person_id, "relation": form.get("relation_self", HouseholdRelation.INTESTATARIO)}]
    for i in range(HOUSEHOLD_ROWS):
        if form.get(f"member_{i}"):
            members.append({"person_id": form[f"member_{i}"], "relation": form.get(f"relation_{i}", "")})
    return HouseholdIn.model_validate({"indirizzo": form.get("household_address"), "members": members})


@router.post("/persone/{person_id}/nucleo", openapi_extra=flow_route("person.household_set"))
async def household_set(request: Request, session: SessionDep, person_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await read_form(request)
    try:
        await flows.set_household(tx, person_id=person_id, data=_household(person_id, form))
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        return await _after_failure(request, session, person_id, exc, form, "household")
    await tx.commit()
    return RedirectResponse(f"/persone/{person_id}#household", status_code=303)


@router.post("/persone/{person_id}/rete", openapi_extra=flow_route("person.network_add"))
async def network_add(request: Request, session: SessionDep, person_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await read_form(request)
    fields = ("relation", "role", "name", "phone", "note")
    try:
        data = NetworkLinkCreate.model_validate(
            {k: form[k] for k in fields if k in form} | {"relation": form.get("relation", "")}
        )
        await flows.add_network_link(tx, person_id=person_id, data=data)
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        return await _after_failure(request, session, person_id, exc, form, "network")
    await tx.commit()
    return RedirectResponse(f"/persone/{person_id}#network", status_code=303)


@router.post("/persone/{person_id}/rete/{network_link_id}/rimuovi", openapi_extra=flow_route("person.network_remove"))
async def network_remove(request: Request, session: SessionDep, person_id: int, network_link_id: int) -> Response:
    tx = await page_tx(request, session)
    try:
        await flows.remove_network_link(tx, person_id=person_id, link_id=network_link_id)
    except DomainError as exc:
        await tx.rollback()
        return await _after_failure(request, session, person_id, exc, {}, "network")
    await tx.commit()
    return RedirectResponse(f"/persone/{person_id}#network", status_code=303)


@router.post("/persone/{person_id}/archivia", openapi_extra=flow_route("person.delete"))
async def person_archive(request: Request, session: SessionDep, person_id: int) -> Response:
    """Archive the person's record (it leaves the lists; the record and its log are kept)."""
    tx = await page_tx(request, session)
    try:
        await flows.delete_person(tx, person_id=person_id)
    except DomainError as exc:
        await tx.rollback()
        return refusal(request, tx.require_actor(), exc, f"/persone/{person_id}")
    await tx.commit()
    return RedirectResponse("/persone", status_code=303)


@router.post("/persone/{person_id}/consenso-contatto", openapi_extra=flow_route("consent.record"))
async def contact_consent(request: Request, session: SessionDep, person_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await read_form(request)
    try:
        data = ConsentIn.model_validate(
            {
                "purpose": ConsentPurpose.CONTATTO_SMS,
                "given": form.get("given") == "true",
                "signed_by": form.get("signed_by", ""),
                "note": form.get("note"),
            }
        )
        await consent_flows.record_consent(tx, person_id=person_id, data=data)
    except (ValidationError, DomainError) as exc:
        await tx.rollback()
        return await _after_failure(request, session, person_id, exc, form, "consent")
    await tx.commit()
    return RedirectResponse(f"/persone/{person_id}#consent", status_code=303)
