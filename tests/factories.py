"""Builders for test data, small and explicit. Sessions are issued directly (login is tested apart)."""

from __future__ import annotations

import itertools
import secrets
from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.it import codicefiscale

from centrale.auth.models import AuthSession
from centrale.auth.passwords import hash_password
from centrale.auth.service import token_hash
from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import Person, Sesso

_seq = itertools.count(1)
# a precomputed argon2 hash of "password-di-prova" keeps factories fast
PASSWORD = "password-di-prova"
_HASH: dict[str, str] = {}


def password_hash() -> str:
    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


def valid_cf(n: int | None = None) -> str:
    """A checksum-valid fictional codice fiscale, different for each n."""
    n = next(_seq) if n is None else n
    letters = "BCDFGHLMNPRSTVZ"
    body = "RSS" + letters[n % 15] + letters[(n // 15) % 15] + letters[(n // 225) % 15] + "40A41H501"
    return body + codicefiscale.calc_check_digit(body)


async def org(
    session: AsyncSession, kind: OrgKind = OrgKind.MUNICIPIO, municipio: str | None = "IX", name: str | None = None
) -> Organisation:
    row = Organisation(name=name or f"{kind} {next(_seq)}", kind=kind, municipio=municipio)
    session.add(row)
    await commit(session)
    return row


async def operator(
    session: AsyncSession,
    role: Role,
    organisation: Organisation,
    *,
    username: str | None = None,
    phone: str | None = None,
) -> Operator:
    assert organisation.id is not None
    row = Operator(
        username=username or f"{role.lower()}{next(_seq)}",
        full_name=f"{role} di prova",
        role=role,
        organisation_id=organisation.id,
        phone=phone,
        password_hash=password_hash(),
    )
    session.add(row)
    await commit(session)
    return row


async def token_for(session: AsyncSession, op: Operator) -> str:
    token = secrets.token_urlsafe(24)
    assert op.id is not None
    session.add(AuthSession(token_hash=token_hash(token), operator_id=op.id, expires_at=utcnow() + timedelta(hours=1)))
    await commit(session)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def person(
    session: AsyncSession,
    registered_by: Organisation,
    *,
    municipio: str = "IX",
    mmg: Organisation | None = None,
    cognome: str = "Bianchi",
) -> Person:
    assert registered_by.id is not None
    row = Person(
        codice_fiscale=valid_cf(),
        cognome=cognome,
        nome="Maria",
        sesso=Sesso.F,
        data_nascita=date(1940, 1, 1),
        municipio=municipio,
        registered_by_org_id=registered_by.id,
        mmg_organisation_id=mmg.id if mmg else None,
        telefoni=[],
    )
    session.add(row)
    await commit(session)
    return row


async def condominio(session: AsyncSession, tutor: Operator | None = None) -> Condominio:
    row = Condominio(
        name=f"Condominio {next(_seq)}",
        indirizzo="Via di Prova 1, Roma",
        municipio="IX",
        operator_id=tutor.id if tutor else None,
    )
    session.add(row)
    await commit(session)
    return row


async def assisted(session: AsyncSession, cond: Condominio, who: Person, alias: str = "A1") -> AssistedPerson:
    assert cond.id is not None and who.id is not None
    row = AssistedPerson(condominio_id=cond.id, person_id=who.id, alias=alias)
    session.add(row)
    await commit(session)
    return row


async def sentinel(session: AsyncSession, cond: Condominio, phone: str = "+393330000101") -> Sentinel:
    assert cond.id is not None
    row = Sentinel(name="Sentinella di prova", phone=phone, condominio_id=cond.id, consent_sms=True)
    session.add(row)
    await commit(session)
    return row
