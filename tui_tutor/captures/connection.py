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

import json
from dataclasses import dataclass, field
from functools import cached_property

from ..engine import Role, SegmentRecord, State
from .analysis import Analysis, analysis
from .decode import ACK, CWR, ECE, FIN, PSH, RST, SYN, URG, endpoints, label
from .quirks import Quirk
from .sequence import Segment, bases
from .split import Flow
from .states import ROLES, StateChange

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
    _segments: list[Segment] = field(repr=False)
    _analysis: Analysis = field(repr=False)

    def __len__(self) -> int:
        return len(self._segments)

    @property
    def initial(self) -> dict[Role, State]:
        """Both peers' states before the first segment."""
        client, server = self._analysis.inference.initial
        return {Role.CLIENT: client, Role.SERVER: server}

    @property
    def final_states(self) -> dict[Role, State]:
        client, server = self._analysis.inference.states[-1]
        return {Role.CLIENT: client, Role.SERVER: server}

    @property
    def notes(self) -> list[str]:
        """What is worth saying about the connection as a whole (the server never answered)."""
        return list(self._analysis.inference.notes)

    @cached_property
    def steps(self) -> list[CapturedSegment]:
        """One step per captured segment, in capture order."""
        analysis = self._analysis
        inference = analysis.inference
        start = self.start
        steps = []
        for i, (t, r, flags, seq, ack, _, length) in enumerate(self._segments):
            client_state, server_state = inference.states[i]
            quirks = tuple(analysis.quirks.get(i, ()))
            received = inference.arrives_at[i] is not None
            notes = [q.text for q in quirks]
            if not received and flags & FIN and self._sent_again(i):
                notes.append(
                    "sent again with no ACK seen in between: this FIN or its ACK was lost, "
                    "and a capture taken at one point cannot tell which"
                )
            elif not received:
                notes.append("it never arrived: what came next shows the other side lacked it")
            record = SegmentRecord(
                sender=ROLES[r],
                flags=list(FLAG_NAMES[flags]),
                seq=seq,
                ack=ack if flags & ACK else None,
                length=length,
                time=t - start,
                retransmission=analysis.retransmission[i],
                lost=False,
                client_state=client_state,
                server_state=server_state,
                index=i,
                note="; ".join(notes),
            )
            changes = tuple(
                StateChange(ROLES[peer], old, new, event, row, cause)
                for peer, old, new, event, row, cause in inference.changes.get(i, ())
            )
            steps.append(CapturedSegment(record, changes, quirks, received))
        return steps

    def _sent_again(self, i: int) -> bool:
        """Segment ``i``'s sender sends the same sequence number again later (a retransmission)."""
        role, seq = self._segments[i][1], self._segments[i][3]
        retransmission = self._analysis.retransmission
        return any(
            retransmission[j] and later[1] == role and later[3] == seq
            for j, later in enumerate(self._segments[i + 1 :], i + 1)
        )

    @property
    def segments(self) -> list[SegmentRecord]:
        """The ladder rows, engine records with both peers' states filled in."""
        return [step.record for step in self.steps]

    def to_json(self, absolute: bool = False) -> dict:
        """One entry of ``{"connections": [...]}``: what ``SegmentRecord.to_json`` makes of
        each of ``segments``, with the time counted from the connection's first segment."""
        return json.loads(self.json_text(absolute))

    def json_text(self, absolute: bool = False) -> str:
        """``json.dumps(self.to_json(absolute))``, written out directly.

        This is the command line's hot path: a million segments as dicts for
        ``json.dumps`` would take longer than reading them. The rows become one
        ``%``-template with a ``%.6f`` where each time goes, and connections of one
        shape share their analysis and with it the template (for relative numbers).
        ``"%.6f" % t`` and ``json.dumps(round(t, 6))`` read back as the same float.
        """
        template = self._analysis.json_rows
        if template is None or absolute:
            template = self._rows_template(absolute)
            if not absolute:
                self._analysis.json_rows = template
        start = self.start
        body = template % tuple([seg[0] - start for seg in self._segments])
        return (
            f'{{"client": "{self.client}", "server": "{self.server}", '
            f'"partial": {"true" if self.partial else "false"}, "segments": [{body}]}}'
        )

    def _rows_template(self, absolute: bool) -> str:
        analysis = self._analysis
        states = analysis.inference.states
        retransmission = analysis.retransmission
        base_c, base_s = self.isns[Role.CLIENT], self.isns[Role.SERVER]
        rows = []
        for i, (_, r, flags, seq, ack, _, length) in enumerate(self._segments):
            if not absolute:
                own, other = (base_c, base_s) if r == 0 else (base_s, base_c)
                if own is not None:
                    seq = (seq - own) & _MASK
                if other is not None:
                    ack = (ack - other) & _MASK
            client_state, server_state = states[i]
            # the text before seq and after time repeats from row to row: made once each
            tail_key = (retransmission[i], client_state._value_, server_state._value_)
            tail = _TAILS.get(tail_key)
            if tail is None:
                tail = _TAILS[tail_key] = (
                    f', "retransmission": {"true" if tail_key[0] else "false"}, '
                    f'"lost": false, "client_state": "{tail_key[1]}", '
                    f'"server_state": "{tail_key[2]}"}}'
                )
            rows.append(
                f'{_HEADS[r][flags]}{seq}, "ack": {ack if flags & ACK else "null"}, '
                f'"len": {length}, "time": %.6f{tail}'
            )
        return ", ".join(rows)


_HEADS = tuple(
    tuple(
        f'{{"from": "{sender}", "flags": {json.dumps(list(names))}, "seq": ' for names in FLAG_NAMES
    )
    for sender in ("client", "server")
)
_TAILS: dict[tuple[bool, str, str], str] = {}


def client_side(flow: Flow) -> tuple[int, bool]:
    """``(d, partial)``: which side of the flow (0: its first sender) is the client."""
    flags = flow.segments[0][2]
    if flags & SYN:
        return (1, True) if flags & ACK else (0, False)
    (_, port_a), (_, port_b) = endpoints(flow.key)
    return (1 if port_a < port_b else 0), True


def from_flow(flow: Flow, number: int) -> CapturedConnection:
    """The connection ``number`` of a capture, from its raw segments (see the module doc)."""
    client_d, partial = client_side(flow)
    raw = flow.segments
    segments: list[Segment] = (
        [(t, d ^ 1, f, s, a, w, n) for t, d, f, s, a, w, n in raw] if client_d else raw
    )
    ends = [label(*end) for end in endpoints(flow.key)]
    client, server = (ends[1], ends[0]) if client_d else (ends[0], ends[1])
    base = bases(segments, partial)
    return CapturedConnection(
        number=number,
        client=client,
        server=server,
        partial=partial,
        isns={Role.CLIENT: base[0], Role.SERVER: base[1]},
        start=segments[0][0],
        _segments=segments,
        _analysis=analysis(segments, base, partial),
    )
