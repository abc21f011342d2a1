"""Reading handovers without their digests: the lists of the page and the API, and the pending note.

A list names who handed over to whom and when, never what: the digest is read only through
``flows.read``, which scopes and audits it.
"""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover.flows import COORDINATION, SHIFT_ROLES
from alerts.handover.models import Handover, HandoverNote
from centrale.auth.actor import Actor
from centrale.operators.models import Operator, Role


def _mine(actor: Actor):  # type: ignore[no-untyped-def]
    """The handovers an operator may list: their own (in or out); the coordination's, every one."""
    if actor.role in COORDINATION:
        return col(Handover.id).is_not(None)
    return or_(col(Handover.incoming_id) == actor.operator_id, col(Handover.outgoing_id) == actor.operator_id)


async def past(session: AsyncSession, actor: Actor, *, offset: int = 0, limit: int = 50) -> tuple[list[Handover], int]:
    """The handovers this operator may list, the latest first, and how many there are."""
    query = select(Handover).where(_mine(actor)).order_by(col(Handover.handoff_at).desc(), col(Handover.id).desc())
    rows = (await session.exec(query.offset(offset).limit(limit))).all()
    count = (await session.exec(select(func.count()).select_from(Handover).where(_mine(actor)))).one()
    return list(rows), int(count)


async def current(session: AsyncSession, actor: Actor) -> Handover | None:
    """The latest handover this operator received (what the page opens on)."""
    query = (
        select(Handover)
        .where(col(Handover.incoming_id) == actor.operator_id)
        .order_by(col(Handover.handoff_at).desc(), col(Handover.id).desc())
    )
    return (await session.exec(query.limit(1))).first()


async def pending_note(session: AsyncSession, actor: Actor, role: Role) -> HandoverNote | None:
    """The note this operator is writing for the next hand-off of ``role`` (not yet handed over)."""
    query = select(HandoverNote).where(
        col(HandoverNote.author_id) == actor.operator_id,
        col(HandoverNote.role) == role,
        col(HandoverNote.handed_at).is_(None),
    )
    return (await session.exec(query)).first()


async def names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    """Operators' full names by id (who handed over to whom)."""
    if not ids:
        return {}
    rows = await session.exec(select(Operator).where(col(Operator.id).in_(ids)))
    return {int(o.id or 0): o.full_name for o in rows.all()}


async def shift_operators(session: AsyncSession) -> list[Operator]:
    """Active operators of the shift roles (the choices of "prepare now")."""
    query = (
        select(Operator)
        .where(col(Operator.role).in_(SHIFT_ROLES), col(Operator.active).is_(True), col(Operator.deleted_at).is_(None))
        .order_by(col(Operator.full_name))
    )
    return list((await session.exec(query)).all())
