"""Refusals of the handover flows, on every surface that calls them (API and page form).

The coordinators' evening of ``tests/alerts/handover/helpers.py``, with the outgoing coordinator's
handover to the incoming one already prepared. Someone who may not act calls each flow: a tutor (no
shifts) prepares a handover or leaves a note, the outgoing coordinator acknowledges the incoming's
handover, a PUA operator leaves a note for the coordinators' role. The answer is 403, nothing changes
in the database, one DENIED audit row names the flow per attempt; the one who may then succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover import flows
from alerts.handover.models import Handover, HandoverNote
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.db import Database
from centrale.events.models import Event
from centrale.operators.models import Operator, Role
from tests import factories as f
from tests.alerts.handover.helpers import HANDOFF, Evening, evening
from web.api.deps import COOKIE_NAME

COVERED: set[str] = {"handover.prepare_now", "handover.note", "handover.acknowledge"}


@dataclass
class World:
    evening: Evening
    handover_id: int

    def who(self, name: str) -> Operator:
        return getattr(self.evening, name)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Surface:
    flow: str
    method: str
    url: str  # formatted with the handover's id
    body: Callable[[World], dict[str, Any]] | None
    refused: str  # an operator of the evening who may not
    allowed: str  # one who may
    page: bool = False


NOTE = {"role": "COORDINATORE", "text": "Richiamare la sentinella"}
SURFACES = [
    Surface("handover.prepare_now", "POST", "/api/v1/handovers",
            lambda w: {"role": "OPERATORE_PUA", "incoming_id": w.evening.pua.id}, "tutor", "outgoing"),
    Surface("handover.prepare_now", "POST", "/consegne/prepara",
            lambda w: {"incoming_id": str(w.evening.pua.id)}, "tutor", "outgoing", page=True),
    Surface("handover.note", "PUT", "/api/v1/handovers/note", lambda w: NOTE, "pua", "outgoing"),
    Surface("handover.note", "PUT", "/api/v1/handovers/note", lambda w: NOTE, "tutor", "outgoing"),
    Surface("handover.note", "POST", "/consegne/nota", lambda w: {"text": NOTE["text"]}, "tutor", "outgoing",
            page=True),
    Surface("handover.acknowledge", "POST", "/api/v1/handovers/{handover_id}/acknowledge", None, "outgoing",
            "incoming"),
    Surface("handover.acknowledge", "POST", "/consegne/{handover_id}/letto", None, "pua", "incoming", page=True),
]  # fmt: skip


def test_every_covered_flow_is_tried_on_a_surface() -> None:
    assert {s.flow for s in SURFACES} == COVERED
    assert {name for name, info in flows.__dict__.items() if getattr(info, "__flow__", None)} >= {
        "prepare_now",
        "write_note",
        "acknowledge",
    }


async def _world(session: AsyncSession, database: Database) -> World:
    e = await evening(session)
    with time_machine.travel(HANDOFF, tick=False):
        handover_id = await flows.prepare(
            database, role=Role.COORDINATORE, incoming_id=e.incoming.id or 0, outgoing_id=e.outgoing.id, at=HANDOFF
        )
    assert handover_id is not None
    return World(e, handover_id)


async def _snapshot(session: AsyncSession) -> tuple[object, ...]:
    """What any of these flows could change, as the database holds it now."""
    handovers = (
        await session.exec(select(col(Handover.id), col(Handover.acknowledged_at)).order_by(col(Handover.id)))
    ).all()
    notes = (await session.exec(select(col(HandoverNote.text), col(HandoverNote.role)))).all()
    events = (await session.exec(select(func.count()).select_from(Event))).one()
    return (tuple(handovers), tuple(notes), events)


async def _denied(session: AsyncSession, who: Operator, flow: str) -> int:
    query = select(func.count()).where(
        col(AuditEvent.agent_operator_id) == who.id,
        col(AuditEvent.outcome) == AuditOutcome.DENIED,
        col(AuditEvent.subtype) == flow,
    )
    return (await session.exec(query)).one()


async def _call(
    client: httpx.AsyncClient, session: AsyncSession, s: Surface, w: World, who: Operator
) -> httpx.Response:
    url = s.url.format(handover_id=w.handover_id)
    body = s.body(w) if s.body else None
    token = await f.token_for(session, who)
    client.cookies.clear()
    if s.page:
        client.cookies.set(COOKIE_NAME, token)
        return await client.request(s.method, url, data=body)
    return await client.request(s.method, url, json=body, headers=f.bearer(token))


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: f"{s.flow}:{'page' if s.page else 'api'}:{s.refused}")
async def test_refused_to_whoever_may_not(
    surface: Surface, client: httpx.AsyncClient, session: AsyncSession, database: Database
) -> None:
    w = await _world(session, database)
    stranger = w.who(surface.refused)
    before, denied_before = await _snapshot(session), await _denied(session, stranger, surface.flow)
    for attempt in (1, 2):
        r = await _call(client, session, surface, w, stranger)
        assert r.status_code == 403, r.text
        if surface.page:  # a page says it in a sentence, not in JSON
            assert r.headers["content-type"].startswith("text/html") and "non consentit" in r.text.lower()
        assert await _snapshot(session) == before
        assert await _denied(session, stranger, surface.flow) == denied_before + attempt

    r = await _call(client, session, surface, w, w.who(surface.allowed))
    assert r.status_code in ((303,) if surface.page else (200, 201)), r.text
    assert await _snapshot(session) != before
