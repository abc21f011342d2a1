"""Need-to-know matrix for cases: every role x every case endpoint x every relation to the case's person.

Case endpoints are those under ``/api/v1/cases/{case_id}``, the intakes, and those of a case's plan
versions under ``/api/v1/plans/{plan_id}`` (the plan's case decides). Referrals are answered by their
parties (the sending and the receiving organisation), not by a relation to the case: see test_referrals.py.

The expected table is written out by hand (the specification, not a copy of CASE_RULES). The test fails
when a case or intake endpoint is added to the API without an entry here. Read-only endpoints share one
set-up per role and relation; every write gets a fresh case, and a refused write must change nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.assessments.models import Assessment
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.authz.relations import Relation
from centrale.cases.models import (
    CareTeamMember,
    Case,
    CaseCategory,
    CasePhase,
    CaseState,
    DiaryEntry,
    Intake,
    SiussArea,
    TeamRole,
)
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import Person
from centrale.plans.models import Goal, GoalTerm, Plan, PlanApproval
from centrale.referrals.models import Referral
from tests import factories as f

R = Relation
# kinds of endpoint, by what the specification says about them
READ = "read"  # the case, its history, team, diary, file, plans
READ_CLINICAL = "read_clinical"  # assessments: not for who only delivers interventions (tutor, ETS)
MANAGE = "manage"  # state and phase, care team, new plan version
CONTRIBUTE = "contribute"  # diary entries, referrals
CONTRIBUTE_CLINICAL = "contribute_clinical"  # assessments
INTAKE = "intake"  # a scheda di accoglienza for the person
APPROVE = "approve"  # approve a plan version on behalf of one's organisation, which must be on the team

TEAM = frozenset({R.CARE_TEAM})
TEAM_OR_OFFICE = frozenset({R.CARE_TEAM, R.REGISTERING_ORG})
NOBODY: frozenset[Relation] = frozenset()

#: role -> kind of endpoint -> relations under which it is allowed. Relations not listed (MMG of the
#: person, condominio operator, no relation) never open a case: only the team, the office that took the
#: person in, or the district Centrale.
EXPECTED: dict[Role, dict[str, frozenset[Relation]]] = {
    Role.COORDINATORE: {
        READ: frozenset({R.DISTRICT, R.CARE_TEAM}),
        READ_CLINICAL: frozenset({R.DISTRICT, R.CARE_TEAM}),
        CONTRIBUTE: frozenset({R.DISTRICT, R.CARE_TEAM}),
        CONTRIBUTE_CLINICAL: frozenset({R.DISTRICT, R.CARE_TEAM}),
        MANAGE: NOBODY,
        INTAKE: NOBODY,
        APPROVE: TEAM,
    },
    Role.CASE_MANAGER: {
        READ: TEAM_OR_OFFICE,
        READ_CLINICAL: TEAM_OR_OFFICE,
        CONTRIBUTE: TEAM_OR_OFFICE,
        CONTRIBUTE_CLINICAL: TEAM_OR_OFFICE,
        MANAGE: TEAM_OR_OFFICE,
        INTAKE: TEAM_OR_OFFICE,
        APPROVE: TEAM,  # the office that took the person in approves only once it is on the team
    },
    Role.OPERATORE_PUA: {
        READ: TEAM_OR_OFFICE,
        READ_CLINICAL: TEAM_OR_OFFICE,
        CONTRIBUTE: TEAM,
        CONTRIBUTE_CLINICAL: TEAM,
        MANAGE: NOBODY,
        INTAKE: TEAM_OR_OFFICE,
        APPROVE: TEAM,
    },
    Role.MMG: {READ: TEAM, READ_CLINICAL: TEAM, CONTRIBUTE: TEAM, CONTRIBUTE_CLINICAL: TEAM, APPROVE: TEAM},
    Role.TUTOR: {READ: TEAM, CONTRIBUTE: TEAM},  # delivers interventions; approves nothing for the cooperative
    Role.OPERATORE_ETS: {READ: TEAM, CONTRIBUTE: TEAM, APPROVE: TEAM},
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
class Actors:
    actor: Operator
    actor_org: Organisation
    owner_org: Organisation  # the office that holds the case (another municipio)
    manager: Operator  # the responsible case manager, of owner_org
    bystander_org: Organisation  # an organisation-wide member that can be removed


@dataclass
class World:
    person: Person
    case: Case
    removable_member_id: int
    case_id: int = 0
    person_id: int = 0
    plan_id: int = 0  # a draft plan version of the case
    goal_id: int = 0  # one of its goals


async def _world(session: AsyncSession, a: Actors, relation: Relation | None, *, draft: bool = True) -> World:
    """A person of municipio I, registered by another office, with an open case, a team of two and
    (``draft``) a draft plan with one goal."""
    person = await f.person(session, a.owner_org, municipio="I")
    assert person.id is not None and a.owner_org.id is not None and a.manager.id is not None
    case = Case(
        person_id=person.id,
        state=CaseState.APERTO,
        phase=CasePhase.INVIO,
        category=CaseCategory.ANZIANI,
        siuss_area=SiussArea(2),
        case_manager_id=a.manager.id,
        organisation_id=a.owner_org.id,
    )
    session.add(case)
    await session.flush()
    assert case.id is not None and a.bystander_org.id is not None
    session.add(
        CareTeamMember(
            case_id=case.id,
            organisation_id=a.owner_org.id,
            operator_id=a.manager.id,
            role=TeamRole.RESPONSABILE,
            added_by_id=a.manager.id,
        )
    )
    removable = CareTeamMember(
        case_id=case.id, organisation_id=a.bystander_org.id, role=TeamRole.OPERATORE_ETS, added_by_id=a.manager.id
    )
    session.add(removable)
    await session.flush()
    assert removable.id is not None
    plan_id = goal_id = 0
    if draft:
        plan = Plan(case_id=case.id, version=1, start_date=date(2024, 3, 1), created_by_id=a.manager.id)
        session.add(plan)
        await session.flush()
        assert plan.id is not None
        goal = Goal(plan_id=plan.id, term=GoalTerm.BREVE, description="Spesa settimanale con accompagnamento")
        session.add(goal)
        await session.flush()
        assert goal.id is not None
        plan_id, goal_id = plan.id, goal.id
    w = World(
        person=person,
        case=case,
        removable_member_id=removable.id,
        case_id=case.id,
        person_id=person.id,
        plan_id=plan_id,
        goal_id=goal_id,
    )
    if relation is not None:
        await SETUP[relation](session, a, w)
    session.add(person)
    await commit(session)
    return w


# --- how each relation to the case's person is set up ------------------------------------------------


async def _care_team(session: AsyncSession, a: Actors, w: World) -> None:
    assert w.case.id is not None and a.actor_org.id is not None
    session.add(
        CareTeamMember(
            case_id=w.case.id,
            organisation_id=a.actor_org.id,
            operator_id=a.actor.id,
            role=TeamRole.ALTRO,
            added_by_id=a.manager.id or 0,
        )
    )


async def _registering_org(_s: AsyncSession, a: Actors, w: World) -> None:
    w.person.registered_by_org_id = a.actor_org.id or 0


async def _district(_s: AsyncSession, _a: Actors, w: World) -> None:
    w.person.municipio = "IX"  # the actor's organisation is in municipio IX


async def _mmg(_s: AsyncSession, a: Actors, w: World) -> None:
    w.person.mmg_organisation_id = a.actor_org.id


async def _condominio_operator(session: AsyncSession, a: Actors, w: World) -> None:
    await f.assisted(session, await f.condominio(session, tutor=a.actor), w.person, alias="REL")


SETUP: dict[Relation, Callable[[AsyncSession, Actors, World], Awaitable[None]]] = {
    R.CARE_TEAM: _care_team,
    R.REGISTERING_ORG: _registering_org,
    R.DISTRICT: _district,
    R.MMG: _mmg,
    R.CONDOMINIO_OPERATOR: _condominio_operator,
}
RELATIONS: list[Relation | None] = [None, *SETUP]


# --- the endpoints: (method, path) -> (kind, body) --------------------------------------------------------

Body = Callable[[Actors, World], dict[str, Any]] | None
KATZ = {"bagno": 1, "vestirsi": 1, "toilette": 0, "spostarsi": 1, "continenza": 1, "alimentazione": 1}
C = "/api/v1/cases/{case_id}"
P = "/api/v1/plans/{plan_id}"

READ_ENDPOINTS: dict[tuple[str, str], str] = {
    ("GET", C): READ,
    ("GET", C + "/history"): READ,
    ("GET", C + "/team"): READ,
    ("GET", C + "/diary"): READ,
    ("GET", C + "/fascicolo"): READ,
    ("GET", C + "/plans"): READ,
    ("GET", C + "/assessments"): READ_CLINICAL,
    ("GET", C + "/assessments/profile"): READ_CLINICAL,
    ("GET", C + "/fhir"): READ,
    ("GET", C + "/siuss"): READ,
    ("GET", P): READ,
}
WRITE_ENDPOINTS: dict[tuple[str, str], tuple[str, Body]] = {
    ("POST", C + "/transitions"): (MANAGE, lambda a, w: {"phase": "VALUTAZIONE"}),
    ("POST", C + "/team"): (MANAGE, lambda a, w: {"organisation_id": a.owner_org.id, "role": "ALTRO"}),
    ("DELETE", C + "/team/{member_id}"): (MANAGE, None),
    ("POST", C + "/plans"): (MANAGE, lambda a, w: {"start_date": "2024-03-01"}),
    ("POST", C + "/diary"): (CONTRIBUTE, lambda a, w: {"kind": "NOTA", "text": "Sentita la figlia"}),
    # to an organisation already on the team: no consent question, only the case rule
    ("POST", C + "/referrals"): (CONTRIBUTE, lambda a, w: {"to_org_id": a.owner_org.id, "reason": "Verifica"}),
    ("POST", C + "/assessments"): (CONTRIBUTE_CLINICAL, lambda a, w: {"kind": "KATZ_ADL", "answers": KATZ}),
    ("PUT", C + "/siuss/dati"): (MANAGE, lambda a, w: {"codice_cittadinanza": "380"}),
    ("POST", C + "/siuss/flussi"): (MANAGE, None),
    ("PUT", P): (MANAGE, lambda a, w: {"start_date": "2024-04-01", "note": "Rivisto con la famiglia"}),
    ("POST", P + "/approvals"): (APPROVE, None),
    ("POST", P + "/signature"): (MANAGE, lambda a, w: {"signed_by": "Maria Rossi"}),
    ("PATCH", P + "/goals/{goal_id}"): (CONTRIBUTE, lambda a, w: {"reached": True}),
    ("POST", "/api/v1/intakes"): (
        INTAKE,
        lambda a, w: {
            "person_id": w.person_id,
            "requested_by": "Laura Bianchi",
            "expressed_need": "Chiede aiuto per la spesa",
            "source": "FAMILIARE",
            "outcome": "ORIENTAMENTO",
            "referred_to": "Centro anziani",
        },
    ),
}


#: writes whose world has no draft plan (a new version is refused while a draft exists)
WITHOUT_DRAFT = frozenset({("POST", C + "/plans")})


def case_endpoints(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path, operations in openapi["paths"].items():
        if path.startswith((C, "/api/v1/intakes", "/api/v1/plans/")):
            found.update((method.upper(), path) for method in operations)
    return found


def test_every_relation_has_a_set_up() -> None:
    assert set(SETUP) == set(Relation)


async def test_every_case_endpoint_is_in_the_matrix(client: httpx.AsyncClient) -> None:
    openapi = (await client.get("/openapi.json")).json()
    assert case_endpoints(openapi) == set(READ_ENDPOINTS) | set(WRITE_ENDPOINTS), (
        "add the new case endpoint to READ_ENDPOINTS or WRITE_ENDPOINTS with its expected answers"
    )


def _url(path: str, w: World) -> str:
    return path.format(case_id=w.case_id, member_id=w.removable_member_id, plan_id=w.plan_id, goal_id=w.goal_id)


async def _snapshot(session: AsyncSession, w: World) -> tuple[object, ...]:
    """What a write could change about this case and person."""
    state, phase = (
        await session.exec(select(col(Case.state), col(Case.phase)).where(col(Case.id) == w.case_id))
    ).one()  # columns, not the cached object: what is in the database now

    async def count(model: Any, column: Any, value: object, *extra: Any) -> int:
        return (await session.exec(select(func.count()).select_from(model).where(column == value, *extra))).one()

    plan = (
        await session.exec(
            select(col(Plan.start_date), col(Plan.note), col(Plan.signed_at)).where(col(Plan.id) == w.plan_id)
        )
    ).first()
    reached = (await session.exec(select(col(Goal.reached)).where(col(Goal.id) == w.goal_id))).first()
    return (
        state,
        phase,
        tuple(plan or ()),
        reached,
        await count(PlanApproval, col(PlanApproval.plan_id), w.plan_id),
        await count(CareTeamMember, col(CareTeamMember.case_id), w.case_id, col(CareTeamMember.removed_at).is_(None)),
        await count(DiaryEntry, col(DiaryEntry.case_id), w.case_id),
        await count(Assessment, col(Assessment.case_id), w.case_id),
        await count(Plan, col(Plan.case_id), w.case_id),
        await count(Referral, col(Referral.case_id), w.case_id),
        await count(Intake, col(Intake.person_id), w.person_id),
    )


async def _denial_audited(session: AsyncSession, actor: Operator, w: World) -> bool:
    rows = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.agent_operator_id) == actor.id,
            col(AuditEvent.outcome) == AuditOutcome.DENIED,
            col(AuditEvent.person_id) == w.person_id,
        )
    )
    return rows.first() is not None


@pytest.mark.parametrize("role", list(Role))
async def test_case_matrix(role: Role, client: httpx.AsyncClient, session: AsyncSession) -> None:
    actor_org = await f.org(session, ORG_OF_ROLE[role], municipio="IX")
    owner_org = await f.org(session, OrgKind.MUNICIPIO, municipio="I")
    a = Actors(
        actor=await f.operator(session, role, actor_org),
        actor_org=actor_org,
        owner_org=owner_org,
        manager=await f.operator(session, Role.CASE_MANAGER, owner_org),
        bystander_org=await f.org(session, OrgKind.ETS, municipio="I"),
    )
    headers = f.bearer(await f.token_for(session, a.actor))
    failures: list[str] = []

    async def check(key: tuple[str, str], kind: str, relation: Relation | None, w: World, body: Body) -> None:
        allowed = relation in EXPECTED[role].get(kind, NOBODY)
        before = await _snapshot(session, w) if key[0] != "GET" else None
        response = await client.request(key[0], _url(key[1], w), headers=headers, json=body(a, w) if body else None)
        if allowed:
            ok = response.status_code in (200, 201, 204)
        else:
            ok = response.status_code == 403 and await _denial_audited(session, a.actor, w)
            if ok and before is not None:
                ok = await _snapshot(session, w) == before
        if not ok:
            failures.append(
                f"{key} relation={relation} expected {'allow' if allowed else 'deny'}, "
                f"got {response.status_code} {response.text[:120]}"
            )

    for relation in RELATIONS:
        shared = await _world(session, a, relation)  # one set-up for every read-only endpoint
        for key, kind in READ_ENDPOINTS.items():
            await check(key, kind, relation, shared, None)
        for key, (kind, body) in WRITE_ENDPOINTS.items():
            world = await _world(session, a, relation, draft=key not in WITHOUT_DRAFT)
            await check(key, kind, relation, world, body)
    assert not failures, "\n".join(failures)
