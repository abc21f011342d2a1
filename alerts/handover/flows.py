"""The actions on handovers: prepare (at the hand-off, or now by a coordinator), the outgoing's note,
the incoming's acknowledgement, and the audited read.

``prepare`` is the job's door: the rota's hand-off calls it for each incoming operator, in every
instance at once, so it is idempotent on (role, incoming, hand-off time) by a unique constraint.
A coordinator's "prepare now" is the same work under an operator's name and authorisation.

Each emits one event to the operator it concerns; the board lists personal events by their ``text``,
so each carries a short Italian sentence: no code, and nothing of the digest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select

from alerts.handover import digest as digests
from alerts.handover.models import Handover, HandoverNote, HandoverNoteIn
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record_covering
from centrale.auth.actor import actor_of
from centrale.clock import as_utc, utcnow
from centrale.db import Database
from centrale.errors import Conflict, Invalid, NotFound
from centrale.flows import flow
from centrale.operators.models import Operator, Role
from centrale.uow import Tx

#: who may prepare a handover by hand (the Centrale's coordination) and read anyone's handovers
COORDINATION = frozenset({Role.COORDINATORE, Role.AMMINISTRATORE})
#: the roles that hand over a shift: the ones a rota covers (a note is for the author's own role)
SHIFT_ROLES = frozenset({Role.COORDINATORE, Role.OPERATORE_PUA, Role.AMMINISTRATORE})


async def _pending_notes(tx: Tx, role: Role, outgoing_id: int | None, at: datetime) -> list[HandoverNote]:
    if outgoing_id is None:
        return []
    query = select(HandoverNote).where(
        col(HandoverNote.role) == role,
        col(HandoverNote.author_id) == outgoing_id,
        or_(col(HandoverNote.handed_at).is_(None), col(HandoverNote.handed_at) == at),
    )
    return list((await tx.session.exec(query.order_by(col(HandoverNote.updated_at)))).all())


async def build_and_store(
    tx: Tx, *, role: Role, incoming_id: int, outgoing_id: int | None, at: datetime, prepared_by: int | None
) -> Handover | None:
    """Build and add the handover (None if that hand-off already has one, or the incoming is not active)."""
    existing = await tx.session.exec(
        select(col(Handover.id)).where(
            col(Handover.role) == role, col(Handover.incoming_id) == incoming_id, col(Handover.handoff_at) == at
        )
    )
    if existing.first() is not None:
        return None
    incoming = await actor_of(tx.session, incoming_id)
    if incoming is None:
        return None
    notes = await _pending_notes(tx, role, outgoing_id, at)
    for note in notes:
        note.handed_at = at
        tx.session.add(note)
    handover = Handover(
        role=role,
        incoming_id=incoming_id,
        outgoing_id=outgoing_id,
        handoff_at=at,
        digest=await digests.build(tx.session, incoming, at),
        notes="\n\n".join(n.text for n in notes) or None,
        prepared_by=prepared_by,
    )
    tx.session.add(handover)
    await tx.session.flush()
    tx.audit(AuditAction.CREATE, "handover.prepare", entity_type="Handover", entity_id=handover.id, person_id=None)
    tx.emit(
        kind="handover.prepared",
        entity_type="Handover",
        entity_id=handover.id,
        payload={"handover_id": handover.id, "role": role.value, "text": "Consegne pronte: aprire la pagina Consegne"},
        recipient_operator_id=incoming_id,
    )
    return handover


@flow("handover.prepare", guarded=False)
async def prepare(
    database: Database, *, role: Role, incoming_id: int, outgoing_id: int | None, at: datetime
) -> int | None:
    """At a hand-off: store the incoming operator's digest; its id, or None if that hand-off already has it."""
    at = as_utc(at)
    async with Tx.open(database) as tx:
        try:
            handover = await build_and_store(
                tx, role=role, incoming_id=incoming_id, outgoing_id=outgoing_id, at=at, prepared_by=None
            )
            if handover is None:
                return None
            await tx.commit()
        except IntegrityError:  # another instance prepared it at the same moment
            await tx.rollback()
            return None
        return handover.id


@flow("handover.prepare_now")
async def prepare_now(tx: Tx, *, role: Role, incoming_id: int, outgoing_id: int | None = None) -> Handover:
    """A coordinator's "Prepara le consegne ora": the same digest, at this moment, for an operator of the role."""
    actor = tx.require_actor()
    if actor.role not in COORDINATION:
        raise await tx.deny(
            AuditAction.CREATE,
            "handover.prepare_now",
            entity_type="Handover",
            entity_id=None,
            person_id=None,
            reason=f"role {actor.role} may not prepare handovers",
        )
    incoming = await tx.session.get(Operator, incoming_id)
    if incoming is None or not incoming.active or incoming.deleted_at is not None:
        raise Invalid("incoming_id: operatore non attivo / not an active operator", field="incoming_id")
    if outgoing_id is not None and await tx.session.get(Operator, outgoing_id) is None:
        raise Invalid("outgoing_id: operatore sconosciuto / unknown operator", field="outgoing_id")
    handover = await build_and_store(
        tx, role=role, incoming_id=incoming_id, outgoing_id=outgoing_id, at=utcnow(), prepared_by=actor.operator_id
    )
    if handover is None:
        raise Conflict("Consegne già preparate in questo momento / already prepared")
    return handover


