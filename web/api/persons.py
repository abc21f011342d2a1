"""HTTP routes for persons (persone), their household and network. Every route passes the policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from centrale.audit.models import AuditAction, AuditEventPublic
from centrale.audit.service import accesses_to_person, build_event
from centrale.auth.actor import Actor
from centrale.authz.guard import PersonAccess, check_person
from centrale.authz.policy import PersonAction, visibility_clause
from centrale.common import NotFound, Page
from centrale.events.service import commit
from centrale.persons import service
from centrale.persons.models import (
    HouseholdIn,
    HouseholdPublic,
    NetworkLinkCreate,
    NetworkLinkPublic,
    PersonCreate,
    PersonPublic,
    PersonUpdate,
)
from web import container
from web.api.deps import CurrentActor, PagingDep, SessionDep, person_guard, require_create

router = APIRouter(prefix="/persons", tags=["persone"])

Readable = Annotated[PersonAccess, Depends(person_guard(PersonAction.READ, "person.read"))]
Writable = Annotated[PersonAccess, Depends(person_guard(PersonAction.WRITE, "person.update"))]
Deletable = Annotated[PersonAccess, Depends(person_guard(PersonAction.DELETE, "person.delete"))]
AccessLog = Annotated[PersonAccess, Depends(person_guard(PersonAction.READ_ACCESS_LOG, "person.accesses"))]
Creator = Annotated[Actor, Depends(require_create)]


@router.get("", response_model=Page[PersonPublic], summary="Elenco delle persone visibili / visible persons")
async def list_persons(
    session: SessionDep,
    actor: CurrentActor,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=100, description="cognome, nome o codice fiscale")] = None,
    municipio: Annotated[str | None, Query(max_length=5)] = None,
) -> Page[PersonPublic]:
    rows, total = await service.list_persons(
        session, visible=visibility_clause(actor), q=q, municipio=municipio, offset=paging.offset, limit=paging.limit
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
    return Page(data=[PersonPublic.model_validate(p) for p in rows], count=total)


@router.post("", response_model=PersonPublic, status_code=201, summary="Registra una persona / register")
async def create_person(data: PersonCreate, session: SessionDep, actor: Creator) -> PersonPublic:
    person = await service.create_person(session, data=data, registered_by_org_id=actor.org_id)
    session.add(
        build_event(
            agent=actor.agent(),
            action=AuditAction.CREATE,
            subtype="person.create",
            entity_type="Person",
            entity_id=person.id,
            person_id=person.id,
        )
    )
    await commit(session)
    return PersonPublic.model_validate(person)


@router.get("/{person_id}", response_model=PersonPublic, summary="Anagrafica / a person")
async def read_person(access: Readable) -> PersonPublic:
    return PersonPublic.model_validate(access.person)


@router.patch("/{person_id}", response_model=PersonPublic, summary="Aggiorna anagrafica / update")
async def update_person(data: PersonUpdate, access: Writable) -> PersonPublic:
    person = await service.update_person(access.session, person=access.person, data=data)
    access.audit(AuditAction.UPDATE, "person.update")
    await commit(access.session)
    return PersonPublic.model_validate(person)


@router.delete("/{person_id}", status_code=204, summary="Archivia (cancellazione logica) / archive")
async def delete_person(access: Deletable) -> Response:
    await service.soft_delete_person(access.session, person=access.person)
    access.audit(AuditAction.DELETE, "person.delete")
    await commit(access.session)
    return Response(status_code=204)


@router.get(
    "/{person_id}/accessi",
    response_model=Page[AuditEventPublic],
    summary="Chi ha avuto accesso a questa persona / who accessed this person",
)
async def person_accesses(access: AccessLog, paging: PagingDep) -> Page[AuditEventPublic]:
    rows, total = await accesses_to_person(
        access.session, person_id=access.person_id, offset=paging.offset, limit=paging.limit
    )
    return Page(data=[AuditEventPublic.model_validate(r) for r in rows], count=total)


@router.get("/{person_id}/household", response_model=HouseholdPublic, summary="Nucleo familiare / household")
async def read_household(access: Readable) -> HouseholdPublic:
    household = await service.household_of(access.session, person_id=access.person_id)
    if household is None:
        raise NotFound("Nucleo familiare della persona", access.person_id)
    return household


@router.put("/{person_id}/household", response_model=HouseholdPublic, summary="Imposta il nucleo / set household")
async def set_household(data: HouseholdIn, access: Writable, request: Request) -> HouseholdPublic:
    for member in data.members:  # every member's data is touched: each must be writable
        if member.person_id != access.person_id:
            await check_person(
                access.session,
                container.database(request),
                access.actor,
                member.person_id,
                PersonAction.WRITE,
                "household.update",
            )
    household = await service.set_household(access.session, person_id=access.person_id, data=data)
    access.audit(AuditAction.UPDATE, "household.update", "Household", household.id)
    await commit(access.session)
    return household


@router.get("/{person_id}/network", response_model=list[NetworkLinkPublic], summary="Rete / network")
async def read_network(access: Readable) -> list[NetworkLinkPublic]:
    links = await service.network_of(access.session, person_id=access.person_id)
    return [NetworkLinkPublic.model_validate(link) for link in links]


@router.post(
    "/{person_id}/network",
    response_model=NetworkLinkPublic,
    status_code=201,
    summary="Aggiungi alla rete / add to network",
)
async def add_network_link(data: NetworkLinkCreate, access: Writable) -> NetworkLinkPublic:
    link = await service.add_network_link(access.session, person_id=access.person_id, data=data)
    access.audit(AuditAction.UPDATE, "network.add", "NetworkLink", link.id)
    await commit(access.session)
    return NetworkLinkPublic.model_validate(link)


@router.delete("/{person_id}/network/{link_id}", status_code=204, summary="Rimuovi dalla rete / remove")
async def remove_network_link(link_id: int, access: Writable) -> Response:
    link = await service.remove_network_link(access.session, person_id=access.person_id, link_id=link_id)
    if link is None:
        raise NotFound("Legame di rete", link_id)
    access.audit(AuditAction.UPDATE, "network.remove", "NetworkLink", link_id)
    await commit(access.session)
    return Response(status_code=204)
