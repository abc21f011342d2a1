"""Writing audit rows: in the caller's transaction for successes, in their own for refusals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, union_all
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction, AuditEvent, AuditEventPerson, AuditOutcome, AuditPurpose
from centrale.events.service import commit

_INSERT_PERSONS = insert(AuditEventPerson.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Agent:
    """Who acts, as the audit log records it."""

    operator_id: int | None
    name: str | None
    role: str | None
    org_id: int | None
    source_address: str | None


def build_event(
    *,
    agent: Agent,
    action: AuditAction,
    subtype: str,
    entity_type: str,
    entity_id: object | None,
    person_id: int | None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    outcome_desc: str | None = None,
    purpose: AuditPurpose = AuditPurpose.CAREMGT,
) -> AuditEvent:
    return AuditEvent(
        action=action,
        subtype=subtype,
        outcome=outcome,
        outcome_desc=outcome_desc,
        purpose=purpose,
        agent_operator_id=agent.operator_id,
        agent_name=agent.name,
        agent_role=agent.role,
        agent_org_id=agent.org_id,
        source_address=agent.source_address,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        person_id=person_id,
    )


def refusal(
    *,
    agent: Agent,
    action: AuditAction,
    subtype: str,
    entity_type: str,
    entity_id: object | None,
    person_id: int | None,
    reason: str,
) -> AuditEvent:
    """The audit row of a refusal: outcome DENIED, the reason cut to what the column holds."""
    return build_event(
        agent=agent,
        action=action,
        subtype=subtype,
        entity_type=entity_type,
        entity_id=entity_id,
        person_id=person_id,
        outcome=AuditOutcome.DENIED,
        outcome_desc=reason[:300],
    )


def record(session: AsyncSession, event: AuditEvent) -> None:
    """Add a row to the caller's transaction: it commits (or not) with the change it describes."""
    session.add(event)


async def record_covering(session: AsyncSession, rows: Sequence[tuple[AuditEvent, Iterable[int]]]) -> None:
    """Add rows that each cover several people to the caller's transaction, with the people they list.

    One row per showing (a board snapshot shows many people at once) rather than one per person: the
    rows are flushed for their ids, then every person they cover goes in with one ``INSERT``.
    """
    if not rows:
        return
    session.add_all([event for event, _ in rows])
    await session.flush()
    listed = [
        {"audit_event_id": event.id, "person_id": person_id}
        for event, persons in rows
        for person_id in sorted(set(persons))
    ]
    if listed:
        await (await session.connection()).execute(_INSERT_PERSONS, listed)


async def record_now(sessionmaker: async_sessionmaker[AsyncSession], event: AuditEvent) -> None:
    """Commit a row at once in its own transaction (refusals: the request itself will not commit)."""
    async with sessionmaker() as session:
        session.add(event)
        await commit(session)


async def accesses_to_person(
    session: AsyncSession, *, person_id: int, offset: int, limit: int
) -> tuple[Sequence[AuditEvent], int]:
    """Who touched this person's data, newest first (rows naming them, and rows covering them among others)."""
    naming = select(col(AuditEvent.id)).where(col(AuditEvent.person_id) == person_id)
    covering = select(col(AuditEventPerson.audit_event_id)).where(col(AuditEventPerson.person_id) == person_id)
    where = col(AuditEvent.id).in_(union_all(naming, covering))  # each side by its own index
    total = (await session.exec(select(func.count()).select_from(AuditEvent).where(where))).one()
    rows = await session.exec(
        select(AuditEvent).where(where).order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)
    )
    return rows.all(), total
