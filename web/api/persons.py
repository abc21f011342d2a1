"""HTTP routes for persons (persone), their household and network. Every route passes the policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from centrale.audit.models import AuditAction, AuditEventPublic
from centrale.audit.service import accesses_to_person, build_event
from centrale.authz.guard import PersonAccess
from centrale.authz.policy import PersonAction, visibility_clause
from centrale.common import NotFound, Page
from centrale.events.service import commit
from centrale.persons import flows, service
from centrale.persons.models import (
    HouseholdIn,
    HouseholdPublic,
    NetworkLinkCreate,
    NetworkLinkPublic,
    PersonCreate,
    PersonPublic,
    PersonUpdate,
)
from web.api.deps import CurrentActor, PagingDep, SessionDep, TxDep, flow_route, person_guard

router = APIRouter(prefix="/persons", tags=["persone"])

Readable = Annotated[PersonAccess, Depends(person_guard(PersonAction.READ, "person.read"))]
AccessLog = Annotated[PersonAccess, Depends(person_guard(PersonAction.READ_ACCESS_LOG, "person.accesses"))]


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


@router.post(
    "",
    response_model=PersonPublic,
    status_code=201,
    summary="Registra una persona / register",
    openapi_extra=flow_route("person.create"),
)
async def create_person(data: PersonCreate, tx: TxDep) -> PersonPublic:
    person = await flows.create_person(tx, data=data)
    await tx.commit()
    return PersonPublic.model_validate(person)


@router.get("/{person_id}", response_model=PersonPublic, summary="Anagrafica / a person")
async def read_person(access: Readable) -> PersonPublic:
    return PersonPublic.model_validate(access.person)


@router.patch(
    "/{person_id}",
    response_model=PersonPublic,
    summary="Aggiorna anagrafica / update",
    openapi_extra=flow_route("person.update"),
)
async def update_person(person_id: int, data: PersonUpdate, tx: TxDep) -> PersonPublic:
    person = await flows.update_person(tx, person_id=person_id, data=data)
    await tx.commit()
    return PersonPublic.model_validate(person)


@router.delete(
    "/{person_id}",
    status_code=204,
    summary="Archivia (cancellazione logica) / archive",
    openapi_extra=flow_route("person.delete"),
)
async def delete_person(person_id: int, tx: TxDep) -> Response:
    await flows.delete_person(tx, person_id=person_id)
    await tx.commit()
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


@router.put(
    "/{person_id}/household",
    response_model=HouseholdPublic,
    summary="Imposta il nucleo / set household",
    openapi_extra=flow_route("person.household_set"),
)
async def set_household(person_id: int, data: HouseholdIn, tx: TxDep) -> HouseholdPublic:
    household = await flows.set_household(tx, person_id=person_id, data=data)
    await tx.commit()
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
    openapi_extra=flow_route("person.network_add"),
)
async def add_network_link(person_id: int, data: NetworkLinkCreate, tx: TxDep) -> NetworkLinkPublic:
    link = await flows.add_network_link(tx, person_id=person_id, data=data)
    await tx.commit()
    return NetworkLinkPublic.model_validate(link)


@router.delete(
    "/{person_id}/network/{link_id}",
    status_code=204,
    summary="Rimuovi dalla rete / remove",
    openapi_extra=flow_route("person.network_remove"),
)
async def remove_network_link(person_id: int, link_id: int, tx: TxDep) -> Response:
    await flows.remove_network_link(tx, person_id=person_id, link_id=link_id)
    await tx.commit()
    return Response(status_code=204)
