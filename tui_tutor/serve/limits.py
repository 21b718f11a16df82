"""The SSH server's limits, and the per-address rate limit on new connections.

The rate limit is a token bucket per client address: ``per_minute`` connections
may arrive at once (a classroom behind one NAT address logging in at nine
o'clock), then one more every ``60 / per_minute`` seconds. A bucket that has
filled up again is forgotten, so the table stays as small as the current burst.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

KEEPALIVE_COUNT = 4  # unanswered keep-alives before a client is taken for gone
MAX_SIZE = (512, 256)  # columns, rows: the largest terminal an app is given


@dataclass(frozen=True)
class Limits:
    max_sessions: int = 50  # tutor sessions at once, over all learners
    max_sessions_per_learner: int = 2  # sessions at once of one learner
    idle_timeout: float = 1800.0  # seconds without a key press before a session is closed
    login_timeout: float = 30.0  # seconds to authenticate and open a session
    per_minute: int = 60  # new connections per client address per minute
    keepalive: float = 100.0  # seconds a client may answer nothing before it is disconnected
    session_memory: int = 1024  # MiB of address space each session's app may have
    cpu_per_learner: float = 0.5  # cores one learner's apps may use on average
    max_size: tuple[int, int] = MAX_SIZE

    @property
    def keepalive_interval(self) -> float:
        """A keep-alive after this many quiet seconds; the count-plus-one'th unanswered one
        comes ``keepalive`` seconds after the client fell silent, and disconnects it."""
        return self.keepalive / (KEEPALIVE_COUNT + 1)

    @property
    def cpu_burst(self) -> float:
        """CPU seconds a learner may spend at once (starting an app costs about one)."""
        return max(2.0, 20.0 * self.cpu_per_learner)


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


class CpuBudget:
    """Each learner's share of the CPU, a token bucket in CPU seconds.

    A learner starts with ``burst`` seconds and earns ``cores`` seconds back per
    second, up to ``burst``; ``spend`` takes what their apps used. The server pauses
    a learner who is in debt (their keys wait at the client, their apps are stopped)
    until the budget is back above zero, so the others get their CPU.
    """

    def __init__(
        self, cores: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.cores = cores
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # learner -> (seconds, at)

    def _now(self, learner: str) -> float:
        now = self.clock()
        seconds, at = self._buckets.get(learner, (self.burst, now))
        seconds = min(self.burst, seconds + (now - at) * self.cores)
        self._buckets[learner] = (seconds, now)
        return seconds

    def spend(self, learner: str, seconds: float) -> None:
        left = self._now(learner) - max(0.0, seconds)
        self._buckets[learner] = (left, self.clock())

    def in_debt(self, learner: str) -> bool:
        return self._now(learner) < 0.0

    def forget_all_but(self, active: Iterable[str]) -> None:
        """Learners without a session whose budget is full again need no entry."""
        keep = set(active)
        for learner in list(self._buckets):
            if learner not in keep and self._now(learner) >= self.burst:
                del self._buckets[learner]
