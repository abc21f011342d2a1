"""CPU per statement on one connection: SQLAlchemy's async facade, ``Fixed``, and bare asyncpg.

Run: ``python -m bench.statements [--count 3000] [--rounds 5]``. The statement is the webhook's
reporter lookup (a sentinel, their condominio and its assisted persons: a join that returns a few
rows), on a scratch PostgreSQL database seeded like the webhook scenario. Each way runs ``count``
times per round, in the same process, one after another; the table gives the median and the worst
round of the process CPU time per statement. A second table gives what a transaction costs with nothing
in it (begin, commit, the connection taken from and given back to its pool) through the ORM session,
SQLAlchemy's engine and asyncpg's own pool, and one bare round trip (``SELECT 1``) for scale.
Writes ``bench/results/statements-*.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from alerts.sms.triage import _REPORTER
from bench.procs import ScratchPostgres
from bench.seed import SENTINEL_PHONE, prepare
from centrale.db import Database
from centrale.events.service import commit

RESULTS = Path(__file__).parent / "results"


async def _cpu_per_call(fn: Callable[[], Awaitable[Any]], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        await fn()
    return (time.process_time() - started) / count * 1e6


async def measure(url: str, *, count: int, rounds: int) -> dict[str, dict[str, float]]:
    await prepare(url)
    database = Database(url)
    params = {"phone": SENTINEL_PHONE.format(1)}
    try:
        async with database.sessionmaker() as session:
            connection = await session.connection()
            driver: Any = (await connection.get_raw_connection()).driver_connection
            sql = _REPORTER.compiled(connection.dialect).sql
            ways: dict[str, Callable[[], Awaitable[Any]]] = {
                "SQLAlchemy async facade": lambda: _facade(connection, params),
                "Fixed (centrale.fastsql)": lambda: _REPORTER.all(session, params),
                "bare asyncpg": lambda: driver.fetch(sql, params["phone"]),
            }
            for fn in ways.values():  # warm: statements prepared, caches filled
                await _cpu_per_call(fn, 200)
            samples: dict[str, list[float]] = {name: [] for name in ways}
            for _ in range(rounds):
                for name, fn in ways.items():
                    samples[name].append(await _cpu_per_call(fn, count))
            await session.rollback()
    finally:
        await database.dispose()
    return {name: {"median_us": statistics.median(v), "worst_us": max(v)} for name, v in samples.items()}


async def transactions(url: str, *, count: int, rounds: int) -> dict[str, dict[str, float]]:
    """CPU of an empty transaction, three ways, and of one bare round trip."""
    import asyncpg

    database = Database(url)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)

    async def session_tx() -> None:
        async with database.sessionmaker() as session:
            await session.connection()
            await commit(session)

    async def engine_tx() -> None:
        async with database.engine.begin() as connection:
            await connection.get_raw_connection()

    async def asyncpg_tx() -> None:
        async with pool.acquire() as connection, connection.transaction():
            pass

    async def round_trip() -> None:
        async with pool.acquire() as connection:
            for _ in range(10):
                await connection.fetchval("SELECT 1")

    ways: dict[str, Callable[[], Awaitable[Any]]] = {
        "ORM session: begin, commit": session_tx,
        "SQLAlchemy engine: begin, commit": engine_tx,
        "asyncpg pool: acquire, begin, commit, release": asyncpg_tx,
        "asyncpg: 10 x SELECT 1 on one connection": round_trip,
    }
    try:
        for fn in ways.values():
            await _cpu_per_call(fn, 200)
        samples: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(rounds):
            for name, fn in ways.items():
                samples[name].append(await _cpu_per_call(fn, count))
    finally:
        await pool.close()
        await database.dispose()
    return {name: {"median_us": statistics.median(v), "worst_us": max(v)} for name, v in samples.items()}


async def _facade(connection: Any, params: dict[str, str]) -> Any:
    return (await connection.execute(_REPORTER.statement, params)).all()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.statements")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--pg-server",
        default=os.environ.get("CENTRALE_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    pg = ScratchPostgres(args.pg_server, name="centrale_bench_statements").create()
    try:
        import uvloop

        result = uvloop.run(measure(pg.url, count=args.count, rounds=args.rounds))
        empty = uvloop.run(transactions(pg.url, count=args.count, rounds=args.rounds))
    finally:
        pg.drop()
    base = result["SQLAlchemy async facade"]["median_us"]
    lines = ["| way | CPU µs / statement (median of rounds) | worst round | vs facade |", "|---|---:|---:|---:|"]
    for name, r in result.items():
        lines.append(f"| {name} | {r['median_us']:.0f} | {r['worst_us']:.0f} | {r['median_us'] / base:.2f} |")
    lines += [
        "",
        "| an empty transaction, or round trips | CPU µs (median of rounds) | worst round |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {r['median_us']:.0f} | {r['worst_us']:.0f} |" for name, r in empty.items()]
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"statements-{time.strftime('%Y%m%d-%H%M%S')}.json"
    summary = {"count": args.count, "rounds": args.rounds, "result": result, "transactions": empty}
    out.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
