"""The "Consegne" page: the incoming reads the digest in words and acknowledges it; the outgoing leaves a
note; a coordinator prepares a handover now; others are refused with a sentence, never a code."""

from __future__ import annotations

import httpx
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover import flows
from alerts.handover.models import Handover, HandoverNote
from centrale.db import Database
from centrale.operators.models import Operator, Role
from tests import factories as f
from tests.alerts.handover.helpers import HANDOFF, Evening, evening
from tests.web.walk_common import domain_codes, problems_in, visible_text
from web.api.deps import COOKIE_NAME


async def _as(client: httpx.AsyncClient, session: AsyncSession, operator: Operator) -> None:
    client.cookies.set(COOKIE_NAME, await f.token_for(session, operator))


async def _prepared(database: Database, e: Evening) -> int:
    with time_machine.travel(HANDOFF, tick=False):
        handover_id = await flows.prepare(
            database, role=Role.COORDINATORE, incoming_id=e.incoming.id or 0, outgoing_id=e.outgoing.id, at=HANDOFF
        )
    assert handover_id is not None
    return handover_id


async def test_the_incoming_reads_the_digest_in_words_and_acknowledges_it(
    client: httpx.AsyncClient, session: AsyncSession, database: Database
) -> None:
    e = await evening(session)
    handover_id = await _prepared(database, e)
    await _as(client, session, e.incoming)
    codes = domain_codes()
    for lang in ("it", "en"):
        page = await client.get(f"/consegne?lang={lang}")
        assert page.status_code == 200
        text = visible_text(page.text)
        assert problems_in(text, codes) == [], lang
        assert "Bianchi M." in text and "T-LATE" in text and "Verdi" not in text
    text = visible_text((await client.get("/consegne?lang=it")).text)
    assert "Allerte aperte (1)" in text and "Attività scadute (1)" in text and "Progetti in scadenza" in text
    assert "Alta" in text and "Visita domiciliare" in text and "04/05/2027 16:00" in text  # the task's end, Rome
    assert "Ho letto le consegne" in text and "Non ancora lette" in text

    await _as(client, session, e.outgoing)
    refused = await client.post(f"/consegne/{handover_id}/letto")
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    await _as(client, session, e.incoming)
    done = await client.post(f"/consegne/{handover_id}/letto")
    assert done.status_code == 303
    after = visible_text((await client.get("/consegne")).text)
    assert "Lette:" in after and "Ho letto le consegne" not in after
    async with database.sessionmaker() as s:
        row = await s.get(Handover, handover_id)
    assert row is not None and row.acknowledged_by == e.incoming.id


async def test_the_outgoing_leaves_a_note_and_a_blank_one_is_refused_in_words(
    client: httpx.AsyncClient, session: AsyncSession, database: Database
) -> None:
    e = await evening(session)
    await _as(client, session, e.outgoing)
    blank = await client.post("/consegne/nota", data={"text": "   "})
    assert blank.status_code == 422 and "Testo" in visible_text(blank.text)
    saved = await client.post("/consegne/nota", data={"text": "Chiamare la figlia di Bianchi alle 21"})
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "Nota salvata" in page.text and "Chiamare la figlia di Bianchi alle 21" in page.text
    handover_id = await _prepared(database, e)
    async with database.sessionmaker() as s:
        note = (await s.exec(select(HandoverNote))).one()
        handover = await s.get(Handover, handover_id)
    assert note.handed_at is not None and handover is not None
    assert handover.notes == "Chiamare la figlia di Bianchi alle 21"


async def test_a_coordinator_prepares_now_and_others_are_refused(
    client: httpx.AsyncClient, session: AsyncSession, database: Database
) -> None:
    e = await evening(session)
    await _as(client, session, e.tutor)
    page = await client.get("/consegne")
    assert page.status_code == 403 and "non riceve consegne" in visible_text(page.text)
    assert (await client.post("/consegne/prepara", data={"incoming_id": str(e.pua.id)})).status_code == 403

    await _as(client, session, e.outgoing)
    made = await client.post("/consegne/prepara", data={"incoming_id": str(e.pua.id), "outgoing_id": ""})
    assert made.status_code == 303
    shown = await client.get(made.headers["location"])
    assert shown.status_code == 200 and "Operatore/Operatrice PUA" in visible_text(shown.text)
    wrong = await client.post("/consegne/prepara", data={"incoming_id": "abc"})
    assert wrong.status_code == 422 and "Chi entra in turno" in visible_text(wrong.text)
    async with database.sessionmaker() as s:
        rows = (await s.exec(select(Handover).where(col(Handover.incoming_id) == e.pua.id))).all()
    assert [(h.role, h.prepared_by) for h in rows] == [(Role.OPERATORE_PUA, e.outgoing.id)]

    coordinators = await _prepared(database, e)
    await _as(client, session, e.pua)  # neither incoming nor outgoing of the coordinators' handover
    assert (await client.get(f"/consegne/{coordinators}")).status_code == 403
