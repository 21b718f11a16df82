"""The SSH server's limits, and the per-address rate limit on new connections.

The rate limit is a token bucket per client address: ``per_minute`` connections
may arrive at once (a classroom behind one NAT address logging in at nine
o'clock), then one more every ``60 / per_minute`` seconds. A bucket that has
filled up again is forgotten, so the table stays as small as the current burst.
The CPU budget is a token bucket per learner, in CPU seconds.
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


class Buckets:
    """A token bucket per key: ``capacity`` tokens at first, ``refill`` more per second up
    to ``capacity``. A bucket that is full again is forgotten (the table stays small)."""

    def __init__(
        self, capacity: float, refill: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.refill = refill
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def level(self, key: str) -> float:
        now = self.clock()
        tokens, at = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.refill)
        self._buckets[key] = (tokens, now)
        return tokens

    def take(self, key: str, amount: float) -> None:
        """Take ``amount`` tokens, into debt if need be."""
        self._buckets[key] = (self.level(key) - amount, self.clock())

    def forget_full(self, keep: Iterable[str] = ()) -> None:
        kept = set(keep)
        for key in list(self._buckets):
            if key not in kept and self.level(key) >= self.capacity:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class RateLimiter:
    """Allows ``per_minute`` new connections per address at once, then one per refill."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.buckets = Buckets(float(per_minute), per_minute / 60.0, clock)

    def allow(self, address: str) -> bool:
        allowed = self.buckets.level(address) >= 1.0
        if allowed:
            self.buckets.take(address, 1.0)
        if len(self.buckets) >= 1024:
            self.buckets.forget_full()
        return allowed


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
        self.buckets = Buckets(burst, cores, clock)

    def spend(self, learner: str, seconds: float) -> None:
        self.buckets.take(learner, max(0.0, seconds))

    def in_debt(self, learner: str) -> bool:
        return self.buckets.level(learner) < 0.0

    def forget_all_but(self, active: Iterable[str]) -> None:
        """Learners without a session whose budget is full again need no entry."""
        self.buckets.forget_full(active)
