"""Refusals of the rota's actions, on the API and on the "Turni" page: an operator who may not change who
is on duty gets 403, nothing changes, and the refusal is audited once; the same call by who may succeeds.

A PUA layer (two operators, mornings and afternoons) and a cover made by the coordinator. A tutor may
change nothing; a PUA operator may take a shift for themselves and swap their own shift only; the
layers are the coordinators' and administrators'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from centrale.clock import ROME, to_rome, utcnow
from centrale.db import Database
from centrale.events.models import Event
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.rota.models import OverrideKind, RotaLayer, RotaOverride
from tests import factories as f
from tests.flows.common import Who, denials
from web.api.deps import COOKIE_NAME

COVERED: set[str] = {"rota.layer_create", "rota.layer_update", "rota.cover", "rota.swap", "rota.override_remove"}


@dataclass
class World:
    actors: dict[str, Who]
    layer_id: int
    override_id: int
    day: date

    def at(self, hour: int) -> str:
        return datetime(self.day.year, self.day.month, self.day.day, hour, tzinfo=ROME).isoformat()

    def id(self, name: str) -> int:
        return self.actors[name].operator.id or 0


async def _world(database: Database) -> World:
    async with database.sessionmaker() as session:
        centrale, asl = await f.org(session, OrgKind.CENTRALE), await f.org(session, OrgKind.ASL_PUA)
        ets = await f.org(session, OrgKind.ETS)
        cast = {
            "coordinatore": (Role.COORDINATORE, centrale),
            "pua mattina": (Role.OPERATORE_PUA, asl),
            "pua pomeriggio": (Role.OPERATORE_PUA, asl),
            "tutor": (Role.TUTOR, ets),
        }
        actors = {}
        for n, (name, (role, org)) in enumerate(cast.items()):
            op = await f.operator(session, role, org, phone=f"+3933300009{n:02d}")
            actors[name] = Who(name, op, await f.token_for(session, op))
        day = to_rome(utcnow()).date() + timedelta(days=2)
        layer = RotaLayer(
            name="PUA",
            role=Role.OPERATORE_PUA,
            starts_on=day
            - timedelta(days=day.weekday() + 7),  # a Monday: mornings to the first, afternoons to the second
            handoffs=["08:00", "14:00"],
            ends_at="20:00",
            weekdays=[],
            operator_ids=[actors["pua mattina"].operator.id or 0, actors["pua pomeriggio"].operator.id or 0],
        )
        session.add(layer)
        await session.flush()
        start = datetime(day.year, day.month, day.day, 16, tzinfo=ROME)
        cover = RotaOverride(
            role=Role.OPERATORE_PUA,
            kind=OverrideKind.COPERTURA,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            operator_id=actors["pua mattina"].operator.id or 0,
            replaces_id=actors["pua pomeriggio"].operator.id,
            created_by_id=actors["coordinatore"].operator.id,
        )
        session.add(cover)
        await session.commit()
        return World(actors, layer.id or 0, cover.id or 0, day)


async def _state(database: Database) -> tuple[Any, ...]:
    """Everything a rota action may change: layers, overrides, rota events."""
    async with database.sessionmaker() as s:
        layers = await s.exec(
            select(RotaLayer.id, RotaLayer.handoffs, RotaLayer.operator_ids).order_by(col(RotaLayer.id))
        )
        overrides = await s.exec(
            select(RotaOverride.id, RotaOverride.removed_at, RotaOverride.operator_id).order_by(col(RotaOverride.id))
        )
        events = await s.exec(select(func.count()).select_from(Event).where(col(Event.kind).startswith("rota.")))
        return tuple(layers.all()), tuple(overrides.all()), events.one()


def _layer(w: World) -> dict[str, Any]:
    return {
        "name": "PUA sera",
        "role": "OPERATORE_PUA",
        "starts_on": w.day.isoformat(),
        "handoffs": ["18:00"],
        "ends_at": "22:00",
        "operator_ids": [w.id("pua mattina")],
    }


def _cases(w: World) -> list[tuple[str, str, str, dict[str, Any] | None, tuple[str, ...], str]]:
    """flow, method, url, body, who is refused, who may."""
    cover = {"role": "OPERATORE_PUA", "operator_id": w.id("pua pomeriggio"), "replaces_id": w.id("pua mattina")}
    swap = {"role": "OPERATORE_PUA", "operator_id": w.id("pua mattina"), "with_operator_id": w.id("pua pomeriggio")}
    return [
        ("rota.layer_create", "POST", "/api/v1/rota/layers", _layer(w), ("tutor", "pua mattina"), "coordinatore"),
        (
            "rota.layer_update",
            "PUT",
            f"/api/v1/rota/layers/{w.layer_id}",
            _layer(w),
            ("tutor", "pua mattina"),
            "coordinatore",
        ),
        (
            "rota.cover",
            "POST",
            "/api/v1/rota/covers",
            cover | {"starts_at": w.at(9), "ends_at": w.at(11)},
            ("tutor", "pua mattina"),
            "pua pomeriggio",
        ),
        (
            "rota.swap",
            "POST",
            "/api/v1/rota/swaps",
            swap | {"starts_at": w.at(8), "ends_at": w.at(14)},
            ("tutor", "pua pomeriggio"),
            "pua mattina",
        ),
        (
            "rota.override_remove",
            "DELETE",
            f"/api/v1/rota/overrides/{w.override_id}",
            None,
            ("tutor",),
            "coordinatore",
        ),
    ]


@pytest.mark.parametrize("flow", sorted(COVERED))
async def test_a_rota_action_is_refused_audited_and_changes_nothing_on_the_api(
    client: httpx.AsyncClient, database: Database, flow: str
) -> None:
    w = await _world(database)
    ((_, method, url, body, refused, allowed),) = [c for c in _cases(w) if c[0] == flow]
    before = await _state(database)
    for name in refused:
        who = w.actors[name]
        answer = await client.request(method, url, json=body, headers=who.headers)
        assert answer.status_code == 403, (name, answer.text)
        assert await _state(database) == before
        assert await denials(database, who, flow) == 1
    answer = await client.request(method, url, json=body, headers=w.actors[allowed].headers)
    assert answer.status_code in (200, 201, 204), answer.text
    assert await _state(database) != before
    assert await denials(database, w.actors[allowed], flow) == 0


async def test_a_pua_operator_takes_a_shift_for_themselves_and_gives_away_only_their_own(
    client: httpx.AsyncClient, database: Database
) -> None:
    w = await _world(database)
    mine = {"role": "OPERATORE_PUA", "operator_id": w.id("pua pomeriggio"), "starts_at": w.at(15), "ends_at": w.at(17)}
    swap = mine | {"with_operator_id": w.id("pua mattina")}
    headers = w.actors["pua pomeriggio"].headers
    assert (await client.post("/api/v1/rota/swaps", json=swap, headers=headers)).status_code == 201
    not_held = swap | {"starts_at": w.at(9), "ends_at": w.at(11)}  # the morning is not theirs to give
    answer = await client.post("/api/v1/rota/swaps", json=not_held, headers=headers)
    assert answer.status_code == 422 and "starts_at" in answer.text
    on_duty = await client.get(
        "/api/v1/rota/on-duty", params={"role": "OPERATORE_PUA", "at": w.at(16)}, headers=headers
    )
    assert [p["id"] for p in on_duty.json()] == [w.id("pua mattina")]


def _page_cases(w: World) -> list[tuple[str, str, dict[str, Any], tuple[str, ...], str]]:
    """flow, page form's url, form, who is refused, who may."""
    layer = {
        "name": "PUA sera",
        "role": "OPERATORE_PUA",
        "starts_on": w.day.isoformat(),
        "handoffs": "18:00",
        "ends_at": "22:00",
        "operator_ids": [str(w.id("pua mattina"))],
        "weekdays": ["0", "1", "2", "3", "4"],
        "active": "1",
    }
    day = {"day": w.day.isoformat(), "torna": "/turni/miei"}
    cover = day | {"operator_id": w.id("pua pomeriggio"), "replaces_id": w.id("pua mattina")}
    swap = day | {"operator_id": w.id("pua mattina"), "with_operator_id": w.id("pua pomeriggio")}
    return [
        ("rota.layer_create", "/turni/livelli", layer, ("tutor", "pua mattina"), "coordinatore"),
        ("rota.layer_update", f"/turni/livelli/{w.layer_id}", layer, ("tutor", "pua mattina"), "coordinatore"),
        (
            "rota.cover",
            "/turni/coperture",
            cover | {"from_time": "09:00", "to_time": "11:00"},
            ("tutor", "pua mattina"),
            "pua pomeriggio",
        ),
        (
            "rota.swap",
            "/turni/scambi",
            swap | {"from_time": "08:00", "to_time": "14:00"},
            ("tutor", "pua pomeriggio"),
            "pua mattina",
        ),
        ("rota.override_remove", f"/turni/variazioni/{w.override_id}/annulla", day, ("tutor",), "coordinatore"),
    ]


@pytest.mark.parametrize("flow", sorted(COVERED))
async def test_a_rota_page_form_is_refused_with_an_italian_page_audited_and_changes_nothing(
    client: httpx.AsyncClient, database: Database, flow: str
) -> None:
    w = await _world(database)
    ((_, url, form, refused, allowed),) = [c for c in _page_cases(w) if c[0] == flow]
    before = await _state(database)
    for name in refused:
        client.cookies.set(COOKIE_NAME, w.actors[name].token)
        answer = await client.post(url, data=form)
        assert answer.status_code == 403 and "<html" in answer.text, (name, answer.text[:300])
        assert await _state(database) == before
        assert await denials(database, w.actors[name], flow) == 1
    client.cookies.set(COOKIE_NAME, w.actors[allowed].token)
    answer = await client.post(url, data=form)
    assert answer.status_code == 303, answer.text[:500]
    assert await _state(database) != before
