"""Redis stopped for 10 s under load: no event is lost, every board catches up, none sees one twice."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bench.board import sign_in, start_clients, wait_ready
from bench.common import Context, load
from bench.procs import PostgresCluster, RedisServer, Server
from bench.seed import prepare
from tests.fault.conftest import app_env

pytestmark = pytest.mark.fault

RATE, DURATION, CLIENTS = 10.0, 15.0, 20
DOWN_AFTER, DOWN_FOR = 3.0, 10.0


def test_redis_outage_loses_no_event_and_boards_catch_up(
    private_postgres: PostgresCluster, private_redis: RedisServer, logs: Path
) -> None:
    url = private_postgres.create_database("centrale_fault")
    senders = asyncio.run(prepare(url, sentinels=20))
    env = app_env(url, redis_url=private_redis.url)
    apps = [Server("web.app:create_app", env, log=logs / f"app{i}.log").start() for i in range(2)]
    ctx = Context(quick=True, runs=1, duration=DURATION, pg_server=private_postgres.server_url(), workdir=logs)
    try:
        token = sign_in(apps[0].url)
        # the boards listen through the load, the outage, and a bounded catch-up after it
        proc, ready, out = start_clients(
            ctx, [a.url for a in apps], clients=CLIENTS, seconds=DURATION + 8, token=token, kinds=["sms.received"]
        )
        assert wait_ready(proc, ready, timeout=120) == CLIENTS
        sent: dict[str, Any] = {}
        sender = threading.Thread(
            target=lambda: sent.update(load(apps[1].url, rate=RATE, duration=DURATION, senders=senders, detail=True))
        )
        sender.start()
        time.sleep(DOWN_AFTER)
        private_redis.stop()
        time.sleep(DOWN_FOR)
        private_redis.start()
        sender.join(timeout=DURATION + 60)
        stdout, _ = proc.communicate(timeout=DURATION + 120)
    finally:
        for app in apps:
            app.stop()

    accepted = [d for d in sent["detail"] if 200 <= d["status"] < 300]
    # the webhook does not need Redis: every report is accepted while it is away
    assert len(accepted) == len(sent["detail"]), sent["statuses"]
    info = json.loads(stdout)
    arrivals: dict[str, list[float]] = json.loads(out.read_text())
    assert info["duplicates"] == 0
    # every board has every report, those sent while Redis was down included
    assert len(arrivals) == len(accepted)
    assert all(len(times) == CLIENTS for times in arrivals.values()), sorted(len(t) for t in arrivals.values())[:5]
