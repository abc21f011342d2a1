"""The sending rate shared through PostgreSQL, when several instances run without Redis.

Each start takes a place in the current window's counter row with one atomic upsert
(``INSERT ... ON CONFLICT DO UPDATE SET taken = taken + 1 RETURNING``): PostgreSQL serialises the
increments of one row, so N instances never take more than the limit in one window. The window is read
from the database's own clock (``clock_timestamp()``), so instances whose clocks disagree still share
one second; within a window the places are spaced evenly, as in ``rate.SharedRateLimiter``. On SQLite
there is one process: its own ``RateLimiter`` is exact and this one is not used.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.twilio.rate import SPREAD

NAME = "sms"
KEEP_SECONDS = 60  # windows older than this are deleted by the first start of a new window

_TAKE = text(
    """
    WITH now AS (SELECT extract(epoch FROM clock_timestamp()) AS t)
    INSERT INTO sms_rate_window (name, "window", taken)
    SELECT :name, (floor(now.t / :width) * :width)::bigint, 1 FROM now
    ON CONFLICT (name, "window") DO UPDATE SET taken = sms_rate_window.taken + 1
    RETURNING "window", taken, (SELECT t FROM now) AS now
    """
)
_PRUNE = text('DELETE FROM sms_rate_window WHERE name = :name AND "window" < :before')


class DatabaseRateLimiter:
    """At most ``per_second`` starts in any second of PostgreSQL's clock, over every process sharing the
    database (a rate under one a second: one start per window of whole seconds)."""

    def __init__(
        self,
        engine: AsyncEngine,
        per_second: float,
        *,
        name: str = NAME,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("DatabaseRateLimiter needs PostgreSQL; one process alone uses RateLimiter")
        self._engine = engine
        self._width = max(1, math.ceil(1 / per_second - 1e-9))
        self._limit = max(1, math.floor(per_second * self._width + 1e-9))
        self._name = name
        self._sleep = sleep

    async def take(self) -> int:
        """Wait for a place; answer the start of the window (a second of the database's clock) it was taken in."""
        while True:
            async with self._engine.begin() as conn:  # its own short transaction: the row lock is held briefly
                row = (await conn.execute(_TAKE, {"name": self._name, "width": self._width})).one()
                window, taken, now = int(row.window), int(row.taken), float(row.now)
                if taken == 1:
                    await conn.execute(_PRUNE, {"name": self._name, "before": window - KEEP_SECONDS})
            if taken <= self._limit:  # spaced over the window's first SPREAD, as in rate.py
                slot = window + (taken - 1) * self._width * SPREAD / self._limit - now
                if slot > 0:
                    await self._sleep(slot)
                return window
            await self._sleep(max(0.001, window + self._width - now))

    async def wait(self) -> None:
        await self.take()
