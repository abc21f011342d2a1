"""The run's database: schema from the models' metadata, the demo district, and extra sentinels."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import col, select

import alerts.sms.models  # noqa: F401 - not yet listed in web.schema
from centrale.condomini.models import Condominio, Sentinel, SentinelKind
from centrale.db import Database
from centrale.demo import seed_demo
from centrale.events.service import commit
from web.schema import metadata

SENTINEL_PHONE = "+3933310{:05d}"


async def prepare(url: str, *, sentinels: int = 300) -> list[str]:
    """Create the schema (empty), seed the demo district and ``sentinels`` more; return their phones."""
    database = Database(url)
    try:
        async with database.engine.begin() as conn:
            if database.is_sqlite:
                await conn.run_sync(metadata.drop_all)
            else:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await conn.run_sync(metadata.create_all)
        async with database.sessionmaker() as session:
            await seed_demo(session)
            condomini = [c for c in (await session.exec(select(col(Condominio.id)))).all() if c is not None]
            phones = [SENTINEL_PHONE.format(i) for i in range(sentinels)]
            for i, phone in enumerate(phones):
                session.add(
                    Sentinel(
                        name=f"Sentinella {i}",
                        phone=phone,
                        condominio_id=condomini[i % len(condomini)],
                        kind=SentinelKind.SENTINELLA,
                        consent_sms=True,
                    )
                )
            await commit(session)
        return phones
    finally:
        await database.dispose()


async def count_rows(url: str, table: str, where: str = "TRUE") -> int:
    """How many rows of ``table`` match (the checks after a run)."""
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"))).scalar_one())  # noqa: S608
    finally:
        await database.dispose()
