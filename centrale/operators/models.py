"""Operators: the people who sign in, with a role and an organisation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from centrale.validators import OperatorSmsPhone


class Role(StrEnum):
    COORDINATORE = "COORDINATORE"
    CASE_MANAGER = "CASE_MANAGER"
    OPERATORE_PUA = "OPERATORE_PUA"
    MMG = "MMG"
    TUTOR = "TUTOR"
    OPERATORE_ETS = "OPERATORE_ETS"
    ANALISTA = "ANALISTA"
    AMMINISTRATORE = "AMMINISTRATORE"


class OperatorBase(SQLModel):
    username: str = Field(min_length=3, max_length=80, index=True, unique=True)
    full_name: str = Field(min_length=2, max_length=200)
    role: Role
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    phone: str | None = Field(default=None, max_length=20, index=True, description="E.164")
    email: str | None = Field(default=None, max_length=200)
    prefers_sms: bool = False


def _blank_is_none(value: Any) -> Any:
    """An empty phone field of a form means no phone."""
    return None if isinstance(value, str) and not value.strip() else value


class OperatorCreate(OperatorBase):
    phone: OperatorSmsPhone | None = Field(default=None, description="E.164, un cellulare (riceve gli SMS)")
    password: str = Field(min_length=10, max_length=200)

    _phone = field_validator("phone", mode="before")(_blank_is_none)


class OperatorUpdate(SQLModel):
    full_name: str | None = None
    role: Role | None = None
    organisation_id: int | None = None
    phone: OperatorSmsPhone | None = None
    email: str | None = None
    prefers_sms: bool | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=200)

    _phone = field_validator("phone", mode="before")(_blank_is_none)


class Operator(OperatorBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str
    active: bool = True
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = utc_field(default=None)


class OperatorPublic(SQLModel):
    id: int
    username: str
    full_name: str
    role: Role
    organisation_id: int
    phone: str | None
    email: str | None
    prefers_sms: bool
    active: bool


class PasswordChange(SQLModel):
    """The owner's change of their own password (the current one proves it is them)."""

    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


class PasswordSet(SQLModel):
    """An administrator's reset of an operator's password."""

    password: str = Field(min_length=10, max_length=200)
