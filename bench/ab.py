"""Two or more settings of the app compared at fixed webhook rates, in turn, in the same run.

Run: ``python -m bench.ab [--rates 500,650] [--rounds 2] [--duration 5] [VARIANT=ENV ...]``, where each
variant is a name and ``CENTRALE_*`` settings, e.g. ``one=CENTRALE_INBOUND_BATCH=1 grouped=CENTRALE_INBOUND_BATCH=32``
(settings of one variant separated by commas). Default: the group commit off and on. Each round starts
every variant afresh on the same scratch PostgreSQL database and Redis, warms it up and loads it at
each rate; the variants take turns, so the machine's drift falls on all of them alike. Prints one line
per run and the median over rounds of p99 and of server CPU per request; writes ``bench/results/ab-*.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import Context, load
from bench.procs import RedisServer, ScratchPostgres, Server
from bench.seed import prepare
from bench.webhook import measured

RESULTS = Path(__file__).parent / "results"
DEFAULT = ["one-by-one=CENTRALE_INBOUND_BATCH=1", "grouped=CENTRALE_INBOUND_BATCH=32"]


def variants(specs: list[str]) -> dict[str, dict[str, str]]:
    """``name=KEY=value,KEY=value`` specs as {name: environment}."""
    out: dict[str, dict[str, str]] = {}
    for spec in specs:
        name, _, settings = spec.partition("=")
        out[name] = dict(item.split("=", 1) for item in settings.split(",") if item)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab")
    parser.add_argument("variants", nargs="*", default=DEFAULT)
    parser.add_argument("--rates", default="500,650")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument(
        "--pg-server",
        default=os.environ.get("CENTRALE_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    ctx = Context(quick=False, runs=1, duration=args.duration, pg_server=args.pg_server)
    pg = ScratchPostgres(args.pg_server, name="centrale_bench_ab").create()
    redis = RedisServer().start()
    runs: dict[str, list[dict[str, Any]]] = {}
    try:
        senders = asyncio.run(prepare(pg.url))
        env = ctx.app_env(pg.url, redis_url=redis.url)
        for n in range(args.rounds):
            for name, extra in variants(args.variants).items():
                server = Server("web.app:create_app", {**env, **extra}, log=ctx.log(f"ab-{name}")).start()
                try:
                    load(server.url, rate=100.0, duration=3.0, senders=senders)  # warm-up, not counted
                    for rate in rates:
                        run = measured(server, rate, args.duration, senders) | {"round": n, "rate": rate}
                        runs.setdefault(f"{name} @ {rate:g}/s", []).append(run)
                        lat = run["latency_ms"]
                        print(
                            f"round {n} {name:>12} {rate:6.0f}/s: p50 {lat['p50']:7.1f} ms, p99 {lat['p99']:7.1f} ms, "
                            f"served {run['throughput']:5.0f}/s, {run['ok']}/{run['sent']} 2xx, "
                            f"CPU {run['cpu_ms_per_request'] or 0:.2f} ms/request",
                            flush=True,
                        )
                finally:
                    server.stop()
    finally:
        redis.cleanup()
        pg.drop()
    print("\n| variant | p99 ms (median of rounds) | p99 ms (each round) | server CPU ms / request (median) |")
    print("|---|---:|---|---:|")
    for key, items in runs.items():
        p99 = [r["latency_ms"]["p99"] for r in items]
        cpu = statistics.median(r["cpu_ms_per_request"] or 0.0 for r in items)
        each = ", ".join(f"{v:.1f}" for v in p99)
        print(f"| {key} | {statistics.median(p99):.1f} | {each} | {cpu:.2f} |")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"ab-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"variants": variants(args.variants), "rates": rates, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
