"""How an operator can be reached: extra phones, quiet hours and, per severity, an ordered list of methods.

Severities are written as the alert's words (``ALTA``...) because this package sits below ``alerts``;
the methods are the personal channels escalation knows (a voice call, an SMS, a web push).
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field


class ReachMethod(StrEnum):
    """A way to reach one person (the values are the alert channels of the same name)."""

    VOCE = "VOCE"  # a voice call to any phone
    SMS = "SMS"  # an SMS to a mobile
    PUSH = "PUSH"  # a web push to the operator's browsers


#: the severities rules are written for, most urgent first (the alert's own words)
SEVERITIES = ("URGENTE", "ALTA", "MEDIA", "BASSA")
#: severities that ring through quiet hours
URGENT_SEVERITIES = frozenset({"URGENTE", "ALTA"})
MAX_DELAY_MINUTES = 120
MAX_RULE_STEPS = 6


class OperatorPhone(SQLModel, table=True):
    """One more phone of an operator besides the mobile of the profile (``Operator.phone``)."""

    __tablename__ = "operator_phone"
    __table_args__ = (UniqueConstraint("operator_id", "number", name="uq_operator_phone_number"),)

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    number: str = Field(max_length=20, description="E.164")
    label: str = Field(default="", max_length=60)
    sms: bool = Field(default=False, description="A mobile that receives SMS")
    voice: bool = Field(default=True, description="Answers voice calls")
    created_at: datetime = created_at_field()


class ContactSettings(SQLModel, table=True):
    """An operator's quiet hours (Europe/Rome wall clock) and rules; missing rules mean the defaults."""

    __tablename__ = "contact_settings"

    operator_id: int = Field(foreign_key="operator.id", primary_key=True)
    quiet_start: time | None = Field(default=None, description="Inizio ore di quiete (ora di Roma)")
    quiet_end: time | None = Field(default=None, description="Fine ore di quiete (ora di Roma)")
    #: {"ALTA": [{"method": "VOCE", "delay_minutes": 0}, {"method": "SMS", "delay_minutes": 2}], ...}
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime | None = utc_field(default=None)
