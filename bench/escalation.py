"""Escalation step lateness: 100,000 open alerts and 1,000,000 tasks in PostgreSQL, three instances ticking.

Most open alerts wait far in the future (the mass the claim query must not scan); a measured set
falls due at a steady rate during the run. Lateness is the time from a step's due time to the
moment its notification was recorded, by whichever instance claimed it.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from alerts.escalation.models import PolicyRole
from alerts.models import Channel
from bench import bulk
from bench.common import Context
from bench.procs import RedisServer, ScratchPostgres, Server
from bench.seed import prepare
from bench.stats import summary
from centrale.db import Database

POLICY = {
    "policy_id": None,
    "name": "bench",
    "steps": [
        {"role": PolicyRole.COORDINATORE_DI_TURNO.value, "channels": [Channel.BACHECA.value], "wait_minutes": 600},
    ],
    "repeat_last": 0,
    "ack_timeout_minutes": 600,
}


async def _lateness(url: str) -> tuple[list[float], int, int]:
    """Per measured alert, its first step's lateness (ms); how many were due; duplicates recorded."""
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT a.dedupe_key, min(n.created_at), count(n.id) FROM alert a "
                        "LEFT JOIN notification n ON n.alert_id = a.id AND n.step_index = 0 "
                        "WHERE a.dedupe_key LIKE 'bench-due:%' AND a.dedupe_key IS NOT NULL "
                        "GROUP BY a.id, a.dedupe_key"
                    )
                )
            ).all()
        late, doubles = [], 0
        for key, recorded, n in rows:
            if recorded is not None:
                late.append((recorded.timestamp() - float(key.split(":", 1)[1])) * 1000.0)
            doubles += max(0, int(n) - 1)
        return late, len(rows), doubles
    finally:
        await database.dispose()


def scenario(ctx: Context) -> dict[str, Any]:
    """Bulk-load, start three instances, let the measured alerts fall due, read the lateness back."""
    open_alerts = 10_000 if ctx.quick else 100_000
    tasks = 50_000 if ctx.quick else 1_000_000
    due_rate = 10.0 if ctx.quick else 20.0  # steps falling due per second, across the district
    window = 20.0 if ctx.quick else 60.0
    measured = int(due_rate * window)
    pg = ScratchPostgres(ctx.pg_server).create()
    redis = RedisServer().start()
    apps: list[Server] = []
    try:
        asyncio.run(prepare(pg.url, sentinels=50))
        t0 = time.monotonic()
        asyncio.run(bulk.tasks(pg.url, count=tasks))
        later = datetime.now(UTC) + timedelta(days=1)
        asyncio.run(bulk.open_alerts(pg.url, count=open_alerts - measured, policy=POLICY, due_at=later))
        load_s = time.monotonic() - t0
        env = ctx.app_env(pg.url, redis_url=redis.url) | {"CENTRALE_TICK_SECONDS": "1"}
        apps = [Server("web.app:create_app", env, log=ctx.log(f"esc-app{i}")).start() for i in range(3)]
        start = datetime.now(UTC) + timedelta(seconds=5)
        asyncio.run(bulk.open_alerts(pg.url, count=measured, policy=POLICY, due_from=start, due_span_s=window))
        time.sleep(5 + window + 15)  # the window, plus time for the last steps to run
        late, due, doubles = asyncio.run(_lateness(pg.url))
        return {
            "open_alerts": open_alerts,
            "tasks": tasks,
            "instances": 3,
            "tick_seconds": 1,
            "due_rate_per_s": due_rate,
            "measured_steps": due,
            "steps_run": len(late),
            "not_run": due - len(late),
            "duplicates": doubles,
            "lateness_ms": summary(late),
            "bulk_load_s": round(load_s, 1),
        }
    finally:
        for a in apps:
            a.stop()
        redis.cleanup()
        pg.drop()
