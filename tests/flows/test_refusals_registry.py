"""Refusals of the registry flows: persons (household, network), condomini and sentinels, organisations,
operators and passwords.

For each guarded flow, an actor without need-to-know of the person (a case manager of another
municipio's office) or without the role (a tutor managing condomini, a coordinator administering
organisations and accounts) calls it on every surface it has (the API: these flows have no page form):
the answer is 403, nothing in the registry changes, and one audit row DENIED by that actor names the
action. The same call by an actor who may make it then succeeds, so a refusal cannot come from a
malformed request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.auth.models import AuthSession
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.db import Database
from centrale.events.service import commit
from centrale.flows import FLOWS
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import Household, HouseholdMember, NetworkLink, NetworkRelation, Person
from tests import factories as f

COVERED: set[str] = {
    "person.create",
    "person.update",
    "person.delete",
    "person.household_set",
    "person.network_add",
    "person.network_remove",
    "condominio.create",
    "condominio.update",
    "condominio.assisted_add",
    "sentinel.create",
    "sentinel.update",
    "organisation.create",
    "organisation.update",
    "organisation.delete",
    "operator.create",
    "operator.update",
    "operator.set_password",
}
REGISTRY_MODULES = {
    "centrale.persons.flows",
    "centrale.condomini.flows",
    "centrale.organisations.flows",
    "centrale.operators.flows",
    "centrale.auth.flows",
}
# every table of the registry and of sign-in: a refused call changes none of them
TABLES: list[type[SQLModel]] = [
    Person,
    Household,
    HouseholdMember,
    NetworkLink,
    Condominio,
    AssistedPerson,
    Sentinel,
    Organisation,
    Operator,
    AuthSession,
]
NEW_PASSWORD = "una-password-nuova"


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        return text.format(**self.ids)


async def _world(database: Database) -> World:
    """Municipio IX registers person A, Municipio I person B (both living in IX); a condominio with its
    tutor and sentinel; a spare organisation; operators around."""
    w = World()
    async with database.sessionmaker() as session:
        municipio_ix = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
        municipio_i = await f.org(session, OrgKind.MUNICIPIO, municipio="I")
        centrale = await f.org(session, OrgKind.CENTRALE, municipio="IX")
        ets = await f.org(session, OrgKind.ETS, municipio="IX")
        spare = await f.org(session, OrgKind.FARMACIA, municipio="IX")
        operators = {
            "cm_ix": await f.operator(session, Role.CASE_MANAGER, municipio_ix),
            "cm_i": await f.operator(session, Role.CASE_MANAGER, municipio_i),
            "coordinatore": await f.operator(session, Role.COORDINATORE, centrale),
            "tutor": await f.operator(session, Role.TUTOR, ets),
            "analista": await f.operator(session, Role.ANALISTA, centrale),
            "admin": await f.operator(session, Role.AMMINISTRATORE, centrale),
        }
        person_a = await f.person(session, municipio_ix, municipio="IX")
        person_b = await f.person(session, municipio_i, municipio="IX", cognome="Verdi")
        cond = await f.condominio(session, tutor=operators["tutor"])
        sentinel = await f.sentinel(session, cond)
        assert person_a.id is not None
        link = NetworkLink(person_id=person_a.id, relation=NetworkRelation.AMICALE, name="Vicina")
        session.add(link)
        await commit(session)
        for name, op in operators.items():
            assert op.id is not None
            w.ids[name] = op.id
            w.headers[name] = f.bearer(await f.token_for(session, op))
        for name, row in {
            "person": person_a,
            "other_person": person_b,
            "condominio": cond,
            "sentinel": sentinel,
            "spare_org": spare,
            "ets": ets,
            "link": link,
        }.items():
            assert row.id is not None
            w.ids[name] = row.id
    return w


@dataclass(frozen=True)
class Attempt:
    """One surface of one flow: who is refused, the audit subtype of the refusal, who may do it instead."""

    flow: str
    method: str
    path: str
    body: Callable[[World], dict[str, Any]] | None
    refused: str
    subtype: str
    allowed: str
    allowed_body: Callable[[World], dict[str, Any]] | None = None


def _person(_w: World) -> dict[str, Any]:
    return {
        "codice_fiscale": f.valid_cf(),
        "cognome": "Nuova",
        "nome": "Persona",
        "sesso": "F",
        "data_nascita": "1944-04-04",
    }


P = "/api/v1/persons/{person}"
ATTEMPTS: list[Attempt] = [
    Attempt("person.create", "POST", "/api/v1/persons", _person, "analista", "person.create", "cm_ix"),
    Attempt("person.update", "PATCH", P, lambda w: {"indirizzo": "Via Nuova 1"}, "cm_i", "person.update", "cm_ix"),
    Attempt("person.delete", "DELETE", P, None, "cm_i", "person.delete", "cm_ix"),
    Attempt(
        "person.household_set",
        "PUT",
        P + "/household",
        lambda w: {"members": [{"person_id": w.ids["person"], "relation": "INTESTATARIO"}]},
        "cm_i",
        "person.update",
        "cm_ix",
    ),
    Attempt(  # the person is theirs, a member is not: every member's data is touched
        "person.household_set",
        "PUT",
        P + "/household",
        lambda w: {
            "members": [
                {"person_id": w.ids["person"], "relation": "INTESTATARIO"},
                {"person_id": w.ids["other_person"], "relation": "CONIUGE"},
            ]
        },
        "cm_ix",
        "household.update",
        "coordinatore",
    ),
    Attempt(
        "person.network_add",
        "POST",
        P + "/network",
        lambda w: {"relation": "FAMILIARE", "name": "Figlia"},
        "cm_i",
        "person.update",
        "cm_ix",
    ),
    Attempt("person.network_remove", "DELETE", P + "/network/{link}", None, "cm_i", "person.update", "cm_ix"),
    Attempt(
        "condominio.create",
        "POST",
        "/api/v1/condomini",
        lambda w: {"name": "Condominio Nuovo", "indirizzo": "Via Nuova 2, Roma", "municipio": "IX"},
        "tutor",
        "condominio.create",
        "coordinatore",
    ),
    Attempt(
        "condominio.update",
        "PATCH",
        "/api/v1/condomini/{condominio}",
        lambda w: {"name": "Nome nuovo"},
        "tutor",
        "condominio.update",
        "coordinatore",
    ),
    Attempt(
        "condominio.assisted_add",
        "POST",
        "/api/v1/condomini/{condominio}/assistiti",
        lambda w: {"person_id": w.ids["person"], "alias": "Z9"},
        "cm_i",
        "condominio.assisted.add",
        "cm_ix",
    ),
    Attempt(
        "sentinel.create",
        "POST",
        "/api/v1/sentinels",
        lambda w: {"name": "Nuova sentinella", "phone": "+393339998877", "condominio_id": w.ids["condominio"]},
        "tutor",
        "sentinel.create",
        "coordinatore",
    ),
    Attempt(
        "sentinel.update",
        "PATCH",
        "/api/v1/sentinels/{sentinel}",
        lambda w: {"name": "Nome nuovo"},
        "tutor",
        "sentinel.update",
        "coordinatore",
    ),
    Attempt(
        "organisation.create",
        "POST",
        "/api/v1/organisations",
        lambda w: {"name": "Nuova ETS", "kind": "ETS", "municipio": "IX"},
        "coordinatore",
        "organisation.create",
        "admin",
    ),
    Attempt(
        "organisation.update",
        "PATCH",
        "/api/v1/organisations/{spare_org}",
        lambda w: {"name": "Rinominata"},
        "coordinatore",
        "organisation.update",
        "admin",
    ),
    Attempt(
        "organisation.delete",
        "DELETE",
        "/api/v1/organisations/{spare_org}",
        None,
        "coordinatore",
        "organisation.delete",
        "admin",
    ),
    Attempt(
        "operator.create",
        "POST",
        "/api/v1/operators",
        lambda w: {
            "username": "nuovo.tutor",
            "full_name": "Nuovo Tutor",
            "role": "TUTOR",
            "organisation_id": w.ids["ets"],
            "password": NEW_PASSWORD,
        },
        "coordinatore",
        "operator.create",
        "admin",
    ),
    Attempt(
        "operator.update",
        "PATCH",
        "/api/v1/operators/{tutor}",
        lambda w: {"full_name": "Altro Nome", "password": NEW_PASSWORD},
        "coordinatore",
        "operator.update",
        "admin",
    ),
    Attempt(
        "operator.set_password",
        "PUT",
        "/api/v1/operators/{tutor}/password",
        lambda w: {"password": NEW_PASSWORD},
        "coordinatore",
        "operator.set_password",
        "admin",
    ),
    Attempt(  # the owner's own surface: refused unless the current password is given
        "operator.set_password",
        "POST",
        "/api/v1/auth/password",
        lambda w: {"current_password": "non-e-la-mia", "new_password": NEW_PASSWORD},
        "tutor",
        "operator.set_password",
        "tutor",
        allowed_body=lambda w: {"current_password": f.PASSWORD, "new_password": NEW_PASSWORD},
    ),
]


def test_every_guarded_registry_flow_is_covered() -> None:
    guarded = {name for name, info in FLOWS.items() if info.guarded and info.fn.__module__ in REGISTRY_MODULES}
    assert guarded == COVERED
    assert {a.flow for a in ATTEMPTS} == COVERED


async def _registry(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of the registry's tables (a fresh session: nothing cached)."""
    found = {}
    async with database.sessionmaker() as session:
        for table in TABLES:
            rows = (await session.exec(select(table))).all()
            dumped = [row.model_dump(exclude={"expires_at"}) for row in rows]  # use may extend a session
            found[table.__name__] = sorted(dumped, key=repr)
    return found


