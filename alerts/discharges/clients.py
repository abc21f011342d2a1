"""Hospitals' client credentials: a random secret shown once, of which only the SHA-256 is stored.

The secret is 32 random bytes, so a plain SHA-256 is enough to keep it (no password to stretch), and
checking it costs nothing on each notice. A client may instead present a certificate through the TLS
proxy (mutual TLS), recognised by the SHA-256 fingerprint stored with it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.models import HospitalClient


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue(
    session: AsyncSession,
    *,
    client_id: str,
    hospital_org_id: int,
    receiving_org_id: int,
    cert_fingerprint: str | None = None,
) -> tuple[HospitalClient, str]:
    """A new client and its secret (the bearer credential is ``<client_id>.<secret>``); the caller commits."""
    secret = secrets.token_urlsafe(32)
    client = HospitalClient(
        client_id=client_id,
        secret_sha256=secret_hash(secret),
        cert_fingerprint=normalise_fingerprint(cert_fingerprint) if cert_fingerprint else None,
        hospital_org_id=hospital_org_id,
        receiving_org_id=receiving_org_id,
    )
    session.add(client)
    await session.flush()
    return client, f"{client_id}.{secret}"


async def by_credential(session: AsyncSession, credential: str) -> HospitalClient | None:
    """The active client whose ``<client_id>.<secret>`` this is, else None (compared in constant time)."""
    client_id, _, secret = credential.partition(".")
    if not client_id or not secret:
        return None
    found = (
        await session.exec(
            select(HospitalClient).where(
                col(HospitalClient.client_id) == client_id, col(HospitalClient.active).is_(True)
            )
        )
    ).first()
    if found is None or not hmac.compare_digest(found.secret_sha256, secret_hash(secret)):
        return None
    return found


def normalise_fingerprint(value: str) -> str:
    """``AB:CD:…`` or ``abcd…`` as lower-case hex without separators."""
    return value.replace(":", "").strip().lower()


async def by_fingerprint(session: AsyncSession, fingerprint: str) -> HospitalClient | None:
    query = select(HospitalClient).where(
        col(HospitalClient.cert_fingerprint) == normalise_fingerprint(fingerprint),
        col(HospitalClient.active).is_(True),
    )
    return (await session.exec(query)).first()
