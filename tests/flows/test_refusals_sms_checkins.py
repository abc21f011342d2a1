"""Refusals of the SMS quarantine, opt-out, check-in, heat-wave and escalation-policy flows.

For each guarded flow, actors without need-to-know of the object (or without the role, where the object
is the district's: the heat-wave level, the policies, the quarantine queue) call it on every surface it
has (the API; these flows have no page form): the answer is 403, nothing changes in the database, and
an audit row DENIED names the flow. The same call by an actor who may make it succeeds, so a refusal
cannot come from a malformed request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import col, select

from alerts.checkins import flows as checkin_flows
from alerts.checkins.models import CheckinSchedule, HeatWaveLevel
from alerts.escalation import flows as policy_flows
from alerts.escalation.models import EscalationPolicy, EscalationPolicyCreate, PolicyRole, PolicyStep
from alerts.escalation.service import create_policy
from alerts.models import Alert, Channel
from alerts.sms import review
from alerts.sms.models import InboundSms, InboundState, SmsOptOut
from centrale.clock import utcnow
from centrale.condomini.models import Sentinel
from centrale.db import Database
from centrale.events.service import commit
from centrale.flows import FLOWS
from centrale.operators.models import Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import Person
from tests import factories as f
from tests.flows.common import Who, cast_of, denials

COVERED: set[str] = {
    "sms.quarantine_assign",
    "sms.quarantine_discard",
    "sms.quarantine_register",
    "sms.opt_out",
    "checkins.schedule_create",
    "heat.set_level",
    "policy.create",
    "policy.update",
    "policy.delete",
}

SENTINEL_PHONE = "+393330000101"
UNKNOWN_PHONE = "+393471234567"
SCHEDULE = {"phone": "+393331112233", "rrule": "FREQ=DAILY;BYHOUR=10;BYMINUTE=0"}
STEPS = [PolicyStep(role=PolicyRole.TUTOR, channels=[Channel.BACHECA], wait_minutes=10)]


@dataclass
class World:
    database: Database
    client: httpx.AsyncClient
    person: Person
    sentinel_id: int
    actors: dict[str, Who]

    def __getitem__(self, name: str) -> Who:
        return self.actors[name]


async def _world(database: Database, client: httpx.AsyncClient) -> World:
    """Municipio IX registers a person assisted in a condominio (its tutor, its sentinel), and operators around."""
    async with database.sessionmaker() as session:
        municipio_ix = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
        orgs: dict[str, Organisation] = {
            "centrale IX": await f.org(session, OrgKind.CENTRALE, municipio="IX"),
            "centrale VII": await f.org(session, OrgKind.CENTRALE, municipio="VII"),
            "municipio IX": municipio_ix,
            "municipio VII": await f.org(session, OrgKind.MUNICIPIO, municipio="VII"),
            "asl": await f.org(session, OrgKind.ASL_PUA, municipio=None),
            "ets": await f.org(session, OrgKind.ETS, municipio=None),
        }
        cast = {
            "coordinatore IX": (Role.COORDINATORE, "centrale IX"),
            "coordinatore VII": (Role.COORDINATORE, "centrale VII"),
            "case manager IX": (Role.CASE_MANAGER, "municipio IX"),
            "case manager VII": (Role.CASE_MANAGER, "municipio VII"),
            "PUA estranea": (Role.OPERATORE_PUA, "asl"),
            "tutor del condominio": (Role.TUTOR, "ets"),
            "altro tutor": (Role.TUTOR, "ets"),
            "amministratore": (Role.AMMINISTRATORE, "centrale IX"),
        }
        actors = await cast_of(session, orgs, cast)
        cond = await f.condominio(session, tutor=actors["tutor del condominio"].operator)
        person = await f.person(session, municipio_ix, municipio="IX")
        await f.assisted(session, cond, person)
        sentinel = await f.sentinel(session, cond, phone=SENTINEL_PHONE)
        assert sentinel.id is not None
        return World(database, client, person, sentinel.id, actors)


async def assert_refused(
    w: World,
    who: Who,
    flow: str,
    method: str,
    url: str,
    state: Callable[[], Awaitable[Any]],
    json: dict[str, Any] | None = None,
) -> None:
    """403 for ``who``, the state read by ``state`` unchanged, one more DENIED row naming ``flow``."""
    before, denied = await state(), await denials(w.database, who, flow)
    r = await w.client.request(method, url, json=json, headers=who.headers)
    assert r.status_code == 403, f"{who.name}: {r.status_code} {r.text}"
    assert await state() == before, who.name
    assert await denials(w.database, who, flow) == denied + 1, who.name


async def _count(database: Database, table: type[Any], *where: Any) -> int:
    async with database.sessionmaker() as session:
        return (await session.exec(select(func.count()).select_from(table).where(*where))).one()


def test_covered_names_every_guarded_flow_of_these_modules() -> None:
    modules = {review.__name__, checkin_flows.__name__, policy_flows.__name__}
    guarded = {info.name for info in FLOWS.values() if info.guarded and info.fn.__module__ in modules}
    assert guarded == COVERED


# --- check-in schedules ---------------------------------------------------------------------------


async def test_a_schedule_for_a_person_the_actor_cannot_see_is_refused_and_not_created(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    body = SCHEDULE | {"person_id": w.person.id}

    async def schedules() -> int:
        return await _count(database, CheckinSchedule)

    # outside the municipio, outside the care team, or only able to read (the tutor), or no case data at all
    for name in ("case manager VII", "coordinatore VII", "PUA estranea", "tutor del condominio", "amministratore"):
        await assert_refused(
            w, w[name], "checkins.schedule_create", "POST", "/api/v1/checkins/schedules", schedules, body
        )
    assert await schedules() == 0
    for name in ("case manager IX", "coordinatore IX"):
        r = await client.post("/api/v1/checkins/schedules", json=body, headers=w[name].headers)
        assert r.status_code == 201, f"{name}: {r.text}"
    assert await _count(database, CheckinSchedule, col(CheckinSchedule.person_id) == w.person.id) == 2


async def test_a_schedule_for_a_sentinel_of_a_building_the_actor_does_not_follow_is_refused(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    body = SCHEDULE | {"sentinel_id": w.sentinel_id}

    async def schedules() -> int:
        return await _count(database, CheckinSchedule)

    for name in ("altro tutor", "coordinatore VII", "case manager VII", "amministratore"):
        await assert_refused(
            w, w[name], "checkins.schedule_create", "POST", "/api/v1/checkins/schedules", schedules, body
        )
    r = await client.post("/api/v1/checkins/schedules", json=body, headers=w["tutor del condominio"].headers)
    assert r.status_code == 201, r.text
    assert await schedules() == 1


async def test_only_the_centrale_sets_the_heat_wave_level(database: Database, client: httpx.AsyncClient) -> None:
    w = await _world(database, client)

    async def levels() -> int:
        return await _count(database, HeatWaveLevel)

    for name in ("tutor del condominio", "case manager IX", "PUA estranea"):
        await assert_refused(w, w[name], "heat.set_level", "PUT", "/api/v1/ondata-calore", levels, {"level": 3})
    r = await client.put("/api/v1/ondata-calore", json={"level": 3}, headers=w["coordinatore IX"].headers)
    assert r.status_code == 200 and r.json()["level"] == 3
    assert await levels() == 1


# --- the SMS quarantine and opt-out -----------------------------------------------------------------


async def _quarantined(database: Database, sid: str) -> int:
    async with database.sessionmaker() as session:
        message = InboundSms(
            message_sid=sid,
            from_number=UNKNOWN_PHONE,
            sender_phone=UNKNOWN_PHONE,
            body="la signora del terzo piano sta male",
            receipt_code=sid[-6:],
            state=InboundState.QUARANTENA,
            received_at=utcnow(),
        )
        session.add(message)
        await commit(session)
        assert message.id is not None
        return message.id


async def _message(database: Database, message_id: int) -> tuple[Any, ...]:
    async with database.sessionmaker() as session:
        row = await session.get(InboundSms, message_id)
        assert row is not None
        return (row.state, row.person_id, row.sentinel_id, row.alert_id, row.reviewed_by)


async def test_a_quarantined_message_is_assigned_only_to_a_person_the_actor_may_act_for(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    message_id = await _quarantined(database, "SM" + "0" * 26 + "QA0001")
    url = f"/api/v1/sms/quarantena/{message_id}/assegna"

    async def state() -> tuple[Any, ...]:
        return await _message(database, message_id), await _count(database, Alert)

    # reviewers of the quarantine with no relation to the person, and roles that do not review it at all
    for name in ("coordinatore VII", "PUA estranea", "amministratore", "case manager VII", "tutor del condominio"):
        await assert_refused(w, w[name], "sms.quarantine_assign", "POST", url, state, {"person_id": w.person.id})
    await assert_refused(
        w, w["tutor del condominio"], "sms.quarantine_assign", "POST", url, state, {"sentinel_id": w.sentinel_id}
    )
    assert (await _message(database, message_id))[0] == InboundState.QUARANTENA
    empty = await client.post(url, json={}, headers=w["coordinatore IX"].headers)
    assert empty.status_code == 422 and empty.json()["field"] == "sentinel_id"
    r = await client.post(url, json={"person_id": w.person.id}, headers=w["coordinatore IX"].headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == InboundState.SMISTATO and r.json()["person_id"] == w.person.id
    assert await _count(database, Alert, col(Alert.person_id) == w.person.id) == 1


async def test_only_the_condomini_managers_register_a_quarantined_sender_from_the_board(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    message_id = await _quarantined(database, "SM" + "0" * 26 + "QR0001")
    url = f"/board/quarantena/{message_id}/registra"
    async with database.sessionmaker() as session:
        building = (await session.exec(select(Sentinel.condominio_id).where(col(Sentinel.id) == w.sentinel_id))).one()
    body = {"condominio_id": building, "name": "Lucia, int. 3", "consent_sms": True}

    async def state() -> tuple[Any, ...]:
        return await _message(database, message_id), await _count(database, Sentinel), await _count(database, Alert)

    # the PUA reviews the quarantine but does not register sentinels; the others do not review it at all
    for name in ("PUA estranea", "tutor del condominio", "case manager IX"):
        await assert_refused(w, w[name], "sms.quarantine_register", "POST", url, state, body)
    r = await client.post(url, json=body, headers=w["coordinatore IX"].headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == InboundState.SMISTATO and r.json()["alert_id"] is not None
    async with database.sessionmaker() as session:
        sentinel = (await session.exec(select(Sentinel).where(col(Sentinel.phone) == UNKNOWN_PHONE))).one()
    assert (sentinel.name, sentinel.condominio_id) == ("Lucia, int. 3", building)


async def test_only_reviewers_discard_a_quarantined_message(database: Database, client: httpx.AsyncClient) -> None:
    w = await _world(database, client)
    message_id = await _quarantined(database, "SM" + "0" * 26 + "QD0001")
    url = f"/api/v1/sms/quarantena/{message_id}/scarta"

    async def state() -> tuple[Any, ...]:
        return await _message(database, message_id)

    for name in ("tutor del condominio", "case manager IX", "case manager VII"):
        await assert_refused(w, w[name], "sms.quarantine_discard", "POST", url, state)
    assert (await state())[0] == InboundState.QUARANTENA
    r = await client.post(url, headers=w["coordinatore IX"].headers)
    assert r.status_code == 200 and r.json()["state"] == InboundState.SCARTATO


async def test_only_reviewers_record_an_opt_out_by_hand(database: Database, client: httpx.AsyncClient) -> None:
    w = await _world(database, client)
    body = {"phone": SENTINEL_PHONE, "opted_out": True}

    async def state() -> int:
        return await _count(database, SmsOptOut)

    for name in ("tutor del condominio", "case manager IX"):
        await assert_refused(w, w[name], "sms.opt_out", "POST", "/api/v1/sms/opt-out", state, body)
    r = await client.post("/api/v1/sms/opt-out", json=body, headers=w["coordinatore IX"].headers)
    assert r.status_code == 204, r.text
    assert await _count(database, SmsOptOut, col(SmsOptOut.phone) == SENTINEL_PHONE) == 1


# --- escalation policies ----------------------------------------------------------------------------


async def test_only_administrators_create_change_or_deactivate_a_policy(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    async with database.sessionmaker() as session:
        made = await create_policy(session, data=EscalationPolicyCreate(name="Notturna", steps=STEPS))
        await commit(session)
    url = f"/api/v1/escalation-policies/{made.id}"

    async def policies() -> list[dict[str, Any]]:
        async with database.sessionmaker() as session:
            return [
                p.model_dump()
                for p in (await session.exec(select(EscalationPolicy).order_by(col(EscalationPolicy.id)))).all()
            ]

    new = {"name": "Diurna", "steps": [s.model_dump(mode="json") for s in STEPS]}
    for name in ("coordinatore IX", "case manager IX", "tutor del condominio"):
        who = w[name]
        await assert_refused(w, who, "policy.create", "POST", "/api/v1/escalation-policies", policies, new)
        await assert_refused(w, who, "policy.update", "PATCH", url, policies, {"ack_timeout_minutes": 5})
        await assert_refused(w, who, "policy.delete", "DELETE", url, policies)
    admin = w["amministratore"].headers
    assert (await client.post("/api/v1/escalation-policies", json=new, headers=admin)).status_code == 201
    assert (await client.patch(url, json={"ack_timeout_minutes": 5}, headers=admin)).status_code == 200
    assert (await client.delete(url, headers=admin)).status_code == 204
    assert [(p["name"], p["active"], p["ack_timeout_minutes"]) for p in await policies()] == [
        ("Notturna", False, 5),
        ("Diurna", True, 60),
    ]
