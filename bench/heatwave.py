"""Heat-wave scenario: a check-in campaign to N at-risk persons over three instances (PostgreSQL + Redis),
Twilio's REST API replaced by the local fake of ``bench/faketwilio.py``.

The heat level is raised through the API; every at-risk schedule's dense rule falls due at the same minute,
and the instances send the campaign spread over ``persons / rate`` seconds at the shared provider rate. The
fake Twilio records every send's arrival, posts the status callbacks, and has 80 % of the persons answer
"OK" (signed webhooks) within ``reply_within`` seconds; the others' reply windows (5 minutes, the shortest a
schedule takes: the time compression of the run) close and raise their missed-reply alerts.

Measured: campaign duration (first to last check-in arrival at the fake) against persons / rate; the most
sends that arrived in any one second, summed over the instances; the webhook latency of the replies and of
the status callbacks during the flood (open loop, from each one's scheduled time); each missed-reply alert's
lateness after its own window closed; check-ins lost (never sent) or doubled, alerts missing or doubled;
the instances' CPU per message.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel import col, select

from alerts.checkins.models import CheckinSchedule
from alerts.checkins.service import next_due
from bench.board import sign_in
from bench.common import AUTH_TOKEN, PUBLIC_URL, Context
from bench.procs import PYTHON, ROOT, RedisServer, ScratchPostgres, Server, cpu_seconds, free_port, stop
from bench.seed import prepare
from bench.stats import summary
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.service import commit
from centrale.organisations.models import MUNICIPI, Organisation
from centrale.persons.models import Person, Sesso

PHONE = "+39345{:07d}"
PREFIX = "+39345"
ACCOUNT = "AC" + "0" * 32
WINDOW_MINUTES = 5


async def _seed(url: str, persons: int, at: datetime) -> None:
    """``persons`` at-risk persons over the 15 municipi, each with a schedule whose dense rule falls at ``at``."""
    local = at.astimezone(ROME)
    dense = f"FREQ=DAILY;BYHOUR={local.hour};BYMINUTE={local.minute};BYSECOND=0"
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            org = (await session.exec(select(col(Organisation.id)))).first()
            assert org is not None
            now = datetime.now(UTC)
            for start in range(0, persons, 2000):
                people = [
                    Person(
                        codice_fiscale=f"HEAT{n:012d}",
                        cognome=f"Caldo{n}",
                        nome="Anna",
                        sesso=Sesso.F,
                        data_nascita=date(1938, 1, 1) + timedelta(days=n % 3000),
                        municipio=MUNICIPI[n % len(MUNICIPI)],
                        telefoni=[PHONE.format(n)],
                        registered_by_org_id=org,
                    )
                    for n in range(start, min(persons, start + 2000))
                ]
                session.add_all(people)
                await session.flush()
                for n, person in zip(range(start, start + len(people)), people, strict=True):
                    schedule = CheckinSchedule(
                        person_id=person.id,
                        phone=PHONE.format(n),
                        rrule="FREQ=WEEKLY;BYDAY=SU;BYHOUR=3",
                        dense_rrule=dense,
                        at_risk=True,
                        window_minutes=WINDOW_MINUTES,
                        created_at=now,
                    )
                    schedule.next_at = next_due(schedule, 0, now)
                    session.add(schedule)
                await commit(session)
    finally:
        await database.dispose()


async def _set_minute(url: str, at: datetime) -> None:
    local = at.astimezone(ROME)
    database = Database(url)
    try:
        async with database.engine.begin() as conn:
            await conn.execute(
                text("UPDATE checkin_schedule SET dense_rrule = :rule"),
                {"rule": f"FREQ=DAILY;BYHOUR={local.hour};BYMINUTE={local.minute};BYSECOND=0"},
            )
    finally:
        await database.dispose()


async def _outcome(url: str) -> dict[str, Any]:
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            states = dict(
                (await conn.execute(text("SELECT state, count(*) FROM checkin_request GROUP BY state"))).all()
            )
            late = (
                await conn.execute(
                    text(
                        "SELECT extract(epoch FROM a.opened_at - r.window_ends_at) FROM checkin_request r "
                        "JOIN alert a ON a.id = r.alert_id WHERE r.state = 'MANCATO'"
                    )
                )
            ).all()
            alerts = (
                await conn.execute(
                    text("SELECT count(*), count(DISTINCT person_id) FROM alert WHERE source = 'CHECKIN_MANCATO'")
                )
            ).one()
            unsent = (
                await conn.execute(text("SELECT count(*) FROM checkin_request WHERE sent_at IS NULL"))
            ).scalar_one()
        return {
            "states": {str(k): int(v) for k, v in states.items()},
            "lateness_s": [float(r[0]) for r in late],
            "alerts": int(alerts[0]),
            "alerted_persons": int(alerts[1]),
            "unsent": int(unsent),
        }
    finally:
        await database.dispose()


def _heat(url: str, token: str, level: int) -> None:
    answer = httpx.put(
        url + "/api/v1/ondata-calore", json={"level": level}, headers={"Authorization": f"Bearer {token}"}
    )
    answer.raise_for_status()


def scenario(
    ctx: Context, *, persons: int | None = None, rate: float = 100.0, reply_within: float | None = None
) -> dict[str, Any]:
    persons = persons or int(os.environ.get("BENCH_HEAT_PERSONS", 200 if ctx.quick else 2000))
    rate = float(os.environ.get("BENCH_HEAT_RATE", rate))
    reply_within = reply_within or float(os.environ.get("BENCH_HEAT_REPLY_WITHIN", 0.8 * WINDOW_MINUTES * 60))
    spread = math.ceil(persons / rate)
    pg = ScratchPostgres(ctx.pg_server, name="centrale_bench_heatwave").create()
    redis = RedisServer().start()
    fake_port = free_port()
    out = ctx.workdir / "faketwilio.json"
    apps: list[Server] = []
    fake: subprocess.Popen[bytes] | None = None
    result: dict[str, Any] = {"persons": persons, "rate": rate, "spread_s": spread, "reply_within_s": reply_within}
    try:
        asyncio.run(prepare(pg.url, sentinels=0))
        asyncio.run(_seed(pg.url, persons, datetime.now(UTC) - timedelta(hours=1)))  # the minute is set below
        env = ctx.app_env(pg.url, redis_url=redis.url) | {
            "CENTRALE_SMS_BACKEND": "twilio",
            "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32,
            "CENTRALE_SMS_PER_SECOND": str(rate),
            "CENTRALE_CHECKIN_SPREAD_SECONDS": str(spread),
            "CENTRALE_BENCH_TWILIO_URL": f"http://127.0.0.1:{fake_port}",
        }
        apps = [Server("bench.heatapp:create_app", env, log=ctx.log(f"heat-app{i}")) for i in range(3)]
        # the fake outlives the windows by a margin: its bound, not the campaign's timing
        max_seconds = 300 + spread + WINDOW_MINUTES * 60 + 600
        config = {
            "port": fake_port,
            "token": AUTH_TOKEN,
            "public_url": PUBLIC_URL,
            "account": ACCOUNT,
            "instances": [a.url for a in apps],
            "reply_share": 0.8,
            "reply_within": reply_within,
            "reply_prefix": PREFIX,
            "out": str(out),
            "max_seconds": max_seconds,
        }
        fake = subprocess.Popen([PYTHON, "-m", "bench.faketwilio", json.dumps(config)], cwd=ROOT)
        for app in apps:
            app.start()
        token = sign_in(apps[0].url)
        # the campaign at the next whole minute at least 40 s away: every dense rule falls due then
        start_at = (datetime.now(UTC) + timedelta(seconds=100)).replace(second=0, microsecond=0)
        asyncio.run(_set_minute(pg.url, start_at))
        _heat(apps[0].url, token, 3)
        window_close = start_at + timedelta(seconds=spread + WINDOW_MINUTES * 60 + 90)
        cpu0 = sum(cpu_seconds(a.pid) for a in apps)
        print(
            f"heatwave: {persons} persons, campaign at {start_at:%H:%M:%S} UTC,"
            f" windows closed by {window_close:%H:%M:%S}",
            flush=True,
        )
        while datetime.now(UTC) < window_close:
            time.sleep(5)
        deadline = time.monotonic() + 300  # then until every window closed and was dealt with
        while time.monotonic() < deadline:
            outcome = asyncio.run(_outcome(pg.url))
            if outcome["states"].get("IN_ATTESA", 0) == 0 and sum(outcome["states"].values()) >= persons:
                break
            time.sleep(5)
        cpu1 = sum(cpu_seconds(a.pid) for a in apps)
        stop(fake, timeout=30)
        fake = None
        record = json.loads(out.read_text())
        checkins = [(at, to) for at, to, _sid in record["sends"] if to.startswith(PREFIX)]
        per_number = Counter(to for _at, to in checkins)
        arrivals = sorted(at for at, _to, _sid in record["sends"])
        per_second = Counter(int(at) for at in arrivals)
        duration = max(a for a, _ in checkins) - min(a for a, _ in checkins) if checkins else None
        replies_ok = [r for r in record["replies"] if r["status"] == 200]
        outcome = asyncio.run(_outcome(pg.url))
        result |= {
            "sends": len(record["sends"]),
            "checkins_sent": len(checkins),
            "campaign_s": duration,
            "ideal_s": persons / rate,
            "campaign_over_ideal": duration / (persons / rate) if duration else None,
            "max_sends_in_one_second": max(per_second.values()) if per_second else 0,
            "lost": persons - len(per_number),
            "doubled": sum(c - 1 for c in per_number.values() if c > 1),
            "replies": len(record["replies"]),
            "replies_failed": len(record["replies"]) - len(replies_ok),
            "reply_webhook_ms": summary([r["ms"] for r in replies_ok]),
            "status_webhook_ms": summary([s["ms"] for s in record["statuses"] if s["status"] == 200]),
            "status_failed": sum(1 for s in record["statuses"] if s["status"] != 200),
            "missed": outcome["states"].get("MANCATO", 0),
            "answered": outcome["states"].get("RISPOSTO", 0),
            "still_waiting": outcome["states"].get("IN_ATTESA", 0),
            "unsent": outcome["unsent"],
            "missed_alerts": outcome["alerts"],
            "missed_alert_persons": outcome["alerted_persons"],
            "lateness_s": summary(outcome["lateness_s"]),
            "instances_cpu_s": cpu1 - cpu0,
            "cpu_ms_per_message": (cpu1 - cpu0)
            * 1000
            / max(1, len(record["sends"]) + len(record["replies"]) + len(record["statuses"])),
        }
        print(json.dumps(result), flush=True)
        return result
    finally:
        if fake is not None:
            stop(fake)
        for a in apps:
            a.stop()
        redis.cleanup()
        pg.drop()
