"""Assessments (valutazione multidimensionale): one administration of a scale, with answers and score."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from centrale.assessments.scales import CareIntensity, ScaleKind
from centrale.common import created_at_field


class AssessmentBase(SQLModel):
    kind: ScaleKind
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notes: dict[str, str] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="Note per voce o area (INSPIRE: per area)",
    )
    assessed_on: date | None = None


class AssessmentCreate(SQLModel):
    kind: ScaleKind
    answers: dict[str, Any]
    notes: dict[str, str] = {}
    assessed_on: date | None = None


class Assessment(AssessmentBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    total: int
    band: str | None = Field(default=None, max_length=60)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    assessor_id: int = Field(foreign_key="operator.id")
    assessor_name: str = Field(max_length=200)
    created_at: datetime = created_at_field()


class AssessmentPublic(SQLModel):
    id: int
    case_id: int
    person_id: int
    kind: ScaleKind
    answers: dict[str, Any]
    notes: dict[str, str]
    assessed_on: date | None
    total: int
    band: str | None
    detail: dict[str, Any]
    assessor_id: int
    assessor_name: str


class ScaleTrend(SQLModel):
    """One scale over time: the first and the latest administration and the change between them."""

    kind: ScaleKind
    then: AssessmentPublic
    now: AssessmentPublic
    change: int
    history: list[tuple[date | None, int, str | None]]


class Profile(SQLModel):
    """The person's profile then and now, with the care intensity derived by the configured rule."""

    person_id: int
    scales: list[ScaleTrend]
    inspire_then: dict[str, int] | None
    inspire_now: dict[str, int] | None
    intensity_then: CareIntensity | None
    intensity_now: CareIntensity | None
