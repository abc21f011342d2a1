"""Referrals (invii) between organisations: requested → accepted / rejected → completed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from centrale.authz.policy import Section
from centrale.common import created_at_field, utc_field


class ReferralState(StrEnum):
    RICHIESTO = "RICHIESTO"
    ACCETTATO = "ACCETTATO"
    RIFIUTATO = "RIFIUTATO"
    COMPLETATO = "COMPLETATO"


class ReferralIn(SQLModel):
    to_org_id: int
    reason: str = Field(min_length=3, max_length=2000)
    shared_sections: list[Section] = Field(default=[Section.PERSON], description="Cosa vede chi riceve")
    consent_override_reason: str | None = Field(
        default=None, max_length=500, description="Solo il responsabile del caso, in assenza di consenso"
    )


class ReferralStepIn(SQLModel):
    note: str | None = Field(default=None, max_length=2000)


class Referral(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    from_org_id: int = Field(foreign_key="organisation.id")
    to_org_id: int = Field(foreign_key="organisation.id", index=True)
    requested_by_id: int = Field(foreign_key="operator.id")
    reason: str = Field(max_length=2000)
    shared_sections: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: ReferralState = ReferralState.RICHIESTO
    consent_override_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = utc_field(default=None)


class ReferralStep(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    from_state: ReferralState | None = None
    to_state: ReferralState
    by_operator_id: int = Field(foreign_key="operator.id")
    by_name: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    at: datetime = created_at_field()


class ReferralStepPublic(SQLModel):
    from_state: ReferralState | None
    to_state: ReferralState
    by_operator_id: int
    by_name: str
    note: str | None
    at: datetime


class ReferralPublic(SQLModel):
    id: int
    case_id: int
    person_id: int
    from_org_id: int
    to_org_id: int
    requested_by_id: int
    reason: str
    shared_sections: list[str]
    state: ReferralState
    consent_override_reason: str | None
    created_at: datetime
    steps: list[ReferralStepPublic] = []
