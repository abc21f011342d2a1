"""Check-in schedules (RFC 5545 rules in Rome time), each request sent, and the heat-wave level."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from centrale.validators import CheckinSmsPhone


class CheckinScheduleBase(SQLModel):
    sentinel_id: int | None = Field(default=None, foreign_key="sentinel.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    rrule: str = Field(max_length=300, description="RRULE RFC 5545 in ora di Roma, es. FREQ=DAILY;BYHOUR=10")
    dense_rrule: str | None = Field(default=None, max_length=300, description="regola con ondata di calore >= 2")
    at_risk: bool = Field(default=False, description="nella lista a rischio (ondate di calore)")
    window_minutes: int = Field(default=60, ge=5, le=24 * 60)


class CheckinScheduleCreate(CheckinScheduleBase):
    phone: CheckinSmsPhone  # the check-in request is an SMS: a mobile


class CheckinSchedule(CheckinScheduleBase, table=True):
    __tablename__ = "checkin_schedule"

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, index=True)
    active: bool = True
    next_at: datetime | None = utc_field(default=None, index=True)
    created_at: datetime = created_at_field()


class CheckinSchedulePublic(CheckinScheduleBase):
    id: int
    phone: str
    active: bool
    next_at: datetime | None


class CheckinState(StrEnum):
    IN_ATTESA = "IN_ATTESA"
    RISPOSTO = "RISPOSTO"
    MANCATO = "MANCATO"


class CheckinRequest(SQLModel, table=True):
    """One "rispondi OK" sent; unique per schedule and due time, so instances issue it once. A campaign's
    requests are sent spread over a window (``send_at``, deterministic per schedule), and the reply window
    runs from each one's own ``sent_at``."""

    __tablename__ = "checkin_request"
    __table_args__ = (UniqueConstraint("schedule_id", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="checkin_schedule.id", index=True)
    phone: str = Field(max_length=20, index=True)
    due_at: datetime = utc_field()
    send_at: datetime | None = utc_field(default=None, index=True, description="when it is to go (or be retried)")
    sent_at: datetime | None = utc_field(default=None, description="when it went: the reply window starts here")
    window_ends_at: datetime = utc_field(index=True)
    state: CheckinState = Field(default=CheckinState.IN_ATTESA, index=True)
    answered_at: datetime | None = utc_field(default=None)
    send_status: str | None = Field(default=None, max_length=20)
    alert_id: int | None = Field(default=None, foreign_key="alert.id")


class HeatWaveLevel(SQLModel, table=True):
    """Livello ondata di calore (bollettino del Ministero): 0 nessun rischio ... 3 ondata di calore."""

    __tablename__ = "heat_wave_level"

    id: int | None = Field(default=None, primary_key=True)
    level: int = Field(ge=0, le=3)
    set_by: int | None = Field(default=None, foreign_key="operator.id")
    set_at: datetime = created_at_field()


class HeatWaveIn(SQLModel):
    level: int = Field(ge=0, le=3, description="0 nessun rischio, 1 pre-allerta, 2 rischio, 3 ondata di calore")


class HeatWavePublic(SQLModel):
    level: int
    set_at: datetime | None
