"""Fixed statements of the hot path, compiled once and, on PostgreSQL, run on the driver's own connection.

SQLAlchemy's async facade costs about 100 µs of CPU per statement on top of asyncpg (a greenlet hand-off,
an execution context, the result's wrapping). The SMS webhook runs a handful of fixed statements per
request, so ``Fixed`` compiles each of them once for the session's dialect — SQL text, parameter order,
bind and result processors, all SQLAlchemy's own — and on PostgreSQL runs it with asyncpg on the
session's connection, inside the session's transaction (it is begun there first, as SQLAlchemy would).
Results are named tuples with the statement's column keys. ``many`` runs a statement once per set of
parameters in one pipeline (the group commit of inbound SMS stores a batch that way). On SQLite, and
wherever the connection is not asyncpg's, the statement goes through SQLAlchemy as usual: one statement
object, one meaning, both paths under the same tests (``tests/centrale/test_fastsql.py``).

Errors are SQLAlchemy's: a refusal raises the same ``IntegrityError``/``DBAPIError`` as the facade, and
a lost connection is invalidated with its pool, so the next request reconnects (no pre-ping needed).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind parameters in positional order
    defaults: Mapping[str, Any]  # values bound in the statement itself (literals)
    binds: Mapping[str, Processor]
    row: Any  # the named tuple type of a result row, or None
    results: tuple[Processor, ...]


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if any(bind.expanding for bind in compiled.binds.values()):
        raise ValueError("a Fixed statement has no IN (...) list: write it as equalities")
    names = tuple(compiled.positiontup or ())
    columns = list(getattr(compiled, "_result_columns", None) or [])
    keys = [entry.keyname for entry in columns]
    return _Compiled(
        sql=compiled.string,
        names=names,
        defaults=compiled.construct_params(_check=False),
        binds=dict(compiled._bind_processors),
        row=namedtuple("Row", keys) if keys else None,
        results=tuple(entry.type._cached_result_processor(dialect, None) for entry in columns),
    )


class Fixed:
    """A statement built once at import; ``await fixed.all(session, params)`` runs it in the session's
    transaction and returns its rows (``first``/``scalar`` alike)."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return found

    async def all(self, session: AsyncSession, params: Mapping[str, Any] | None = None) -> Sequence[Any]:
        connection, adapted = await _connection(session)
        if adapted is None:
            result = await connection.execute(self.statement, dict(params or {}))
            return result.all() if result.returns_rows else []
        return await self._on_driver(connection, adapted, params or {})

    async def many(self, session: AsyncSession, params: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The statement run once per mapping in ``params``, in order, and the rows of all the runs together.

        On PostgreSQL the runs go in one pipeline (asyncpg's ``fetchmany``): one wait for the lot, not one
        per run."""
        if not params:
            return []
        connection, adapted = await _connection(session)
        if adapted is None:  # no pipeline there: one run after another, as ``all`` runs it
            return [row for one in params for row in await self.all(session, one)]
        return await self._on_driver(connection, adapted, params, many=True)

    async def first(self, session: AsyncSession, params: Mapping[str, Any] | None = None) -> Any:
        rows = await self.all(session, params)
        return rows[0] if rows else None

    async def scalar(self, session: AsyncSession, params: Mapping[str, Any] | None = None) -> Any:
        row = await self.first(session, params)
        return None if row is None else row[0]

    async def _on_driver(
        self, connection: AsyncConnection, adapted: Any, params: Any, *, many: bool = False
    ) -> list[Any]:
        form = self.compiled(connection.dialect)
        runs = [self._args(form, one) for one in params] if many else [self._args(form, params)]
        try:
            async with adapted._execute_mutex:
                if adapted._transaction is None:  # the session's transaction begins here, as on its first statement
                    await adapted._start_transaction()
                if many:
                    records = await adapted._connection.fetchmany(form.sql, runs)
                else:
                    records = await adapted._connection.fetch(form.sql, *runs[0])
        except Exception as error:
            await _raise_as_sqlalchemy(connection, adapted, form.sql, runs[0] if runs else [], error)
        if form.row is None:
            return []
        row, results = form.row, form.results
        return [row(*(v if p is None else p(v) for v, p in zip(record, results, strict=True))) for record in records]

    @staticmethod
    def _args(form: _Compiled, params: Mapping[str, Any]) -> list[Any]:
        values = {**form.defaults, **params}
        args = []
        for name in form.names:
            process = form.binds.get(name)
            args.append(process(values[name]) if process is not None else values[name])
        return args


_CACHE = "centrale.fastsql.connection"


async def _connection(session: AsyncSession) -> tuple[AsyncConnection, Any]:
    """The session's connection and, on asyncpg, SQLAlchemy's adapter around the driver's connection.

    Asked once per transaction (each ask costs two greenlet hand-offs) and kept in ``session.info``
    for as long as that transaction is the session's."""
    transaction = session.sync_session.get_transaction()
    cached = session.sync_session.info.get(_CACHE)
    if cached is not None and transaction is not None and cached[0] is transaction and transaction.is_active:
        return cached[1], cached[2]
    connection = await session.connection()
    adapted = None
    if connection.dialect.driver == "asyncpg":
        # SQLAlchemy's adapter: its lock and its transaction are the ones the facade uses too
        adapted = (await connection.get_raw_connection()).dbapi_connection
    session.sync_session.info[_CACHE] = (session.sync_session.get_transaction(), connection, adapted)
    return connection, adapted


async def _raise_as_sqlalchemy(
    connection: AsyncConnection, adapted: Any, sql: str, args: list[Any], error: Exception
) -> None:
    """Raise what SQLAlchemy would have raised for ``error``; on a lost connection, drop it and its pool."""
    try:
        adapted._handle_exception(error)  # the dialect's DB-API exception (IntegrityError, ...)
    except exc.DBAPIError:
        raise
    except Exception as dbapi_error:
        wrapped = exc.DBAPIError.instance(sql, args, dbapi_error, adapted.dbapi.Error)
        lost = connection.dialect.is_disconnect(dbapi_error, adapted, None)  # type: ignore[arg-type]
        if lost or adapted._connection.is_closed():
            wrapped.connection_invalidated = True
            await connection.invalidate(dbapi_error)
            await connection.engine.dispose(close=False)  # the other pooled connections died with it
        raise wrapped from error
    raise AssertionError("unreachable: the adapter always raises")  # pragma: no cover
