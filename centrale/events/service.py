"""Writing events to the outbox and reading them back in sequence order.

``emit`` keeps the event with the session until the transaction commits. ``commit`` (which the unit
of work, ``centrale.uow.Tx``, calls) flushes the rest of the transaction, takes the single counter row
(``event_counter``) with an upsert, numbers this transaction's events from it and writes them. A plain
``session.commit()`` with events pending is refused by the session class (``centrale.db.OutboxSession``). The counter
row stays locked until the commit completes, so a later transaction can only take numbers after this
one is visible: sequence order is commit order, and a reader that follows ``seq > last`` never skips
a committed event (see docs/ARCHITECTURE.md, "Event outbox").
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Integer, String, bindparam, column, insert, text, true
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.types import TypeEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import utcnow
from centrale.db import PENDING_EVENTS, UTCDateTime, dialect_of
from centrale.events.models import Event
from centrale.fastsql import Fixed

_PENDING = PENDING_EVENTS
CHUNK = 1000  # events per statement: 7 bound values each, far below the 32,767 asyncpg accepts

# Both SQLite (>= 3.35) and PostgreSQL accept this upsert; the row lock it takes orders commits.
_TAKE_NUMBERS = text(
    "INSERT INTO event_counter (id, last_seq) VALUES (1, :n) "
    "ON CONFLICT (id) DO UPDATE SET last_seq = event_counter.last_seq + excluded.last_seq "
    "RETURNING last_seq"
)

_INSERT_EVENTS = insert(Event.__table__)  # type: ignore[attr-defined]
_EVENT_COLUMNS = ("at", "kind", "entity_type", "entity_id", "person_id", "recipient_operator_id", "payload")
_EVENT_TYPES: dict[str, TypeEngine[Any]] = {
    "at": UTCDateTime(),
    "payload": JSON(),
    "person_id": Integer(),
    "recipient_operator_id": Integer(),
}


@functools.lru_cache(maxsize=64)
def _numbered_insert(n: int) -> Fixed:
    """PostgreSQL: take ``n`` numbers from the counter and insert ``n`` events with them, in one statement."""
    names = ", ".join(_EVENT_COLUMNS)
    rows = ", ".join(
        "(" + ", ".join([str(k)] + [f":{name}_{k}" for name in _EVENT_COLUMNS]) + ")" for k in range(1, n + 1)
    )
    sql = (
        "WITH taken AS (" + _TAKE_NUMBERS.text + ") "  # noqa: S608 - constants only; values are bound
        f"INSERT INTO event (seq, {names}) "
        f"SELECT taken.last_seq - :n + v.k, {', '.join('v.' + c for c in _EVENT_COLUMNS)} "
        f"FROM taken, (VALUES {rows}) AS v(k, {names}) RETURNING seq"
    )
    binds: list[BindParameter[Any]] = [
        bindparam(f"{name}_{k}", type_=_EVENT_TYPES.get(name, String()))
        for k in range(1, n + 1)
        for name in _EVENT_COLUMNS
    ]
    return Fixed(text(sql).bindparams(bindparam("n", type_=Integer()), *binds).columns(column("seq", Integer())))


CommitListener = Callable[[int], None]
_listeners: list[tuple[AsyncEngine | None, CommitListener]] = []


def emit(
    session: AsyncSession,
    *,
    kind: str,
    entity_type: str,
    entity_id: object,
    person_id: int | None = None,
    payload: dict[str, Any] | None = None,
    recipient_operator_id: int | None = None,
) -> None:
    """Add an event to the caller's transaction: it exists if and only if the change commits.

    The row is written (and numbered) when the transaction commits, not at the next flush.
    """
    row = {
        "at": utcnow(),
        "kind": kind,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "person_id": person_id,
        "payload": payload or {},
        "recipient_operator_id": recipient_operator_id,
    }
    session.sync_session.info.setdefault(_PENDING, []).append(row)


def add_commit_listener(listener: CommitListener, *, engine: AsyncEngine | None = None) -> None:
    """Call ``listener(last_seq)`` after each commit that wrote events (through ``engine`` if given)."""
    _listeners.append((engine, listener))


def remove_commit_listener(listener: CommitListener) -> None:
    _listeners[:] = [(e, fn) for e, fn in _listeners if fn is not listener]


def _numbered_params(pending: list[dict[str, Any]]) -> dict[str, Any]:
    params: dict[str, Any] = {"n": len(pending)}
    for k, row in enumerate(pending, start=1):
        params.update({f"{name}_{k}": value for name, value in row.items()})
    return params


async def write_pending(session: AsyncSession) -> int | None:
    """Flush the transaction, then number and write its pending events; the highest number, or None.

    The one way events reach the outbox, on both dialects. The counter row is taken last and stays
    locked until the commit completes, so sequence order is commit order. Up to ``CHUNK`` events go in
    one statement that takes the numbers and writes the rows together (PostgreSQL, the hot path: one
    round trip); more are numbered once and written in batches (asyncpg binds at most 32,767 values
    per statement, and SQLAlchemy's insertmanyvalues splits the rows into statements under that).
    """
    info = session.sync_session.info
    pending: list[dict[str, Any]] = info.get(_PENDING) or []
    if not pending:
        return None
    # Flush the rest of the transaction first, so that the counter lock is held only for the
    # statements below and the commit itself (no other row is touched while holding it).
    await session.flush()
    info.pop(_PENDING, None)
    if dialect_of(session) == "postgresql" and len(pending) <= CHUNK:
        rows = await _numbered_insert(len(pending)).all(session, _numbered_params(pending))
        return max(row.seq for row in rows)
    connection = await session.connection()
    top = int((await connection.execute(_TAKE_NUMBERS, {"n": len(pending)})).scalar_one())
    first = top - len(pending) + 1
    for offset, row in enumerate(pending):
        row["seq"] = first + offset
    for start in range(0, len(pending), CHUNK):
        await connection.execute(_INSERT_EVENTS, pending[start : start + CHUNK])
    return top


async def commit(session: AsyncSession) -> None:
    """Write the transaction's events (``write_pending``), commit, then tell the commit listeners."""
    top = await write_pending(session)
    await session.commit()
    if top is None:
        return
    bind = session.bind
    for engine, listener in list(_listeners):
        if engine is None or (bind is not None and bind is engine):
            listener(top)


async def events_after(
    session: AsyncSession, *, after: int, limit: int = 500, where: ColumnElement[bool] | None = None
) -> tuple[list[Event], int]:
    """Up to ``limit`` committed events with ``seq > after`` in order, and the highest seq scanned.

    With ``where``, only matching events are returned, but the scan (and so the returned high mark)
    covers every event, so a reader that resumes from the mark neither skips nor re-reads.
    """
    visible = (where if where is not None else true()).label("visible")
    query = (
        select(Event, visible)  # type: ignore[call-overload]
        .where(col(Event.seq) > after)
        .order_by(col(Event.seq))
        .limit(limit)
    )
    rows: Sequence[Any] = (await session.exec(query)).all()
    mark = after
    found: list[Event] = []
    for event, is_visible in rows:
        mark = int(event.seq)
        if is_visible:
            found.append(event)
    return found, mark


async def last_seq(session: AsyncSession) -> int:
    """The highest committed sequence number (0 when there is none)."""
    found = (await session.exec(select(col(Event.seq)).order_by(col(Event.seq).desc()).limit(1))).first()
    return int(found or 0)
