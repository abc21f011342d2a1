"""The transactional outbox: one row per state change, written in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    kind: str = Field(max_length=60, description="e.g. alert.opened, case.state_changed, task.done")
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=64)
    person_id: int | None = Field(default=None, index=True, description="whose data (for scoping)")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EventPublic(SQLModel):
    id: int
    at: datetime
    kind: str
    entity_type: str
    entity_id: str
    person_id: int | None
    payload: dict[str, Any]
