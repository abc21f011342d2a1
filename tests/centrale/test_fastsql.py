"""``Fixed`` statements: the same rows and errors as SQLAlchemy's, inside the session's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, exc, insert, select, text
from sqlmodel import col

from alerts.sms.models import InboundSms, InboundState
from centrale.db import Database
from centrale.events.service import commit
from centrale.fastsql import Fixed

_T = InboundSms.__table__  # type: ignore[attr-defined]
_KEYS = ("message_sid", "from_number", "body", "receipt_code", "source", "params", "received_at", "state")
_INSERT = Fixed(insert(_T).values({k: bindparam(k) for k in _KEYS}).returning(_T.c.id, _T.c.state, _T.c.params))
_READ = Fixed(select(_T.c.id, _T.c.received_at, _T.c.params, _T.c.state).where(_T.c.message_sid == bindparam("sid")))


def _values(sid: str) -> dict[str, object]:
    return {
        "message_sid": sid,
        "from_number": "+393331234567",
        "body": "tutto bene",
        "receipt_code": sid[-6:],
        "source": "webhook",
        "params": {"Body": ["a", "b"], "n": 1},
        "received_at": datetime(2026, 7, 14, 10, 30, tzinfo=UTC),
        "state": InboundState.SMISTATO,
    }


async def test_rows_come_back_typed_as_sqlalchemy_would(database: Database) -> None:
    async with database.sessionmaker() as session:
        inserted = await _INSERT.first(session, _values("SM000001"))
        await commit(session)
    assert inserted.state == InboundState.SMISTATO and inserted.params == {"Body": ["a", "b"], "n": 1}
    async with database.sessionmaker() as session:
        row = await _READ.first(session, {"sid": "SM000001"})
        assert await _READ.first(session, {"sid": "SM-none"}) is None
        orm = (await session.exec(select(InboundSms).where(col(InboundSms.message_sid) == "SM000001"))).one()
    assert row.id == inserted.id == orm[0].id
    assert row.received_at == datetime(2026, 7, 14, 10, 30, tzinfo=UTC) and row.received_at.tzinfo is not None
    assert row.state is InboundState.SMISTATO
    assert row._asdict()["params"] == {"Body": ["a", "b"], "n": 1}


async def test_a_rollback_undoes_what_fixed_wrote_and_the_orm_saw_it_first(database: Database) -> None:
    async with database.sessionmaker() as session:
        inserted = await _INSERT.first(session, _values("SM000002"))
        seen = await session.get(InboundSms, inserted.id)  # the same transaction: the ORM sees the row
        assert seen is not None and seen.body == "tutto bene"
        await session.rollback()
    async with database.sessionmaker() as session:
        assert await _READ.first(session, {"sid": "SM000002"}) is None


async def test_a_refusal_is_sqlalchemys_integrity_error_and_the_session_recovers(database: Database) -> None:
    async with database.sessionmaker() as session:
        await _INSERT.first(session, _values("SM000003"))
        await commit(session)
    async with database.sessionmaker() as session:
        with pytest.raises(exc.IntegrityError):
            await _INSERT.first(session, _values("SM000003"))
        await session.rollback()
        assert (await _READ.first(session, {"sid": "SM000003"})) is not None


async def test_many_runs_once_per_mapping_in_order_and_returns_every_row_typed(database: Database) -> None:
    async with database.sessionmaker() as session:
        assert await _INSERT.many(session, []) == []
        rows = await _INSERT.many(session, [_values(f"SM10000{n}") for n in range(3)])
        read = await _READ.many(session, [{"sid": "SM100002"}, {"sid": "SM-none"}, {"sid": "SM100000"}])
        await commit(session)
    assert [r.id for r in rows] == sorted(r.id for r in rows) and len(rows) == 3
    assert all(r.state is InboundState.SMISTATO and r.params == {"Body": ["a", "b"], "n": 1} for r in rows)
    assert [r.id for r in read] == [rows[2].id, rows[0].id]  # in the order of the runs; none for the miss
    assert read[0].received_at == datetime(2026, 7, 14, 10, 30, tzinfo=UTC)


async def test_a_refusal_inside_many_is_sqlalchemys_error_and_nothing_of_it_stays(database: Database) -> None:
    async with database.sessionmaker() as session:
        with pytest.raises(exc.IntegrityError):
            await _INSERT.many(session, [_values("SM200001"), _values("SM200001")])  # the same MessageSid twice
        await session.rollback()
        assert await _READ.first(session, {"sid": "SM200001"}) is None


async def test_a_lost_connection_is_sqlalchemys_error_and_the_next_session_reconnects(pg_database: Database) -> None:
    admin = Database(pg_database.url)  # another engine: the pool's own connection would be the victim
    try:
        async with pg_database.sessionmaker() as session:
            await _READ.first(session, {"sid": "warm"})
            pid = (await session.exec(text("SELECT pg_backend_pid()"))).scalar_one()  # type: ignore[call-overload]
            async with admin.engine.connect() as conn:
                await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(exc.DBAPIError) as caught:
                await _READ.first(session, {"sid": "lost"})
            assert caught.value.connection_invalidated
    finally:
        await admin.dispose()
    async with pg_database.sessionmaker() as session:  # the dead connection and its pool were dropped
        assert await _READ.first(session, {"sid": "after"}) is None
