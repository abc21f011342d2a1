"""Refusals of the case flows (intake, transition, care team, diary) and of recording an assessment.

A person of municipio IX, taken in by the Municipio IX office, has an open case with its case manager
responsible and two other organisations on the care team. Operators without need-to-know of the case (a
case manager and the Centrale of another municipio, an ASL office, a pharmacy and a cooperative's tutor
that are not on the team) call each flow on every surface it has: the API and, where there is one, the
page form. Each attempt is a 403, changes nothing, and writes one audit row DENIED naming the flow. The
same calls by the responsible case manager succeed, so a refusal cannot come from a malformed request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import col, select

from centrale.assessments import flows as assessment_flows
from centrale.assessments.models import Assessment
from centrale.cases import flows as case_flows
from centrale.cases.models import (
    CareTeamMember,
    Case,
    CaseCategory,
    CaseHistory,
    CasePhase,
    CaseState,
    DiaryEntry,
    Intake,
    SiussArea,
    TeamRole,
)
from centrale.db import Database
from centrale.events.service import commit
from centrale.flows import FLOWS
from centrale.operators.models import Role
from centrale.organisations.models import Organisation, OrgKind
from tests import factories as f
from tests.flows.common import Who, cast_of, denials
from web.api.deps import COOKIE_NAME

COVERED: set[str] = {
    "case.intake",
    "case.transition",
    "case.team_add",
    "case.team_remove",
    "case.diary_add",
    "assessment.record",
}

#: no relation to the person or the case: another municipio, an office or a shop that is not on the team
STRANGERS = ("case manager VII", "coordinatore VII", "PUA estranea", "farmacia estranea", "tutor estraneo")
KATZ = {"bagno": 1, "vestirsi": 1, "toilette": 0, "spostarsi": 1, "continenza": 1, "alimentazione": 1}
INTAKE = {
    "requested_by": "Laura Bianchi",
    "expressed_need": "Chiede aiuto per la spesa",
    "source": "FAMILIARE",
    "outcome": "ORIENTAMENTO",
    "referred_to": "Centro anziani",
}


@dataclass
class World:
    database: Database
    client: httpx.AsyncClient
    person_id: int
    case_id: int
    members: list[int]  # two removable members of the care team (not the responsible)
    other_org_id: int  # an organisation not on the team, to add
    actors: dict[str, Who]

    def __getitem__(self, name: str) -> Who:
        return self.actors[name]


async def _world(database: Database, client: httpx.AsyncClient) -> World:
    async with database.sessionmaker() as session:
        municipio_ix = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
        orgs: dict[str, Organisation] = {
            "municipio IX": municipio_ix,
            "municipio VII": await f.org(session, OrgKind.MUNICIPIO, municipio="VII"),
            "centrale VII": await f.org(session, OrgKind.CENTRALE, municipio="VII"),
            "asl": await f.org(session, OrgKind.ASL_PUA, municipio=None),
            "farmacia": await f.org(session, OrgKind.FARMACIA, municipio="IX"),
            "cooperativa": await f.org(session, OrgKind.ETS, municipio=None),
        }
        cast = {
            "case manager IX": (Role.CASE_MANAGER, "municipio IX"),
            "case manager VII": (Role.CASE_MANAGER, "municipio VII"),
            "coordinatore VII": (Role.COORDINATORE, "centrale VII"),
            "PUA estranea": (Role.OPERATORE_PUA, "asl"),
            "farmacia estranea": (Role.OPERATORE_ETS, "farmacia"),
            "tutor estraneo": (Role.TUTOR, "cooperativa"),
            "tutor in équipe": (Role.TUTOR, "cooperativa"),
        }
        actors = await cast_of(session, orgs, cast)
        manager = actors["case manager IX"].operator
        person = await f.person(session, municipio_ix, municipio="IX")
        assert person.id is not None and manager.id is not None and municipio_ix.id is not None
        case = Case(
            person_id=person.id,
            state=CaseState.APERTO,
            phase=CasePhase.INVIO,
            category=CaseCategory.ANZIANI,
            siuss_area=SiussArea(2),
            case_manager_id=manager.id,
            organisation_id=municipio_ix.id,
        )
        session.add(case)
        await session.flush()
        assert case.id is not None
        session.add(
            CareTeamMember(
                case_id=case.id,
                organisation_id=municipio_ix.id,
                operator_id=manager.id,
                role=TeamRole.RESPONSABILE,
                added_by_id=manager.id,
            )
        )
        # a tutor on the team contributes to the diary but does not see (nor record) the clinical scales
        tutor = actors["tutor in équipe"].operator
        session.add(
            CareTeamMember(
                case_id=case.id,
                organisation_id=tutor.organisation_id,
                operator_id=tutor.id,
                role=TeamRole.TUTOR,
                added_by_id=manager.id,
            )
        )
        members = []
        for kind in (OrgKind.ETS, OrgKind.ASL_DISTRETTO):
            org = await f.org(session, kind, municipio="IX")
            assert org.id is not None
            member = CareTeamMember(
                case_id=case.id, organisation_id=org.id, role=TeamRole.ALTRO, added_by_id=manager.id
            )
            session.add(member)
            await session.flush()
            assert member.id is not None
            members.append(member.id)
        other = await f.org(session, OrgKind.MMG, municipio="IX")
        assert other.id is not None
        await commit(session)
        return World(database, client, person.id, case.id, members, other.id, actors)


async def _snapshot(w: World) -> tuple[object, ...]:
    """Everything these flows could change about the case and its person."""
    async with w.database.sessionmaker() as session:

        async def count(model: Any, *where: Any) -> int:
            return (await session.exec(select(func.count()).select_from(model).where(*where))).one()

        state, phase = (
            await session.exec(select(col(Case.state), col(Case.phase)).where(col(Case.id) == w.case_id))
        ).one()
        return (
            state,
            phase,
            await count(CaseHistory, col(CaseHistory.case_id) == w.case_id),
            await count(
                CareTeamMember, col(CareTeamMember.case_id) == w.case_id, col(CareTeamMember.removed_at).is_(None)
            ),
            await count(DiaryEntry, col(DiaryEntry.case_id) == w.case_id),
            await count(Assessment, col(Assessment.person_id) == w.person_id),
            await count(Intake, col(Intake.person_id) == w.person_id),
            await count(Case, col(Case.person_id) == w.person_id),
        )


async def _api(w: World, who: Who, method: str, url: str, body: dict[str, Any] | None) -> httpx.Response:
    return await w.client.request(method, url, json=body, headers=f.bearer(who.token))


async def _page(w: World, who: Who, url: str, form: dict[str, str]) -> httpx.Response:
    """A form posted by a signed-in browser (the session cookie; the client sends the page's Origin)."""
    w.client.cookies.set(COOKIE_NAME, who.token)
    try:
        return await w.client.post(url, data=form)
    finally:
        w.client.cookies.clear()


Call = Callable[[World, Who], Awaitable[httpx.Response]]


async def assert_refused(w: World, who: Who, flow: str, call: Call) -> None:
    """403 for ``who``, nothing changed, one more DENIED row naming ``flow``."""
    before, denied = await _snapshot(w), await denials(w.database, who, flow)
    r = await call(w, who)
    assert r.status_code == 403, f"{flow} {who.name}: {r.status_code} {r.text[:200]}"
    assert await _snapshot(w) == before, f"{flow} {who.name}"
    assert await denials(w.database, who, flow) == denied + 1, f"{flow} {who.name}"


def api(method: str, path: str, body: Callable[[World], dict[str, Any]] | None = None) -> Call:
    async def call(w: World, who: Who) -> httpx.Response:
        return await _api(w, who, method, path.format(w=w), body(w) if body else None)

    return call


def page(path: str, form: Callable[[World], dict[str, str]] | None = None) -> Call:
    async def call(w: World, who: Who) -> httpx.Response:
        r = await _page(w, who, path.format(w=w), form(w) if form else {})
        if r.status_code == 403:  # a page says why in Italian, never in JSON
            assert "non consentit" in r.text.lower() and r.headers["content-type"].startswith("text/html")
        return r

    return call


def test_covered_names_every_guarded_flow_of_these_modules() -> None:
    modules = {case_flows.__name__, assessment_flows.__name__}
    guarded = {info.name for info in FLOWS.values() if info.guarded and info.fn.__module__ in modules}
    assert guarded == COVERED


async def test_an_intake_for_a_person_outside_ones_office_and_team_is_refused(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    on_api = api("POST", "/api/v1/intakes", lambda w: INTAKE | {"person_id": w.person_id})
    on_page = page("/casi/nuovo", lambda w: INTAKE | {"person_id": str(w.person_id)})
    for name in STRANGERS:
        await assert_refused(w, w[name], "case.intake", on_api)
        await assert_refused(w, w[name], "case.intake", on_page)
    before = await _snapshot(w)
    assert (await on_api(w, w["case manager IX"])).status_code == 201
    assert (await on_page(w, w["case manager IX"])).status_code == 303
    assert (await _snapshot(w))[6] == before[6] + 2


async def test_a_transition_by_someone_without_need_to_know_is_refused(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    on_api = api("POST", "/api/v1/cases/{w.case_id}/transitions", lambda w: {"phase": "VALUTAZIONE"})
    on_page = page("/casi/{w.case_id}/stato", lambda w: {"state": "PRESO_IN_CARICO", "note": "colloquio"})
    for name in (*STRANGERS, "tutor in équipe"):  # the tutor on the team contributes, it does not manage
        await assert_refused(w, w[name], "case.transition", on_api)
        await assert_refused(w, w[name], "case.transition", on_page)
    r = await on_api(w, w["case manager IX"])
    assert r.status_code == 200 and r.json()["phase"] == "VALUTAZIONE"
    assert (await on_page(w, w["case manager IX"])).status_code == 303
    assert (await _snapshot(w))[0] == CaseState.PRESO_IN_CARICO


async def test_the_care_team_is_changed_only_by_who_manages_the_case(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    add_api = api(
        "POST", "/api/v1/cases/{w.case_id}/team", lambda w: {"organisation_id": w.other_org_id, "role": "ALTRO"}
    )
    add_page = page("/casi/{w.case_id}/equipe", lambda w: {"organisation_id": str(w.other_org_id), "role": "ALTRO"})
    remove_api = api("DELETE", "/api/v1/cases/{w.case_id}/team/{w.members[0]}")
    remove_page = page("/casi/{w.case_id}/equipe/{w.members[1]}/rimuovi")
    for name in (*STRANGERS, "tutor in équipe"):
        for call in (add_api, add_page):
            await assert_refused(w, w[name], "case.team_add", call)
        for call in (remove_api, remove_page):
            await assert_refused(w, w[name], "case.team_remove", call)
    manager = w["case manager IX"]
    assert (await remove_api(w, manager)).status_code == 204
    assert (await remove_page(w, manager)).status_code == 303
    assert (await add_api(w, manager)).status_code == 201
    assert (await _snapshot(w))[3] == 3  # the responsible, the tutor and the organisation just added


async def test_the_diary_is_written_only_by_the_team_and_the_office(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    note = {"kind": "NOTA", "text": "Sentita la figlia"}
    on_api = api("POST", "/api/v1/cases/{w.case_id}/diary", lambda w: note)
    on_page = page("/casi/{w.case_id}/diario", lambda w: note)
    for name in STRANGERS:
        await assert_refused(w, w[name], "case.diary_add", on_api)
        await assert_refused(w, w[name], "case.diary_add", on_page)
    for name in ("case manager IX", "tutor in équipe"):
        assert (await on_api(w, w[name])).status_code == 201
        assert (await on_page(w, w[name])).status_code == 303
    assert (await _snapshot(w))[4] == 4


async def test_an_assessment_is_recorded_only_by_who_may_see_the_clinical_scales(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    on_api = api("POST", "/api/v1/cases/{w.case_id}/assessments", lambda w: {"kind": "KATZ_ADL", "answers": KATZ})
    on_page = page(
        "/casi/{w.case_id}/valutazione", lambda w: {"kind": "KATZ_ADL"} | {f"a_{k}": str(v) for k, v in KATZ.items()}
    )
    # strangers to the case, and the tutor on the team: it contributes, but the scales are not its section
    for name in (*STRANGERS, "tutor in équipe"):
        await assert_refused(w, w[name], "assessment.record", on_api)
        await assert_refused(w, w[name], "assessment.record", on_page)
    assert (await on_api(w, w["case manager IX"])).status_code == 201
    assert (await on_page(w, w["case manager IX"])).status_code == 303
    assert (await _snapshot(w))[5] == 2
