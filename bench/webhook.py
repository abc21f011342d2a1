"""Webhook scenarios: latency at fixed rates, the highest rate held with p99 < 100 ms, and the baseline."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.common import Context, load
from bench.procs import RedisServer, ScratchPostgres, Server, cpu_seconds
from bench.seed import count_rows, prepare
from bench.stats import over_runs

P99_LIMIT_MS = 100.0


def _rates(ctx: Context) -> list[float]:
    return [50.0, 200.0] if ctx.quick else [50.0, 200.0, 500.0]


def quiet(server: Server, *, limit: float = 90.0) -> float:
    """Wait until the server has finished the work a previous overload left (requests the client gave up on)."""
    start = time.monotonic()
    last = cpu_seconds(server.pid)
    while time.monotonic() - start < limit:
        time.sleep(0.5)
        now = cpu_seconds(server.pid)
        if now - last < 0.05:  # under 10 % of a core: idle apart from its scheduler tick
            break
        last = now
    return time.monotonic() - start


def measured(server: Server, rate: float, duration: float, senders: list[str]) -> dict[str, Any]:
    """One load run, with the server's CPU time per answered request (robust to a noisy machine)."""
    quiet(server)
    before = cpu_seconds(server.pid)
    run = load(server.url, rate=rate, duration=duration, senders=senders)
    used = cpu_seconds(server.pid) - before
    run["server_cpu_s"] = used
    run["cpu_ms_per_request"] = 1000.0 * used / run["ok"] if run["ok"] else None
    return run


def at_rates(ctx: Context, server: Server, senders: list[str], rates: list[float]) -> list[dict[str, Any]]:
    """``ctx.runs`` runs at each rate: per-run summaries and their median / worst across runs."""
    rows = []
    # warm-up, not counted: imports, the connection pool filled, statements prepared on its connections
    load(server.url, rate=100.0, duration=3.0, senders=senders)
    for rate in rates:
        runs = [measured(server, rate, ctx.duration, senders) for _ in range(ctx.runs)]
        lat = [r["latency_ms"] for r in runs]
        rows.append(
            {
                "rate": rate,
                "runs": runs,
                "p50_ms": over_runs(lat, "p50"),
                "p99_ms": over_runs(lat, "p99"),
                "errors": sum(r["sent"] - r["ok"] for r in runs),
                "sent": sum(r["sent"] for r in runs),
                "cpu_ms_per_request": over_runs(runs, "cpu_ms_per_request"),
            }
        )
    return rows


def _holds(runs: list[dict[str, Any]], rate: float) -> bool:
    """Every answer 2xx, median-over-runs p99 under the limit, and the rate actually served."""
    p99 = over_runs([r["latency_ms"] for r in runs], "p99")["median"]
    served = min(r["throughput"] for r in runs)
    return all(r["ok"] == r["sent"] for r in runs) and p99 is not None and p99 < P99_LIMIT_MS and served >= 0.95 * rate


BISECTIONS = 2  # after the first step that fails: halve the gap (geometrically) this many times


def max_sustained(ctx: Context, server: Server, senders: list[str]) -> dict[str, Any]:
    """Raise the rate by 40 % steps from 25/s until p99 crosses 100 ms or errors appear, then narrow the
    gap between the last rate that held and the first that did not by bisection; the highest that held."""
    rate, best, failed, steps = 25.0, 0.0, None, []
    limit = 800.0 if ctx.quick else 10000.0  # above what one core answers, so the edge is found
    runs_per_step = 1 if ctx.quick else max(2, ctx.runs - 2)

    def step(at: float) -> bool:
        runs = [measured(server, at, ctx.duration, senders) for _ in range(runs_per_step)]
        ok = _holds(runs, at)
        steps.append(
            {
                "rate": at,
                "holds": ok,
                "p99_ms": over_runs([r["latency_ms"] for r in runs], "p99"),
                "throughput": min(r["throughput"] for r in runs),
                "ok": sum(r["ok"] for r in runs),
            }
        )
        return ok

    while rate <= limit:
        if not step(rate):
            failed = rate
            break
        best, rate = rate, round(rate * 1.4)
    if failed is not None and best > 0 and not ctx.quick:
        for _ in range(BISECTIONS):
            middle = float(round((best * failed) ** 0.5))
            if middle in (round(best), round(failed)):
                break
            if step(middle):
                best = middle
            else:
                failed = middle
    return {"max_rate": best, "steps": steps}


def scenario(ctx: Context, backend: str, *, workers: int = 1) -> dict[str, Any]:
    """Baseline and our webhook on one instance of ``backend`` (sqlite, or postgresql with Redis).

    ``workers``: uvicorn worker processes behind the instance's one port, for both servers alike.
    """
    redis = None
    pg = None
    result: dict[str, Any] = {"backend": backend, "workers": workers}
    try:
        if backend == "postgresql":
            pg = ScratchPostgres(ctx.pg_server).create()
            redis = RedisServer().start()
            db_url, redis_url = pg.url, redis.url
        else:
            db_url, redis_url = ctx.sqlite_url(), None
        senders = asyncio.run(prepare(db_url))
        env = ctx.app_env(db_url, redis_url=redis_url)
        base = Server("bench.baseline:create_app", env, log=ctx.log("baseline"), workers=workers).start()
        try:
            result["baseline"] = {"rates": at_rates(ctx, base, senders, _rates(ctx))}
            result["baseline"]["max"] = max_sustained(ctx, base, senders)
        finally:
            base.stop()
        app = Server("web.app:create_app", env, log=ctx.log(f"app-{backend}"), workers=workers).start()
        try:
            result["app"] = {"rates": at_rates(ctx, app, senders, _rates(ctx))}
            result["app"]["max"] = max_sustained(ctx, app, senders)
        finally:
            app.stop()
        # every 2xx answer must be a stored message (timeouts may be stored too: Twilio would retry them)
        result["answered_2xx"] = sum(r["ok"] for row in result["app"]["rates"] for r in row["runs"]) + sum(
            s["ok"] for s in result["app"]["max"]["steps"]
        )
        result["stored_messages"] = asyncio.run(count_rows(db_url, "inbound_sms"))
        cpu_app = result["app"]["rates"][0]["cpu_ms_per_request"]["median"]
        cpu_base = result["baseline"]["rates"][0]["cpu_ms_per_request"]["median"]
        # CPU per request is the figure the noise of other processes moves least: capacity per core
        result["cpu_ratio"] = cpu_base / cpu_app if cpu_app and cpu_base else None
        base_max = result["baseline"]["max"]["max_rate"]
        result["ratio"] = result["app"]["max"]["max_rate"] / base_max if base_max else None
    finally:
        if redis is not None:
            redis.cleanup()
        if pg is not None:
            pg.drop()
    return result
