"""Database work on consents (no HTTP)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.actor import Actor
from centrale.clock import utcnow
from centrale.consents.models import Consent, ConsentIn, ConsentPurpose
from centrale.events.service import emit


async def record_consent(
    session: AsyncSession, *, person_id: int, data: ConsentIn, actor: Actor, reference: str | None = None
) -> Consent:
    """A new statement replaces the previous one for the same purpose (which stays, revoked)."""
    for old in await current(session, person_id=person_id, purpose=data.purpose):
        if reference is None or old.reference == reference:
            old.revoked_at = utcnow()
            session.add(old)
    row = Consent(
        person_id=person_id,
        purpose=data.purpose,
        given=data.given,
        signed_by=data.signed_by,
        note=data.note,
        reference=reference,
        recorded_by_id=actor.operator_id,
    )
    session.add(row)
    await session.flush()
    emit(
        session,
        kind="consent.recorded",
        entity_type="Person",
        entity_id=person_id,
        person_id=person_id,
        payload={"consent_id": row.id, "purpose": data.purpose, "given": data.given},
    )
    return row


async def current(session: AsyncSession, *, person_id: int, purpose: ConsentPurpose | None = None) -> Sequence[Consent]:
    query = select(Consent).where(col(Consent.person_id) == person_id, col(Consent.revoked_at).is_(None))
    if purpose is not None:
        query = query.where(col(Consent.purpose) == purpose)
    return (await session.exec(query.order_by(col(Consent.id)))).all()


async def has_consent(session: AsyncSession, *, person_id: int, purpose: ConsentPurpose) -> bool:
    return any(c.given for c in await current(session, person_id=person_id, purpose=purpose))


async def history(session: AsyncSession, *, person_id: int) -> Sequence[Consent]:
    rows = await session.exec(select(Consent).where(col(Consent.person_id) == person_id).order_by(col(Consent.id)))
    return rows.all()
