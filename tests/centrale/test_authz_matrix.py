"""Need-to-know matrix: every role x every person endpoint x every relation gets the expected answer.

The expected table below is written out by hand (it is the specification, not a copy of the policy).
The test fails when a person endpoint is added to the API without an entry here, or a relation is added
to the policy without a way to set it up here.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.authz.relations import Relation
from centrale.cases.models import CareTeamMember, Case, CaseCategory, CasePhase, CaseState, SiussArea, TeamRole
from centrale.condomini.models import AssistedPerson
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import NetworkLink, NetworkRelation, Person
from tests import factories as f

R = Relation
READ, CREATE, WRITE, DELETE, LOG = "read", "create", "write", "delete", "accesslog"
ALL = frozenset(Relation)

# role -> kind of action -> relations under which it is allowed (the specification)
EXPECTED: dict[Role, dict[str, frozenset[Relation]]] = {
    Role.COORDINATORE: {
        READ: frozenset({R.DISTRICT, R.CARE_TEAM}),
        CREATE: ALL,
        WRITE: frozenset({R.DISTRICT}),
        DELETE: frozenset({R.DISTRICT}),
        LOG: frozenset({R.DISTRICT}),
    },
    Role.CASE_MANAGER: {
        READ: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        CREATE: ALL,
        WRITE: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        DELETE: frozenset({R.REGISTERING_ORG}),
        LOG: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
    },
    Role.OPERATORE_PUA: {
        READ: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        CREATE: ALL,
        WRITE: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
    },
    Role.MMG: {READ: frozenset({R.CARE_TEAM, R.MMG})},
    Role.TUTOR: {READ: frozenset({R.CARE_TEAM, R.CONDOMINIO_OPERATOR})},
    Role.OPERATORE_ETS: {READ: frozenset({R.CARE_TEAM})},
    Role.ANALISTA: {},
    Role.AMMINISTRATORE: {},
}

ORG_OF_ROLE = {
    Role.COORDINATORE: OrgKind.CENTRALE,
    Role.CASE_MANAGER: OrgKind.MUNICIPIO,
    Role.OPERATORE_PUA: OrgKind.ASL_PUA,
    Role.MMG: OrgKind.MMG,
    Role.TUTOR: OrgKind.ETS,
    Role.OPERATORE_ETS: OrgKind.ETS,
    Role.ANALISTA: OrgKind.CENTRALE,
    Role.AMMINISTRATORE: OrgKind.CENTRALE,
}


@dataclass
class World:
    session: AsyncSession
    actor: Operator
    actor_org: Organisation
    other_org: Organisation
    condominio_id: int
    other_condominio_id: int
    person: Person
    link_id: int


# --- how each relation is set up between the actor and a fresh person --------------------------------


async def _registering_org(w: World) -> None:
    w.person.registered_by_org_id = w.actor_org.id  # type: ignore[assignment]


async def _mmg(w: World) -> None:
    w.person.mmg_organisation_id = w.actor_org.id


async def _district(w: World) -> None:
    w.person.municipio = "IX"


async def _condominio_operator(w: World) -> None:
    cond = await f.condominio(w.session, tutor=w.actor)
    await f.assisted(w.session, cond, w.person, alias="REL")


async def _care_team(w: World) -> None:
    assert w.person.id is not None and w.actor.id is not None and w.actor_org.id is not None
    case = Case(
        person_id=w.person.id,
        state=CaseState.PRESO_IN_CARICO,
        phase=CasePhase.ATTUAZIONE,
        category=CaseCategory.ANZIANI,
        siuss_area=SiussArea(2),
        case_manager_id=w.actor.id,
        organisation_id=w.actor_org.id,
    )
    w.session.add(case)
    await w.session.flush()
    assert case.id is not None
    w.session.add(
        CareTeamMember(
            case_id=case.id,
            organisation_id=w.actor_org.id,
            operator_id=w.actor.id,
            role=TeamRole.ASSISTENTE_SOCIALE,
            added_by_id=w.actor.id,
        )
    )


SETUP: dict[Relation, Callable[[World], Awaitable[None]]] = {
    R.REGISTERING_ORG: _registering_org,
    R.MMG: _mmg,
    R.DISTRICT: _district,
    R.CONDOMINIO_OPERATOR: _condominio_operator,
    R.CARE_TEAM: _care_team,
}
RELATIONS: list[Relation | None] = [None, *SETUP]  # None: no relation at all


# --- the person endpoints: (method, path) -> (action, kind of answer, how to call) --------------------

Call = Callable[[httpx.AsyncClient, World, dict[str, str]], Awaitable[httpx.Response]]


def _c(method: str, path: str, body: Callable[[World], Any] | None = None) -> Call:
    async def call(client: httpx.AsyncClient, w: World, headers: dict[str, str]) -> httpx.Response:
        url = path.format(
            person_id=w.person.id,
            link_id=w.link_id,
            condominio_id=w.condominio_id,
            other_condominio_id=w.other_condominio_id,
        )
        return await client.request(method, url, headers=headers, json=body(w) if body else None)

    return call


def _new_person(_w: World) -> dict[str, Any]:
    return {
        "codice_fiscale": f.valid_cf(),
        "cognome": "Nuova",
        "nome": "Persona",
        "sesso": "F",
        "data_nascita": "1944-04-04",
    }


P = "/api/v1/persons/{person_id}"
ENDPOINTS: dict[tuple[str, str], tuple[str, str, Call]] = {
    ("GET", "/api/v1/persons"): (READ, "list", _c("GET", "/api/v1/persons")),
    ("POST", "/api/v1/persons"): (CREATE, "status", _c("POST", "/api/v1/persons", _new_person)),
    ("GET", P): (READ, "status", _c("GET", P)),
    ("PATCH", P): (WRITE, "status", _c("PATCH", P, lambda w: {"indirizzo": "Via Nuova 1"})),
    ("DELETE", P): (DELETE, "status", _c("DELETE", P)),
    ("GET", P + "/accessi"): (LOG, "status", _c("GET", P + "/accessi")),
    ("GET", P + "/household"): (READ, "status", _c("GET", P + "/household")),
    ("PUT", P + "/household"): (
        WRITE,
        "status",
        _c("PUT", P + "/household", lambda w: {"members": [{"person_id": w.person.id, "relation": "INTESTATARIO"}]}),
    ),
    ("GET", P + "/network"): (READ, "status", _c("GET", P + "/network")),
    ("GET", "/api/v1/tasks/person/{person_id}"): (READ, "status", _c("GET", "/api/v1/tasks/person/{person_id}")),
    ("POST", P + "/network"): (
        WRITE,
        "status",
        _c("POST", P + "/network", lambda w: {"relation": "FAMILIARE", "name": "Figlia"}),
    ),
    ("DELETE", P + "/network/{link_id}"): (WRITE, "status", _c("DELETE", P + "/network/{link_id}")),
    ("GET", P + "/consents"): (READ, "status", _c("GET", P + "/consents")),
    ("POST", P + "/consents"): (
        WRITE,
        "status",
        _c("POST", P + "/consents", lambda w: {"purpose": "CONDIVISIONE_ENTI", "signed_by": "La persona"}),
    ),
    ("GET", "/api/v1/condomini/{condominio_id}/assistiti"): (
        READ,
        "list",
        _c("GET", "/api/v1/condomini/{condominio_id}/assistiti"),
    ),
    ("POST", "/api/v1/condomini/{condominio_id}/assistiti"): (
        WRITE,
        "status",
        _c(
            "POST",
            "/api/v1/condomini/{other_condominio_id}/assistiti",
            lambda w: {"person_id": w.person.id, "alias": f"N{w.person.id}"},
        ),
    ),
}


def person_endpoints(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    """Every operation of the API that touches a person's data."""
    found = set()
    for path, operations in openapi["paths"].items():
        touches = "{person_id}" in path or path.startswith("/api/v1/persons") or "assistiti" in path
        for method in operations:
            if touches:
                found.add((method.upper(), path))
    return found


