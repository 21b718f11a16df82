"""The trace: everything that happened in a run, in order, as plain records.

Lessons, quizzes, the app and ``tui-tutor simulate`` read only this. Every
record has the virtual ``time`` it happened at and the index of the scenario
``step`` that caused it (timers firing during a ``wait`` belong to that wait).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from .segment import Flag, Segment, sequence_space
from .seq import MODULUS, SeqNum, relative
from .states import State, Transition

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the engine loads without typing
if TYPE_CHECKING:
    from typing import Any


class Role(enum.Enum):
    CLIENT = "client"
    SERVER = "server"

    @property
    def other(self) -> Role:
        return Role.SERVER if self is Role.CLIENT else Role.CLIENT

    def __str__(self) -> str:
        return self.value


class TimerKind(enum.Enum):
    RETRANSMISSION = "RTO"
    TIME_WAIT = "2MSL"
    DELAYED_ACK = "delayed ACK"
    FIN_WAIT_2 = "FIN_WAIT_2"
    KEEPALIVE = "keepalive"

    def __str__(self) -> str:
        return self.value


class Why(enum.Enum):
    """Why a segment was sent: the quiz explains seq/ack/flags from this."""

    SYN = "active open"
    SYN_ACK = "answer to a SYN"
    HANDSHAKE_ACK = "completes the handshake"
    DATA = "data from the application"
    ACK = "acknowledges data"
    FIN = "the application closed its side"
    ACK_OF_FIN = "acknowledges a FIN"
    RST_REFUSED = "nothing listens on the port"
    RST_NO_CONNECTION = "no connection for this segment: a RST at its ack"
    RST_ABORT = "the application aborted"
    RST_UNREAD = "the application closed with data it never read"
    RST_DATA_AFTER_CLOSE = "data arrived after the application closed"
    RST_BAD_ACK = "acknowledges something never sent"
    DUPLICATE_ACK = "a segment outside the window or out of order"
    CHALLENGE_ACK = "a SYN or RST that does not fit the connection"
    RETRANSMISSION = "the retransmission timer ran out"
    INJECTED = "sent by neither application: forged, or an old duplicate"
    KEEPALIVE = "the connection was idle: is the other end still there?"
    SYN_COOKIE = "the SYN queue is full: a SYN cookie answers, and nothing is kept"
    RST_KEEPALIVE = "no keepalive probe was answered"


def isn_owner(field: str, sender: Role) -> Role:
    """Whose ISN a segment's number counts from: a ``seq`` its sender's, an ``ack`` the
    receiver's (relative numbers, and the x and y of a lesson, count from it)."""
    return sender if field == "seq" else sender.other


@dataclass(frozen=True, slots=True)
class UserCalled:
    time: float
    step: int
    peer: Role
    call: str  # "connect", "send 5", "close" ...


@dataclass(frozen=True, slots=True)
class SegmentSent:
    time: float
    step: int
    index: int  # 0-based number of the segment in the run
    sender: Role
    segment: Segment
    why: Why
    retransmission: bool = False
    lost: bool = False


@dataclass(frozen=True, slots=True)
class SegmentDelivered:
    """A segment reached its receiver; the states are those after it was processed."""

    time: float
    step: int
    index: int
    receiver: Role
    client_state: State
    server_state: State
    note: str = ""  # a recording's own note on it (a capture's)
    drops: tuple[str, ...] = ()  # the engine's reasons the receiver dropped or only answered it


@dataclass(frozen=True, slots=True)
class StateChanged:
    time: float
    step: int
    peer: Role
    old: State
    new: State
    transition: Transition
    cause_segment: int | None = None  # index of the segment that caused it, if any


@dataclass(frozen=True, slots=True)
class TimerStarted:
    time: float
    step: int
    peer: Role
    timer: TimerKind
    deadline: float


@dataclass(frozen=True, slots=True)
class TimerStopped:
    time: float
    step: int
    peer: Role
    timer: TimerKind


@dataclass(frozen=True, slots=True)
class TimerFired:
    time: float
    step: int
    peer: Role
    timer: TimerKind


@dataclass(frozen=True, slots=True)
class PeerVars:
    """A peer's sequence variables after something changed them (absolute numbers)."""

    time: float
    step: int
    peer: Role
    iss: int | None
    irs: int | None
    snd_una: int | None
    snd_nxt: int | None
    rcv_nxt: int | None


