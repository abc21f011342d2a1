"""Rota tables: weekly layers per role (hand-off times in Europe/Rome), overrides, and hand-offs done.

A layer says, for one role, at which local times the shift changes hands each day, on which weekdays
and whether on holidays, and which operators take the shifts in turn. An override changes one
interval: a cover (someone takes a shift) or the two halves of a swap. A hand-off row is written once
per hand-off, whatever the number of instances, so the notice goes out exactly once.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from centrale.operators.models import Role


class Rotation(StrEnum):
    """How often the next operator of a layer's list takes over."""

    TURNO = "TURNO"  # every shift
    GIORNO = "GIORNO"  # every day
    SETTIMANA = "SETTIMANA"  # every week (from the layer's first day)


class HolidayRule(StrEnum):
    """What a layer does on a holiday (Italian calendar and 29 June in Rome)."""

    ANCHE = "ANCHE"  # as on any other day of its weekdays
    ESCLUSI = "ESCLUSI"  # not on holidays
    SOLO = "SOLO"  # only on holidays, whatever the weekday


class OverrideKind(StrEnum):
    COPERTURA = "COPERTURA"  # someone takes a shift (of one operator, or of all on duty)
    SCAMBIO = "SCAMBIO"  # one half of a swap between two operators


class RotaLayerBase(SQLModel):
    name: str = Field(min_length=2, max_length=120)
    role: Role
    starts_on: date = Field(description="Primo giorno della rotazione")
    handoffs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    ends_at: str | None = Field(default=None, max_length=5, description="Fine dell'ultimo turno (vuoto: continua)")
    weekdays: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    holidays: HolidayRule = HolidayRule.ANCHE
    rotation: Rotation = Rotation.TURNO
    operator_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True


class RotaLayer(RotaLayerBase, table=True):
    __tablename__ = "rota_layer"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = utc_field(default=None)


class RotaOverride(SQLModel, table=True):
    __tablename__ = "rota_override"

    id: int | None = Field(default=None, primary_key=True)
    role: Role = Field(index=True)
    kind: OverrideKind
    starts_at: datetime = utc_field(index=True)
    ends_at: datetime = utc_field(index=True)
    operator_id: int = Field(foreign_key="operator.id", description="Chi è di turno nell'intervallo")
    replaces_id: int | None = Field(default=None, foreign_key="operator.id", description="Chi lascia il turno")
    pair_id: int | None = Field(default=None, description="L'altra metà di uno scambio")
    created_by_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = created_at_field()
    removed_at: datetime | None = utc_field(default=None)


class RotaHandoff(SQLModel, table=True):
    """One hand-off of a role whose notice went out; the unique key makes a second instance's attempt fail."""

    __tablename__ = "rota_handoff"
    __table_args__ = (UniqueConstraint("role", "at", name="uq_rota_handoff"),)

    id: int | None = Field(default=None, primary_key=True)
    role: Role
    at: datetime = utc_field()
    incoming_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outgoing_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_at_field()


def layer_dict(layer: RotaLayer) -> dict[str, Any]:
    """A layer as plain data (event payloads, API answers)."""
    return layer.model_dump(mode="json")


def _times(values: list[str]) -> list[str]:
    """Hand-off times as 'HH:MM', sorted and distinct; a wrong one is an error naming it."""
    cleaned = []
    for value in values:
        hours, _, minutes = value.strip().partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
            raise ValueError(f"orario non valido: {value!r} (scrivere HH:MM, per esempio 08:00)")
        cleaned.append(f"{int(hours):02d}:{minutes}")
    if not cleaned:
        raise ValueError("serve almeno un orario di cambio turno")
    return sorted(set(cleaned))


class RotaLayerCreate(SQLModel):
    """A new layer: its role, the daily hand-off times (Rome), the weekdays (0 = Monday) and who rotates."""

    name: str = Field(min_length=2, max_length=120)
    role: Role
    starts_on: date
    handoffs: list[str] = Field(min_length=1, max_length=12)
    ends_at: str | None = None
    weekdays: list[int] = Field(default_factory=list, max_length=7)
    holidays: HolidayRule = HolidayRule.ANCHE
    rotation: Rotation = Rotation.TURNO
    operator_ids: list[int] = Field(min_length=1, max_length=50)
    active: bool = True

    @field_validator("handoffs")
    @classmethod
    def _handoffs(cls, value: list[str]) -> list[str]:
        return _times(value)

    @field_validator("ends_at", mode="before")
    @classmethod
    def _ends(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return _times([str(value)])[0]

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in value):
            raise ValueError("i giorni vanno da 0 (lunedì) a 6 (domenica)")
        return sorted(set(value))


class RotaLayerUpdate(RotaLayerCreate):
    """A layer's new version (the form sends every field)."""


class RotaLayerPublic(RotaLayerBase):
    id: int


class CoverCreate(SQLModel):
    """Someone takes a shift: ``operator_id`` is on duty in [starts_at, ends_at), instead of ``replaces_id``
    (or of whoever was on duty, when empty)."""

    role: Role
    operator_id: int
    starts_at: datetime
    ends_at: datetime
    replaces_id: int | None = None


class SwapCreate(SQLModel):
    """Two operators exchange shifts: ``with_operator_id`` takes ``operator_id``'s shift in [starts_at,
    ends_at) and, when given, ``operator_id`` takes the other's in [back_starts_at, back_ends_at)."""

    role: Role
    operator_id: int
    with_operator_id: int
    starts_at: datetime
    ends_at: datetime
    back_starts_at: datetime | None = None
    back_ends_at: datetime | None = None


class RotaOverridePublic(SQLModel):
    id: int
    role: Role
    kind: OverrideKind
    starts_at: datetime
    ends_at: datetime
    operator_id: int
    replaces_id: int | None
    pair_id: int | None
    created_by_id: int | None
