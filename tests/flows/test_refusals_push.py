"""Refusals of the push subscription actions: subscribe, unsubscribe (the pages' script, the API, the page).

A subscription's endpoint is a capability: whoever registers it receives the notices. Another operator
who registers a tutor's endpoint (to silence the tutor), or removes the tutor's subscription, by any
surface, is refused: 403, the subscription unchanged, an audit row DENIED naming the flow. The same call by
the tutor (or, for a removal, an administrator) succeeds, so a refusal cannot come from a malformed request.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import col, select

from alerts.push import flows as push_flows
from alerts.push.models import PushSubscription
from centrale.db import Database
from centrale.flows import FLOWS
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.flows.common import Who, cast_of, denials
from web.api.deps import COOKIE_NAME

COVERED: set[str] = {"push.subscribe", "push.unsubscribe"}
ENDPOINT = "https://push.example.org/send/tutor-device-0001"
KEYS = {"p256dh": "B" + "x" * 86, "auth": "a" * 22}
OTHERS = ("altro tutor", "coordinatore")


@dataclass
class World:
    actors: dict[str, Who]
    subscription_id: int


async def _world(database: Database, client: httpx.AsyncClient) -> World:
    async with database.sessionmaker() as session:
        orgs = {
            "ets": await f.org(session, OrgKind.ETS),
            "centrale": await f.org(session, OrgKind.CENTRALE),
            "asl": await f.org(session, OrgKind.ASL_DISTRETTO),
        }
        actors = await cast_of(
            session,
            orgs,
            {
                "tutor": (Role.TUTOR, "ets"),
                "altro tutor": (Role.TUTOR, "ets"),
                "coordinatore": (Role.COORDINATORE, "centrale"),
                "amministratore": (Role.AMMINISTRATORE, "asl"),
            },
        )
    answer = await client.post(
        "/api/v1/push/subscriptions", json={"endpoint": ENDPOINT, "keys": KEYS}, headers=actors["tutor"].headers
    )
    assert answer.status_code == 201, answer.text
    return World(actors, answer.json()["id"])


async def _owners(database: Database) -> list[tuple[str, int]]:
    async with database.sessionmaker() as session:
        rows = await session.exec(select(col(PushSubscription.endpoint), col(PushSubscription.operator_id)))
        return sorted(rows.all())


def test_covered_names_every_guarded_flow_of_the_push_actions() -> None:
    guarded = {info.name for info in FLOWS.values() if info.guarded and info.fn.__module__ == push_flows.__name__}
    assert guarded == COVERED


@pytest.mark.parametrize("other", OTHERS)
async def test_registering_someone_elses_endpoint_is_refused(
    other: str, database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    before = await _owners(database)
    body = {"endpoint": ENDPOINT, "keys": {"p256dh": "B" + "y" * 86, "auth": "b" * 22}}
    answer = await client.post("/api/v1/push/subscriptions", json=body, headers=w.actors[other].headers)
    assert answer.status_code == 403
    assert await _owners(database) == before  # still the tutor's, with the tutor's keys
    assert await denials(database, w.actors[other], "push.subscribe", entity_id=w.subscription_id) == 1
    again = await client.post("/api/v1/push/subscriptions", json=body, headers=w.actors["tutor"].headers)
    assert again.status_code == 201  # the tutor's own browser, new keys: accepted


@pytest.mark.parametrize("other", OTHERS)
@pytest.mark.parametrize("surface", ["script", "api", "page"])
async def test_removing_someone_elses_subscription_is_refused_on_every_surface(
    other: str, surface: str, database: Database, client: httpx.AsyncClient
) -> None:
    w = await _world(database, client)
    before = await _owners(database)

    async def remove(who: Who) -> httpx.Response:
        if surface == "script":
            return await client.post("/api/v1/push/unsubscribe", json={"endpoint": ENDPOINT}, headers=who.headers)
        if surface == "api":
            return await client.delete(f"/api/v1/push/subscriptions/{w.subscription_id}", headers=who.headers)
        client.cookies.set(COOKIE_NAME, who.token)
        try:
            return await client.post(f"/avvisi/{w.subscription_id}/togli")
        finally:
            client.cookies.clear()

    answer = await remove(w.actors[other])
    assert answer.status_code == 403
    if surface == "page":
        assert "solo dai tuoi dispositivi" in answer.text
    assert await _owners(database) == before
    assert await denials(database, w.actors[other], "push.unsubscribe", entity_id=w.subscription_id) == 1
    done = await remove(w.actors["tutor"])
    assert done.status_code in (204, 303)
    assert await _owners(database) == []


async def test_an_administrator_removes_any_device(database: Database, client: httpx.AsyncClient) -> None:
    w = await _world(database, client)
    answer = await client.delete(
        f"/api/v1/push/subscriptions/{w.subscription_id}", headers=w.actors["amministratore"].headers
    )
    assert answer.status_code == 204
    assert await _owners(database) == []
