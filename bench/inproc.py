"""CPU per SMS webhook in-process: the app driven directly through ASGI, one signed request after another.

Run: ``python -m bench.inproc [--count 3000] [--rounds 2] [--no-redis] [--concurrency 1]``. No sockets, no
load generator, no other process on the app's core: the figure is the app's own CPU per webhook (HTTP parsing by uvicorn
excluded), steadier than a load run's, for comparing two versions of the code (run it on each, in
turn, more than once). The database is a scratch PostgreSQL one seeded like the webhook scenario; Redis
a private server unless ``--no-redis``. The bodies are the load generator's (check-in words and
reports). With ``--concurrency K``, K requests are in flight at a time, as under load, so that messages
arriving together share a transaction (``CENTRALE_INBOUND_BATCH`` bounds how many; 1 turns that off).
Writes ``bench/results/inproc-*.json``.
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

from bench.common import AUTH_TOKEN, PUBLIC_URL
from bench.loadgen import BODIES, PATH, signed_forms
from bench.procs import RedisServer, ScratchPostgres
from bench.seed import prepare

RESULTS = Path(__file__).parent / "results"


def _signed(count: int, senders: list[str], run: str) -> list[tuple[bytes, bytes]]:
    forms = signed_forms(count=count, token=AUTH_TOKEN, public_url=PUBLIC_URL, senders=senders, run=run, bodies=BODIES)
    return [(signature.encode(), body) for _sid, signature, body in forms]


async def _post(app: Any, signature: bytes, body: bytes) -> int:
    headers = [
        (b"host", b"centrale.bench.invalid"),
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"x-twilio-signature", signature),
        (b"content-length", str(len(body)).encode()),
        (b"x-forwarded-proto", b"https"),
    ]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": PATH, "raw_path": PATH.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip
    sent = False
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the request has no more body; a disconnect never comes
        return {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def _all(app: Any, requests: list[tuple[bytes, bytes]], concurrency: int) -> None:
    """Every request answered 200, ``concurrency`` of them in flight at a time."""
    pending = iter(requests)

    async def worker() -> None:
        for signature, body in pending:
            status = await _post(app, signature, body)
            if status != 200:
                raise RuntimeError(f"the webhook answered {status}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def measure(url: str, redis_url: str | None, *, count: int, rounds: int, concurrency: int = 1) -> list[float]:
    senders = await prepare(url)
    os.environ.update(
        {
            "CENTRALE_ENVIRONMENT": "production",
            "CENTRALE_DATABASE_URL": url,
            "CENTRALE_PUBLIC_URL": PUBLIC_URL,
            "CENTRALE_SECRET_KEY": "bench-inproc-" + "x" * 32,
            "CENTRALE_SMS_BACKEND": "console",
            "CENTRALE_SCHEDULER_ENABLED": "false",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        }
    )
    if redis_url:
        os.environ["CENTRALE_REDIS_URL"] = redis_url
    from web.app import create_app  # after the environment: the settings are read from it

    app = create_app()
    cpu_ms = []
    async with app.router.lifespan_context(app):
        for signature, body in _signed(300, senders, "warm-up"):  # statements prepared, caches filled
            assert await _post(app, signature, body) == 200
        for n in range(rounds):
            requests = _signed(count, senders, f"round-{n}")
            started = time.process_time()
            await _all(app, requests, concurrency)
            cpu_ms.append((time.process_time() - started) / count * 1000)
    return cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inproc")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at a time")
    parser.add_argument(
        "--pg-server",
        default=os.environ.get("CENTRALE_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    pg = ScratchPostgres(args.pg_server, name="centrale_bench_inproc").create()
    redis = None if args.no_redis else RedisServer().start()
    try:
        import uvloop

        rounds = uvloop.run(
            measure(
                pg.url, redis.url if redis else None, count=args.count, rounds=args.rounds, concurrency=args.concurrency
            )
        )
    finally:
        if redis:
            redis.cleanup()
        pg.drop()
    each = ", ".join(f"{r:.3f}" for r in rounds)
    print(f"CPU per webhook, in-process: median {statistics.median(rounds):.3f} ms (rounds: {each})")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"inproc-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "count": args.count,
                "redis": redis is not None,
                "concurrency": args.concurrency,
                "inbound_batch": os.environ.get("CENTRALE_INBOUND_BATCH"),
                "cpu_ms": rounds,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
