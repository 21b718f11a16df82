"""Splitting the TCP segments of a capture into connections, holding only the open ones.

A connection is the traffic between two address:port ends. It begins with its
first segment in the file; a SYN on a pair whose connection is over (reset, or
both FINs acknowledged) begins a new one, and so does a SYN whose sequence
number differs from the SYN that side sent before (the port was reused, as
Wireshark also decides), or the first SYN on a pair seen only mid-stream.

A connection is *over* when a RST passed or both FINs were acknowledged. It is
kept a little longer (``LINGER`` seconds of capture time) because the last
segments of a close often come late (a FIN sent again when the last ACK was
lost, a RST answering data), then it is handed out and forgotten. So memory
holds the open connections and the ones that ended in the last few seconds,
never the whole file. Connections come out in the order they ended; those still
open when the file ends come last, in the order they started.

A segment is ``(time, d, flags, seq, ack, window, length)``, where ``d`` is 0
when the first sender of the flow sent it (side "A", whose address and port come
first in ``Flow.key``) and 1 for the other side. A flow keeps its segments packed
(``SEGMENT``, 22 bytes each, ``Flow.data``) rather than as tuples of Python
numbers (about 250 bytes each): a capture's open connections may hold hundreds of
thousands of segments. ``Flow.segments`` (and ``unpacked``) gives the tuples back.
"""

from __future__ import annotations

import math
import struct
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from .decode import ACK, FIN, RST, SYN, Decoded, Extra, endpoints, reverse_key
from .errors import CaptureError
from .tunnels import Tunnel, reverse

RawSegment = tuple[float, int, int, int, int, int, int]
SEGMENT = struct.Struct("<dBBIIHI")  # a RawSegment packed
SIZE = SEGMENT.size

# long enough for the FIN sent again after a lost last ACK (Linux waits 200 ms and
# doubles), short enough that a busy capture does not keep every closed connection
LINGER = 3.0
# and never more segments than this in connections that are over but not handed out
MAX_LINGERING = 100_000

_CONTROL = SYN | FIN | RST
_MASK = 0xFFFFFFFF
_HALF = 0x80000000


class Flow:
    """The segments of one connection, and just enough state to know when it is over."""

    __slots__ = (
        "closing",
        "data",
        "detached",
        "fin_acked",
        "fin_end",
        "key",
        "notes",
        "over",
        "rkey",
        "serial",
        "syn_seq",
        "tunnels",
    )

    def __init__(self, key: bytes, serial: int) -> None:
        self.key = key  # side A's address and port first
        self.rkey = reverse_key(key)  # the other direction's
        self.serial = serial  # 0 for the first connection that started in the file
        self.data = bytearray()  # its segments, packed (see the module doc)
        self.syn_seq: list[int | None] = [None, None]  # the seq of each side's SYN
        self.fin_end: list[int | None] = [None, None]  # the seq just after each side's FIN
        self.fin_acked = [False, False]
        self.closing = False  # a FIN passed: watch the ACKs
        self.over = False
        self.detached = False  # no longer in the table: nothing more can join it
        # the tunnels of its first tunneled segment, as side A sends them (outermost first)
        self.tunnels: tuple[Tunnel, ...] = ()
        self.notes: dict[int, str] | None = None  # segment index -> what the capture cut

    def __len__(self) -> int:
        return len(self.data) // SIZE

    @property
    def segments(self) -> list[RawSegment]:
        return unpacked(self.data)

    def last_time(self) -> float:
        return SEGMENT.unpack_from(self.data, len(self.data) - SIZE)[0]


def unpacked(data: bytes | bytearray) -> list[RawSegment]:
    """The segments packed in ``data`` (``Flow.data``), as tuples."""
    return list(SEGMENT.iter_unpack(data))  # type: ignore[arg-type]


