"""The SSH server's limits, and the per-address rate limit on new connections.

The rate limit is a token bucket per client address: ``per_minute`` connections
may arrive at once (a classroom behind one NAT address logging in at nine
o'clock), then one more every ``60 / per_minute`` seconds. A bucket that has
filled up again is forgotten, so the table stays as small as the current burst.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_sessions: int = 50  # tutor sessions at once, over all learners
    idle_timeout: float = 1800.0  # seconds without a key press before a session is closed
    login_timeout: float = 30.0  # seconds to authenticate and open a session
    per_minute: int = 60  # new connections per client address per minute


class RateLimiter:
    """Allows ``per_minute`` new connections per address at once, then one per refill."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0  # tokens per second
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, at)

    def allow(self, address: str) -> bool:
        now = self.clock()
        tokens, at = self._buckets.get(address, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.refill)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[address] = (tokens, now)
        self._forget_full(now)
        return allowed

    def _forget_full(self, now: float) -> None:
        if len(self._buckets) < 1024:
            return
        for address, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self.refill >= self.capacity:
                del self._buckets[address]
