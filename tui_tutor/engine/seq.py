"""Sequence numbers: 32-bit counters compared modulo 2**32 (RFC 9293 section 3.4).

A sequence number is never compared with plain ``<``: after 4294967295 comes 0, so
"a is before b" means that the distance from a forward to b is less than 2**31
(RFC 1982 serial number arithmetic). ``SeqNum`` wraps an int and makes every
operator do that, so code reads like the RFC's inequalities.
"""

from __future__ import annotations

from dataclasses import dataclass

MODULUS = 2**32
_HALF = 2**31


@dataclass(frozen=True, slots=True, order=False)
class SeqNum:
    """A point in the 32-bit sequence space."""

    value: int

    def __post_init__(self) -> None:
        if not 0 <= self.value < MODULUS:
            object.__setattr__(self, "value", self.value % MODULUS)

    def __add__(self, n: int) -> SeqNum:
        return SeqNum((self.value + n) % MODULUS)

    def __sub__(self, n: int) -> SeqNum:
        """``seq - n`` moves back n numbers (the distance between two is ``since``)."""
        if isinstance(n, SeqNum):
            raise TypeError("SeqNum - SeqNum: write later.since(earlier) for the distance")
        return SeqNum((self.value - n) % MODULUS)

    def since(self, earlier: SeqNum) -> int:
        """The signed number of steps from ``earlier`` forward to this number."""
        return distance(earlier.value, self.value)

    def __lt__(self, other: SeqNum) -> bool:
        return distance(self.value, other.value) > 0

    def __le__(self, other: SeqNum) -> bool:
        return distance(self.value, other.value) >= 0

    def __gt__(self, other: SeqNum) -> bool:
        return distance(self.value, other.value) < 0

    def __ge__(self, other: SeqNum) -> bool:
        return distance(self.value, other.value) <= 0

    def __int__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"SeqNum({self.value})"


def distance(start: int, end: int) -> int:
    """Signed number of steps from ``start`` forward to ``end``, in [-2**31, 2**31)."""
    d = (end - start) % MODULUS
    return d - MODULUS if d >= _HALF else d


def relative(value: int, base: int | None) -> int:
    """``value`` as Wireshark and tcpdump print it: counted from ``base`` (an ISN)."""
    if base is None:
        return value
    return (value - base) % MODULUS


def in_window(seq: SeqNum, start: SeqNum, size: int) -> bool:
    """True when start <= seq < start + size, modulo 2**32."""
    return 0 <= distance(start.value, seq.value) < size
