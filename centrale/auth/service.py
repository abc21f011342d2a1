"""Sign-in: password check with throttling, session tokens (idle and absolute expiry), revocation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.models import AuthSession, LoginAttempt
from centrale.clock import utcnow
from centrale.events.service import commit
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.settings import Settings

THROTTLE_WINDOW = timedelta(minutes=1)
# A session's deadline is pushed forward at most once a minute, so that a busy page costs no write per request.
BUMP_STEP = timedelta(minutes=1)


class Throttled(Exception):
    """Too many wrong passwords lately, for this account from this address or from this address at all."""

    def __init__(self, username: str, *, retry_after: int) -> None:
        super().__init__(username)
        self.retry_after = retry_after  # seconds until the window that refused it has moved on


class BadCredentials(Exception):
    pass


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lives: ``idle`` without use, ``lifetime`` in all (whichever comes first)."""

    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)

    @classmethod
    def of(cls, settings: Settings) -> SessionLimits:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes), lifetime=timedelta(hours=settings.session_hours)
        )


@dataclass(frozen=True)
class LoginLimits:
    """Bounds on wrong passwords, chosen so that a stranger cannot lock the owner out.

    - per (account, address): ``per_account_address`` failures within a minute (default 9) throttle that
      account from that address only; the owner signing in from another address is not affected.
    - per address: ``per_address`` failures within ``address_window`` (default 30 in 10 minutes), whatever
      the usernames, throttle the address: spraying 30 usernames x 3 passwords from one address is stopped
      after the 30th failure, and from then on the address tries nothing more until the window moves on.

    So one address can test at most 30 passwords per 10 minutes in all, and at most 9 per minute on one
    account; no number of failures from other addresses ever refuses the owner's own address.
    """

    per_account_address: int = 9
    per_address: int = 30
    address_window: timedelta = timedelta(minutes=10)

    @classmethod
    def of(cls, settings: Settings) -> LoginLimits:
        return cls(
            per_account_address=settings.login_max_failures_per_minute,
            per_address=settings.login_max_failures_per_address,
            address_window=timedelta(minutes=settings.login_address_window_minutes),
        )


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime
    operator: Operator


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _from(source_address: str | None) -> ColumnElement[bool]:
    column = col(LoginAttempt.source_address)
    return column.is_(None) if source_address is None else column == source_address


async def _failures(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(LoginAttempt).where(col(LoginAttempt.success).is_(False), *where)
    return (await session.exec(query)).one()


async def throttled(
    session: AsyncSession, *, username: str, source_address: str | None, now: datetime, limits: LoginLimits
) -> str | None:
    """Why this attempt may not even be checked (``"account"`` / ``"address"``), or None."""
    recent = col(LoginAttempt.at) > now - THROTTLE_WINDOW
    pair = await _failures(session, col(LoginAttempt.username) == username, _from(source_address), recent)
    if pair >= limits.per_account_address:
        return "account"
    if source_address is not None:
        since = col(LoginAttempt.at) > now - limits.address_window
        if await _failures(session, _from(source_address), since) >= limits.per_address:
            return "address"
    return None


async def record_failure(
    sessionmaker: async_sessionmaker[AsyncSession], *, username: str, source_address: str | None, at: datetime
) -> None:
    """Count a wrong password in a transaction of its own (the request that met it will not commit)."""
    async with sessionmaker() as own:
        own.add(LoginAttempt(username=username, at=at, success=False, source_address=source_address))
        await commit(own)


async def active_operator(session: AsyncSession, *, username: str) -> Operator | None:
    return (
        await session.exec(
            select(Operator).where(
                col(Operator.username) == username,
                col(Operator.active).is_(True),
                col(Operator.deleted_at).is_(None),
            )
        )
    ).first()


def open_session(session: AsyncSession, *, operator: Operator, now: datetime, limits: SessionLimits) -> IssuedSession:
    """A new session token for ``operator`` (added to the caller's transaction); only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = now + min(limits.idle, limits.lifetime)
    assert operator.id is not None
    session.add(AuthSession(token_hash=token_hash(token), operator_id=operator.id, created_at=now, expires_at=expires))
    return IssuedSession(token=token, expires_at=expires, operator=operator)


async def resolve(
    session: AsyncSession, token: str, limits: SessionLimits | None = None
) -> tuple[Operator, Organisation] | None:
    """The operator and organisation behind a live session token, or None; using it keeps it alive.

    ``expires_at`` is the session's idle deadline: each use moves it to ``now + idle`` (at most once a
    minute), never past ``created_at + lifetime``.
    """
    limits = limits or SessionLimits()
    now = utcnow()
    row = (
        await session.exec(
            select(Operator, Organisation, AuthSession)
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
    if row is None:
        return None
    operator, org, auth = row
    if auth.created_at + limits.lifetime <= now:
        return None
    deadline = min(now + limits.idle, auth.created_at + limits.lifetime)
    if deadline - auth.expires_at >= BUMP_STEP:
        await session.exec(  # type: ignore[call-overload]
            update(AuthSession)
            .where(col(AuthSession.id) == auth.id, col(AuthSession.expires_at) < deadline)
            .values(expires_at=deadline)
        )
        await commit(session)
    return operator, org


async def revoke(session: AsyncSession, *, token: str) -> AuthSession | None:
    """End the session of ``token`` (in the caller's transaction); the session, if it was live."""
    row = (await session.exec(select(AuthSession).where(col(AuthSession.token_hash) == token_hash(token)))).first()
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = utcnow()
    session.add(row)
    return row


async def revoke_sessions(session: AsyncSession, *, operator_id: int, keep_token: str | None = None) -> None:
    """End every live session of the operator but the one of ``keep_token`` (in the caller's transaction)."""
    where = [col(AuthSession.operator_id) == operator_id, col(AuthSession.revoked_at).is_(None)]
    if keep_token:
        where.append(col(AuthSession.token_hash) != token_hash(keep_token))
    await session.exec(update(AuthSession).where(*where).values(revoked_at=utcnow()))  # type: ignore[call-overload]
