"""Database work for SMS: store an inbound message once, opt-out state, delivery state (no HTTP)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.sms.models import DELIVERY_RANK, FAILED_STATES, InboundSms, InboundState, SmsDelivery, SmsOptOut
from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Sentinel
from centrale.db import as_loaded, dialect_of
from centrale.events.service import emit
from centrale.fastsql import Fixed
from centrale.validators import normalise_phone

_CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read back by SMS


_CODE_ATTEMPTS = 8  # 23**6 codes: two draws in a row that are both taken do not happen in practice


def new_receipt_code() -> str:
    """Six symbols of the alphabet, uniformly drawn (one draw from the system's random source)."""
    n = secrets.randbelow(len(_CODE_ALPHABET) ** 6)
    code = []
    for _ in range(6):
        n, digit = divmod(n, len(_CODE_ALPHABET))
        code.append(_CODE_ALPHABET[digit])
    return "".join(code)


def e164_or_none(raw: str) -> str | None:
    """The sender in E.164, or None for an alphanumeric or invalid sender."""
    try:
        return normalise_phone(raw)
    except ValueError:
        return None


def _insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that speaks ON CONFLICT in the session's dialect."""
    return postgresql.insert(table) if dialect_of(session) == "postgresql" else sqlite.insert(table)


# The webhook's hot path runs Core statements built once (a statement object keeps its cache key);
# the stored row comes back whole from RETURNING.
_INBOUND = InboundSms.__table__  # type: ignore[attr-defined]
_STORED = (
    "message_sid",
    "account_sid",
    "from_number",
    "sender_phone",
    "to_number",
    "body",
    "receipt_code",
    "source",
    "params",
    "received_at",
    "state",
)
# what the store reads back: every column but the parameters as sent, which the caller holds already
_RETURNED = tuple(c for c in _INBOUND.c if c.key != "params")
_RETURNED_KEYS = tuple(c.key for c in _RETURNED)


def _store(module: Any) -> Any:
    return (
        module.insert(_INBOUND)
        .values({key: bindparam(key) for key in _STORED})
        .on_conflict_do_nothing()  # message_sid (a retry or a twin) or receipt_code (a code drawn twice)
        .returning(*_RETURNED)
    )


_S = Sentinel.__table__  # type: ignore[attr-defined]
_A = AssistedPerson.__table__  # type: ignore[attr-defined]
_STORED_CTE = _store(postgresql).cte("stored")
# PostgreSQL: the message stored and its sender's sentinel with the persons of their condominio, read in
# the same statement (one row per person); SQLite has no INSERT in a WITH, so there triage asks itself.
_STORE_AND_SENDER = Fixed(
    core_select(
        _STORED_CTE,
        _S.c.id.label("reporter_id"),
        _S.c.name.label("reporter_name"),
        _S.c.condominio_id.label("reporter_condominio_id"),
        _A.c.person_id.label("assisted_person_id"),
        _A.c.alias.label("assisted_alias"),
    )
    .select_from(
        _STORED_CTE.outerjoin(_S, and_(_S.c.phone == _STORED_CTE.c.sender_phone, _S.c.deleted_at.is_(None))).outerjoin(
            _A, and_(_A.c.condominio_id == _S.c.condominio_id, _A.c.active.is_(True))
        )
    )
    .order_by(_A.c.id)
)
_STORE_ALONE = Fixed(_store(sqlite))


@dataclass(frozen=True)
class DeliveryChange:
    delivery: SmsDelivery
    changed: bool  # False: a duplicate or a state older than the one recorded


@dataclass(frozen=True)
class Stored:
    message: InboundSms
    created: bool  # False: Twilio retried, or another instance stored it first
    # the rows of triage's sender lookup (sentinel id, name, condominio; person, alias), when read with the message
    sender: list[tuple[Any, ...]] | None = None


def _values(params: dict[str, str], raw: dict[str, Any] | None, source: str) -> dict[str, Any]:
    """The columns of a message to store, with a freshly drawn receipt code."""
    body = params.get("Body", "")
    if "\x00" in body:  # PostgreSQL's text cannot hold a NUL: stored without it (``params`` keep it, JSON-escaped)
        body = body.replace("\x00", "")
    return {
        "message_sid": params["MessageSid"],
        "account_sid": params.get("AccountSid"),
        "from_number": params["From"],
        "sender_phone": e164_or_none(params["From"]),
        "to_number": params.get("To"),
        "body": body,
        "receipt_code": new_receipt_code(),
        "source": source,
        "params": raw if raw is not None else params,
        "received_at": utcnow(),
        "state": InboundState.RICEVUTO,
    }


def _stored(session: AsyncSession, rows: Sequence[Any], values: dict[str, Any], *, with_sender: bool) -> Stored:
    """A newly stored message from the rows its store returned (one per person of its sender's building)."""
    found = rows[0]
    emit(
        session,
        kind="sms.received",
        entity_type="InboundSms",
        entity_id=found.id,
        payload={"receipt_code": found.receipt_code},
    )
    # detached on purpose: triage fills it in and ``save_triage`` writes it back in one UPDATE
    message = as_loaded(InboundSms, {key: getattr(found, key) for key in _RETURNED_KEYS} | {"params": values["params"]})
    if not with_sender:
        return Stored(message=message, created=True)
    sender = [
        (r.reporter_id, r.reporter_name, r.reporter_condominio_id, r.assisted_person_id, r.assisted_alias)
        for r in rows
        if r.reporter_id is not None
    ]
    return Stored(message=message, created=True, sender=sender)


async def store_inbound(
    session: AsyncSession,
    *,
    params: dict[str, str],
    raw: dict[str, Any] | None = None,
    source: str = "webhook",
) -> Stored:
    """Insert the message unless its MessageSid is already stored; concurrent twins wait and find it."""
    sid = params["MessageSid"]
    values = _values(params, raw, source)
    with_sender = dialect_of(session) == "postgresql"
    store = _STORE_AND_SENDER if with_sender else _STORE_ALONE
    for _attempt in range(_CODE_ATTEMPTS):
        rows = await store.all(session, values)
        if rows:
            return _stored(session, rows, values, with_sender=with_sender)
        # a retry, or a twin that committed first: the stored row and its reply
        row = (await session.exec(select(InboundSms).where(col(InboundSms.message_sid) == sid))).first()
        if row is not None:
            return Stored(message=row, created=False)
        values["receipt_code"] = new_receipt_code()  # the code was already given to another message
    raise RuntimeError("no free receipt code after several draws")


async def store_many(
    session: AsyncSession, items: Sequence[tuple[dict[str, str], dict[str, Any] | None, str]]
) -> list[Stored | None]:
    """Store several messages (``(params, raw, source)`` each) with one pipelined statement on PostgreSQL.

    ``None`` for a message not stored here (a twin, a retry, a receipt code drawn twice, or any message on
    SQLite): ``store_inbound`` then stores it, or finds it, on its own."""
    if dialect_of(session) != "postgresql":
        return [None] * len(items)
    values = [_values(params, raw, source) for params, raw, source in items]
    by_sid: dict[str, list[Any]] = {}
    for row in await _STORE_AND_SENDER.many(session, values):
        by_sid.setdefault(row.message_sid, []).append(row)
    out: list[Stored | None] = []
    for one in values:
        rows = by_sid.pop(one["message_sid"], None)  # a twin later in the batch finds none left
        out.append(None if rows is None else _stored(session, rows, one, with_sender=True))
    return out


#: what triage may change on a stored message
TRIAGE_FIELDS = ("reply", "state", "severity", "sentinel_id", "person_id", "condominio_id", "alert_id")


_SAVE_TRIAGE = Fixed(
    update(_INBOUND).where(_INBOUND.c.id == bindparam("_id")).values({n: bindparam(n) for n in TRIAGE_FIELDS})
)


async def save_triage(session: AsyncSession, message: InboundSms) -> None:
    """Write triage's outcome on a newly stored message in one statement."""
    await _SAVE_TRIAGE.all(session, _outcome(message))


async def save_triages(session: AsyncSession, messages: Sequence[InboundSms]) -> None:
    """``save_triage`` for several messages, pipelined on PostgreSQL."""
    await _SAVE_TRIAGE.many(session, [_outcome(message) for message in messages])


def _outcome(message: InboundSms) -> dict[str, Any]:
    return {name: getattr(message, name) for name in TRIAGE_FIELDS} | {"_id": message.id}


async def is_opted_out(session: AsyncSession, *, phone: str) -> bool:
    found = (await session.exec(select(col(SmsOptOut.opted_out)).where(col(SmsOptOut.phone) == phone))).first()
    return bool(found)


async def set_opt_out(session: AsyncSession, *, phone: str, opted_out: bool, word: str) -> SmsOptOut:
    """Record STOP (or START) against the number, and on the sentinel who has it."""
    now = utcnow()
    stmt = (
        _insert(session, SmsOptOut)
        .values(phone=phone, opted_out=opted_out, word=word[:20], changed_at=now)
        .on_conflict_do_update(
            index_elements=["phone"], set_={"opted_out": opted_out, "word": word[:20], "changed_at": now}
        )
    )
    await session.exec(stmt)  # type: ignore[call-overload]
    await session.exec(
        update(Sentinel)
        .where(col(Sentinel.phone) == phone)  # type: ignore[call-overload]
        .values(opted_out=opted_out, opted_out_at=now if opted_out else None)
    )
    emit(
        session,
        kind="sms.opt_out" if opted_out else "sms.opt_in",
        entity_type="Phone",
        entity_id=phone[-4:],
        payload={"word": word[:20]},
    )
    row = (await session.exec(select(SmsOptOut).where(col(SmsOptOut.phone) == phone))).one()
    await session.refresh(row)
    return row


async def record_delivery(
    session: AsyncSession,
    *,
    provider_id: str,
    status: str,
    to_number: str | None = None,
    key: str | None = None,
    error_code: str | None = None,
) -> DeliveryChange:
    """Move a sent message's state forward; an older state arriving late changes nothing."""
    status = status.lower()
    rank = DELIVERY_RANK.get(status, 0)
    now = utcnow()
    table = SmsDelivery.__table__  # type: ignore[attr-defined]
    insert = _insert(session, SmsDelivery).values(
        provider_id=provider_id,
        to_number=to_number,
        key=key,
        status=status,
        rank=rank,
        error_code=error_code,
        created_at=now,
        updated_at=now,
    )
    # the sender and the callback may race: whoever comes second fills in what it knows, forward only
    stmt = insert.on_conflict_do_update(
        index_elements=["provider_id"],
        set_={
            "status": insert.excluded.status,
            "rank": insert.excluded.rank,
            "error_code": insert.excluded.error_code,
            "updated_at": now,
        },
        where=table.c.rank < insert.excluded.rank,
    ).returning(table.c.id)
    changed = (await session.exec(stmt)).scalar_one_or_none() is not None  # type: ignore[call-overload]
    if key is not None or to_number is not None:
        fill = {k: v for k, v in (("key", key), ("to_number", to_number)) if v is not None}
        await session.exec(
            update(SmsDelivery)
            .where(col(SmsDelivery.provider_id) == provider_id)  # type: ignore[call-overload]
            .values(**fill)
        )
    row = (await session.exec(select(SmsDelivery).where(col(SmsDelivery.provider_id) == provider_id))).one()
    await session.refresh(row)
    if changed and status in FAILED_STATES:
        emit(
            session,
            kind="sms.delivery_failed",
            entity_type="SmsDelivery",
            entity_id=provider_id,
            payload={"key": row.key, "status": status, "error_code": error_code},
        )
    return DeliveryChange(delivery=row, changed=changed)
