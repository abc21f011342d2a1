"""One of three instances killed with SIGKILL during escalation: no step is lost and none runs twice."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from alerts.escalation.models import PolicyRole
from alerts.models import Channel
from bench import bulk
from bench.procs import PostgresCluster, RedisServer, Server
from bench.seed import prepare
from centrale.db import Database
from tests.fault.conftest import app_env

pytestmark = pytest.mark.fault

ALERTS, WINDOW, LEASE = 300, 8.0, 3
# two board steps, the second due at once after the first: every alert needs both, exactly once each
POLICY = {
    "policy_id": None,
    "name": "drill",
    "steps": [
        {"role": PolicyRole.COORDINATORE_DI_TURNO.value, "channels": [Channel.BACHECA.value], "wait_minutes": 0},
        {"role": PolicyRole.COORDINATORE_DI_TURNO.value, "channels": [Channel.BACHECA.value], "wait_minutes": 600},
    ],
    "repeat_last": 0,
    "ack_timeout_minutes": 600,
}


async def _steps(url: str) -> list[tuple[int, int, int]]:
    """(alert, step, how many notifications) for every measured alert and both steps."""
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT a.id, s.step, count(n.id) FROM alert a CROSS JOIN (VALUES (0), (1)) AS s(step) "
                    "LEFT JOIN notification n ON n.alert_id = a.id AND n.step_index = s.step "
                    "WHERE a.dedupe_key LIKE 'bench-due:%' GROUP BY a.id, s.step"
                )
            )
            return [(int(a), int(s), int(n)) for a, s, n in rows.all()]
    finally:
        await database.dispose()


def test_instance_killed_mid_escalation_loses_no_step_and_repeats_none(
    private_postgres: PostgresCluster, private_redis: RedisServer, logs: Path
) -> None:
    url = private_postgres.create_database("centrale_fault")
    asyncio.run(prepare(url, sentinels=10))
    env = app_env(url, redis_url=private_redis.url, tick_seconds=0.5) | {
        "CENTRALE_ESCALATION_LEASE_SECONDS": str(LEASE)
    }
    apps = [Server("web.app:create_app", env, log=logs / f"app{i}.log").start() for i in range(3)]
    try:
        start = datetime.now(UTC) + timedelta(seconds=1)
        asyncio.run(bulk.open_alerts(url, count=ALERTS, policy=POLICY, due_from=start, due_span_s=WINDOW))
        time.sleep(1 + WINDOW / 2)
        apps[0].kill()  # mid-window: it may hold leases on alerts it claimed and not finished
        deadline = time.monotonic() + WINDOW + LEASE + 20
        while time.monotonic() < deadline:
            steps = asyncio.run(_steps(url))
            if all(n >= 1 for _, _, n in steps):
                break
            time.sleep(1.0)
        time.sleep(2.0)  # a late duplicate would show up here
        steps = asyncio.run(_steps(url))
    finally:
        for app in apps:
            app.stop()

    assert len(steps) == 2 * ALERTS
    missing = [(a, s) for a, s, n in steps if n == 0]
    twice = [(a, s, n) for a, s, n in steps if n > 1]
    assert missing == [], f"{len(missing)} steps never ran, e.g. {missing[:5]}"
    assert twice == [], f"{len(twice)} steps ran more than once, e.g. {twice[:5]}"
