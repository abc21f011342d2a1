"""The handover digest lists what the seeded data says, the incoming acknowledges it, and the audit shows both."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover import flows
from alerts.handover.digest import SECTIONS
from alerts.handover.models import Handover, HandoverNoteIn
from centrale.audit.models import AuditEvent, AuditEventPerson, AuditOutcome
from centrale.auth.actor import Actor, actor_of
from centrale.db import Database
from centrale.errors import Conflict, Refused
from centrale.events.models import Event
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.uow import Tx
from tests import factories as f
from tests.alerts.handover.helpers import HANDOFF, evening


async def _actor(database: Database, operator: Operator) -> Actor:
    async with database.sessionmaker() as session:
        actor = await actor_of(session, operator.id or 0)
    assert actor is not None
    return actor


async def _audit(database: Database, subtype: str) -> list[AuditEvent]:
    async with database.sessionmaker() as session:
        query = select(AuditEvent).where(col(AuditEvent.subtype) == subtype).order_by(col(AuditEvent.id))
        return list((await session.exec(query)).all())


def _ids(items: list[dict[str, Any]], key: str) -> list[int]:
    return [int(i[key]) for i in items]


async def test_digest_lists_the_seeded_data_the_incoming_acknowledges_and_the_audit_shows_both(
    database: Database, session: AsyncSession
) -> None:
    e = await evening(session)
    outgoing, incoming = await _actor(database, e.outgoing), await _actor(database, e.incoming)
    async with Tx.open(database, actor=outgoing) as tx:
        await flows.write_note(
            tx, data=HandoverNoteIn(role=Role.COORDINATORE, text="Richiamare la sentinella di via Roma")
        )
        await tx.commit()
    with time_machine.travel(HANDOFF, tick=False):
        handover_id = await flows.prepare(
            database,
            role=Role.COORDINATORE,
            incoming_id=incoming.operator_id,
            outgoing_id=outgoing.operator_id,
            at=HANDOFF,
        )
        assert handover_id is not None
        async with Tx.open(database, actor=incoming) as tx:
            shown = await flows.read(tx, handover_id=handover_id)
        digest = shown.digest
        assert _ids(digest["open_alerts"], "alert_id") == [e.ids["alert_new"]]
        assert _ids(digest["acknowledged_alerts"], "alert_id") == [e.ids["alert_ack"]]
        assert [t["code"] for t in digest["overdue_tasks"]] == ["T-LATE"]
        assert _ids(digest["pending_checkins"], "checkin_id") == [e.ids["checkin_waiting"], e.ids["checkin_sentinel"]]
        assert digest["pending_checkins"][1]["sentinel"] == "Sentinella di prova"
        assert _ids(digest["ending_plans"], "plan_id") == [e.ids["plan_ending"]]
        assert digest["open_alerts"][0]["person"] == "Bianchi M."
        assert shown.notes == "Richiamare la sentinella di via Roma"
        assert "Verdi" not in repr(digest)  # municipio VII's person is not the coordinators' of IX

        async with Tx.open(database, actor=incoming) as tx:
            acknowledged = await flows.acknowledge(tx, handover_id=handover_id)
            await tx.commit()
        assert acknowledged.acknowledged_by == incoming.operator_id and acknowledged.acknowledged_at is not None

    prepared = await _audit(database, "handover.prepare")
    assert [(r.entity_id, r.agent_operator_id) for r in prepared] == [(str(handover_id), None)]
    reads = await _audit(database, "handover.read")
    assert [(r.entity_id, r.agent_operator_id, r.outcome) for r in reads] == [
        (str(handover_id), incoming.operator_id, AuditOutcome.SUCCESS)
    ]
    async with database.sessionmaker() as s:
        covered = (
            await s.exec(
                select(col(AuditEventPerson.person_id)).where(col(AuditEventPerson.audit_event_id) == reads[0].id)
            )
        ).all()
    assert set(covered) == {e.bianchi.id}
    async with database.sessionmaker() as s:
        query = select(Event).where(col(Event.kind).startswith("handover.")).order_by(col(Event.id))
        rows = (await s.exec(query)).all()
        events = [(ev.kind, ev.recipient_operator_id, ev.person_id) for ev in rows]
    assert events == [  # the note, the digest, the acknowledgement: each told to whom it concerns, naming no one
        ("handover.note", outgoing.operator_id, None),
        ("handover.prepared", incoming.operator_id, None),
        ("handover.acknowledged", outgoing.operator_id, None),
    ]
    assert [ev.payload["text"] for ev in rows] == [  # what the board's personal list shows: words
        "Nota per le prossime consegne salvata",
        "Consegne pronte: aprire la pagina Consegne",
        "Consegne lette da Luca Galli",
    ]
    acks = await _audit(database, "handover.acknowledge")
    assert [(r.entity_id, r.agent_operator_id, r.outcome) for r in acks] == [
        (str(handover_id), incoming.operator_id, AuditOutcome.SUCCESS)
    ]


async def test_prepare_is_idempotent_per_hand_off_and_the_digest_stays_as_it_was(
    database: Database, session: AsyncSession
) -> None:
    e = await evening(session)
    args = {"role": Role.COORDINATORE, "incoming_id": e.incoming.id or 0, "outgoing_id": e.outgoing.id, "at": HANDOFF}
    with time_machine.travel(HANDOFF, tick=False):
        first = await flows.prepare(database, **args)  # type: ignore[arg-type]
        again = await flows.prepare(database, **args)  # type: ignore[arg-type]
    assert first is not None and again is None
    async with database.sessionmaker() as s:
        rows = (await s.exec(select(Handover))).all()
    assert [h.id for h in rows] == [first]
    assert len(await _audit(database, "handover.prepare")) == 1


async def test_only_the_incoming_acknowledges_and_a_refusal_is_audited(
    database: Database, session: AsyncSession
) -> None:
    e = await evening(session)
    with time_machine.travel(HANDOFF, tick=False):
        handover_id = await flows.prepare(
            database, role=Role.COORDINATORE, incoming_id=e.incoming.id or 0, outgoing_id=e.outgoing.id, at=HANDOFF
        )
    assert handover_id is not None
    for other in (e.outgoing, e.pua):
        async with Tx.open(database, actor=await _actor(database, other)) as tx:
            with pytest.raises(Refused):
                await flows.acknowledge(tx, handover_id=handover_id)
    denied = [r for r in await _audit(database, "handover.acknowledge") if r.outcome == AuditOutcome.DENIED]
    assert {r.agent_operator_id for r in denied} == {e.outgoing.id, e.pua.id}
    async with database.sessionmaker() as s:
        still = await s.get(Handover, handover_id)
    assert still is not None and still.acknowledged_at is None
    incoming = await _actor(database, e.incoming)
    async with Tx.open(database, actor=incoming) as tx:
        await flows.acknowledge(tx, handover_id=handover_id)
        await tx.commit()
    async with Tx.open(database, actor=incoming) as tx:
        with pytest.raises(Conflict):
            await flows.acknowledge(tx, handover_id=handover_id)


async def test_a_later_reader_sees_only_what_they_may_see(database: Database, session: AsyncSession) -> None:
    """A coordinator of municipio VII reads the IX coordinators' handover without its items (persons and
    buildings of IX); the PUA operator, neither incoming nor outgoing, is refused (audited)."""
    e = await evening(session)
    with time_machine.travel(HANDOFF, tick=False):
        handover_id = await flows.prepare(
            database, role=Role.COORDINATORE, incoming_id=e.incoming.id or 0, outgoing_id=e.outgoing.id, at=HANDOFF
        )
    assert handover_id is not None
    other = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE, municipio="VII"))
    async with Tx.open(database, actor=await _actor(database, other)) as tx:
        shown = await flows.read(tx, handover_id=handover_id)
    async with Tx.open(database, actor=await _actor(database, e.incoming)) as tx:
        whole = await flows.read(tx, handover_id=handover_id)
    assert all(whole.digest[key] for key in SECTIONS)
    assert shown.digest == {key: [] for key in SECTIONS}
    async with Tx.open(database, actor=await _actor(database, e.pua)) as tx:
        with pytest.raises(Refused):
            await flows.read(tx, handover_id=handover_id)
    denied = [r for r in await _audit(database, "handover.read") if r.outcome == AuditOutcome.DENIED]
    assert [r.agent_operator_id for r in denied] == [e.pua.id]
