"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL and Redis come from ``CENTRALE_TEST_POSTGRES_URL`` / ``CENTRALE_TEST_REDIS_URL`` (defaults:
the local servers). When ``CENTRALE_TEST_REQUIRE_SERVICES=1`` (as in CI) a missing service fails the
run instead of skipping its tests.

When the suite runs on several processes (pytest-xdist, as ``make test`` does), each worker after the
first gets a database and a Redis database of its own, derived from those two settings, so tests that
empty tables or flush Redis never meet another worker's data.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import URL, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from centrale.db import Database
from centrale.settings import Settings
from web.app import create_app
from web.schema import metadata


def _isolate_worker() -> None:
    """Give xdist worker gwK (K > 0) its own PostgreSQL database (created when missing) and Redis db."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw") or 0)
    if index == 0:
        return
    pg = make_url(os.environ.get("CENTRALE_TEST_POSTGRES_URL", DEFAULT_PG_URL))
    name = f"{pg.database}_w{index}"
    os.environ["CENTRALE_TEST_POSTGRES_URL"] = pg.set(database=name).render_as_string(hide_password=False)
    redis = urlsplit(os.environ.get("CENTRALE_TEST_REDIS_URL", DEFAULT_REDIS_URL))
    db = (int(redis.path.lstrip("/") or 0) - index) % 16
    os.environ["CENTRALE_TEST_REDIS_URL"] = redis._replace(path=f"/{db}").geturl()
    asyncio.run(_create_database(pg, name))


async def _create_database(pg: URL, name: str) -> None:
    try:
        conn = await asyncpg.connect(
            host=pg.host, port=pg.port or 5432, user=pg.username, password=pg.password, database="postgres"
        )
    except (OSError, asyncpg.PostgresError):
        return  # the PostgreSQL tests report the missing server themselves
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.DuplicateDatabaseError:
        pass
    finally:
        await conn.close()


DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/centrale_test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
_isolate_worker()
PG_URL = os.environ.get("CENTRALE_TEST_POSTGRES_URL", DEFAULT_PG_URL)
REDIS_URL = os.environ.get("CENTRALE_TEST_REDIS_URL", DEFAULT_REDIS_URL)
REQUIRE_SERVICES = os.environ.get("CENTRALE_TEST_REQUIRE_SERVICES") == "1"
BACKENDS = ["sqlite", "postgresql"]


def service_missing(what: str, why: object) -> None:
    """Fail in CI, skip on a developer machine without the service."""
    message = f"{what} is not reachable: {why}"
    if REQUIRE_SERVICES:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


async def _postgres_ready() -> str | None:
    engine = create_async_engine(PG_URL)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


_schema_ready: dict[str, Database] = {}


async def _database_for(backend: str, tmp_root: Path) -> Database:
    if backend in _schema_ready:
        return _schema_ready[backend]
    if backend == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_root / 'test.sqlite3'}")
    else:
        problem = await _postgres_ready()
        if problem:
            service_missing("PostgreSQL", problem)
        database = Database(PG_URL, pool_size=5, max_overflow=30)
    async with database.engine.begin() as conn:
        if database.is_sqlite:
            await conn.run_sync(metadata.drop_all)
        else:  # start from an empty schema, whatever an earlier run of another branch left behind
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await conn.run_sync(metadata.create_all)
    _schema_ready[backend] = database
    return database


async def clean(database: Database) -> None:
    """Empty every table (faster than re-creating the schema for each test)."""
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    async with database.engine.begin() as conn:
        if database.is_sqlite:
            for name in tables:
                await conn.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 - table names from metadata
        else:
            joined = ", ".join(f'"{n}"' for n in tables)
            await conn.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("centrale")


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_root: Path) -> AsyncIterator[Database]:
    """A clean database on each backend."""
    db = await _database_for(request.param, tmp_root)
    await clean(db)
    yield db


@pytest.fixture
async def pg_database(tmp_root: Path) -> AsyncIterator[Database]:
    """PostgreSQL only: locking and concurrency tests."""
    db = await _database_for("postgresql", tmp_root)
    await clean(db)
    yield db


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        environment="test", database_url=database.url, public_url="http://testserver", scheduler_enabled=False
    )


@pytest.fixture
async def app(settings: Settings, database: Database) -> AsyncIterator[object]:
    application = create_app(settings, database=database)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    # a browser sends its page's Origin with every form and fetch; state-changing cookie requests need it
    headers = {"Origin": "http://testserver"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as c:
        yield c


@pytest.fixture
async def session(database: Database) -> AsyncIterator[object]:
    async with database.sessionmaker() as s:
        yield s


@pytest.fixture
async def redis_url() -> str:
    """The test Redis (a missing server fails the run in CI)."""
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
        await client.flushdb()
    except Exception as exc:
        service_missing("Redis", exc)
    finally:
        await client.aclose()
    return REDIS_URL
