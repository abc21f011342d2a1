"""The sending rate shared by every instance: at most N messages start in any second, summed over instances.

With Redis (how several instances run), each start takes a place in the current second's counter, kept
by Redis and timed by Redis's own clock, so instances whose clocks disagree still share one second; a
start that finds the second full waits for the next one. Within a second the places are spaced evenly (the
k-th place starts k/N of the first 80 % of it), so a second's sends do not arrive at Twilio as one burst that a few
milliseconds' delay would push into the next second's count. Alone (the embedded default, one process), the
process's own limiter is exact.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.asyncio import Redis

# KEYS[1]: the counter's prefix; ARGV[1]: starts per window; ARGV[2]: the window in whole seconds (1, or more
# for rates under one a second). Answers {window start, 1, microseconds to this place's slot in the window} when a
# place was taken, {window start, 0, microseconds to the next window} when it is full. TIME is allowed: scripts
# replicate their effects.
_TAKE = """
local now = redis.call('TIME')
local width = tonumber(ARGV[2])
local limit = tonumber(ARGV[1])
local SPREAD = tonumber(ARGV[3])
local window = math.floor(tonumber(now[1]) / width) * width
local key = KEYS[1] .. ':' .. width .. ':' .. window
local taken = redis.call('INCR', key)
if taken == 1 then redis.call('EXPIRE', key, width + 1) end
local elapsed = (tonumber(now[1]) - window) * 1000000 + tonumber(now[2])
if taken <= limit then
  return {window, 1, math.max(0, math.floor((taken - 1) * width * SPREAD * 1000000 / limit) - elapsed)}
end
return {window, 0, width * 1000000 - elapsed}
"""

KEY = "centrale:sms:rate"
#: the share of each window the places are spaced over: the rest is slack for a start's way to Twilio, so a
#: late arrival of a second's last send still falls in that second
SPREAD = 0.8


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
            second, placed, wait_us = await self._script(keys=[self._key], args=[self._limit, self._width, SPREAD])
            if placed:
                if int(wait_us) > 0:  # this place's slot within the second
                    await self._sleep(int(wait_us) / 1_000_000)
                return int(second)
            await self._sleep(int(wait_us) / 1_000_000)

    async def wait(self) -> None:
        await self.take()
