"""Refusals of the alert actions: acknowledge, assign, comment, resolve, cancel.

An alert about a person of municipio IX and a building alert of a condominio in IX. Operators who may
not see them (the Centrale and the PUA of another municipio, a case manager of another municipio, a
tutor who does not follow the building, an operator of an unrelated organisation) call each flow on
every surface it has (the API, which the board uses; acknowledge also by SMS "OK <n>"): the API answers
403, the SMS the polite "code not recognised", nothing changes (state, assignee, timeline, pending
notifications, events), and an audit row DENIED names the flow and the alert. The same call by the
Centrale of IX succeeds, so a refusal cannot come from a malformed request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from alerts import flows as alert_flows
from alerts.models import Alert, AlertEntry, AlertSource, AlertState, Channel, Notification, Severity
from alerts.raising import raise_alert
from alerts.sms.flows import receive_sms
from centrale.db import Database
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.flows import FLOWS
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from tests import factories as f
from tests.alerts.sms.test_triage import sms
from tests.flows.common import Who, denials

COVERED: set[str] = {
    "alert.acknowledge",
    "alert.take",
    "alert.assign",
    "alert.comment",
    "alert.resolve",
    "alert.cancel",
}

A = "/api/v1/alerts"
#: flow -> (the path after the alert's, the body); the assignee is filled in per world
ACTIONS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "alert.acknowledge": ("acknowledge", None),
    "alert.take": ("take", None),
    "alert.assign": ("assign", {}),
    "alert.comment": ("comments", {"text": "Passo io alle 18"}),
    "alert.resolve": ("resolve", {"outcome": "RISOLTA_SUL_POSTO", "note": "tutto a posto"}),
    "alert.cancel": ("cancel", {"note": "doppione"}),
}
#: who may see neither alert (name -> role, organisation)
OUTSIDERS = ("coordinatore VII", "PUA VII", "case manager VII", "altro tutor", "operatore ETS estraneo")


@dataclass
class World:
    database: Database
    client: httpx.AsyncClient
    person_alert: int
    building_alert: int
    actors: dict[str, Who]

    def __getitem__(self, name: str) -> Who:
        return self.actors[name]


async def _world(database: Database, client: httpx.AsyncClient) -> World:
    """Municipio IX: a person assisted in a condominio with its tutor, an alert about each; operators around."""
    async with database.sessionmaker() as session:
        municipio_ix = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
        orgs: dict[str, Organisation] = {
            "centrale IX": await f.org(session, OrgKind.CENTRALE, municipio="IX"),
            "centrale VII": await f.org(session, OrgKind.CENTRALE, municipio="VII"),
            "asl VII": await f.org(session, OrgKind.ASL_PUA, municipio="VII"),
            "municipio VII": await f.org(session, OrgKind.MUNICIPIO, municipio="VII"),
            "ets": await f.org(session, OrgKind.ETS, municipio=None),
        }
        cast = {
            "coordinatore IX": (Role.COORDINATORE, "centrale IX"),
            "coordinatore VII": (Role.COORDINATORE, "centrale VII"),
            "PUA VII": (Role.OPERATORE_PUA, "asl VII"),
            "case manager VII": (Role.CASE_MANAGER, "municipio VII"),
            "tutor del condominio": (Role.TUTOR, "ets"),
            "altro tutor": (Role.TUTOR, "ets"),
            "operatore ETS estraneo": (Role.OPERATORE_ETS, "ets"),
        }
        actors: dict[str, Who] = {}
        for n, (name, (role, org)) in enumerate(cast.items()):
            op = await f.operator(session, role, orgs[org], phone=f"+3933300009{n:02d}")
            actors[name] = Who(name, op, await f.token_for(session, op))
        cond = await f.condominio(session, tutor=actors["tutor del condominio"].operator)
        person = await f.person(session, municipio_ix, municipio="IX")
        await f.assisted(session, cond, person)
        about_person = await raise_alert(
            session, source=AlertSource.OPERATORE, severity=Severity.ALTA, summary="Prova", person_id=person.id
        )
        about_building = await raise_alert(
            session,
            source=AlertSource.SEGNALAZIONE_SENTINELLA,
            severity=Severity.URGENTE,
            summary="Guasto",
            condominio_id=cond.id,
            dedupe_key="prova:condominio",
        )
        await commit(session)
        assert about_person.alert.id is not None and about_building.alert.id is not None
        w = World(database, client, about_person.alert.id, about_building.alert.id, actors)
        for alert_id in (w.person_alert, w.building_alert):  # a step's SMS to the Centrale, not yet sent
            await _notify(database, alert_id, actors["coordinatore IX"].operator)
        return w


async def _notify(database: Database, alert_id: int, operator: Operator) -> None:
    """The escalation reached ``operator`` about the alert: its SMS waits to go out."""
    assert operator.id is not None
    async with database.sessionmaker() as session:
        session.add(
            Notification(
                alert_id=alert_id,
                escalation_round=1,
                step_index=0,
                recipient=f"operator:{operator.id}",
                recipient_operator_id=operator.id,
                channel=Channel.SMS,
                role=operator.role.value,
                to_phone=operator.phone,
                body="x",
            )
        )
        await commit(session)


async def _snapshot(database: Database, alert_id: int) -> tuple[Any, ...]:
    """Everything an action may change about the alert."""
    async with database.sessionmaker() as session:
        alert = (await session.exec(select(Alert).where(col(Alert.id) == alert_id))).one()
        entries = await session.exec(
            select(col(AlertEntry.kind)).where(col(AlertEntry.alert_id) == alert_id).order_by(col(AlertEntry.id))
        )
        notifications = await session.exec(
            select(col(Notification.id), col(Notification.state))
            .where(col(Notification.alert_id) == alert_id)
            .order_by(col(Notification.id))
        )
        events = await session.exec(
            select(func.count())
            .select_from(Event)
            .where(col(Event.entity_type) == "Alert", col(Event.entity_id) == str(alert_id))
        )
        return (
            alert.state,
            alert.assigned_to,
            alert.acknowledged_by,
            alert.resolved_at,
            alert.outcome,
            alert.next_step_at,
            tuple(entries.all()),
            tuple(notifications.all()),
            events.one(),
        )


def _request(w: World, flow: str, alert_id: int) -> tuple[str, dict[str, Any] | None]:
    path, body = ACTIONS[flow]
    if flow == "alert.assign":  # a valid assignee: the refusal is about the caller, not the body
        body = {"assignee_id": w["coordinatore IX"].operator.id}
    return f"{A}/{alert_id}/{path}", body


def test_covered_names_every_guarded_flow_of_the_alert_actions() -> None:
    guarded = {info.name for info in FLOWS.values() if info.guarded and info.fn.__module__ == alert_flows.__name__}
    assert guarded == COVERED == set(ACTIONS)


@pytest.mark.parametrize("flow", sorted(ACTIONS))
async def test_an_operator_who_may_not_see_the_alert_is_refused_by_the_api_and_nothing_changes(
    flow: str, database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    for alert_id in (w.person_alert, w.building_alert):
        url, body = _request(w, flow, alert_id)
        for name in OUTSIDERS:
            before, denied = (
                await _snapshot(database, alert_id),
                await denials(database, w[name], flow, entity_id=alert_id),
            )
            r = await client.post(url, json=body, headers=w[name].headers)
            assert r.status_code == 403, f"{name}: {r.status_code} {r.text}"
            assert await _snapshot(database, alert_id) == before, name
            assert await denials(database, w[name], flow, entity_id=alert_id) == denied + 1, name
    # the Centrale of the municipio may: the same request goes through and changes the alert
    for alert_id in (w.person_alert, w.building_alert):
        url, body = _request(w, flow, alert_id)
        before = await _snapshot(database, alert_id)
        r = await client.post(url, json=body, headers=w["coordinatore IX"].headers)
        assert r.status_code in (200, 201), r.text
        assert await _snapshot(database, alert_id) != before


async def _ok(w: World, who: Who, alert_id: int) -> str:
    async with w.database.sessionmaker() as session:
        message = await receive_sms(session, params=sms(f"OK {alert_id}", who.operator.phone or ""))
        await commit(session)
        return message.reply or ""


async def test_an_ok_sms_from_an_operator_who_may_not_see_the_alert_is_refused_politely(
    database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    for alert_id in (w.person_alert, w.building_alert):
        for name in OUTSIDERS:
            before = await _snapshot(database, alert_id)
            denied = await denials(database, w[name], "alert.acknowledge", entity_id=alert_id)
            reply = await _ok(w, w[name], alert_id)
            assert "non riconosciuto" in reply, name
            assert await _snapshot(database, alert_id) == before, name
            assert await denials(database, w[name], "alert.acknowledge", entity_id=alert_id) == denied + 1, name
    reply = await _ok(w, w["coordinatore IX"], w.building_alert)
    assert "Presa visione" in reply
    assert (await _snapshot(database, w.building_alert))[0] == AlertState.PRESA_VISIONE


async def test_api_and_sms_agree_a_tutor_acknowledges_only_an_alert_that_called_on_them(
    database: Database, client: httpx.AsyncClient
) -> None:
    """The tutor sees the building's alerts, but stops an escalation only once it has reached them."""
    w = await _world(database, client)
    tutor = w["tutor del condominio"]
    before = await _snapshot(database, w.person_alert)
    r = await client.post(f"{A}/{w.person_alert}/acknowledge", headers=tutor.headers)
    assert r.status_code == 403
    assert "non riconosciuto" in await _ok(w, tutor, w.person_alert)
    assert await _snapshot(database, w.person_alert) == before
    assert await denials(database, tutor, "alert.acknowledge", entity_id=w.person_alert) == 2
    # the escalation reaches them: now both surfaces accept
    for alert_id in (w.person_alert, w.building_alert):
        await _notify(database, alert_id, tutor.operator)
    assert "Presa visione" in await _ok(w, tutor, w.person_alert)
    r = await client.post(f"{A}/{w.building_alert}/acknowledge", headers=tutor.headers)
    assert r.status_code == 200, r.text
    for alert_id in (w.person_alert, w.building_alert):
        state, _, acknowledged_by, *_ = await _snapshot(database, alert_id)
        assert (state, acknowledged_by) == (AlertState.PRESA_VISIONE, tutor.operator.id)
