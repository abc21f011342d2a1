"""PostgreSQL restarted under webhook load: 5xx while it is down, then no duplicate and nothing missing."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from bench.common import load
from bench.procs import PostgresCluster, Server
from bench.seed import count_rows, prepare
from tests.fault.conftest import app_env

pytestmark = pytest.mark.fault

RATE, DURATION = 30.0, 12.0
DOWN_AFTER, DOWN_FOR = 3.0, 4.0


def test_webhook_fails_loudly_while_postgres_is_down_and_loses_nothing(
    private_postgres: PostgresCluster, logs: Path
) -> None:
    url = private_postgres.create_database("centrale_fault")
    senders = asyncio.run(prepare(url, sentinels=20))
    app = Server("web.app:create_app", app_env(url), log=logs / "app.log").start()
    run = uuid.uuid4().hex
    first: dict[str, Any] = {}
    try:
        sender = threading.Thread(
            target=lambda: first.update(
                load(app.url, rate=RATE, duration=DURATION, senders=senders, run=run, detail=True)
            )
        )
        sender.start()
        time.sleep(DOWN_AFTER)
        private_postgres.stop("fast")
        time.sleep(DOWN_FOR)
        private_postgres.start()
        sender.join(timeout=DURATION + 60)
        assert not sender.is_alive()

        statuses = [d["status"] for d in first["detail"]]
        failed = [d["index"] for d in first["detail"] if not 200 <= d["status"] < 300]
        # while the database was away the webhook said so with a 5xx (Twilio retries those) ...
        assert failed, "the outage was not seen: no request failed"
        other = sorted({statuses[i] for i in failed} - set(range(500, 600)))
        assert other == [], f"failures other than 5xx: {other} {first['connection_errors']}"
        # ... and answered normally again once it was back
        assert 200 <= statuses[-1] < 300

        # Twilio's retry: the same MessageSid with the same signature, until each is accepted (bounded)
        pending = failed
        for _ in range(5):
            if not pending:
                break
            again = load(app.url, rate=RATE, duration=DURATION, senders=senders, run=run, only=pending, detail=True)
            pending = [d["index"] for d in again["detail"] if not 200 <= d["status"] < 300]
            time.sleep(0.5)
        assert pending == []
    finally:
        app.stop()

    sent = len(first["detail"])
    stored = asyncio.run(count_rows(url, "inbound_sms"))
    distinct = asyncio.run(count_rows(url, "(SELECT DISTINCT message_sid FROM inbound_sms) AS d"))
    events = asyncio.run(count_rows(url, "event", "kind = 'sms.received'"))
    assert (stored, distinct, events) == (sent, sent, sent)
