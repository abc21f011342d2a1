"""A handover: the digest an incoming operator receives at a hand-off, as it stood at that moment.

The digest is stored, not recomputed: "what did the night shift hand over at 08:00?" must have the
same answer next month, whatever was resolved since. The outgoing operator's note is written before
the hand-off (``HandoverNote``, editable until then) and copied into the handover that carries it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from centrale.operators.models import Role

#: the longest note an outgoing operator may leave (a few lines, not a case file)
NOTE_MAX = 2000


class Handover(SQLModel, table=True):
    """One hand-off of one role to one incoming operator; unique so that every instance prepares it once."""

    __tablename__ = "handover"
    __table_args__ = (UniqueConstraint("role", "incoming_id", "handoff_at"),)

    id: int | None = Field(default=None, primary_key=True)
    role: Role = Field(index=True)
    incoming_id: int = Field(foreign_key="operator.id", index=True)
    outgoing_id: int | None = Field(default=None, foreign_key="operator.id")
    handoff_at: datetime = utc_field(index=True)
    digest: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notes: str | None = Field(default=None, max_length=NOTE_MAX)
    prepared_at: datetime = created_at_field()
    prepared_by: int | None = Field(default=None, foreign_key="operator.id", description="None: at the hand-off")
    acknowledged_at: datetime | None = utc_field(default=None)
    acknowledged_by: int | None = Field(default=None, foreign_key="operator.id")


class HandoverNote(SQLModel, table=True):
    """The outgoing operator's note for the next hand-off of a role; once handed over it is kept as is."""

    __tablename__ = "handover_note"

    id: int | None = Field(default=None, primary_key=True)
    role: Role = Field(index=True)
    author_id: int = Field(foreign_key="operator.id", index=True)
    text: str = Field(max_length=NOTE_MAX)
    updated_at: datetime = created_at_field()
    #: the hand-off that carried it (every incoming of that hand-off gets it); None while still editable
    handed_at: datetime | None = utc_field(default=None, index=True)


class HandoverNoteIn(SQLModel):
    """The note form: one role (of the author's own) and a short text."""

    role: Role
    text: str = Field(min_length=1, max_length=NOTE_MAX)


class HandoverPrepare(SQLModel):
    """A coordinator's "prepare now": for whom (an operator of the role), from whom (optional)."""

    role: Role
    incoming_id: int
    outgoing_id: int | None = None


class HandoverPublic(SQLModel):
    id: int
    role: Role
    incoming_id: int
    outgoing_id: int | None
    handoff_at: datetime
    digest: dict[str, Any]
    notes: str | None
    prepared_at: datetime
    prepared_by: int | None
    acknowledged_at: datetime | None
    acknowledged_by: int | None


class HandoverSummary(SQLModel):
    """A row of the past handovers' list: who, when, acknowledged when (no digest)."""

    id: int
    role: Role
    incoming_id: int
    outgoing_id: int | None
    handoff_at: datetime
    acknowledged_at: datetime | None
