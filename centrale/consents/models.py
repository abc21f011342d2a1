"""Consents (consenso informato), per person and purpose."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field


class ConsentPurpose(StrEnum):
    CONDIVISIONE_ENTI = "CONDIVISIONE_ENTI"  # sharing among the agencies of the network
    CONTATTO_SMS = "CONTATTO_SMS"
    SOTTOSCRIZIONE_PROGETTO = "SOTTOSCRIZIONE_PROGETTO"  # the beneficiary signs the personalised plan


class ConsentIn(SQLModel):
    purpose: ConsentPurpose
    given: bool = True
    signed_by: str = Field(min_length=2, max_length=200, description="Chi firma (la persona o il tutore)")
    note: str | None = Field(default=None, max_length=500)


class Consent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    purpose: ConsentPurpose
    given: bool = True
    signed_by: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=60, description="e.g. plan:12")
    note: str | None = Field(default=None, max_length=500)
    recorded_by_id: int = Field(foreign_key="operator.id")
    recorded_at: datetime = created_at_field()
    revoked_at: datetime | None = utc_field(default=None)


class ConsentPublic(SQLModel):
    id: int
    person_id: int
    purpose: ConsentPurpose
    given: bool
    signed_by: str
    reference: str | None
    note: str | None
    recorded_by_id: int
    recorded_at: datetime
    revoked_at: datetime | None
