"""A real capture as something the lesson screen can play.

The capture reader (``tui_tutor.captures``) already gives each segment both
peers' states and the RFC 9293 transitions that explain them. This module only
re-says that as an engine ``Trace`` (the events the screen reads) and asks for a
prediction before every segment, except those where the real peers did
something the engine does not (a window probe, a duplicate): those are shown
with a plain note and not graded.
"""

from __future__ import annotations

from pathlib import Path

from .. import engine
from ..captures import CapturedConnection
from ..captures.guess import why_sent
from ..engine import Event, Flag, Role, Segment, SeqNum, State, Transition
from ..lessons.segments import undecided_fin_arrivals
from ..lessons.timeline import Run, build_timeline
from .screens.lesson import LessonSource
from .widgets.state_pane import CAPTURE_RULE

_ALREADY_OPEN = Transition(
    State.CLOSED,
    Event.CONNECT,
    State.ESTABLISHED,
    "",
    "already open when the capture began",
    CAPTURE_RULE,
)


def seen_isns(conn: CapturedConnection) -> dict[Role, int]:
    """The ISNs the capture shows: a side's, when its SYN is in it. A connection caught
    midway counts from its first numbers (as Wireshark does), which are no ISN."""
    with_syn = {s.record.sender for s in conn.steps if "SYN" in s.record.flags}
    return {r: v for r, v in conn.isns.items() if v is not None and r in with_syn}


def capture_trace(conn: CapturedConnection) -> tuple[engine.Trace, set[int]]:
    """The connection as trace events, and the 1-based numbers of its quirky segments."""
    trace = engine.Trace(isn=seen_isns(conn))
    events = trace.events
    for role in (Role.CLIENT, Role.SERVER):
        state = conn.initial[role]
        if state is State.LISTEN:
            events.append(engine.UserCalled(0.0, -1, role, "listen"))
            row = engine.transition(State.CLOSED, Event.LISTEN)
            assert row is not None
            events.append(engine.StateChanged(0.0, -1, role, State.CLOSED, State.LISTEN, row))
        elif state is not State.CLOSED:
            row = Transition(
                State.CLOSED, Event.CONNECT, state, "", _ALREADY_OPEN.reason, CAPTURE_RULE
            )
            events.append(engine.StateChanged(0.0, -1, role, State.CLOSED, state, row))
    quirky: set[int] = set()
    records: list[engine.SegmentRecord] = []
    for n, step in enumerate(conn.steps, 1):
        record = step.record
        if step.quirks:
            quirky.add(n)
        call = _call(record)
        if call:  # applications open, write, close and abort; TCP itself only answers
            events.append(engine.UserCalled(record.time, n - 1, record.sender, call))
        for change in step.changes:
            if change.peer is record.sender:  # the sender moves as it sends (connect, close)
                events.append(
                    engine.StateChanged(
                        record.time, n - 1, change.peer, change.old, change.new, change.transition
                    )
                )
        events.append(
            engine.SegmentSent(
                record.time,
                n - 1,
                record.index,
                record.sender,
                _segment(record),
                why_sent(record, records),
                record.retransmission,
                lost=not step.received,
            )
        )
        if step.received:
            events.append(
                engine.SegmentDelivered(
                    record.time,
                    n - 1,
                    record.index,
                    record.sender.other,
                    record.client_state,
                    record.server_state,
                    record.note,
                )
            )
        for change in step.changes:
            if change.peer is not record.sender:
                events.append(
                    engine.StateChanged(
                        record.time,
                        n - 1,
                        change.peer,
                        change.old,
                        change.new,
                        change.transition,
                        record.index,
                    )
                )
        records.append(record)
    trace.step_count = len(conn.steps)
    return trace, quirky


def _call(record: engine.SegmentRecord) -> str:
    """The application call a segment suggests, or "" for what TCP sends on its own."""
    flags = set(record.flags)
    if record.retransmission or ("SYN" in flags and "ACK" in flags):
        return ""
    if "SYN" in flags:
        return "connect"
    if "RST" in flags:
        return "abort" if "ACK" in flags and record.seq != 0 else ""
    if "FIN" in flags:
        return "close"
    return f"send {record.length}" if record.length else ""


def _segment(record: engine.SegmentRecord) -> Segment:
    flags = Flag(0)
    for name in record.flags:
        if name in Flag.__members__:
            flags |= Flag[name]
    ack = SeqNum(record.ack) if record.ack is not None else None
    return Segment(flags, SeqNum(record.seq), ack, record.length)


def capture_source(conn: CapturedConnection, path: Path) -> LessonSource:
    trace, quirky = capture_trace(conn)

    def make_run(_isns: object) -> Run:
        run = build_timeline(None, trace, ask_before=set(range(1, len(conn.steps) + 1)) - quirky)
        run.notes = {n: "; ".join(str(q) for q in conn.steps[n - 1].quirks) for n in quirky}
        run.undecided = undecided_fin_arrivals(run)  # a lost FIN or a lost ACK of it
        return run

    # the ports tell the connections of one file apart, and fit the header at 80 columns
    ports = f":{conn.client.rpartition(':')[2]} → :{conn.server.rpartition(':')[2]}"
    title = f"{path.name} #{conn.number} {ports}"
    return LessonSource(
        key=f"capture:{path.name}#{conn.number}",
        titles={"en": title, "zh": title},
        make_run=make_run,
        numbers="relative",
        fixed_isns=True,
        bases={r: v for r, v in conn.isns.items() if v is not None},
    )
