"""Condomini solidali: buildings where one operator follows 3–4 elderly, with neighbour sentinels."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from centrale.validators import SentinelSmsPhone


class CondominioBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    indirizzo: str = Field(min_length=3, max_length=300)
    municipio: str = Field(max_length=5, index=True)
    operator_id: int | None = Field(default=None, foreign_key="operator.id", index=True)


class CondominioCreate(CondominioBase):
    pass


class CondominioUpdate(SQLModel):
    # the same bounds as on creation: a value the answer model would refuse must be refused here (422)
    name: str | None = Field(default=None, min_length=2, max_length=200)
    indirizzo: str | None = Field(default=None, min_length=3, max_length=300)
    municipio: str | None = Field(default=None, max_length=5)
    operator_id: int | None = None


class Condominio(CondominioBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = utc_field(default=None)


class CondominioPublic(CondominioBase):
    id: int


class AssistedPerson(SQLModel, table=True):
    """A person followed in a condominio, with the short alias a sentinel may use ("B3", "int. 7")."""

    __table_args__ = (UniqueConstraint("condominio_id", "alias"),)

    id: int | None = Field(default=None, primary_key=True)
    condominio_id: int = Field(foreign_key="condominio.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    alias: str = Field(min_length=1, max_length=20)
    active: bool = True


class AssistedPersonIn(SQLModel):
    person_id: int
    alias: str = Field(min_length=1, max_length=20)


class AssistedPersonPublic(SQLModel):
    id: int
    condominio_id: int
    person_id: int
    alias: str
    active: bool


class SentinelKind(StrEnum):
    SENTINELLA = "SENTINELLA"
    ANTENNA = "ANTENNA"


class SentinelBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: SentinelKind = SentinelKind.SENTINELLA
    condominio_id: int = Field(foreign_key="condominio.id", index=True)
    consent_sms: bool = Field(default=False, description="Consenso al contatto via SMS")


class SentinelCreate(SentinelBase):
    phone: SentinelSmsPhone  # a sentinel is reached by SMS only: a mobile


class SentinelUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: SentinelKind | None = None
    condominio_id: int | None = None
    consent_sms: bool | None = None
    phone: SentinelSmsPhone | None = None


class Sentinel(SentinelBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, unique=True, index=True)
    consent_at: datetime | None = utc_field(default=None)
    opted_out: bool = False
    opted_out_at: datetime | None = utc_field(default=None)
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = utc_field(default=None)


class SentinelPublic(SentinelBase):
    id: int
    phone: str
    opted_out: bool
    opted_out_at: datetime | None
