"""Board scenarios: SMS -> board latency over two instances, idle memory per client, snapshot time."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bench import bulk
from bench.common import PUBLIC_URL, Context, load
from bench.procs import PYTHON, ROOT, RedisServer, ScratchPostgres, Server, rss_kib
from bench.seed import prepare
from bench.stats import percentile, summary
from centrale.db import Database
from centrale.demo import DEMO_PASSWORD


def sign_in(url: str) -> str:
    """The coordinator's session token (the cookie the board page would carry)."""
    answer = httpx.post(url + "/api/v1/auth/login", json={"username": "coordinatore", "password": DEMO_PASSWORD})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def start_clients(ctx: Context, urls: list[str], *, clients: int, seconds: float, token: str, **extra: Any):  # type: ignore[no-untyped-def]
    """The board clients' process, started; returns it with its ready and arrivals files."""
    ready = ctx.workdir / f"ready-{time.monotonic_ns()}"
    out = ctx.workdir / f"arrivals-{time.monotonic_ns()}.json"
    cfg = {"urls": urls, "clients": clients, "cookie": token, "origin": PUBLIC_URL, "seconds": seconds}
    cfg |= {"ready_file": str(ready), "out": str(out), **extra}
    proc = subprocess.Popen(
        [PYTHON, "-m", "bench.boardclients", json.dumps(cfg)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    return proc, ready, out


def wait_ready(proc: subprocess.Popen[bytes], ready: Path, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready.exists() and (text := ready.read_text()):
            return int(text)
        if proc.poll() is not None:
            raise RuntimeError(f"board clients exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
        time.sleep(0.2)
    proc.kill()
    raise TimeoutError("board clients did not connect in time")


async def _sid_of_entity(url: str) -> dict[str, str]:
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, message_sid FROM inbound_sms"))).all()
        return {str(r[0]): str(r[1]) for r in rows}
    finally:
        await database.dispose()


def latency(ctx: Context, backend: str = "postgresql") -> dict[str, Any]:
    """N board clients; SMS at a constant rate; time until each client has each SMS.

    PostgreSQL: two instances and Redis. SQLite (the embedded default): one instance, in-process bus.
    """
    clients = 100 if ctx.quick else 1000
    # 1,000 boards x 5 SMS/s = 5,000 deliveries a second: on two shared cores the clients process alone
    # (1,000 sockets in one Python process) saturates near that, so a higher rate measures the harness
    rate = 5.0
    pg = ScratchPostgres(ctx.pg_server).create() if backend == "postgresql" else None
    redis = RedisServer().start() if pg else None
    instances = 2 if pg else 1
    db_url = pg.url if pg else ctx.sqlite_url("board.sqlite3")
    apps: list[Server] = []
    result: dict[str, Any] = {"backend": backend, "clients": clients, "instances": instances, "rate": rate, "runs": []}
    try:
        senders = asyncio.run(prepare(db_url))
        env = ctx.app_env(db_url, redis_url=redis.url if redis else None)
        apps = [Server("web.app:create_app", env, log=ctx.log(f"board-app{i}")).start() for i in range(instances)]
        token = sign_in(apps[0].url)
        urls = [a.url for a in apps]
        for run in range(ctx.runs):
            rss0 = [rss_kib(a.pid) for a in apps]
            proc, ready, out = start_clients(
                ctx, urls, clients=clients, seconds=ctx.duration + 8, token=token, kinds=["sms.received"]
            )
            connected = wait_ready(proc, ready, timeout=300)
            time.sleep(2.0)  # settle: snapshots sent, queues drained, clients idle
            rss1 = [rss_kib(a.pid) for a in apps]
            sent = load(urls[run % len(urls)], rate=rate, duration=ctx.duration, senders=senders, detail=True)
            stdout, _ = proc.communicate(timeout=ctx.duration + 120)
            info = json.loads(stdout)
            arrivals: dict[str, list[float]] = json.loads(out.read_text())
            sid_of = asyncio.run(_sid_of_entity(db_url))
            scheduled = {d["sid"]: d["at"] for d in sent["detail"] if 200 <= d["status"] < 300}
            lat_ms: list[float] = []
            missing = 0
            for entity, times in arrivals.items():
                at = scheduled.get(sid_of.get(entity, ""))
                if at is not None:
                    lat_ms += [(t - at) * 1000.0 for t in times]
            expected = len(scheduled) * connected
            missing = expected - len(lat_ms)
            result["runs"].append(
                {
                    "connected": connected,
                    "sms_ok": len(scheduled),
                    "deliveries": len(lat_ms),
                    "missing": missing,
                    "latency_ms": summary(lat_ms),
                    "webhook_ms": sent["latency_ms"],
                    "server_rss_delta_kib_per_client": (sum(rss1) - sum(rss0)) / max(1, connected),
                    "client_rss_kib_per_client": (info["client_rss_kib_connected"] - info["client_rss_kib_before"])
                    / max(1, connected),
                    "connect_s": info["connect_s"],
                    "snapshot_ms": info["snapshot_ms"],
                }
            )
            print(f"board run {run}: {result['runs'][-1]['latency_ms']} missing {missing}", flush=True)
        p99s = [r["latency_ms"]["p99"] for r in result["runs"] if r["latency_ms"]["p99"] is not None]
        result["p99_ms_median_of_runs"] = percentile(p99s, 50)
        result["p50_ms_median_of_runs"] = percentile(
            [r["latency_ms"]["p50"] for r in result["runs"] if r["latency_ms"]["p50"] is not None], 50
        )
        result["server_kib_per_idle_client"] = percentile(
            [r["server_rss_delta_kib_per_client"] for r in result["runs"]], 50
        )
        return result
    finally:
        for a in apps:
            a.stop()
        if redis:
            redis.cleanup()
        if pg:
            pg.drop()


def snapshot(ctx: Context) -> dict[str, Any]:
    """One instance with 10,000 open alerts: how long from connect to the snapshot, one client at a time."""
    alerts = 1000 if ctx.quick else 10_000
    pg = ScratchPostgres(ctx.pg_server).create()
    app = None
    try:
        asyncio.run(prepare(pg.url))
        asyncio.run(bulk.open_alerts(pg.url, count=alerts))
        app = Server("web.app:create_app", ctx.app_env(pg.url), log=ctx.log("snapshot-app")).start()
        token = sign_in(app.url)
        samples = 5 if ctx.quick else 30
        proc, ready, _ = start_clients(ctx, [app.url], clients=samples, seconds=0.5, token=token, parallel_connects=1)
        wait_ready(proc, ready, timeout=600)
        stdout, _ = proc.communicate(timeout=120)
        info = json.loads(stdout)
        return {"open_alerts": alerts, "samples": samples, "snapshot_ms": info["snapshot_ms"]}
    finally:
        if app is not None:
            app.stop()
        pg.drop()
