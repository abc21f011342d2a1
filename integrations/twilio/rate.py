"""The sending rate shared by every instance: at most N messages start in any second, summed over instances.

With Redis (how several instances run), each start takes a place in the current second's counter, kept
by Redis and timed by Redis's own clock, so instances whose clocks disagree still share one second; a
start that finds the second full waits for the next one. Alone (the embedded default, one process), the
process's own limiter is exact.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.asyncio import Redis

# KEYS[1]: the counter's prefix; ARGV[1]: starts per window; ARGV[2]: the window in whole seconds (1, or more
# for rates under one a second). Answers {window start, 0} when a place was taken in that window, {window start,
# microseconds to the next window} when it is full. TIME is allowed: scripts replicate their effects.
_TAKE = """
local now = redis.call('TIME')
local width = tonumber(ARGV[2])
local window = math.floor(tonumber(now[1]) / width) * width
local key = KEYS[1] .. ':' .. width .. ':' .. window
local taken = redis.call('INCR', key)
if taken == 1 then redis.call('EXPIRE', key, width + 1) end
if taken <= tonumber(ARGV[1]) then return {window, 0} end
return {window, (window + width - tonumber(now[1])) * 1000000 - tonumber(now[2])}
"""

KEY = "centrale:sms:rate"


class Limiter(Protocol):
    async def wait(self) -> None: ...


class SharedRateLimiter:
    """At most ``per_second`` starts in any second of Redis's clock, over every process sharing ``redis``
    (a rate under one a second: one start per window of whole seconds)."""

    def __init__(
        self,
        redis: Redis,
        per_second: float,
        *,
        key: str = KEY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._redis = redis
        # whole windows: one second for a rate of one or more, else as many seconds as one message needs
        self._width = max(1, math.ceil(1 / per_second - 1e-9))
        self._limit = max(1, math.floor(per_second * self._width + 1e-9))
        self._key = key
        self._sleep = sleep
        self._script = redis.register_script(_TAKE)

    async def take(self) -> int:
        """Wait for a place; answer the start of the window (a second of Redis's clock) it was taken in."""
        while True:
            second, wait_us = await self._script(keys=[self._key], args=[self._limit, self._width])
            if not wait_us:
                return int(second)
            await self._sleep(int(wait_us) / 1_000_000)

    async def wait(self) -> None:
        await self.take()