def flows(segments: Iterable[tuple[float, Decoded]], linger: float = LINGER) -> Iterator[Flow]:
    """Every connection of ``segments`` (``pcapfile.tcp_segments``), each handed out once
    it is over (see the module doc). Damage in the file (``CaptureError``) ends the
    segments: the connections read until then are handed out first, then it is raised."""
    # the loop below runs once per packet: everything it needs is a local name, and
    # each table entry carries the flow's ``data.extend`` ready to call
    table: dict[bytes, tuple[Flow, int, Callable[[bytes], None]]] = {}
    add: Callable[[bytes], None]  # a flow's data.extend
    get = table.get
    pack = SEGMENT.pack
    ended: deque[Flow] = deque()
    lingering = 0  # segments held in ``ended``
    max_lingering = MAX_LINGERING
    release_at = math.inf  # when the first flow in ``ended`` may go; inf while it is empty
    serial = 0
    control = _CONTROL
    damage = None
    try:
        for t, (key, flags, seq, ack, window, length, extra) in segments:
            entry = get(key)
            if entry is None or (flags & SYN and _starts_anew(entry[0], entry[1], flags, seq)):
                if entry is not None:
                    old = entry[0]
                    _detach(old, table)
                    if not old.over:
                        old.over = True
                        ended.append(old)
                        lingering += len(old)
                flow = Flow(key, serial)
                serial += 1
                d = 0
                add = flow.data.extend
                table[key] = (flow, 0, add)
                table[flow.rkey] = (flow, 1, add)
            else:
                flow, d, add = entry
            add(pack(t, d, flags, seq, ack, window, length))
            if extra is not None:  # a tunnel, or a header the capture cut: rare
                _remember(flow, d, extra)
            # SYN, FIN, RST, or ACKs that may finish a close: the rare segments
            if (flags & control or flow.closing) and _control(flow, d, flags, seq, ack, length):
                ended.append(flow)
                lingering += len(flow)
                if release_at == math.inf:
                    release_at = t + linger
            if t > release_at or lingering > max_lingering:
                while ended:
                    head = ended[0]
                    if t - head.last_time() <= linger and lingering <= max_lingering:
                        break
                    ended.popleft()
                    lingering -= len(head)
                    _detach(head, table)
                    yield head
                release_at = ended[0].last_time() + linger if ended else math.inf
    except CaptureError as err:
        damage = err  # keep what was read before it: hand out every connection, then say so
    while ended:
        head = ended.popleft()
        _detach(head, table)
        yield head
    still_open = {id(entry[0]): entry[0] for entry in table.values()}
    yield from sorted(still_open.values(), key=lambda flow: flow.serial)
    if damage is not None:
        raise damage


def _remember(flow: Flow, d: int, extra: Extra) -> None:
    found, note = extra
    if found and not flow.tunnels:
        flow.tunnels = found if d == 0 else tuple(map(reverse, found))
    if note:
        if flow.notes is None:
            flow.notes = {}
        flow.notes[len(flow) - 1] = note


def _starts_anew(flow: Flow, d: int, flags: int, seq: int) -> bool:
    """Does this SYN from side ``d`` begin a new connection on the same pair?"""
    if flags & ACK:
        # a SYN,ACK only when the old connection is over and this is not its SYN,ACK again
        return flow.over and flow.syn_seq[d] != seq
    if flow.over:
        return True
    known = flow.syn_seq[d]
    if known is not None:
        return known != seq
    # neither side sent a SYN: the old connection was seen mid-stream
    return flow.syn_seq[1 - d] is None


def _control(flow: Flow, d: int, flags: int, seq: int, ack: int, length: int) -> bool:
    """Track SYNs, RSTs and FINs; True when this segment makes the connection over."""
    if flags & SYN and flow.syn_seq[d] is None:
        flow.syn_seq[d] = seq
    if flow.over:
        return False
    if flags & RST:
        flow.over = True
        return True
    if flags & FIN and flow.fin_end[d] is None:
        # a FIN takes one sequence number after the data (and after a SYN it rides with)
        flow.fin_end[d] = (seq + length + (1 if flags & SYN else 0) + 1) & _MASK
        flow.closing = True
    other = 1 - d
    fin_end = flow.fin_end[other]
    if (
        fin_end is not None
        and flags & ACK
        and not flow.fin_acked[other]
        and (ack - fin_end) & _MASK < _HALF
    ):
        flow.fin_acked[other] = True
        if flow.fin_acked[d]:
            flow.over = True
            return True
    return False


def _detach(flow: Flow, table: dict[bytes, tuple[Flow, int, Callable[[bytes], None]]]) -> None:
    if flow.detached:
        return
    flow.detached = True
    for k in (flow.key, flow.rkey):
        entry = table.get(k)
        if entry is not None and entry[0] is flow:
            del table[k]


def client_side(key: bytes, segments: list[RawSegment]) -> tuple[int, bool]:
    """``(d, partial)``: which side of the flow (0: its first sender) is the client."""
    flags = segments[0][2]
    if flags & SYN:
        return (1, True) if flags & ACK else (0, False)
    (_, port_a), (_, port_b) = endpoints(key)
    return (1 if port_a < port_b else 0), True
