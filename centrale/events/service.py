"""Writing events to the outbox. Readers follow them in order (see the alerts/board readers)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.events.models import Event


def emit(
    session: AsyncSession,
    *,
    kind: str,
    entity_type: str,
    entity_id: object,
    person_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Add an event to the caller's transaction: it exists if and only if the change commits."""
    event = Event(
        kind=kind, entity_type=entity_type, entity_id=str(entity_id), person_id=person_id, payload=payload or {}
    )
    session.add(event)
    return event
