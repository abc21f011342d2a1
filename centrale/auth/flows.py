"""Signing in and out: the two actions of someone who is not yet (or no longer) an operator at work."""

from __future__ import annotations

from centrale.audit.models import AuditAction, AuditOutcome, AuditPurpose
from centrale.audit.service import Agent, build_event, record, record_now
from centrale.auth import service
from centrale.auth.models import LoginAttempt
from centrale.auth.passwords import verify_password
from centrale.auth.service import BadCredentials, IssuedSession, LoginLimits, SessionLimits, Throttled
from centrale.clock import utcnow
from centrale.flows import flow
from centrale.operators.models import Operator
from centrale.uow import Tx


def _agent(operator: Operator, source_address: str | None) -> Agent:
    return Agent(operator.id, operator.full_name, operator.role.value, operator.organisation_id, source_address)


@flow("auth.login", guarded=False)
async def login(
    tx: Tx,
    *,
    username: str,
    password: str,
    source_address: str | None,
    limits: LoginLimits,
    sessions: SessionLimits,
) -> IssuedSession:
    """Check the password (unless throttled) and open a session; a failure is recorded in its own transaction.

    An unknown username costs the same work as a known one with a wrong password: the same queries, one
    argon2 verification (against a dummy hash), the same rows written.
    """
    now = utcnow()
    username = username.strip().lower()
    stranger = Agent(None, username[:80], None, None, source_address)
    why = await service.throttled(tx.session, username=username, source_address=source_address, now=now, limits=limits)
    if why is not None:
        await record_now(
            tx.db.sessionmaker,
            build_event(
                agent=stranger,
                action=AuditAction.EXECUTE,
                subtype="login.throttled",
                entity_type="Operator",
                entity_id=None,
                person_id=None,
                outcome=AuditOutcome.DENIED,
                outcome_desc=f"too many failed attempts ({why})",
                purpose=AuditPurpose.HOPERAT,
            ),
        )
        window = service.THROTTLE_WINDOW if why == "account" else limits.address_window
        raise Throttled(username, retry_after=int(window.total_seconds()))
    operator = await service.active_operator(tx.session, username=username)
    ok = verify_password(password, operator.password_hash if operator else None)
    if not ok or operator is None:
        # the request will not commit: the failure must still count, and be audited
        await service.record_failure(tx.db.sessionmaker, username=username, source_address=source_address, at=now)
        await record_now(
            tx.db.sessionmaker,
            build_event(
                agent=stranger,
                action=AuditAction.EXECUTE,
                subtype="auth.login",
                entity_type="Operator",
                entity_id=None,
                person_id=None,
                outcome=AuditOutcome.DENIED,
                outcome_desc="invalid credentials",
                purpose=AuditPurpose.HOPERAT,
            ),
        )
        raise BadCredentials(username)
    tx.session.add(LoginAttempt(username=username, at=now, success=True, source_address=source_address))
    issued = service.open_session(tx.session, operator=operator, now=now, limits=sessions)
    record(
        tx.session,
        build_event(
            agent=_agent(operator, source_address),
            action=AuditAction.EXECUTE,
            subtype="auth.login",
            entity_type="Operator",
            entity_id=operator.id,
            person_id=None,
            purpose=AuditPurpose.HOPERAT,
        ),
    )
    return issued


@flow("auth.logout", guarded=False)
async def logout(tx: Tx, *, token: str) -> None:
    """End the session of ``token`` (nothing happens for one already ended)."""
    row = await service.revoke(tx.session, token=token)
    if row is not None:
        tx.audit(
            AuditAction.EXECUTE,
            "auth.logout",
            entity_type="Operator",
            entity_id=row.operator_id,
            person_id=None,
            purpose=AuditPurpose.HOPERAT,
        )
