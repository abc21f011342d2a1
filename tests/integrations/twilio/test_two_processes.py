"""Acceptance: the same MessageSid posted 5 times at once to two app processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlmodel import func, select

from alerts.models import Alert
from alerts.sms.models import InboundSms
from centrale.db import Database
from tests import factories as f
from tests.integrations.conftest import ACCOUNT, PUBLIC, TOKEN, fixture, signed_headers

pytestmark = pytest.mark.postgres_only


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def app_processes(database_url: str, count: int) -> Iterator[list[str]]:
    """``count`` real uvicorn processes of the app on free ports, stopped (by pid) at the end."""
    env = os.environ | {
        "CENTRALE_ENVIRONMENT": "test",
        "CENTRALE_DATABASE_URL": database_url,
        "CENTRALE_PUBLIC_URL": PUBLIC,
        "CENTRALE_SCHEDULER_ENABLED": "false",
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
    }
    procs, urls = [], []
    for _ in range(count):
        port = _free_port()
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "web.app:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                env=env,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        for url in urls:
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{url} did not start"
                time.sleep(0.2)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)


async def test_same_message_sid_five_times_on_two_processes(pg_database: Database):
    async with pg_database.sessionmaker() as session:
        cond = await f.condominio(session)
        await f.assisted(session, cond, await f.person(session, await f.org(session)))
        await f.sentinel(session, cond, phone="+393330000101")
    params = fixture("inbound_sms")
    path = "/integrations/twilio/sms"
    headers = signed_headers(PUBLIC + path, params)
    with app_processes(pg_database.url, 2) as (first, second):
        async with httpx.AsyncClient(timeout=30) as http:
            answers = await asyncio.gather(
                *(
                    http.post(base + path, data=params, headers=headers)
                    for base in (first, second, first, second, first)
                )
            )
    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1  # everyone got the same receipt
    async with pg_database.sessionmaker() as session:
        assert (await session.exec(select(func.count()).select_from(InboundSms))).one() == 1
        assert (await session.exec(select(func.count()).select_from(Alert))).one() == 1
