"""One escalation engine in its own process (for the multi-instance tests): tick until told to stop."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from alerts.escalation.engine import tick
from centrale.db import Database
from centrale.ports import OutgoingSms, SmsResult


class LoggingSender:
    """Appends each SMS it 'sends' to a file shared by the test (one line per send, flushed at once)."""

    def __init__(self, path: Path, name: str) -> None:
        self.file = path.open("a", buffering=1)
        self.name = name

    async def send(self, message: OutgoingSms) -> SmsResult:
        self.file.write(f"{message.key} {self.name}\n")
        await asyncio.sleep(0.001)
        return SmsResult(provider_id=message.key, status="sent")


async def main(url: str, name: str, lease: float, sent_log: str, stop_file: str) -> None:
    # this shared test server's fsync dominates; commit durability is not what the test is about
    database = Database(
        url, pool_size=3, max_overflow=2, connect_args={"server_settings": {"synchronous_commit": "off"}}
    )
    sender = LoggingSender(Path(sent_log), name)
    stop = Path(stop_file)
    Path(f"{stop_file}.{name}.ready").touch()  # noqa: ASYNC240 - a test worker, not the service
    while not stop.exists():  # noqa: ASYNC240
        result = await tick(database, sender=sender, instance=name, lease_seconds=lease, batch=20)
        if not result.steps_run:
            await asyncio.sleep(0.05)
    await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]))
