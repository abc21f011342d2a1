"""Persone (beneficiaries), their households and their network."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import model_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from centrale.validators import CfKind, CodiceFiscale, PhoneE164


class Sesso(StrEnum):
    M = "M"
    F = "F"


class PersonBase(SQLModel):
    cognome: str = Field(min_length=1, max_length=100)
    nome: str = Field(min_length=1, max_length=100)
    sesso: Sesso
    data_nascita: date
    indirizzo: str | None = Field(default=None, max_length=300)
    municipio: str | None = Field(default=None, max_length=5, index=True)
    mmg_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")


class PersonCreate(PersonBase):
    codice_fiscale: CodiceFiscale
    telefoni: list[PhoneE164] = []


class PersonUpdate(SQLModel):
    cognome: str | None = Field(default=None, min_length=1, max_length=100)
    nome: str | None = Field(default=None, min_length=1, max_length=100)
    sesso: Sesso | None = None
    data_nascita: date | None = None
    indirizzo: str | None = Field(default=None, max_length=300)  # the bounds of PersonBase
    municipio: str | None = Field(default=None, max_length=5)
    mmg_organisation_id: int | None = None
    codice_fiscale: CodiceFiscale | None = None
    telefoni: list[PhoneE164] | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_null_for_required(cls, data: Any) -> Any:
        """Leaving a field out keeps it; sending null for one every person must have is refused."""
        if isinstance(data, dict):
            for name in ("cognome", "nome", "sesso", "data_nascita", "codice_fiscale", "telefoni"):
                if name in data and data[name] is None:
                    raise ValueError(f"{name}: non può essere vuoto / cannot be null")
        return data


class Person(PersonBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    codice_fiscale: str = Field(max_length=16, unique=True, index=True)
    cf_kind: CfKind = CfKind.ORDINARIO
    telefoni: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    registered_by_org_id: int = Field(foreign_key="organisation.id", index=True)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = utc_field(default=None)
    deleted_at: datetime | None = utc_field(default=None)


class PersonPublic(PersonBase):
    id: int
    codice_fiscale: str
    cf_kind: CfKind
    telefoni: list[str]
    registered_by_org_id: int


class Household(SQLModel, table=True):
    """Nucleo familiare: members are kept per person ("per testa")."""

    id: int | None = Field(default=None, primary_key=True)
    indirizzo: str | None = Field(default=None, max_length=300)
    created_at: datetime = created_at_field()


class HouseholdRelation(StrEnum):
    INTESTATARIO = "INTESTATARIO"
    CONIUGE = "CONIUGE"
    FIGLIO = "FIGLIO"
    GENITORE = "GENITORE"
    FRATELLO = "FRATELLO"
    ALTRO_PARENTE = "ALTRO_PARENTE"
    CONVIVENTE = "CONVIVENTE"


class HouseholdMember(SQLModel, table=True):
    household_id: int = Field(foreign_key="household.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    relation: HouseholdRelation


class HouseholdMemberIn(SQLModel):
    person_id: int
    relation: HouseholdRelation


class HouseholdIn(SQLModel):
    indirizzo: str | None = None
    members: list[HouseholdMemberIn] = Field(min_length=1)


class HouseholdPublic(SQLModel):
    id: int
    indirizzo: str | None
    members: list[HouseholdMemberIn]


class NetworkRelation(StrEnum):
    CONVIVENTE = "CONVIVENTE"
    FAMILIARE = "FAMILIARE"
    AMICALE = "AMICALE"
    VICINATO = "VICINATO"
    TERZO_SETTORE = "TERZO_SETTORE"


class NetworkRole(StrEnum):
    SENTINELLA = "SENTINELLA"
    ANTENNA = "ANTENNA"
    CAREGIVER = "CAREGIVER"
    TUTORE = "TUTORE"


class NetworkLinkBase(SQLModel):
    relation: NetworkRelation
    role: NetworkRole | None = None
    name: str = Field(min_length=1, max_length=200)
    linked_person_id: int | None = Field(default=None, foreign_key="person.id")
    note: str | None = Field(default=None, max_length=500)


class NetworkLinkCreate(NetworkLinkBase):
    phone: PhoneE164 | None = None


class NetworkLink(NetworkLinkBase, table=True):
    """One tie of a person's network (rete): who they are, how related, what role they play."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    phone: str | None = Field(default=None, max_length=20)
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = utc_field(default=None)


class NetworkLinkPublic(NetworkLinkBase):
    id: int
    person_id: int
    phone: str | None