TraceEvent = (
    UserCalled
    | SegmentSent
    | SegmentDelivered
    | StateChanged
    | TimerStarted
    | TimerStopped
    | TimerFired
    | PeerVars
)


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """One row of a ladder: a segment with both peers' states right after it.

    The same record describes simulated runs and real captures, so the JSON of
    ``tui-tutor simulate --json`` and ``tui-tutor capture --json`` is one shape.
    """

    sender: Role
    flags: list[str]
    seq: int  # absolute
    ack: int | None  # absolute; None when the ACK flag is off
    length: int
    time: float
    retransmission: bool
    lost: bool
    client_state: State
    server_state: State
    index: int = 0
    note: str = ""  # a recording's own note on it (a capture's)
    drops: tuple[str, ...] = ()  # the engine's reasons the receiver dropped or only answered it

    @property
    def notes(self) -> tuple[str, ...]:
        """What to say about it: the engine's drop reasons, then a recording's note."""
        return (*self.drops, self.note) if self.note else self.drops

    @property
    def segment(self) -> Segment:
        """The record as an engine segment; flags the engine does not model (URG, ECE) left out."""
        ack = SeqNum(self.ack) if self.ack is not None else None
        return Segment(self.flag_bits, SeqNum(self.seq), ack, self.length)

    @property
    def flag_bits(self) -> Flag:
        """The flags the engine models, as a ``Flag``."""
        return Flag.parse([name for name in self.flags if name in Flag.__members__])

    @property
    def seg_len(self) -> int:
        """How many sequence numbers it takes: its data, one for a SYN, one for a FIN."""
        return sequence_space(self.flag_bits, self.length)

    @property
    def numbered_flags(self) -> list[str]:
        """Its flags that take a sequence number of their own (SYN, FIN)."""
        return [name for name in self.flag_bits.names if sequence_space(Flag[name], 0)]

    @property
    def end(self) -> int:
        """The first sequence number after it (absolute)."""
        return (self.seq + self.seg_len) % MODULUS

    def state_of(self, peer: Role) -> State:
        """``peer``'s state right after this segment."""
        return self.client_state if peer is Role.CLIENT else self.server_state

    def relative_numbers(self, isns: Mapping[Role, int | None]) -> tuple[int, int | None]:
        """seq and ack counted from the ISN each counts from (as they are where one is unknown)."""
        seq = relative(self.seq, isns.get(isn_owner("seq", self.sender)))
        if self.ack is None:
            return seq, None
        return seq, relative(self.ack, isns.get(isn_owner("ack", self.sender)))

    def to_json(self, isns: Mapping[Role, int | None], absolute: bool = False) -> dict[str, Any]:
        seq, ack = (self.seq, self.ack) if absolute else self.relative_numbers(isns)
        return {
            "from": self.sender.value,
            "flags": self.flags,
            "seq": seq,
            "ack": ack,
            "len": self.length,
            "time": round(self.time, 6),
            "retransmission": self.retransmission,
            "lost": self.lost,
            "client_state": self.client_state.value,
            "server_state": self.server_state.value,
        }


@dataclass
class Trace:
    """A run: its events, each peer's ISN, and the step each event came from."""

    events: list[TraceEvent] = field(default_factory=list)
    isn: dict[Role, int] = field(default_factory=dict)
    step_count: int = 0

    def segments(self) -> list[SegmentRecord]:
        """One record per segment sent, in sending order."""
        sent: dict[int, SegmentSent] = {}
        records: dict[int, SegmentRecord] = {}
        states = {Role.CLIENT: State.CLOSED, Role.SERVER: State.CLOSED}
        for ev in self.events:
            if isinstance(ev, StateChanged):
                states[ev.peer] = ev.new
            elif isinstance(ev, SegmentSent):
                sent[ev.index] = ev
                if ev.lost:
                    records[ev.index] = _record(ev, states[Role.CLIENT], states[Role.SERVER])
            elif isinstance(ev, SegmentDelivered):
                records[ev.index] = _record(
                    sent[ev.index], ev.client_state, ev.server_state, ev.note, ev.drops
                )
        # a segment still in flight when the run ended: states as they are at the end
        for index, ev in sent.items():
            records.setdefault(index, _record(ev, states[Role.CLIENT], states[Role.SERVER]))
        return [records[i] for i in sorted(records)]

    def final_states(self) -> dict[Role, State]:
        states = {Role.CLIENT: State.CLOSED, Role.SERVER: State.CLOSED}
        for ev in self.events:
            if isinstance(ev, StateChanged):
                states[ev.peer] = ev.new
        return states

    def to_json(self, absolute: bool = False) -> dict[str, Any]:
        """The ``{"connections": [...]}`` shape shared with the capture reader."""
        isns: dict[Role, int | None] = dict(self.isn)
        records = self.segments()
        start = records[0].time if records else 0.0
        rows = []
        for record in records:
            row = record.to_json(isns, absolute)
            row["time"] = round(record.time - start, 6)
            rows.append(row)
        return {
            "connections": [
                {"client": Role.CLIENT.value, "server": Role.SERVER.value, "segments": rows}
            ]
        }


def _record(
    ev: SegmentSent, client: State, server: State, note: str = "", drops: tuple[str, ...] = ()
) -> SegmentRecord:
    seg = ev.segment
    return SegmentRecord(
        sender=ev.sender,
        flags=seg.flags.names,
        seq=seg.seq.value,
        ack=seg.ack.value if seg.ack is not None and seg.flags.names.count("ACK") else None,
        length=seg.length,
        time=ev.time,
        retransmission=ev.retransmission,
        lost=ev.lost,
        client_state=client,
        server_state=server,
        index=ev.index,
        note=note,
        drops=drops,
    )
