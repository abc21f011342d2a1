"""Three engines in separate processes: each notification exactly once, none after an acknowledgement."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import col, func, select

from alerts.escalation.models import EscalationPolicy
from alerts.escalation.service import snapshot
from alerts.models import Alert, AlertSource, AlertState, Channel, DeliveryState, Notification, Severity
from alerts.service import acknowledge
from centrale.clock import utcnow
from centrale.db import Database
from centrale.events.service import commit
from tests.alerts.escalation.helpers import district, three_step_policy

pytestmark = [pytest.mark.postgres_only, pytest.mark.fault]
ROOT = Path(__file__).resolve().parents[3]


async def _alerts(database: Database, n: int) -> list[int]:
    """n alerts due now, each with the three-step policy (SMS to tutor, coordinatore, PUA) and no waits."""
    async with database.sessionmaker() as session:
        d = await district(session)
        policy_id = await three_step_policy(session)
        policy = await session.get(EscalationPolicy, policy_id)
        assert policy is not None
        for step in policy.steps:  # SMS only, no waits: the test is about claims and keys, not time
            step["wait_minutes"] = 0
            step["channels"] = ["SMS"]
        snap = snapshot(policy)
        now = utcnow()
        rows = [
            dict(
                source=AlertSource.CHECKIN_MANCATO,
                severity=Severity.ALTA,
                summary="Prova",
                person_id=d.person.id,
                state=AlertState.NUOVA,
                policy_id=policy_id,
                policy_snapshot=snap,
                next_step_at=now,
                opened_at=now,
                last_report_at=now,
                building_level=False,
                report_count=1,
                escalation_round=1,
                next_step_index=0,
            )
            for _ in range(n)
        ]
        await session.exec(insert(Alert).values(rows))  # type: ignore[call-overload]
        await commit(session)
        return list((await session.exec(select(col(Alert.id)))).all())  # type: ignore[arg-type]


def _engines(tmp: Path, names: list[str], lease: float) -> list[subprocess.Popen[bytes]]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    url = os.environ.get("CENTRALE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/centrale_test")
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.alerts.escalation.engine_worker",
                url,
                name,
                str(lease),
                str(tmp / "sent.log"),
                str(tmp / "stop"),
            ],
            cwd=ROOT,
            env=env,
        )
        for name in names
    ]


async def _until_done(database: Database, seconds: float) -> None:
    for _ in range(int(seconds / 0.2)):
        async with database.sessionmaker() as s:
            due = (
                await s.exec(
                    select(func.count())
                    .select_from(Alert)
                    .where(col(Alert.state) == AlertState.NUOVA, col(Alert.next_step_at).is_not(None))
                )
            ).one()
            waiting = (
                await s.exec(
                    select(func.count())
                    .select_from(Notification)
                    .where(col(Notification.state) == DeliveryState.IN_ATTESA)
                )
            ).one()
        if due == 0 and waiting == 0:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"escalation not finished: {due} alerts due, {waiting} SMS waiting")


async def _check(database: Database, tmp: Path, acked: set[int]) -> None:
    sends = Counter(line.split()[0] for line in (tmp / "sent.log").read_text().splitlines())
    assert sends and max(sends.values()) == 1, "an SMS was sent twice"
    async with database.sessionmaker() as s:
        alerts = {a.id: a for a in (await s.exec(select(Alert))).all()}
        notifications = (await s.exec(select(Notification))).all()
    keys = Counter((n.alert_id, n.escalation_round, n.step_index, n.recipient, n.channel) for n in notifications)
    assert max(keys.values()) == 1
    sent = [n for n in notifications if n.channel == Channel.SMS and n.state == DeliveryState.INVIATA]
    assert {n.key for n in sent} == set(sends)  # every send recorded, every record sent once
    for n in notifications:
        alert = alerts[n.alert_id]
        if alert.acknowledged_at is not None and n.sent_at is not None:
            assert n.sent_at <= alert.acknowledged_at, "a notification went out after the acknowledgement"
    for alert_id, alert in alerts.items():
        if alert_id not in acked:  # no step left unrun: three steps, one SMS each
            assert alert.next_step_index == 3
            assert sum(1 for n in sent if n.alert_id == alert_id) == 3


async def _ack_randomly(database: Database, ids: list[int], count: int) -> set[int]:
    rng = random.Random(7)
    acked: set[int] = set()
    for alert_id in rng.sample(ids, count):
        async with database.sessionmaker() as s:
            try:
                await acknowledge(s, alert_id=alert_id, operator_id=None)
                await commit(s)
                acked.add(alert_id)
            except Exception:  # already acknowledged or past the end: fine
                await s.rollback()
        await asyncio.sleep(0.001)
    return acked


async def _ready(tmp: Path, names: list[str]) -> None:
    for _ in range(200):
        if all((tmp / f"stop.{n}.ready").exists() for n in names):
            return
        await asyncio.sleep(0.05)


async def test_three_engines_two_thousand_alerts_exactly_once(pg_database: Database, tmp_path: Path):
    ids = await _alerts(pg_database, 2000)
    names = ["uno", "due", "tre"]
    engines = _engines(tmp_path, names, lease=10)
    try:
        await _ready(tmp_path, names)
        acked = await _ack_randomly(pg_database, ids, 400)
        await _until_done(pg_database, 240)
    finally:
        (tmp_path / "stop").touch()
        for p in engines:
            p.wait(timeout=20)
    # with the long lease, the acknowledgement timeout is far away: acked alerts stay acknowledged
    await _check(pg_database, tmp_path, acked)


async def test_engine_killed_mid_run_is_finished_by_the_others(pg_database: Database, tmp_path: Path):
    await _alerts(pg_database, 300)
    names = ["uno", "due", "tre"]
    engines = _engines(tmp_path, names, lease=2)
    try:
        await _ready(tmp_path, names)
        for _ in range(100):  # wait until the victim has sent something: it is mid-run
            log = tmp_path / "sent.log"
            if log.exists() and " uno" in log.read_text():
                break
            await asyncio.sleep(0.02)
        engines[0].send_signal(signal.SIGKILL)
        engines[0].wait(timeout=10)
        await _until_done(pg_database, 60)
    finally:
        (tmp_path / "stop").touch()
        for p in engines[1:]:
            p.wait(timeout=20)
    async with pg_database.sessionmaker() as s:
        stuck = (
            await s.exec(
                select(func.count()).select_from(Notification).where(col(Notification.state) == DeliveryState.IN_INVIO)
            )
        ).one()
    # an SMS claimed by the killed engine at the very instant of death is not re-sent blindly
    assert stuck <= 1
    sends = Counter(line.split()[0] for line in (tmp_path / "sent.log").read_text().splitlines())
    assert max(sends.values()) == 1
    async with pg_database.sessionmaker() as s:
        unrun = (await s.exec(select(func.count()).select_from(Alert).where(col(Alert.next_step_index) < 3))).one()
    assert unrun == 0
