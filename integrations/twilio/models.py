"""The sending rate's counters kept in the database, for instances that share PostgreSQL but no Redis."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel


class SmsRateWindow(SQLModel, table=True):
    """How many sends started in one window (a second, or more for rates under one a second) of the
    database's clock; one row per window, kept a minute then deleted by the next window's first send."""

    __tablename__ = "sms_rate_window"

    name: str = Field(primary_key=True, max_length=60)
    window: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    taken: int = 0
