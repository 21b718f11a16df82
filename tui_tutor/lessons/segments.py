"""What a run's segments mean to the grader: where each one ends, what it answers.

The engine's trace says what was sent and when it arrived; the grader and its
misconception rules keep asking the same few questions about it: which segment
does this ack acknowledge, which earlier segment brought this seq where it is,
which segment is a retransmission a copy of, what had arrived when a segment
left. They are answered here, once, from the trace alone.
"""

from __future__ import annotations

from ..engine import (
    Event,
    Role,
    SegmentDelivered,
    SegmentRecord,
    State,
    StateChanged,
    transition,
)
from .timeline import Run


def delivered_at(run: Run) -> dict[int, int]:
    """Segment index -> position in the trace where it reached its receiver."""
    return {
        ev.index: pos for pos, ev in enumerate(run.trace.events) if isinstance(ev, SegmentDelivered)
    }


def arrived_before(run: Run, number: int) -> list[int]:
    """Numbers of the other side's segments that had reached the sender of ``number``."""
    record = run.record(number)
    sent = run.sent_at[number - 1]
    reached = delivered_at(run)
    return [
        n
        for n, earlier in enumerate(run.records, 1)
        if earlier.sender is not record.sender
        and earlier.index in reached
        and reached[earlier.index] < sent
    ]


def acknowledged(run: Run, number: int) -> SegmentRecord | None:
    """The last segment from the other side whose end this segment's ack points at."""
    found = acknowledged_number(run, number)
    return run.record(found) if found else None


def acknowledged_number(run: Run, number: int) -> int | None:
    record = run.record(number)
    for n in range(number - 1, 0, -1):
        earlier = run.record(n)
        if (
            earlier.sender is not record.sender
            and not earlier.lost
            and earlier.seg_len
            and earlier.end == record.ack
        ):
            return n
    return None


def original(run: Run, number: int) -> int:
    """The first segment whose numbers this retransmission repeats (not a pure ACK)."""
    record = run.record(number)
    for n, earlier in enumerate(run.records[: number - 1], 1):
        if (
            earlier.sender is record.sender
            and earlier.seq == record.seq
            and earlier.length == record.length
            and earlier.seg_len
            and _control(earlier) == _control(record)
        ):
            return n
    return number


def copies(run: Run, number: int) -> int:
    """How many times segment ``number``'s numbers were sent, up to and including it."""
    record = run.record(number)
    return sum(
        1
        for earlier in run.records[:number]
        if earlier.sender is record.sender
        and earlier.seq == record.seq
        and earlier.seg_len == record.seg_len
        and _control(earlier) == _control(record)
    )


def _control(record: SegmentRecord) -> set[str]:
    return {f for f in record.flags if f in ("SYN", "FIN", "RST")}


def used_by(run: Run, number: int) -> int | None:
    """The sender's earlier segment that ends where this one's seq starts (SND.NXT's source)."""
    record = run.record(number)
    for n in range(number - 1, 0, -1):
        earlier = run.record(n)
        if earlier.sender is record.sender and earlier.seg_len and earlier.end == record.seq:
            return n
    return None


def previous_of(run: Run, number: int, sender: Role) -> int | None:
    """The number of ``sender``'s last segment before segment ``number``."""
    for n in range(number - 1, 0, -1):
        if run.record(n).sender is sender:
            return n
    return None


def last_ack_received(run: Run, number: int) -> int | None:
    """The ack of the last segment that had reached the sender when ``number`` left."""
    acks = [run.record(n).ack for n in arrived_before(run, number)]
    acks = [a for a in acks if a is not None]
    return acks[-1] if acks else None


def first_syn(run: Run, sender: Role, before: int) -> int | None:
    """The number of ``sender``'s first SYN before segment ``before``."""
    for n in range(1, before):
        record = run.record(n)
        if record.sender is sender and "SYN" in record.flags:
            return n
    return None


def undecided_fin_arrivals(run: Run) -> dict[int, dict[Role, tuple[State, int]]]:
    """Where a capture cannot tell a lost FIN from a lost ACK of it: the other possible state.

    A FIN sent again with no ACK of it seen in between was lost, or arrived and its ACK was
    lost; a capture taken at one point cannot tell which. While that is open, the receiver
    is either where the capture's inference puts it or where the FIN would have taken it.
    The receiver's own segments in between (acknowledging less) show it had not got the FIN
    when it sent them, so the doubt starts after the last of them.
    """
    undecided: dict[int, dict[Role, tuple[State, int]]] = {}
    for f, fin in enumerate(run.records, 1):
        if "FIN" not in fin.flags or not fin.lost:
            continue
        again = next(
            (
                k
                for k in range(f + 1, len(run.records) + 1)
                if run.record(k).sender is fin.sender
                and "FIN" in run.record(k).flags
                and run.record(k).seq == fin.seq
            ),
            None,
        )
        if again is None:
            continue
        receiver = fin.sender.other
        answers = [k for k in range(f + 1, again) if run.record(k).sender is receiver]
        if any(run.record(k).ack == fin.end for k in answers):
            continue  # an ACK of it was seen: it did arrive
        for k in range(answers[-1] + 1 if answers else f, again):
            record = run.record(k)
            now = record.state_of(receiver)
            row = transition(now, Event.RCV_FIN)
            if row is not None and row.next_state is not now:
                undecided.setdefault(k, {})[receiver] = (row.next_state, f)
    return undecided


def connection_span(run: Run, position: int) -> range:
    """The trace positions of the connection going on at ``position``.

    A lesson may play one connection after another (lesson 31); each starts where a peer
    opens (CLOSED or LISTEN -> SYN_SENT) while the other is not opening too, which would be
    a simultaneous open of the same connection.
    """
    events = run.trace.events
    states = {Role.CLIENT: State.CLOSED, Role.SERVER: State.CLOSED}
    starts = [0]
    for pos, ev in enumerate(events):
        if not isinstance(ev, StateChanged):
            continue
        opening = ev.new is State.SYN_SENT and ev.old in (State.CLOSED, State.LISTEN)
        if opening and states[ev.peer.other] is not State.SYN_SENT and pos > 0:
            starts.append(pos)
        states[ev.peer] = ev.new
    start = max(p for p in starts if p <= position)
    stop = min((p for p in starts if p > position), default=len(events))
    return range(start, stop)


def first_fin_sender(run: Run, position: int | None = None) -> set[Role]:
    """Who closed first: the side(s) whose FIN left before the other side's FIN arrived.

    With a trace ``position``, only the connection going on there counts.
    """
    reached = delivered_at(run)
    span = range(len(run.trace.events)) if position is None else connection_span(run, position)
    fins = [
        (n, r)
        for n, r in enumerate(run.records, 1)
        if "FIN" in r.flags and run.sent_at[n - 1] in span
    ]
    if not fins:
        return set()
    first = {fins[0][1].sender}
    # a simultaneous close: the other side sent its FIN before the first one reached it
    # (the first FIN, or a copy of it sent again after it was lost)
    first_record = fins[0][1]
    copies = [
        reached[r.index]
        for _, r in fins
        if r.sender is first_record.sender and r.seq == first_record.seq and r.index in reached
    ]
    arrival = min(copies, default=None)
    for n, record in fins:
        if record.sender is not first_record.sender and (
            arrival is None or run.sent_at[n - 1] < arrival
        ):
            first.add(record.sender)
    return first
