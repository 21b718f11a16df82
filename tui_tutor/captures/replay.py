"""A captured connection re-said as an engine ``Trace``: the events a lesson plays.

The capture reader already gives each segment both peers' states and the RFC 9293
transitions that explain them; this only lays them out as trace events, adding what a
capture cannot show but a trace holds (the application calls a segment suggests, why
each segment was sent), and reports the quirky segments: those where the real peers
did something the engine does not (a window probe, a duplicate), told rather than graded.
"""

from __future__ import annotations

from .. import engine
from ..engine import Event, Role, State, Transition
from .connection import CapturedConnection
from .guess import application_call, why_sent

CAPTURE_RULE = "seen in the capture"  # the rule of a state a capture simply began in
ALREADY_OPEN = "already open when the capture began"


def already_open(state: State) -> Transition:
    """The edge into a state the capture began in: no row of the table, only what was seen."""
    return Transition(
        State.CLOSED, Event.CONNECT, state, "", ALREADY_OPEN, CAPTURE_RULE, observed=True
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
            events.append(
                engine.StateChanged(0.0, -1, role, State.CLOSED, state, already_open(state))
            )
    quirky: set[int] = set()
    records: list[engine.SegmentRecord] = []
    for n, step in enumerate(conn.steps, 1):
        record = step.record
        if step.quirks:
            quirky.add(n)
        call = application_call(record)
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
                record.segment,
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
