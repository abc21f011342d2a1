"""Where an instance spends its time under webhook load: py-spy samples the server while load runs.

Run: ``python -m bench.profile [--backend postgresql|sqlite] [--rate 100] [--duration 10]``.
Prints the functions with the most samples (self and inclusive) among the project's own code and
the libraries, and writes the collapsed stacks (for a flame graph) under bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import subprocess
import sys
import threading
from pathlib import Path

from bench.common import Context, load
from bench.procs import RedisServer, ScratchPostgres, Server
from bench.seed import prepare

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).resolve().parent.parent  # the repository: our own files are named from here


def _frame_name(frame: str) -> str:
    # py-spy raw frames look like "function (path/to/module.py:123)"; keep function and file, drop the line
    func, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", f"{ROOT}/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{func} ({path})"


def summarise(collapsed: Path, top: int = 25) -> str:
    """Self and inclusive sample shares from py-spy's collapsed output."""
    self_n: collections.Counter[str] = collections.Counter()
    incl_n: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():  # a line py-spy cut short when it was stopped
            continue
        n = int(count)
        frames = [_frame_name(f) for f in stack.split(";") if f]
        if not frames:
            continue
        total += n
        self_n[frames[-1]] += n
        for name in set(frames):
            incl_n[name] += n
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in incl_n.most_common(top * 3) if "bench" not in name]
    lines += ["", "self:"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in self_n.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--pg-server", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    ctx = Context(quick=True, runs=1, duration=args.duration, pg_server=args.pg_server)
    pg = ScratchPostgres(ctx.pg_server, name="centrale_bench_profile") if args.backend == "postgresql" else None
    redis = RedisServer().start() if pg else None
    try:
        url = pg.create().url if pg else ctx.sqlite_url()
        senders = asyncio.run(prepare(url))
        app = Server("web.app:create_app", ctx.app_env(url, redis_url=redis.url if redis else None)).start()
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"profile-{args.backend}.collapsed"
        try:
            load(app.url, rate=50, duration=1, senders=senders)  # warm-up
            spy = subprocess.Popen(
                [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(app.pid), "--duration",
                 str(int(args.duration)), "--format", "raw", "--output", str(out), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            result: dict[str, object] = {}
            worker = threading.Thread(
                target=lambda: result.update(load(app.url, rate=args.rate, duration=args.duration, senders=senders))
            )
            worker.start()
            worker.join()
            spy.wait(timeout=args.duration + 30)
        finally:
            app.stop()
        print(f"load: {result.get('latency_ms')} statuses {result.get('statuses')}")
        print(summarise(out))
    finally:
        if redis:
            redis.cleanup()
        if pg:
            pg.drop()


if __name__ == "__main__":
    main()
