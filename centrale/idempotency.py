"""Idempotency keys: a request sent again with the same key gets the first answer, and changes nothing.

A tutor's phone that loses the connection after pressing "Fatto" cannot know whether the close arrived;
it sends it again, with the key it chose the first time. The first successful outcome is kept in the
same transaction as the change it describes, so either both exist or neither does; a second request
with the key (one after the other, or both at once: the unique constraint lets one win) is answered
with that outcome and runs no flow, so no second change and no second audit row of a state change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import utcnow
from centrale.common import created_at_field

#: what a client may send as a key (a UUID is 36 characters)
KEY_MAX = 80
#: how long an outcome is kept: a phone's queue is sent within hours; the answer may hold a note on a person
KEEP = timedelta(days=7)


class IdempotentOutcome(SQLModel, table=True):
    """The first successful answer to a request of ``operator_id`` carrying ``key`` for ``scope``."""

    __tablename__ = "idempotent_outcome"
    __table_args__ = (UniqueConstraint("operator_id", "key", name="uq_idempotent_outcome_key"),)

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    key: str = Field(max_length=KEY_MAX)
    scope: str = Field(max_length=80, description="the flow and its object, e.g. 'task.close:12'")
    status_code: int
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_at_field()


async def recall(session: AsyncSession, *, operator_id: int, key: str) -> IdempotentOutcome | None:
    """The outcome already recorded for this operator's key, if any."""
    found = await session.exec(
        select(IdempotentOutcome).where(
            col(IdempotentOutcome.operator_id) == operator_id, col(IdempotentOutcome.key) == key
        )
    )
    return found.first()


async def remember(
    session: AsyncSession, *, operator_id: int, key: str, scope: str, status_code: int, body: dict[str, Any]
) -> None:
    """Keep the outcome in the transaction of the change (committed with it, or not at all), and let the
    operator's outcomes older than ``KEEP`` go: nobody sends a request again after a week."""
    await session.exec(
        delete(IdempotentOutcome).where(
            col(IdempotentOutcome.operator_id) == operator_id, col(IdempotentOutcome.created_at) < utcnow() - KEEP
        )
    )
    session.add(IdempotentOutcome(operator_id=operator_id, key=key, scope=scope, status_code=status_code, body=body))