def test_every_relation_has_a_set_up() -> None:
    assert set(SETUP) == set(Relation)


async def test_every_person_endpoint_is_in_the_matrix(client: httpx.AsyncClient) -> None:
    openapi = (await client.get("/openapi.json")).json()
    assert person_endpoints(openapi) == set(ENDPOINTS), "add the new person endpoint to ENDPOINTS"


async def _world(
    session: AsyncSession,
    role: Role,
    actor_org: Organisation,
    actor: Operator,
    other_org: Organisation,
    cond_id: int,
    other_cond_id: int,
) -> World:
    person = await f.person(session, other_org, municipio="I")
    assert person.id is not None
    link = NetworkLink(person_id=person.id, relation=NetworkRelation.AMICALE, name="Vicina")
    session.add(link)
    session.add(AssistedPerson(condominio_id=cond_id, person_id=person.id, alias=f"P{person.id}"))
    await commit(session)
    assert link.id is not None
    return World(session, actor, actor_org, other_org, cond_id, other_cond_id, person, link.id)


@pytest.mark.parametrize("role", list(Role))
async def test_matrix(role: Role, client: httpx.AsyncClient, session: AsyncSession) -> None:
    actor_org = await f.org(session, ORG_OF_ROLE[role], municipio="IX")
    other_org = await f.org(session, OrgKind.MUNICIPIO, municipio="I")
    actor = await f.operator(session, role, actor_org)
    headers = f.bearer(await f.token_for(session, actor))
    cond, other_cond = await f.condominio(session), await f.condominio(session)
    assert cond.id is not None and other_cond.id is not None
    failures = []
    for (key, (action, kind, call)), relation in itertools.product(ENDPOINTS.items(), RELATIONS):
        w = await _world(session, role, actor_org, actor, other_org, cond.id, other_cond.id)
        if relation is not None:
            await SETUP[relation](w)
            session.add(w.person)
            await commit(session)
        allowed = relation in EXPECTED[role].get(action, frozenset()) or EXPECTED[role].get(action) == ALL
        response = await call(client, w, headers)
        if kind == "list":
            listed = response.status_code == 200 and w.person.id in _ids(response.json())
            ok = listed == allowed
        elif allowed:
            ok = response.status_code in (200, 201, 204) or (
                key == ("GET", P + "/household") and response.status_code == 404
            )
        else:
            ok = response.status_code == 403 and await _denial_audited(session, actor, w.person)
        if not ok:
            failures.append(
                f"{key} relation={relation} expected {'allow' if allowed else 'deny'}, got {response.status_code}"
            )
    assert not failures, "\n".join(failures)


def _ids(body: Any) -> set[int]:
    rows = body["data"] if isinstance(body, dict) else body
    return {row.get("person_id", row.get("id")) if "person_id" in row else row["id"] for row in rows}


async def _denial_audited(session: AsyncSession, actor: Operator, person: Person) -> bool:
    rows = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.agent_operator_id) == actor.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
        )
    )
    return any(r.person_id in (person.id, None) for r in rows.all())
