"""A captured connection as the app and the command line see it.

``from_flow`` turns the raw segments of one connection (``split.Flow``) into a
``CapturedConnection``: it decides which side is the client, numbers the
segments, marks retransmissions and quirks and infers both peers' states.

Who is the client: the side that sent the first SYN. A connection whose SYN is
not in the capture (``partial``) has its client guessed: the receiver of a
SYN,ACK if that is the first segment; otherwise the side with the higher port,
because servers listen on well-known or registered ports (below 1024 or at
least lower) while clients get ephemeral ones (32768 and up on Linux, 49152 and
up elsewhere); on equal ports, the sender of the first segment.

Each segment is an engine ``SegmentRecord`` (so the JSON is the one
``tui-tutor simulate --json`` prints), with the state changes it caused (and the
engine transitions that explain them) and its quirks alongside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..engine import Role, SegmentRecord, State
from .decode import ACK, CWR, ECE, FIN, PSH, RST, SYN, URG, endpoints, label
from .quirks import Quirk
from .sequence import Segment, analyse, bases
from .split import Flow
from .states import ROLES, Inference, StateChange, infer

_MASK = 0xFFFFFFFF

# flag bits in the order the engine's Flag enum lists them, then the ones it does not model
_FLAG_ORDER = (
    (SYN, "SYN"),
    (FIN, "FIN"),
    (RST, "RST"),
    (PSH, "PSH"),
    (ACK, "ACK"),
    (URG, "URG"),
    (ECE, "ECE"),
    (CWR, "CWR"),
)
FLAG_NAMES: tuple[tuple[str, ...], ...] = tuple(
    tuple(name for bit, name in _FLAG_ORDER if value & bit) for value in range(256)
)


@dataclass(frozen=True, slots=True)
class CapturedSegment:
    """One captured segment: the ladder row, what it changed, and what was odd about it."""

    record: SegmentRecord
    changes: tuple[StateChange, ...]  # in the order they happened, after this segment
    quirks: tuple[Quirk, ...]  # what the engine would not have done; empty when nothing
    received: bool  # False: the answers show it never reached the other side

    @property
    def note(self) -> str:
        return self.record.note


@dataclass(eq=False)
class CapturedConnection:
    """One TCP connection of a capture, ready to step through.

    ``isns`` holds the numbers relative seq/ack count from: each side's ISN when
    its SYN is in the capture, else what Wireshark takes (see ``sequence.py``).
    Times in the records are seconds since the connection's first segment;
    ``start`` is that segment's capture time (seconds since the epoch).
    """

    number: int  # 1-based, in the order the command line prints connections
    client: str  # "ip:port"
    server: str
    partial: bool  # the start (the client's SYN) is not in the capture
    isns: dict[Role, int | None]
    start: float
    initial: dict[Role, State]  # both states before the first segment
    notes: list[str] = field(default_factory=list)
    _segments: list[Segment] = field(default_factory=list, repr=False)
    _retransmission: list[bool] = field(default_factory=list, repr=False)
    _quirks: dict[int, list[Quirk]] = field(default_factory=dict, repr=False)
    _inference: Inference | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self._segments)

    @cached_property
    def steps(self) -> list[CapturedSegment]:
        inference = self._inference
        assert inference is not None
        start = self.start
        steps = []
        for i, (t, r, flags, seq, ack, _, length) in enumerate(self._segments):
            client_state, server_state = inference.states[i]
            quirks = tuple(self._quirks.get(i, ()))
            received = inference.arrives_at[i] is not None
            notes = [q.text for q in quirks]
            if not received:
                notes.append("it never arrived: what came next shows the other side lacked it")
            record = SegmentRecord(
                sender=ROLES[r],
                flags=list(FLAG_NAMES[flags]),
                seq=seq,
                ack=ack if flags & ACK else None,
                length=length,
                time=t - start,
                retransmission=self._retransmission[i],
                lost=False,
                client_state=client_state,
                server_state=server_state,
                index=i,
                note="; ".join(notes),
            )
            changes = tuple(inference.changes.get(i, ()))
            steps.append(CapturedSegment(record, changes, quirks, received))
        return steps

    @property
    def segments(self) -> list[SegmentRecord]:
        """The ladder rows, engine records with both peers' states filled in."""
        return [step.record for step in self.steps]

    @property
    def final_states(self) -> dict[Role, State]:
        assert self._inference is not None
        states = self._inference.states
        client, server = states[-1] if states else tuple(self.initial.values())
        return {Role.CLIENT: client, Role.SERVER: server}

    def to_json(self, absolute: bool = False) -> dict:
        """One entry of ``{"connections": [...]}``, as ``SegmentRecord.to_json`` writes rows.

        Built straight from the raw segments, not from ``steps``: on a capture of a
        million packets the records would cost more than the rest of the work.
        """
        assert self._inference is not None
        states = self._inference.states
        base_c, base_s = self.isns[Role.CLIENT], self.isns[Role.SERVER]
        start = self.start
        retransmission = self._retransmission
        names = ("client", "server")
        rows = []
        for i, (t, r, flags, seq, ack, _, length) in enumerate(self._segments):
            if not absolute:
                own, other = (base_c, base_s) if r == 0 else (base_s, base_c)
                if own is not None:
                    seq = (seq - own) & _MASK
                if other is not None:
                    ack = (ack - other) & _MASK
            client_state, server_state = states[i]
            rows.append(
                {
                    "from": names[r],
                    "flags": list(FLAG_NAMES[flags]),
                    "seq": seq,
                    "ack": ack if flags & ACK else None,
                    "len": length,
                    "time": round(t - start, 6),
                    "retransmission": retransmission[i],
                    "lost": False,
                    "client_state": client_state.value,
                    "server_state": server_state.value,
                }
            )
        return {
            "client": self.client,
            "server": self.server,
            "partial": self.partial,
            "segments": rows,
        }


def client_side(flow: Flow) -> tuple[int, bool]:
    """``(d, partial)``: which side of the flow (0: its first sender) is the client."""
    flags = flow.segments[0][2]
    if flags & SYN:
        return (1, True) if flags & ACK else (0, False)
    (_, port_a), (_, port_b) = endpoints(flow.key)
    return (1 if port_a < port_b else 0), True


def from_flow(flow: Flow, number: int) -> CapturedConnection:
    client_d, partial = client_side(flow)
    raw = flow.segments
    segments: list[Segment] = (
        [(t, d ^ 1, f, s, a, w, n) for t, d, f, s, a, w, n in raw] if client_d else raw
    )
    ends = [label(*end) for end in endpoints(flow.key)]
    client, server = (ends[1], ends[0]) if client_d else (ends[0], ends[1])
    base = bases(segments, partial)
    retransmission, quirks = analyse(segments)
    inference = infer(segments, partial)
    for i, found in inference.quirks.items():
        quirks.setdefault(i, []).extend(found)
    return CapturedConnection(
        number=number,
        client=client,
        server=server,
        partial=partial,
        isns={Role.CLIENT: base[0], Role.SERVER: base[1]},
        start=segments[0][0],
        initial={Role.CLIENT: inference.initial[0], Role.SERVER: inference.initial[1]},
        notes=list(inference.notes),
        _segments=segments,
        _retransmission=retransmission,
        _quirks=quirks,
        _inference=inference,
    )
