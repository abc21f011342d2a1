"""Sign-in: password check with throttling, session tokens, logout."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.models import AuthSession, LoginAttempt
from centrale.auth.passwords import verify_password
from centrale.clock import utcnow
from centrale.events.service import commit
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation

THROTTLE_WINDOW = timedelta(minutes=1)


class Throttled(Exception):
    """Too many wrong passwords for one account in the last minute."""


class BadCredentials(Exception):
    pass


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime
    operator: Operator


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def recent_failures(session: AsyncSession, *, username: str, now: datetime) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            col(LoginAttempt.username) == username,
            col(LoginAttempt.success).is_(False),
            col(LoginAttempt.at) > now - THROTTLE_WINDOW,
        )
    )
    return (await session.exec(query)).one()


async def login(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    max_failures: int,
    session_hours: int,
    source_address: str | None,
) -> IssuedSession:
    """Check the password (unless throttled) and open a session; commits the attempt either way."""
    now = utcnow()
    username = username.strip().lower()
    if await recent_failures(session, username=username, now=now) >= max_failures:
        raise Throttled(username)
    operator = (
        await session.exec(
            select(Operator).where(
                col(Operator.username) == username,
                col(Operator.active).is_(True),
                col(Operator.deleted_at).is_(None),
            )
        )
    ).first()
    ok = verify_password(password, operator.password_hash if operator else None)
    session.add(LoginAttempt(username=username, at=now, success=ok, source_address=source_address))
    if not ok or operator is None:
        await commit(session)
        raise BadCredentials(username)
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=session_hours)
    assert operator.id is not None
    session.add(AuthSession(token_hash=token_hash(token), operator_id=operator.id, expires_at=expires))
    await commit(session)
    return IssuedSession(token=token, expires_at=expires, operator=operator)


async def resolve(session: AsyncSession, token: str) -> tuple[Operator, Organisation] | None:
    """The operator and organisation behind a live session token, or None."""
    now = utcnow()
    row = (
        await session.exec(
            select(Operator, Organisation)
            .join(AuthSession, col(AuthSession.operator_id) == col(Operator.id))
            .join(Organisation, col(Organisation.id) == col(Operator.organisation_id))
            .where(
                col(AuthSession.token_hash) == token_hash(token),
                col(AuthSession.revoked_at).is_(None),
                col(AuthSession.expires_at) > now,
                col(Operator.active).is_(True),
                col(Operator.deleted_at).is_(None),
            )
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def logout(session: AsyncSession, token: str) -> None:
    row = (await session.exec(select(AuthSession).where(col(AuthSession.token_hash) == token_hash(token)))).first()
    if row and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        await commit(session)
