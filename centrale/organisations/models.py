"""Organisations of the care network (Municipio, ASL PUA, GP practices, pharmacies, ETS, Centrale)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field

MUNICIPI = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


class OrgKind(StrEnum):
    MUNICIPIO = "MUNICIPIO"
    ASL_PUA = "ASL_PUA"
    ASL_DISTRETTO = "ASL_DISTRETTO"
    MMG = "MMG"
    FARMACIA = "FARMACIA"
    ETS = "ETS"
    CENTRALE = "CENTRALE"
    OSPEDALE = "OSPEDALE"  # a hospital that sends discharge notices


class OrganisationBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    kind: OrgKind
    municipio: str | None = Field(default=None, max_length=5, description="Municipio I–XV")
    phone: str | None = Field(default=None, max_length=20)


class OrganisationCreate(OrganisationBase):
    pass


class OrganisationUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    municipio: str | None = None
    phone: str | None = None


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = utc_field(default=None)


class OrganisationPublic(OrganisationBase):
    id: int