@flow("handover.note")
async def write_note(tx: Tx, *, data: HandoverNoteIn) -> HandoverNote:
    """The outgoing operator's note for the next hand-off of their role: written once, edited until handed over."""
    actor = tx.require_actor()
    if actor.role not in SHIFT_ROLES or data.role != actor.role:
        raise await tx.deny(
            AuditAction.UPDATE,
            "handover.note",
            entity_type="HandoverNote",
            entity_id=None,
            person_id=None,
            reason=f"role {actor.role} may not leave a handover note for {data.role}",
        )
    query = select(HandoverNote).where(
        col(HandoverNote.role) == data.role,
        col(HandoverNote.author_id) == actor.operator_id,
        col(HandoverNote.handed_at).is_(None),
    )
    note = (await tx.session.exec(query)).first()
    if note is None:
        note = HandoverNote(role=data.role, author_id=actor.operator_id, text=data.text)
        action = AuditAction.CREATE
    else:
        note.text, note.updated_at = data.text, utcnow()
        action = AuditAction.UPDATE
    tx.session.add(note)
    await tx.session.flush()
    tx.audit(action, "handover.note", entity_type="HandoverNote", entity_id=note.id, person_id=None)
    tx.emit(
        kind="handover.note",
        entity_type="HandoverNote",
        entity_id=note.id,
        payload={"note_id": note.id, "role": data.role.value, "text": "Nota per le prossime consegne salvata"},
        recipient_operator_id=actor.operator_id,
    )
    return note


async def _load(tx: Tx, handover_id: int, *, lock: bool = False) -> Handover:
    query = select(Handover).where(col(Handover.id) == handover_id)
    if lock and not tx.db.is_sqlite:
        query = query.with_for_update()
    handover = (await tx.session.exec(query)).first()
    if handover is None:
        raise NotFound("Consegne", handover_id)
    return handover


@flow("handover.acknowledge")
async def acknowledge(tx: Tx, *, handover_id: int) -> Handover:
    """ "Ho letto le consegne": only the incoming operator, once (409 after)."""
    actor = tx.require_actor()
    handover = await _load(tx, handover_id, lock=True)
    if handover.incoming_id != actor.operator_id:
        raise await tx.deny(
            AuditAction.UPDATE,
            "handover.acknowledge",
            entity_type="Handover",
            entity_id=handover_id,
            person_id=None,
            reason="only the incoming operator may acknowledge the handover",
        )
    if handover.acknowledged_at is not None:
        raise Conflict("Consegne già lette / already acknowledged")
    handover.acknowledged_at, handover.acknowledged_by = utcnow(), actor.operator_id
    tx.session.add(handover)
    tx.audit(AuditAction.UPDATE, "handover.acknowledge", entity_type="Handover", entity_id=handover_id, person_id=None)
    tx.emit(
        kind="handover.acknowledged",
        entity_type="Handover",
        entity_id=handover_id,
        payload={
            "handover_id": handover_id,
            "role": handover.role.value,
            "text": f"Consegne lette da {actor.full_name}",
        },
        recipient_operator_id=handover.outgoing_id or handover.incoming_id,
    )
    return handover


def may_read(actor_id: int, role: Role, handover: Handover) -> bool:
    """The incoming and the outgoing read their handover; the coordination reads every one (scoped)."""
    return actor_id in (handover.incoming_id, handover.outgoing_id) or role in COORDINATION


async def read(tx: Tx, *, handover_id: int) -> Handover:
    """A handover with the part of its digest the reader may see today; the read (and every person
    it shows) is audited, a refusal too. Returned detached: the caller shows it, nothing is saved."""
    actor = tx.require_actor()
    handover = await _load(tx, handover_id)
    if not may_read(actor.operator_id, actor.role, handover):
        raise await tx.deny(
            AuditAction.READ,
            "handover.read",
            entity_type="Handover",
            entity_id=handover_id,
            person_id=None,
            reason="neither incoming nor outgoing operator of the handover",
        )
    shown = await digests.visible_part(tx.session, actor, handover.digest)
    event = build_event(
        agent=tx.who,
        action=AuditAction.READ,
        subtype="handover.read",
        entity_type="Handover",
        entity_id=handover_id,
        person_id=None,
    )
    await record_covering(tx.session, [(event, digests.persons_in(shown))])
    await tx.session.commit()
    copy = Handover.model_validate(handover.model_dump())
    copy.digest = shown
    return copy
