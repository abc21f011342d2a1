"""Open-loop load generator for the SMS webhook, run in its own process.

Requests are scheduled at a constant arrival rate, whatever the server does; each latency is taken
from the request's scheduled send time to the end of its answer, so a slow server cannot hide its
queue by slowing the generator down (no coordinated omission). Every request is signed exactly as
Twilio signs it. The loop is bounded in count (rate x duration) and in time (duration + grace).

Run: ``python -m bench.loadgen '<json config>'``; prints one JSON object with the results.
Status 0 means no answer within the timeout (Twilio's is 15 s), -1 a connection refused or dropped.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

from bench.stats import summary

PATH = "/integrations/twilio/sms"
BODIES = ["OK", "ok grazie", "La signora del terzo piano non risponde al citofono", "Tutto bene", "AIUTO caduta scale"]


def twilio_params(*, sid: str, sender: str, to: str, body: str, account: str) -> dict[str, str]:
    """The form Twilio posts for an inbound SMS (the fields it always sends)."""
    return {
        "ToCountry": "IT",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "IT",
        "To": to,
        "MessagingServiceSid": "",
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": account,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def signed_forms(
    *, count: int, token: str, public_url: str, senders: list[str], run: str, bodies: list[str]
) -> list[tuple[str, str, bytes]]:
    """``count`` (MessageSid, X-Twilio-Signature, form body) triples, signed as Twilio signs them."""
    validator = RequestValidator(token)
    url = public_url.rstrip("/") + PATH
    out = []
    for i in range(count):
        sid = "SM" + uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{i}").hex
        params = twilio_params(
            sid=sid,
            sender=senders[i % len(senders)],
            to="+390600000000",
            body=bodies[i % len(bodies)],
            account="AC" + "0" * 32,
        )
        out.append((sid, validator.compute_signature(url, params), urlencode(params).encode()))
    return out


def signed_requests(
    *, count: int, token: str, public_url: str, host: str, senders: list[str], run: str, bodies: list[str]
) -> list[tuple[str, bytes]]:
    """``count`` (MessageSid, raw HTTP request) pairs, signed before the clock starts."""
    out = []
    forms = signed_forms(count=count, token=token, public_url=public_url, senders=senders, run=run, bodies=bodies)
    for sid, signature, body in forms:
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nUser-Agent: TwilioProxy/1.1\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        out.append((sid, head.encode() + body))
    return out


class Pool:
    """Keep-alive HTTP/1.1 connections to one server, at most ``size`` open."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.open = 0
        self.freed = asyncio.Condition()

    async def acquire(self, *, fresh: bool = False) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        async with self.freed:
            while not self.idle and self.open >= self.size:
                await self.freed.wait()
            while self.idle and not fresh:
                conn = self.idle.pop()
                # a server may close a kept-alive connection (uvicorn does after a 500): like an HTTP
                # client library, never reuse one that is already closed
                if not conn[0].at_eof() and not conn[1].is_closing():
                    return conn
                conn[1].close()
                self.open -= 1
            self.open += 1
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError:
            await self.discard(None)
            raise

    async def release(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        async with self.freed:
            self.idle.append(conn)
            self.freed.notify()

    async def discard(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
        if conn is not None:
            conn[1].close()
        async with self.freed:
            self.open -= 1
            self.freed.notify()

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _exchange(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], raw: bytes) -> tuple[int, bool]:
    reader, writer = conn
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, keep = 0, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and value.strip().lower() == "close":
            keep = False
    if length:
        await reader.readexactly(length)
    return status, keep


@dataclass
class Result:
    scheduled: list[float] = field(default_factory=list)  # wall-clock send times, per request index
    latency_ms: list[float | None] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


async def run(config: dict[str, Any]) -> dict[str, Any]:
    """Send ``rate`` signed webhooks a second for ``duration`` seconds; return latencies and statuses."""
    rate, duration = float(config["rate"]), float(config["duration"])
    target = urlsplit(config["url"])
    total = max(1, int(rate * duration))
    requests = signed_requests(
        count=total,
        token=config["token"],
        public_url=config["public_url"],
        host=target.netloc,
        senders=config["senders"],
        run=config.get("run") or uuid.uuid4().hex,
        bodies=config.get("bodies") or BODIES,
    )
    # "only": resend just these indices (same MessageSid, same signature), as Twilio retries a failure
    chosen = [int(i) for i in config["only"]] if config.get("only") is not None else list(range(total))
    count = len(chosen)
    pool = Pool(target.hostname or "127.0.0.1", target.port or 80, int(config.get("connections", 256)))
    timeout = float(config.get("timeout", 15.0))
    res = Result(scheduled=[0.0] * count, latency_ms=[None] * count, status=[0] * count)

    async def one(i: int, due: float) -> None:
        conn = None
        try:
            async with asyncio.timeout(timeout):
                conn = await pool.acquire()
                try:
                    status, keep = await _exchange(conn, requests[chosen[i]][1])
                except (ConnectionResetError, asyncio.IncompleteReadError) as exc:
                    if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                        raise
                    # closed by the server before any byte of an answer: send once more on a new connection
                    await pool.discard(conn)
                    conn = None
                    conn = await pool.acquire(fresh=True)
                    status, keep = await _exchange(conn, requests[chosen[i]][1])
            res.status[i] = status
            res.latency_ms[i] = (time.monotonic() - due) * 1000.0
            await (pool.release(conn) if keep else pool.discard(conn))
        except TimeoutError:
            res.status[i] = 0  # no answer in time: counted as an error, never as a fast answer
            if conn is not None:
                await pool.discard(conn)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            res.errors[type(exc).__name__] += 1
            res.status[i] = -1  # connection refused, reset or closed without an answer
            if conn is not None:
                await pool.discard(conn)

    # time.monotonic, not loop.time: uvloop's clock ticks in whole milliseconds
    start = time.monotonic() + 0.05
    wall0 = time.time() + 0.05
    tasks = []
    for i in range(count):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        res.scheduled[i] = wall0 + i / rate
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.wait(tasks, timeout=timeout + 5)
    elapsed = time.monotonic() - start
    pool.close()
    ok = [lat for lat, st in zip(res.latency_ms, res.status, strict=True) if lat is not None and 200 <= st < 300]
    return {
        "rate": rate,
        "duration": duration,
        "sent": count,
        "ok": len(ok),
        "statuses": dict(Counter(str(s) for s in res.status)),
        "connection_errors": dict(res.errors),
        "elapsed_s": elapsed,
        "throughput": len(ok) / elapsed if elapsed > 0 else 0.0,
        "latency_ms": summary(ok),
        # with "detail": per request, its index, MessageSid, scheduled wall time and HTTP status (0: none)
        "detail": [
            {"index": idx, "sid": requests[idx][0], "at": res.scheduled[i], "status": res.status[i]}
            for i, idx in enumerate(chosen)
        ]
        if config.get("detail")
        else [],
    }


def main() -> None:
    config = json.loads(sys.argv[1])
    try:
        import uvloop  # the generator must cost little CPU: it shares two cores with the server

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(config))))


if __name__ == "__main__":
    main()
