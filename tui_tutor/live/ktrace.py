"""A live run re-said as an engine ``Trace``, so everything that reads traces reads it.

``tui-tutor live --json`` prints it with the code ``simulate --json`` uses, and the
app draws its ladder and state panes with the widgets it draws the engine's
with. The segments are the captured ones; the states are the kernel's:

- after a call (``connect`` moves the client to SYN_SENT before its SYN is sent);
- after each segment the wire delivered (root: states after every segment);
- at the end of each step (without root, the only states there are; every
  segment of a step then shows the states the step ended in).

Each change of state is explained by a row of the engine's table when one fits
the cause (the call, or the flags of the segment just delivered); a change no row
explains keeps a plain reason, marked ``KERNEL_RULE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import engine
from ..captures import decode
from ..captures.guess import why_sent
from ..engine import (
    TRANSITION_LIST,
    Event,
    Flag,
    Role,
    SegmentRecord,
    SeqNum,
    State,
    Transition,
)
from .capture import segments as frame_segments
from .observe import Called, KernelRun, Passed, States
from .wire import source_port

KERNEL_RULE = "reported by the kernel"

_CALLS = {
    "listen": Event.LISTEN,
    "connect": Event.CONNECT,
    "send": Event.SEND,
    "close": Event.CLOSE,
    "abort": Event.ABORT,
}
_SAME = decode.SYN | decode.FIN | decode.ACK | decode.RST
_FLAG_BITS = (
    (decode.SYN, Flag.SYN),
    (decode.FIN, Flag.FIN),
    (decode.RST, Flag.RST),
    (decode.PSH, Flag.PSH),
    (decode.ACK, Flag.ACK),
)


@dataclass
class KernelSegment:
    """One captured segment, with what the wire did to it."""

    index: int
    time: float
    sender: Role
    flags: int
    seq: int
    ack: int
    window: int
    length: int
    step: int  # the step it was sent in
    passed: Passed | None = None  # the wire's delivery (root), if it went through ours
    lost: bool = False
    retransmission: bool = False

    @property
    def segment(self) -> engine.Segment:
        flags = Flag(0)
        for bit, flag in _FLAG_BITS:
            if self.flags & bit:
                flags |= flag
        ack = SeqNum(self.ack) if self.flags & decode.ACK else None
        return engine.Segment(flags, SeqNum(self.seq), ack, self.length, self.window)


def kernel_segments(run: KernelRun, scenario: engine.Scenario) -> list[KernelSegment]:
    """The segments of the run, in the order they passed, with loss and retransmissions."""
    if run.frames is not None:
        raw = frame_segments(run.frames)
    else:  # no capture: what went through our wire, if it did
        raw = [(p.time, p.segment) for p in run.log if isinstance(p, Passed)]
    starts = [s.start for s in run.steps]
    passed = [p for p in run.log if isinstance(p, Passed)]
    found: list[KernelSegment] = []
    for index, (time, (key, flags, seq, ack, window, length)) in enumerate(raw):
        sender = Role.CLIENT if source_port(key) == run.ports[Role.CLIENT] else Role.SERVER
        step = max((i for i, start in enumerate(starts) if start <= time), default=-1)
        seg = KernelSegment(index, time, sender, flags, seq, ack, window, length, step)
        match = next(
            (p for p in passed if p.segment[:4] == (key, flags, seq, ack)), None
        )  # the same segment as the wire saw it
        if match is not None:
            passed.remove(match)
            seg.passed = match
            seg.lost = not match.delivered
        found.append(seg)
    if run.mode != "wire":
        _lost_by_rules(found, run, scenario)
    _mark_retransmissions(found)
    return found


def _mark_retransmissions(found: list[KernelSegment]) -> None:
    """A segment is sent again when its sender already sent one with the same SYN, FIN, ACK
    and RST flags, number and length (as the engine's timers resend). Unlike the capture
    reader's rule (any part of its range sent before), the SYN,ACK that answers a crossing
    SYN in a simultaneous open is new here, as it is in the engine."""
    seen: set[tuple] = set()
    for seg in found:
        if not (seg.length or seg.flags & (decode.SYN | decode.FIN)):
            continue
        key = (seg.sender, seg.flags & _SAME, seg.seq, seg.length)
        seg.retransmission = key in seen
        seen.add(key)


def _lost_by_rules(found: list[KernelSegment], run: KernelRun, scenario: engine.Scenario) -> None:
    """Drop-first rules (no queue): a ``lose`` step lost the peer's next segments."""
    for played in run.steps:
        step = scenario.steps[played.index]
        if not isinstance(step, engine.Lose) or not played.played:
            continue
        later = [s for s in found if s.sender is step.peer and s.time >= played.start]
        for seg in later[: step.count]:
            seg.lost = True


def kernel_trace(run: KernelRun, scenario: engine.Scenario) -> engine.Trace:
    segments = kernel_segments(run, scenario)
    trace = engine.Trace()
    for seg in segments:
        if seg.flags & decode.SYN:
            trace.isn.setdefault(seg.sender, seg.seq)
    whys: list[engine.Why] = []
    records: list[SegmentRecord] = []
    for seg in segments:
        record = SegmentRecord(
            seg.sender,
            seg.segment.flags.names,
            seg.seq,
            seg.ack if seg.flags & decode.ACK else None,
            seg.length,
            seg.time,
            seg.retransmission,
            seg.lost,
            State.CLOSED,
            State.CLOSED,
            seg.index,
        )
        whys.append(why_sent(record, records))
        records.append(record)
    by_number = {s.passed.number: s for s in segments if s.passed is not None}
    end_states = run.step_end_states()

    # (step, phase, time): calls, then the states a call led to, then the wire, then the end
    story: list[tuple[tuple[int, int, float], Any]] = []
    for item in run.log:
        if isinstance(item, Called):
            story.append(((item.step, 0, item.time), item))
        elif isinstance(item, States):
            phase = 3 if item.at_end else (2 if item.after is not None else 1)
            story.append(((item.step, phase, item.time), item))
        elif isinstance(item, Passed) and item.number in by_number:
            story.append(((item.step, 2, item.time), item))
    for seg in segments:
        story.append(((seg.step, 2, seg.time), seg))
    story.sort(key=lambda pair: pair[0])

    events = trace.events
    current = {Role.CLIENT: State.CLOSED, Role.SERVER: State.CLOSED}
    last_call: dict[int, Event] = {}

    def change(states: States, hints: list[Event], cause: int | None) -> None:
        for role in (Role.CLIENT, Role.SERVER):
            new = states.of(role)
            if new is not current[role]:
                row = explain(current[role], new, hints)
                events.append(
                    engine.StateChanged(
                        states.time, states.step, role, current[role], new, row, cause
                    )
                )
                current[role] = new

    for _key, item in story:
        if isinstance(item, Called):
            events.append(engine.UserCalled(item.time, item.step, item.peer, item.call))
            last_call[item.step] = _CALLS.get(item.call.split()[0], Event.SEND)
        elif isinstance(item, KernelSegment):
            events.append(
                engine.SegmentSent(
                    item.time,
                    item.step,
                    item.index,
                    item.sender,
                    item.segment,
                    whys[item.index],
                    item.retransmission,
                    item.lost,
                )
            )
            if item.passed is None and not item.lost:
                # no wire of ours: it arrived at once; the states are the step's end
                after = end_states.get(item.step)
                if after is not None:
                    _delivered(events, item, item.time, after)
        elif isinstance(item, Passed):
            seg = by_number[item.number]
            after = next(
                (s for s in run.log if isinstance(s, States) and s.after == item.number), None
            )
            if item.delivered and after is not None:
                _delivered(events, seg, item.time, after)
                change(after, _segment_events(seg.flags), seg.index)
        elif isinstance(item, States):
            if item.after is not None:
                continue  # taken with its delivery
            if item.at_end:
                change(
                    item, [Event.TIMEOUT_2MSL, Event.GIVE_UP, *_step_call(last_call, item)], None
                )
            else:
                change(item, _step_call(last_call, item), None)
    trace.step_count = len(run.steps)
    return trace


def _step_call(last_call: dict[int, Event], states: States) -> list[Event]:
    call = last_call.get(states.step)
    return [call] if call is not None else []


def _delivered(events: list, seg: KernelSegment, time: float, after: States) -> None:
    events.append(
        engine.SegmentDelivered(
            time, after.step, seg.index, seg.sender.other, after.client, after.server
        )
    )


def _segment_events(flags: int) -> list[Event]:
    """The arriving-segment events a segment with these flags can be."""
    if flags & decode.RST:
        return [Event.RCV_RST]
    if flags & decode.SYN:
        return [Event.RCV_SYN_ACK] if flags & decode.ACK else [Event.RCV_SYN]
    if flags & decode.FIN:
        return [Event.RCV_FIN_ACK, Event.RCV_FIN, Event.RCV_ACK_OF_FIN]
    return [Event.RCV_ACK_OF_SYN, Event.RCV_ACK_OF_FIN]


def explain(old: State, new: State, hints: list[Event]) -> Transition:
    """The engine's row for ``old`` -> ``new``, preferring the events ``hints`` name."""
    rows = [t for t in TRANSITION_LIST if t.state is old and t.next_state is new]
    for event in hints:
        for row in rows:
            if row.event is event:
                return row
    if rows:
        return rows[0]
    event = hints[0] if hints else Event.GIVE_UP
    reason = f"the kernel went from {old.value} to {new.value}; no row of the engine's table does"
    return Transition(old, event, new, "", reason, KERNEL_RULE)
