"""Screens scenario: N live websocket clients over two instances (PostgreSQL + Redis), 80 % tutors' phone
pages ("Le mie attività", signed in as a tutor: the hub sends each only what they may see) and 20 % boards
(the coordinator's whole district), in two client processes; SMS at a constant rate through the webhook.

Measured: SMS -> screen latency (each arrival on each client that was sent the event, from the SMS's
scheduled send time), the instances' RSS growth per connected idle client and the client processes' own.
``BENCH_SCREENS_CLIENTS`` sets N (default 500; the full scale is 5,000).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

import httpx

from bench.board import _sid_of_entity, start_clients, wait_ready
from bench.common import Context, load
from bench.procs import RedisServer, ScratchPostgres, Server, rss_kib
from bench.seed import prepare
from bench.stats import percentile, summary
from centrale.demo import DEMO_PASSWORD


def _token(url: str, username: str) -> str:
    answer = httpx.post(url + "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def scenario(ctx: Context) -> dict[str, Any]:
    clients = int(os.environ.get("BENCH_SCREENS_CLIENTS", 100 if ctx.quick else 500))
    phones, boards = round(clients * 0.8), clients - round(clients * 0.8)
    rate = 5.0
    pg = ScratchPostgres(ctx.pg_server, name="centrale_bench_screens").create()
    redis = RedisServer().start()
    apps: list[Server] = []
    result: dict[str, Any] = {"clients": clients, "phone_pages": phones, "boards": boards, "rate": rate, "runs": []}
    try:
        senders = asyncio.run(prepare(pg.url))
        env = ctx.app_env(pg.url, redis_url=redis.url)
        apps = [Server("web.app:create_app", env, log=ctx.log(f"screens-app{i}")).start() for i in range(2)]
        urls = [a.url for a in apps]
        tutor, coordinator = _token(urls[0], "tutor1"), _token(urls[0], "coordinatore")
        for run in range(ctx.runs):
            rss0 = [rss_kib(a.pid) for a in apps]
            # each process listens this long from its own "ready": long enough for the slower one to connect too
            seconds = ctx.duration + 90
            started = [
                start_clients(ctx, urls, clients=phones, seconds=seconds, token=tutor, kinds=["sms.received"]),
                start_clients(ctx, urls, clients=boards, seconds=seconds, token=coordinator, kinds=["sms.received"]),
            ]
            connected = [wait_ready(proc, ready, timeout=600) for proc, ready, _out in started]
            time.sleep(3.0)  # snapshots sent, clients idle
            rss1 = [rss_kib(a.pid) for a in apps]
            sent = load(urls[run % 2], rate=rate, duration=ctx.duration, senders=senders, detail=True)
            infos = [json.loads(proc.communicate(timeout=ctx.duration + 240)[0]) for proc, _r, _o in started]
            sid_of = asyncio.run(_sid_of_entity(pg.url))
            scheduled = {d["sid"]: d["at"] for d in sent["detail"] if 200 <= d["status"] < 300}
            lat_ms: dict[str, list[float]] = {"phone": [], "board": []}
            for kind, (_proc, _ready, out) in zip(("phone", "board"), started, strict=True):
                for entity, times in json.loads(out.read_text()).items():
                    at = scheduled.get(sid_of.get(entity, ""))
                    if at is not None:
                        lat_ms[kind] += [(t - at) * 1000.0 for t in times]
            total = sum(connected)
            result["runs"].append(
                {
                    "connected": connected,
                    "sms_ok": len(scheduled),
                    "latency_ms": summary(lat_ms["phone"] + lat_ms["board"]),
                    "phone_latency_ms": summary(lat_ms["phone"]),
                    "board_latency_ms": summary(lat_ms["board"]),
                    "board_deliveries_missing": len(scheduled) * connected[1] - len(lat_ms["board"]),
                    "webhook_ms": sent["latency_ms"],
                    "server_rss_delta_kib_per_client": (sum(rss1) - sum(rss0)) / max(1, total),
                    "client_rss_kib_per_client": sum(
                        i["client_rss_kib_connected"] - i["client_rss_kib_before"] for i in infos
                    )
                    / max(1, total),
                    "connect_s": max(i["connect_s"] for i in infos),
                }
            )
            print(f"screens run {run}: {json.dumps(result['runs'][-1])}", flush=True)
        result["p99_ms_median_of_runs"] = percentile([r["latency_ms"]["p99"] or 0 for r in result["runs"]], 50)
        result["server_kib_per_idle_client"] = percentile(
            [r["server_rss_delta_kib_per_client"] for r in result["runs"]], 50
        )
        return result
    finally:
        for a in apps:
            a.stop()
        redis.cleanup()
        pg.drop()
