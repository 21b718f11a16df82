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

from ..engine import Role, SegmentRecord, State, isn_owner
from .analysis import Analysis, analysis
from .decode import ACK, CWR, ECE, FIN, PSH, RST, SYN, URG, endpoints, label
from .quirks import Quirk, QuirkKind, quirk
from .sequence import Segment, bases
from .sequence import quirks as sequence_quirks
from .split import Flow, RawSegment, client_side
from .states import ROLES, StateChange
from .tunnels import Tunnel, describe, reverse

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

# by sender (0 client, 1 server): whose ISN (same numbering) its seq and its ack count
# from, as the engine's rule says; worked out once, not per connection
_SEQ_OWNER = tuple(ROLES.index(isn_owner("seq", role)) for role in ROLES)
_ACK_OWNER = tuple(ROLES.index(isn_owner("ack", role)) for role in ROLES)


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
    # the ISNs (see the class doc) as (client's, server's); ``isns`` names them
    bases: tuple[int | None, int | None]
    start: float
    _segments: list[Segment] = field(repr=False)
    _analysis: Analysis = field(repr=False)
    # the tunnels its segments came through, outermost first, client's end first
    tunnels: tuple[Tunnel, ...] = ()
    # segment index -> what the capture cut of it (a cut TCP header, an IP fragment)
    _cut: dict[int, str] | None = field(default=None, repr=False)

    @property
    def isns(self) -> dict[Role, int | None]:
        return {Role.CLIENT: self.bases[0], Role.SERVER: self.bases[1]}

    @property
    def via(self) -> str:
        """The tunnels, as the header says them: ``VXLAN 10.0.0.1 → 10.0.0.2, VNI 42``."""
        return "; ".join(describe(tunnel) for tunnel in self.tunnels)

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
        found = sequence_quirks(self._segments, analysis.retransmission)
        for i, more in inference.quirks.items():
            found[i] = found.get(i, []) + more
        for i, note in (self._cut or {}).items():
            kind = QuirkKind.FRAGMENT if "fragment" in note else QuirkKind.CUT
            found.setdefault(i, []).insert(0, quirk(kind, note))
        start = self.start
        steps = []
        for i, (t, r, flags, seq, ack, _, length) in enumerate(self._segments):
            client_state, server_state = inference.states[i]
            quirks = tuple(found.get(i, ()))
            received = inference.arrives_at(i) is not None
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
        ``json.dumps`` would take longer than reading them. Each row is a ``%``-format
        chosen by who sent it, its flags, whether it is a retransmission and both
        states (made once per combination and kept); the rows' formats are joined and
        filled with all their numbers at once, which costs less than a ``%`` per row.
        ``"%.6f" % t`` and ``json.dumps(round(t, 6))`` read back as the same float.
        """
        analysis = self._analysis
        inference = analysis.inference
        # by sender: what its seq and its ack count from (the engine's rule says whose ISN);
        # no ISN: the numbers as they are
        bases = (None, None) if absolute else self.bases
        seq_base = [bases[owner] or 0 for owner in _SEQ_OWNER]
        ack_base = [bases[owner] or 0 for owner in _ACK_OWNER]
        # each segment's table of formats, kept with the inference that connections of
        # the same facts share
        tables = inference.json_formats
        if tables is None:
            tables = inference.json_formats = _tables(inference.states)
        start = self.start
        mask = _MASK
        formats_used: list[str] = []
        use = formats_used.append
        numbers: list[float] = []
        add = numbers.extend
        for (t, r, flags, seq, ack, _, length), formats, again in zip(
            self._segments, tables, analysis.retransmission, strict=True
        ):
            code = r << 9 | again << 8 | flags
            use(formats[code] or _format(formats, code))
            if flags & ACK:
                add(((seq - seq_base[r]) & mask, (ack - ack_base[r]) & mask, length, t - start))
            else:
                add(((seq - seq_base[r]) & mask, length, t - start))
        rows = ", ".join(formats_used) % tuple(numbers)
        return (
            f'{{"client": "{self.client}", "server": "{self.server}", '
            f'"partial": {"true" if self.partial else "false"}, {self._via_json()}'
            f'"segments": [{rows}]}}'
        )

    def _via_json(self) -> str:
        return f'"via": {json.dumps(self.via, ensure_ascii=False)}, ' if self.tunnels else ""


class _Formats(list):
    """The JSON row formats for one pair of states, indexed by sender << 9 |
    retransmission << 8 | flags, each made when first needed."""

    def __init__(self, client_state: str, server_state: str) -> None:
        super().__init__([None] * 1024)
        self.states = (client_state, server_state)


_FORMATS: dict[tuple[str, str], _Formats] = {}


def _tables(states: list[tuple[State, State]]) -> list[_Formats]:
    """The format table of each segment's states."""
    tables: list[_Formats | None] = []
    pair = formats = None
    for both in states:
        if both is not pair:  # states change a few times per connection
            pair = both
            key = (both[0]._value_, both[1]._value_)
            formats = _FORMATS.get(key)
            if formats is None:
                formats = _FORMATS[key] = _Formats(*key)
        tables.append(formats)
    return tables  # type: ignore[return-value]


def _format(formats: _Formats, code: int) -> str:
    client_state, server_state = formats.states
    sender = "server" if code >> 9 else "client"
    names = json.dumps(list(FLAG_NAMES[code & 0xFF]))
    ack = "%d" if code & ACK else "null"
    again = "true" if code >> 8 & 1 else "false"
    fmt = formats[code] = (
        f'{{"from": "{sender}", "flags": {names}, "seq": %d, "ack": {ack}, "len": %d, '
        f'"time": %.6f, "retransmission": {again}, "lost": false, '
        f'"client_state": "{client_state}", "server_state": "{server_state}"}}'
    )
    return fmt


def from_flow(flow: Flow, number: int) -> CapturedConnection:
    """The connection ``number`` of a capture, from its raw segments (see the module doc)."""
    return from_segments(flow.key, flow.segments, number, flow.tunnels, flow.notes)


def from_segments(
    key: bytes,
    raw: list[RawSegment],
    number: int,
    tunnels: tuple[Tunnel, ...] = (),
    cut: dict[int, str] | None = None,
) -> CapturedConnection:
    """``from_flow`` for the parts of a ``split.Flow``."""
    client_d, partial = client_side(key, raw)
    segments: list[Segment] = (
        [(t, d ^ 1, f, s, a, w, n) for t, d, f, s, a, w, n in raw] if client_d else raw
    )
    ends = [label(*end) for end in endpoints(key)]
    client, server = (ends[1], ends[0]) if client_d else (ends[0], ends[1])
    base = bases(segments, partial)
    return CapturedConnection(
        number=number,
        client=client,
        server=server,
        partial=partial,
        bases=(base[0], base[1]),
        start=segments[0][0],
        _segments=segments,
        _analysis=analysis(segments, partial),
        tunnels=tuple(map(reverse, tunnels)) if client_d else tunnels,
        _cut=cut,
    )
