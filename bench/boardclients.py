"""Board websocket clients in their own process: each records when every event reaches it.

Run: ``python -m bench.boardclients '<json config>'``. Config: ``urls`` (instances, clients spread
round-robin), ``clients``, ``cookie`` (a session token), ``origin``, ``seconds`` (how long to listen
once all are connected), ``kinds`` (event kinds to record), ``out`` (a file for the arrivals).
Prints one JSON object: connect and snapshot times, the client process's RSS, and where the
arrivals went (``{entity_id: [wall-clock arrival per client]}``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.stats import summary

COOKIE = "centrale_session"


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """The reader polls for the file: it must never see it empty (written aside, then renamed)."""
    aside = path.with_suffix(".part")
    aside.write_text(text)
    aside.replace(path)


async def _client(
    url: str,
    cfg: dict[str, Any],
    arrivals: dict[str, list[float]],
    snap_ms: list[float],
    ready: asyncio.Event,
    doubles: list[int],
) -> ClientConnection | None:
    kinds = set(cfg.get("kinds") or [])
    started = time.monotonic()
    ws = await connect(
        url.replace("http", "ws", 1) + "/ws/board",
        additional_headers={"Cookie": f"{COOKIE}={cfg['cookie']}"},
        origin=cfg["origin"],  # type: ignore[arg-type]
        compression=None,
        open_timeout=60,
        max_size=None,
        ping_interval=None,
    )
    first = json.loads(await asyncio.wait_for(ws.recv(), 60))
    if first.get("type") == "snapshot":
        snap_ms.append((time.monotonic() - started) * 1000.0)

    seen: set[int] = set()

    async def listen() -> None:
        await ready.wait()
        async for raw in ws:
            now = time.time()
            msg = json.loads(raw)
            if msg.get("type") == "ping":
                await ws.send(json.dumps({"type": "pong"}))
                continue
            for event in msg["events"] if msg.get("type") == "batch" else [msg]:
                if event.get("type") != "event" or (kinds and event.get("kind") not in kinds):
                    continue
                if event["seq"] in seen:  # the same event twice on one board
                    doubles[0] += 1
                    continue
                seen.add(event["seq"])
                arrivals[str(event.get("entity_id"))].append(now)

    asyncio.get_running_loop().create_task(listen())
    return ws


async def run(cfg: dict[str, Any]) -> dict[str, Any]:
    """Connect ``clients`` sockets (bounded: 64 handshakes at a time), listen ``seconds``, report."""
    urls: list[str] = cfg["urls"]
    n = int(cfg["clients"])
    arrivals: dict[str, list[float]] = defaultdict(list)
    snap_ms: list[float] = []
    ready = asyncio.Event()
    doubles = [0]
    gate = asyncio.Semaphore(int(cfg.get("parallel_connects", 64)))
    rss_before = _rss_kib()

    async def one(i: int) -> ClientConnection | None:
        async with gate:
            try:
                return await _client(urls[i % len(urls)], cfg, arrivals, snap_ms, ready, doubles)
            except Exception as exc:  # a refused client is counted, not fatal
                print(f"client {i}: {type(exc).__name__}: {exc}", file=sys.stderr)
                return None

    t0 = time.monotonic()
    sockets = await asyncio.gather(*(one(i) for i in range(n)))
    connected = [s for s in sockets if s is not None]
    connect_s = time.monotonic() - t0
    rss_connected = _rss_kib()
    # the connected clients live until the end: a full collection of the harness must not walk them all
    # (its pauses would be counted as the server's latency)
    gc.collect()
    gc.freeze()
    ready.set()
    # tell the orchestrator that every client is listening, then listen for the bounded time
    await asyncio.to_thread(_write_atomically, Path(cfg["ready_file"]), str(len(connected)))
    await asyncio.sleep(float(cfg["seconds"]))
    for ws in connected:
        await ws.close()
    await asyncio.to_thread(Path(cfg["out"]).write_text, json.dumps(arrivals))
    return {
        "clients": n,
        "connected": len(connected),
        "connect_s": connect_s,
        "snapshot_ms": summary(snap_ms),
        "client_rss_kib_before": rss_before,
        "client_rss_kib_connected": rss_connected,
        "events_recorded": sum(len(v) for v in arrivals.values()),
        "duplicates": doubles[0],
        "pid": os.getpid(),
    }


def main() -> None:
    cfg = json.loads(sys.argv[1])
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(cfg))))


if __name__ == "__main__":
    main()
