"""/api/v1/handovers: the list names who and when, one digest is an audited read, the incoming acknowledges
once, the outgoing's note waits for the next hand-off; bad input is a 4xx naming the field."""

from __future__ import annotations

import httpx
import time_machine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover import flows
from centrale.audit.models import AuditEvent
from centrale.db import Database
from centrale.operators.models import Role
from tests import factories as f
from tests.alerts.handover.helpers import HANDOFF, evening


async def test_list_read_acknowledge_and_note(client: httpx.AsyncClient, session: AsyncSession, database: Database):
    e = await evening(session)
    with time_machine.travel(HANDOFF, tick=False):
        handover_id = await flows.prepare(
            database, role=Role.COORDINATORE, incoming_id=e.incoming.id or 0, outgoing_id=e.outgoing.id, at=HANDOFF
        )
    incoming = f.bearer(await f.token_for(session, e.incoming))
    outgoing = f.bearer(await f.token_for(session, e.outgoing))
    tutor = f.bearer(await f.token_for(session, e.tutor))

    listed = (await client.get("/api/v1/handovers", headers=incoming)).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == handover_id
    assert "digest" not in listed["data"][0]  # a list says who and when, never what
    assert (await client.get("/api/v1/handovers", headers=tutor)).json()["count"] == 0

    read = await client.get(f"/api/v1/handovers/{handover_id}", headers=incoming)
    assert read.status_code == 200 and [t["code"] for t in read.json()["digest"]["overdue_tasks"]] == ["T-LATE"]
    reads = select(func.count()).where(col(AuditEvent.subtype) == "handover.read")
    assert (await session.exec(reads)).one() == 1
    assert (await client.get("/api/v1/handovers/987654", headers=incoming)).status_code == 404

    ack = await client.post(f"/api/v1/handovers/{handover_id}/acknowledge", headers=incoming)
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == e.incoming.id
    again = await client.post(f"/api/v1/handovers/{handover_id}/acknowledge", headers=incoming)
    assert again.status_code == 409

    note = {"role": "COORDINATORE", "text": "La sentinella di via Roma richiama alle 22"}
    assert (await client.put("/api/v1/handovers/note", headers=outgoing, json=note)).status_code == 200
    edited = await client.put("/api/v1/handovers/note", headers=outgoing, json=note | {"text": "Richiama alle 23"})
    assert edited.status_code == 200
    assert (await client.get("/api/v1/handovers/note", headers=outgoing)).json()["text"] == "Richiama alle 23"
    empty = await client.put("/api/v1/handovers/note", headers=outgoing, json=note | {"text": ""})
    assert empty.status_code == 422 and "text" in empty.text

    wrong = await client.post("/api/v1/handovers", headers=outgoing, json={"role": "COORDINATORE", "incoming_id": "x"})
    assert wrong.status_code == 422 and "incoming_id" in wrong.text
    gone = await client.post(
        "/api/v1/handovers", headers=outgoing, json={"role": "COORDINATORE", "incoming_id": 987654}
    )
    assert gone.status_code == 422 and "incoming_id" in gone.text
