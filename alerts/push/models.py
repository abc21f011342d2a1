"""A browser's push subscription (the Push API's endpoint and keys) belonging to one operator."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field


class PushSubscription(SQLModel, table=True):
    """One browser that agreed to receive an operator's notices.

    The endpoint is the push service's URL for that browser (unique: a browser re-subscribing replaces
    its row); ``p256dh`` and ``auth`` are the browser's public keys the payload is encrypted for.
    A subscription the push service calls gone (404/410) is deleted."""

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    user_agent: str | None = Field(default=None, max_length=200)
    created_at: datetime = created_at_field()
    last_success_at: datetime | None = utc_field(default=None)


class PushSubscriptionPublic(SQLModel):
    """What the operator sees of their own subscriptions (never the keys)."""

    id: int
    user_agent: str | None
    created_at: datetime
    last_success_at: datetime | None
