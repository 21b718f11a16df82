"""A lesson run as a list of moments the learner steps through with n and b.

The engine's trace is a flat list of events. The learner sees it a segment at a
time: before a segment appears there may be narration and a question; then the
segment crosses (or is lost) with everything it causes; then more narration.
``build_timeline`` cuts the trace into those moments. Each moment carries a
``cutoff``: how many trace events have happened by then, so the app draws the
panes and the ladder from ``trace.events[:cutoff]`` and never computes TCP.
"""

from __future__ import annotations

import random
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from .. import engine
from ..engine import Role, SegmentRecord, Trace
from .model import Lesson, LessonStep, Narrate, PredictSegment, PredictState


@dataclass(frozen=True)
class Cause:
    """What made a peer send a segment: a user call, a timer, or an arriving segment."""

    kind: str  # "call", "timer", "segment", "setup"
    peer: Role
    detail: str  # "connect", "send 5", "RTO", or the 1-based number of the segment
    timer: engine.TimerKind | None = None  # the timer, for a timer's


@dataclass(frozen=True)
class Moment:
    """One press of n. ``kind`` is "step" (a lesson step), "segment" or "events"."""

    kind: str
    cutoff: int  # trace events shown: trace.events[:cutoff]
    segments_shown: int  # ladder rows shown: segments 1..segments_shown
    step: LessonStep | None = None
    step_index: int | None = None
    segment: int | None = None  # 1-based, for "segment" moments and segment questions


@dataclass
class Run:
    """One playthrough of a lesson with particular ISNs."""

    lesson: Lesson | None
    trace: Trace
    records: list[SegmentRecord]
    isns: dict[Role, int | None]
    moments: list[Moment] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    why: list[engine.Why] = field(default_factory=list)
    frame_end: list[int] = field(default_factory=list)  # per segment: its cutoff
    sent_at: list[int] = field(default_factory=list)  # per segment: where it is sent
    notes: dict[int, str] = field(default_factory=dict)  # per segment: why it is not graded
    # per segment: a peer's other possible state where a capture cannot tell (state, the FIN)
    undecided: dict[int, dict[Role, tuple[engine.State, int]]] = field(default_factory=dict)
    setup_end: int = 0  # events before the first step (a listening server's listen)

    @property
    def x(self) -> int | None:
        return self.isns.get(Role.CLIENT)

    @property
    def y(self) -> int | None:
        return self.isns.get(Role.SERVER)

    def record(self, number: int) -> SegmentRecord:
        return self.records[number - 1]

    def states_at(self, cutoff: int) -> dict[Role, engine.State]:
        states = {Role.CLIENT: engine.State.CLOSED, Role.SERVER: engine.State.CLOSED}
        for ev in self.trace.events[:cutoff]:
            if isinstance(ev, engine.StateChanged):
                states[ev.peer] = ev.new
        return states

    def transitions_at(self, cutoff: int, peer: Role) -> list[engine.StateChanged]:
        return [
            ev
            for ev in self.trace.events[:cutoff]
            if isinstance(ev, engine.StateChanged) and ev.peer is peer
        ]

    def caused_by(self, number: int) -> list[engine.StateChanged]:
        """State changes that segment ``number`` caused at its receiver."""
        index = self.records[number - 1].index
        return [
            ev
            for ev in self.trace.events
            if isinstance(ev, engine.StateChanged) and ev.cause_segment == index
        ]

    def vars_at(self, cutoff: int, peer: Role) -> engine.PeerVars | None:
        """The peer's sequence variables (SND.NXT, RCV.NXT ...) as of ``cutoff``."""
        snap = None
        for ev in self.trace.events[:cutoff]:
            if isinstance(ev, engine.PeerVars) and ev.peer is peer:
                snap = ev
        return snap

    @property
    def end_states(self) -> dict[Role, engine.State]:
        return self.states_at(len(self.trace.events))


def play(
    lesson: Lesson, rng: random.Random | None = None, isns: dict[Role, int] | None = None
) -> Run:
    """Run the lesson's scenario in the engine and cut it into moments."""
    scenario = lesson.scenario.to_engine()
    trace = engine.run(scenario, rng=rng, isns=isns)
    return build_timeline(lesson, trace)


def build_timeline(lesson: Lesson | None, trace: Trace, ask_before: set[int] | None = None) -> Run:
    """Cut ``trace`` into moments; ``ask_before``: segments to predict without a lesson."""
    records = trace.segments()
    run = Run(lesson, trace, records, dict(trace.isn))
    run.setup_end = _setup_end(trace.events)
    _frames(run)
    run.moments = _moments(run, ask_before or set())
    return run


