"""The hand-off notice: at each change of hands, the incoming and the outgoing operator hear of it.

A job looks back a few minutes for the instants at which the rota's holders of a role changed (a
shift's edge, a cover's or a swap's). For each one it writes a ``rota_handoff`` row under a unique
(role, instant) key: when several instances run the job at once, one insert wins and the others skip,
so each notice goes out exactly once. The notice is a personal board event without health data; the
incoming operator's digest (the consegne) is prepared by ``alerts.handover.flows.prepare``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover.flows import prepare
from alerts.rota.words import ROLE_WORDS, clock_words
from centrale.clock import as_utc, utcnow
from centrale.db import Database
from centrale.events.service import commit, emit
from centrale.flows import flow
from centrale.operators.models import Operator, Role
from centrale.rota.models import RotaHandoff
from centrale.rota.schedule import changes, who_at
from centrale.rota.service import layers_of, overrides_of, roles_with_rota

log = logging.getLogger(__name__)

LOOKBACK = timedelta(minutes=15)  # a job run missed by a restart still finds its hand-off
TICK = timedelta(microseconds=1)


async def _names(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    names = {}
    for ident in ids:
        op = await session.get(Operator, ident)
        if op is not None and op.active and op.deleted_at is None:
            names[ident] = op.full_name
    return names


def _notify(
    session: AsyncSession, role: Role, at: datetime, incoming: dict[int, str], outgoing: dict[int, str]
) -> None:
    """A personal board event for each operator who starts or ends a shift (names and times only)."""
    what, when = ROLE_WORDS.get(role, role), clock_words(at)
    after = ", ".join(incoming.values()) or "nessuno"
    for ident in incoming:
        text = f"Inizia il tuo turno ({what}) alle {when}: le consegne sono pronte."
        emit(
            session,
            kind="rota.handoff",
            entity_type="Operator",
            entity_id=ident,
            recipient_operator_id=ident,
            payload={"text": text, "role": role, "at": at.isoformat(), "incoming": True},
        )
    for ident in outgoing:
        text = f"Il tuo turno ({what}) finisce alle {when}; di turno ora: {after}."
        emit(
            session,
            kind="rota.handoff",
            entity_type="Operator",
            entity_id=ident,
            recipient_operator_id=ident,
            payload={"text": text, "role": role, "at": at.isoformat(), "incoming": False},
        )


async def _claim(
    database: Database, role: Role, at: datetime, before: list[int], after: list[int]
) -> RotaHandoff | None:
    """Record the hand-off and its notices in one transaction; None when another run already did."""
    incoming = [i for i in after if i not in before]
    outgoing = [i for i in before if i not in after]
    async with database.sessionmaker() as session:
        row = RotaHandoff(role=role, at=at, incoming_ids=incoming, outgoing_ids=outgoing)
        session.add(row)
        try:
            await session.flush()
        except IntegrityError:
            await session.rollback()
            return None
        _notify(session, role, at, await _names(session, incoming), await _names(session, outgoing))
        try:
            await commit(session)
        except IntegrityError:  # another instance committed the same hand-off first
            return None
        return row


@flow("rota.handoff", guarded=False)
async def notify_handoffs(database: Database, *, now: datetime | None = None) -> int:
    """Every few minutes: notify each hand-off of the last minutes not yet notified; how many were."""
    now = as_utc(now or utcnow())
    start = now - LOOKBACK
    done: list[tuple[Role, datetime, list[int], list[int]]] = []
    async with database.sessionmaker() as session:
        edges = []
        for role in sorted(await roles_with_rota(session)):
            layers = await layers_of(session, role)
            overrides = await overrides_of(session, role, start - TICK, now + TICK)
            for at in changes(layers, overrides, start, now + TICK):
                before, after = who_at(layers, overrides, at - TICK), who_at(layers, overrides, at)
                if set(before) != set(after):
                    edges.append((role, at, before, after))
    for role, at, before, after in edges:
        row = await _claim(database, role, at, before, after)
        if row is not None:
            done.append((role, at, row.incoming_ids, row.outgoing_ids))
    for role, at, incoming, outgoing in done:
        for ident in incoming:
            try:
                await prepare(
                    database, role=role, incoming_id=ident, outgoing_id=outgoing[0] if outgoing else None, at=at
                )
            except Exception:  # the notice is out; the digest can still be prepared by hand
                log.exception("handover digest not prepared")
    return len(done)
