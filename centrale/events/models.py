"""The transactional outbox: one row per state change, written in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field


class Event(SQLModel, table=True):
    """An outbox row. ``seq`` is given at commit time (see ``service.py``), so it follows commit order."""

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, unique=True, index=True, nullable=True),
        description="Numero di sequenza: assegnato al commit, in ordine di commit",
    )
    at: datetime = created_at_field()
    kind: str = Field(max_length=60, description="e.g. alert.opened, case.state_changed, task.done")
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=64)
    person_id: int | None = Field(default=None, index=True, description="whose data (for scoping)")
    recipient_operator_id: int | None = Field(
        default=None, index=True, description="only for this operator (personal channel)"
    )
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EventCounter(SQLModel, table=True):
    """The single row whose lock orders sequence numbers by commit (see docs/ARCHITECTURE.md)."""

    __tablename__ = "event_counter"

    id: int = Field(default=1, primary_key=True)
    last_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class EventPublic(SQLModel):
    seq: int
    at: datetime
    kind: str
    entity_type: str
    entity_id: str
    person_id: int | None
    recipient_operator_id: int | None
    payload: dict[str, Any]
