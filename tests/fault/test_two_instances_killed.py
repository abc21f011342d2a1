"""Two instances under 20 SMS/s from one building's sentinels, one killed with SIGKILL half-way:
no answer is a 500, no message is lost, none is stored twice (Twilio retries what got no 2xx)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from bench.common import load
from bench.procs import PostgresCluster, RedisServer, Server
from bench.seed import count_rows, prepare
from tests.fault.conftest import app_env

pytestmark = pytest.mark.fault

RATE, DURATION, KILL_AFTER = 10.0, 20.0, 10.0  # per instance: 20 SMS/s in all, for 20 s


def test_one_of_two_instances_killed_under_one_buildings_reports_answers_no_500_and_loses_nothing(
    private_postgres: PostgresCluster, private_redis: RedisServer, logs: Path
) -> None:
    url = private_postgres.create_database("centrale_fault")
    phones = asyncio.run(prepare(url, sentinels=120))
    buildings = asyncio.run(count_rows(url, "condominio"))
    one_building = phones[::buildings]  # sentinel i lives in condominio i % buildings: all of the first one
    assert len(one_building) >= 3
    env = app_env(url, redis_url=private_redis.url)
    apps = [Server("web.app:create_app", env, log=logs / f"app{i}.log").start() for i in range(2)]
    runs = [uuid.uuid4().hex for _ in apps]
    results: list[dict[str, Any]] = [{}, {}]
    try:
        senders = [
            threading.Thread(
                target=lambda i=i: results[i].update(
                    load(apps[i].url, rate=RATE, duration=DURATION, senders=one_building, run=runs[i], detail=True)
                )
            )
            for i in range(2)
        ]
        for sender in senders:
            sender.start()
        time.sleep(KILL_AFTER)
        apps[0].kill()
        for sender in senders:
            sender.join(timeout=DURATION + 90)
            assert not sender.is_alive()

        statuses = [d["status"] for result in results for d in result["detail"]]
        assert 500 not in statuses, f"answers: {sorted(set(statuses))}"
        # Twilio retries every request without a 2xx; the proxy sends it to the instance still alive
        for i, result in enumerate(results):
            pending = [d["index"] for d in result["detail"] if not 200 <= d["status"] < 300]
            for _ in range(5):
                if not pending:
                    break
                again = load(
                    apps[1].url,
                    rate=RATE,
                    duration=DURATION,
                    senders=one_building,
                    run=runs[i],
                    only=pending,
                    detail=True,
                )
                assert 500 not in [d["status"] for d in again["detail"]]
                pending = [d["index"] for d in again["detail"] if not 200 <= d["status"] < 300]
                time.sleep(0.5)
            assert pending == [], f"instance {i}: {len(pending)} messages never accepted"
    finally:
        for app in apps:
            app.stop()

    sent = sum(len(result["detail"]) for result in results)
    stored = asyncio.run(count_rows(url, "inbound_sms"))
    distinct = asyncio.run(count_rows(url, "(SELECT DISTINCT message_sid FROM inbound_sms) AS d"))
    events = asyncio.run(count_rows(url, "event", "kind = 'sms.received'"))
    assert (stored, distinct, events) == (sent, sent, sent)