async def _denials(database: Database, operator_id: int, subtype: str) -> int:
    async with database.sessionmaker() as session:
        query = (
            select(func.count())
            .select_from(AuditEvent)
            .where(
                col(AuditEvent.agent_operator_id) == operator_id,
                col(AuditEvent.subtype) == subtype,
                col(AuditEvent.outcome) == AuditOutcome.DENIED,
            )
        )
        return (await session.exec(query)).one()


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda a: f"{a.flow}:{a.method} {a.path}:{a.refused}")
async def test_refused_without_need_to_know_or_role(
    attempt: Attempt, client: httpx.AsyncClient, database: Database
) -> None:
    w = await _world(database)
    url = w.fill(attempt.path)
    before = await _registry(database)
    denials = await _denials(database, w.ids[attempt.refused], attempt.subtype)
    body = attempt.body(w) if attempt.body else None
    r = await client.request(attempt.method, url, json=body, headers=w.headers[attempt.refused])
    assert r.status_code == 403, r.text
    assert await _registry(database) == before, "a refused call changed the registry"
    assert await _denials(database, w.ids[attempt.refused], attempt.subtype) == denials + 1
    allowed_body = attempt.allowed_body(w) if attempt.allowed_body else body
    ok = await client.request(attempt.method, url, json=allowed_body, headers=w.headers[attempt.allowed])
    assert ok.status_code in (200, 201, 204), ok.text
    assert await _registry(database) != before, "the allowed call changes the registry"
