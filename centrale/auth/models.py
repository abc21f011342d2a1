"""Sign-in sessions and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field


class AuthSession(SQLModel, table=True):
    """A signed-in session; the token itself is never stored, only its SHA-256."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(default=None)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"
    # the per-address throttle counts an address's recent failures at every sign-in
    __table_args__ = (Index("ix_login_attempt_source_at", "source_address", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, index=True)
    at: datetime = created_at_field()
    success: bool
    source_address: str | None = Field(default=None, max_length=64)


class LoginIn(SQLModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class LoginOut(SQLModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: datetime
    operator_id: int
    full_name: str
    role: str
