"""TCP segments as plain values: the header fields connection management needs.

A segment carries no bytes, only its payload length: the tutor teaches how
numbers move, not what the data says.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from .seq import SeqNum

DEFAULT_WINDOW = 65535


class Flag(enum.Flag):
    """Control bits, in the order tcpdump and Wireshark print them."""

    SYN = enum.auto()
    FIN = enum.auto()
    RST = enum.auto()
    PSH = enum.auto()
    ACK = enum.auto()

    @property
    def names(self) -> list[str]:
        """Upper-case names of the bits that are set, e.g. ``["SYN", "ACK"]``."""
        return [f.name for f in Flag if f in self and f.name]

    @classmethod
    def none(cls) -> Flag:
        return cls(0)

    @classmethod
    def parse(cls, names: Iterable[str] | str) -> Flag:
        """``"SYN,ACK"`` or ``["SYN", "ACK"]`` -> ``Flag.SYN | Flag.ACK``."""
        if isinstance(names, str):
            names = [n for n in names.replace("+", ",").split(",") if n.strip()]
        result = cls(0)
        for name in names:
            result |= cls[name.strip().upper()]
        return result


NO_FLAGS = "none"  # how a segment with no flag set is written (tcpdump's "[none]")


def flags_label(flags: Flag | Iterable[str]) -> str:
    """``SYN,ACK``: the way the tutor writes a set of flags (``none`` when there is none)."""
    names = flags.names if isinstance(flags, Flag) else list(flags)
    return ",".join(names) or NO_FLAGS


def sequence_space(flags: Flag, length: int) -> int:
    """SEG.LEN (RFC 9293 3.4): the payload's bytes, plus one number for a SYN and one for a
    FIN. The one place that says so: segments, ladder records and the capture reader ask here."""
    return length + (Flag.SYN in flags) + (Flag.FIN in flags)


@dataclass(frozen=True, slots=True)
class Segment:
    """One TCP segment. ``ack`` is meaningful only when the ACK flag is set."""

    flags: Flag
    seq: SeqNum
    ack: SeqNum | None = None
    length: int = 0
    window: int = DEFAULT_WINDOW

    @property
    def seg_len(self) -> int:
        """SEG.LEN: payload bytes plus one for SYN and one for FIN."""
        return sequence_space(self.flags, self.length)

    @property
    def end(self) -> SeqNum:
        """The sequence number just after this segment."""
        return self.seq + self.seg_len

    def has(self, flag: Flag) -> bool:
        return flag in self.flags
