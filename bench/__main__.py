"""``python -m bench``: start the real processes, drive them, print a table and write JSON.

python -m bench --quick                 # a smoke run (seconds)
python -m bench                         # the full run (see docs/BENCHMARKS.md)
python -m bench --only webhook-sqlite   # one scenario
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import board, escalation, heatwave, history, report, screens, webhook
from bench.common import Context

RESULTS = Path(__file__).parent / "results"

SCENARIOS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "webhook-sqlite": lambda ctx: webhook.scenario(ctx, "sqlite"),
    "webhook-postgresql": lambda ctx: webhook.scenario(ctx, "postgresql"),
    "webhook-postgresql-2-workers": lambda ctx: webhook.scenario(ctx, "postgresql", workers=2),
    "board-latency": board.latency,
    "board-latency-sqlite": lambda ctx: board.latency(ctx, "sqlite"),
    "board-snapshot": board.snapshot,
    "escalation": escalation.scenario,
    "history": history.scenario,
    "heatwave": heatwave.scenario,
    "screens": screens.scenario,
}
#: the city-scale scenarios run minutes each (a campaign's reply windows): only when named with --only
DEFAULT = [name for name in SCENARIOS if name not in {"heatwave", "screens"}]


def _version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except OSError:
        return "?"


def machine(pg_server: str) -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    pg = pg_server.replace("+asyncpg", "")
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": _version(["psql", pg, "-tAc", "SHOW server_version"]),
        "redis": _version([shutil.which("redis-server") or "redis-server", "--version"]),
        "load_average_at_start": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: one short run per point")
    parser.add_argument("--runs", type=int, help="runs per point (default 5, quick 1)")
    parser.add_argument("--duration", type=float, help="seconds per run (default 10, quick 2)")
    parser.add_argument("--only", action="append", choices=sorted(SCENARIOS), help="run only these scenarios")
    parser.add_argument(
        "--pg-server",
        default=os.environ.get("CENTRALE_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server where the database centrale_bench may be created and dropped",
    )
    args = parser.parse_args(argv)
    ctx = Context(
        quick=args.quick,
        runs=args.runs or (1 if args.quick else 5),
        duration=args.duration or (2.0 if args.quick else 10.0),
        pg_server=args.pg_server,
    )
    started = time.time()
    out: dict[str, Any] = {
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(args.pg_server),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "runs": ctx.runs,
        "duration_s": ctx.duration,
        "scenarios": {},
    }
    try:
        for name in args.only or DEFAULT:
            print(f"== {name}", file=sys.stderr, flush=True)
            try:
                out["scenarios"][name] = SCENARIOS[name](ctx)
            except Exception:  # one broken scenario must not lose the others' numbers
                out["scenarios"][name] = {"error": traceback.format_exc()}
                print(traceback.format_exc(), file=sys.stderr)
    finally:
        out["elapsed_s"] = round(time.time() - started, 1)
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}{'-quick' if ctx.quick else ''}.json"
        path.write_text(json.dumps(out, indent=1))
        (RESULTS / "latest.md").write_text(report.markdown(out))
        print(report.markdown(out))
        print(f"JSON: {path}", file=sys.stderr)
        shutil.rmtree(ctx.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
