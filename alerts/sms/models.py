"""Messages in (stored once per MessageSid), opt-out state per number, delivery state of messages out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from centrale.validators import PhoneE164


class InboundState(StrEnum):
    RICEVUTO = "RICEVUTO"  # stored, not triaged yet
    SMISTATO = "SMISTATO"  # triaged: joined or opened an alert, or answered a check-in
    QUARANTENA = "QUARANTENA"  # unknown sender: an operator reviews it
    SCARTATO = "SCARTATO"  # discarded by an operator
    OPT = "OPT"  # an opt-out or opt-in word
    COMANDO = "COMANDO"  # "OK <code>" / "FATTO <code>" from an operator's phone


class InboundSms(SQLModel, table=True):
    """One SMS received; ``message_sid`` is unique so a retried or doubled webhook stores it once."""

    __tablename__ = "inbound_sms"
    __table_args__ = (Index("ix_inbound_sms_received_at", "received_at"),)  # the SMS log, latest first

    id: int | None = Field(default=None, primary_key=True)
    message_sid: str = Field(max_length=64, unique=True)
    account_sid: str | None = Field(default=None, max_length=64)
    from_number: str = Field(max_length=40, description="as Twilio sent it")
    sender_phone: str | None = Field(default=None, max_length=20, index=True, description="E.164, when valid")
    to_number: str | None = Field(default=None, max_length=40)
    body: str = Field(sa_column=Column(Text, nullable=False))  # kept as written
    receipt_code: str = Field(max_length=12, unique=True)
    reply: str | None = Field(default=None, max_length=320, description="the answer given, repeated on retries")
    state: InboundState = InboundState.RICEVUTO
    severity: str | None = Field(default=None, max_length=10)
    sentinel_id: int | None = Field(default=None, foreign_key="sentinel.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    condominio_id: int | None = Field(default=None, foreign_key="condominio.id")
    alert_id: int | None = Field(default=None, index=True)
    source: str = Field(default="webhook", max_length=20, description="webhook or reconciliation")
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = created_at_field()
    reviewed_by: int | None = Field(default=None, foreign_key="operator.id")
    reviewed_at: datetime | None = utc_field(default=None)


class InboundSmsPublic(SQLModel):
    id: int
    message_sid: str
    sender_phone: str | None
    from_number: str
    body: str
    receipt_code: str
    state: InboundState
    severity: str | None
    sentinel_id: int | None
    person_id: int | None
    condominio_id: int | None
    alert_id: int | None
    source: str
    received_at: datetime


class SmsOptOut(SQLModel, table=True):
    """Whether a number asked not to receive SMS (STOP and friends), and since when."""

    __tablename__ = "sms_opt_out"

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, unique=True)
    opted_out: bool = True
    word: str = Field(max_length=20)
    changed_at: datetime = created_at_field()


class OptOutIn(SQLModel):
    phone: PhoneE164
    opted_out: bool


# Twilio's message states in the order they happen; terminal states share the top rank
DELIVERY_RANK: dict[str, int] = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}
FAILED_STATES = frozenset({"undelivered", "failed"})


class SmsDelivery(SQLModel, table=True):
    """What happened to one SMS we sent; the state only moves forward."""

    __tablename__ = "sms_delivery"

    id: int | None = Field(default=None, primary_key=True)
    provider_id: str = Field(max_length=64, unique=True, description="Twilio's MessageSid")
    to_number: str | None = Field(default=None, max_length=40)
    key: str | None = Field(default=None, max_length=200, index=True, description="the notification it carries")
    status: str = Field(max_length=20)
    rank: int = 0
    error_code: str | None = Field(default=None, max_length=10)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class SmsDeliveryPublic(SQLModel):
    provider_id: str
    to_number: str | None
    key: str | None
    status: str
    error_code: str | None
    updated_at: datetime


class SmsWatermark(SQLModel, table=True):
    """How far a reconciliation with the provider has read (one row per job)."""

    __tablename__ = "sms_watermark"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    until: datetime = utc_field()
