"""Database engine and sessions: SQLite (aiosqlite, WAL) by default, PostgreSQL (asyncpg) by URL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always aware and in UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``; SQLite gets WAL and foreign keys, PostgreSQL a sized pool."""
    # an error's message (logged, or shown in a traceback) never carries the values: names, codici fiscali
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # connections are kept rather than churned: a new one costs a TLS probe and type introspection
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
    # No pre-ping: it costs a round trip per request. A connection found dead fails that one request
    # (5xx; Twilio retries) and SQLAlchemy then drops the whole pool, so the next one reconnects.
    kwargs.setdefault("pool_pre_ping", False)
    return create_async_engine(url, **kwargs)


PENDING_EVENTS = "centrale.events.pending"  # where ``centrale.events.service.emit`` keeps a transaction's events


class OutboxSession(Session):
    """The sessions of this service: a commit with events still unwritten is refused, not silently lost.

    Events are numbered and written by ``centrale.events.service.commit`` (the unit of work's commit);
    a plain ``session.commit()`` after an ``emit`` would drop them, so it raises instead.
    """

    def commit(self) -> None:
        if self.info.get(PENDING_EVENTS):
            raise RuntimeError("events are pending: commit through the unit of work (centrale.events.service.commit)")
        super().commit()

    def rollback(self) -> None:
        self.info.pop(PENDING_EVENTS, None)
        super().rollback()

    def close(self) -> None:
        self.info.pop(PENDING_EVENTS, None)
        super().close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, sync_session_class=OutboxSession, expire_on_commit=False)


M = TypeVar("M")


class Database:
    """The engine and session factory of one app instance."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessionmaker = make_sessionmaker(self.engine)

    @classmethod
    def of_engine(cls, engine: AsyncEngine) -> Database:
        """The Database of an engine already made (a unit of work inside a session's transaction)."""
        db = cls.__new__(cls)
        db.url, db.engine, db.sessionmaker = str(engine.url), engine, make_sessionmaker(engine)
        return db

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
        await self.engine.dispose()


def dialect_of(session: AsyncSession) -> str:
    """The session's database dialect: "postgresql" or "sqlite" (an unbound session counts as SQLite)."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def as_loaded(model: type[M], values: dict[str, Any]) -> M:
    """An instance of ``model`` holding ``values`` the way SQLAlchemy builds one for a row it has read:
    without the model's ``__init__`` and its validation (for rows the database has just returned)."""
    instance: M = model.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    instance.__dict__.update(values)
    return instance