def _frames(run: Run) -> None:
    """For each segment: why and by what it was sent, and the cutoff that shows it arrive."""
    events = run.trace.events
    sent_pos: dict[int, int] = {}
    end_pos: dict[int, int] = {}
    why: dict[int, engine.Why] = {}
    cause: dict[int, Cause] = {}
    number_of = {r.index: n for n, r in enumerate(run.records, 1)}
    stimulus: Cause = Cause("setup", Role.SERVER, "")
    for pos, ev in enumerate(events):
        if isinstance(ev, engine.UserCalled):
            stimulus = Cause("call", ev.peer, ev.call)
        elif isinstance(ev, engine.TimerFired):
            stimulus = Cause("timer", ev.peer, ev.timer.value, ev.timer)
        elif isinstance(ev, engine.SegmentDelivered):
            stimulus = Cause("segment", ev.receiver, str(number_of[ev.index]))
            end_pos[ev.index] = _group_end(events, pos)
        elif isinstance(ev, engine.SegmentSent):
            sent_pos[ev.index] = pos
            why[ev.index] = ev.why
            cause[ev.index] = stimulus
            if ev.lost:
                end_pos[ev.index] = pos + 1
    cutoff = 0
    for record in run.records:
        # a segment still in flight at the end of the run shows with the last events
        cutoff = max(cutoff, end_pos.get(record.index, len(events)))
        run.frame_end.append(cutoff)
        run.sent_at.append(sent_pos[record.index])
        run.why.append(why[record.index])
        run.causes.append(cause[record.index])


def _group_end(events: list[engine.TraceEvent], pos: int) -> int:
    """Just past the delivery at ``pos`` and the state changes and timers it caused."""
    end = pos + 1
    while end < len(events) and isinstance(
        events[end],
        engine.StateChanged | engine.TimerStarted | engine.TimerStopped | engine.PeerVars,
    ):
        end += 1
    return end


def _setup_end(events: list[engine.TraceEvent]) -> int:
    end = 0
    while end < len(events) and getattr(events[end], "step", 0) < 0:
        end += 1
    return end


def _moments(run: Run, ask_before: set[int]) -> list[Moment]:
    """Start steps, then per segment: before-steps, the segment, after-steps; then the end."""
    start_cut = run.setup_end
    steps = list(enumerate(run.lesson.steps)) if run.lesson else []
    place: dict[tuple[str, int], list[tuple[int, LessonStep]]] = {}
    for i, step in steps:
        place.setdefault(_position(step), []).append((i, step))
    moments: list[Moment] = []

    def add_steps(key: tuple[str, int], cutoff: int, shown: int, before: int) -> None:
        for i, step in place.get(key, []):
            number = getattr(step, "segment", None)
            # a state question shows the segment but not yet the states it leads to
            cut = before if isinstance(step, PredictState) else cutoff
            moments.append(Moment("step", cut, shown, step, i, number))

    add_steps(("start", 0), start_cut, 0, start_cut)
    cutoff = start_cut
    for n in range(1, len(run.records) + 1):
        add_steps(("before", n), cutoff, n - 1, cutoff)
        if n in ask_before:  # a prediction without a lesson step: every field, engine-graded
            moments.append(Moment("step", cutoff, n - 1, segment=n))
        before, cutoff = cutoff, run.frame_end[n - 1]
        if any(isinstance(s, PredictState) for _, s in place.get(("after", n), [])):
            moments.append(Moment("segment", before, n, segment=n))  # states still hidden
        else:
            moments.append(Moment("segment", cutoff, n, segment=n))
        add_steps(("after", n), cutoff, n, before)
    total = len(run.trace.events)
    end_asks = {s.peer for _, s in place.get(("end", 0), []) if isinstance(s, PredictState)}
    if total > cutoff and _has_visible(run.trace.events[cutoff:]):
        if end_asks:
            moments.append(Moment("events", cutoff, len(run.records)))  # timers, states hidden
        else:
            moments.append(Moment("events", total, len(run.records)))
        hide_from = cutoff
    else:
        hide_from = _last_change_in_last_frame(run, end_asks, cutoff)
    add_steps(("end", 0), total, len(run.records), hide_from)
    # after a hidden state question, the next moment shows what happened
    return _reveal_after_state_questions(moments, run)


def _last_change_in_last_frame(run: Run, peers: AbstractSet[str], cutoff: int) -> int:
    """Where to cut so that a question about the final state does not show its answer."""
    if not peers or not run.frame_end:
        return cutoff
    frame_start = run.frame_end[-2] if len(run.frame_end) > 1 else run.setup_end
    changes = [
        pos
        for pos, ev in enumerate(run.trace.events[:cutoff])
        if isinstance(ev, engine.StateChanged) and ev.peer.value in peers and pos >= frame_start
    ]
    return min(changes) if changes else cutoff


def _reveal_after_state_questions(moments: list[Moment], run: Run) -> list[Moment]:
    out: list[Moment] = []
    for i, m in enumerate(moments):
        out.append(m)
        hidden = isinstance(m.step, PredictState)
        nxt = moments[i + 1] if i + 1 < len(moments) else None
        if hidden and (nxt is None or nxt.cutoff <= m.cutoff):
            full = run.frame_end[m.segment - 1] if m.segment else len(run.trace.events)
            if full > m.cutoff and (nxt is None or not isinstance(nxt.step, PredictState)):
                out.append(Moment("reveal", full, m.segments_shown, segment=m.segment))
    return out


def _has_visible(events: list[engine.TraceEvent]) -> bool:
    return any(isinstance(ev, engine.StateChanged | engine.TimerFired) for ev in events)


def _position(step: LessonStep) -> tuple[str, int]:
    if isinstance(step, PredictSegment):
        return ("before", step.segment)
    if isinstance(step, PredictState):
        return ("end", 0) if step.when == "end" else ("after", step.segment or 0)
    if isinstance(step, Narrate) or hasattr(step, "when"):
        when = step.when
        return (when, 0) if when in ("start", "end") else (when, step.segment or 0)
    return ("start", 0)
