"""Which rows of the engine's state table the curriculum asks about, and which it only plays.

A question *asks* a transition when the learner must predict the state it leads to: a
``predict_segment`` that asks a peer's state, or a ``predict_state``, whose answer lies
after the transition while the question is shown before it. Every other transition a
lesson's scenario takes is *played*: the learner sees it happen but is never asked.
Everything is computed from the engine's run of each lesson, never from what the author
wrote, so the figures follow the lessons as they change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import engine
from ..engine import TRANSITION_LIST, Event, Role, State, Transition, transition
from .loader import LoadedLesson
from .model import PredictSegment, PredictState, question_id
from .timeline import Run, play

#: The events of the rows RFC 9293 adds to figure 5 in its text: resets, aborts, giving up.
ENDINGS = frozenset({Event.RCV_RST, Event.ABORT, Event.GIVE_UP})
_CALLS = {e.value: e for e in Event if e.is_user_call}
#: ISNs for the runs: any pair gives the same transitions, these keep the runs repeatable.
ISNS = {Role.CLIENT: 1000, Role.SERVER: 5000}


@dataclass
class RowCoverage:
    transition: Transition
    asked_in: list[str] = field(default_factory=list)  # "lesson-id#question-id"
    played_in: list[str] = field(default_factory=list)  # lesson ids

    @property
    def figure5(self) -> bool:
        return self.transition.figure5

    @property
    def ending(self) -> bool:
        """A reset, an abort or a give-up: what the RFC text adds to the figure."""
        return self.transition.event in ENDINGS

    def to_json(self) -> dict:
        t = self.transition
        return {
            "state": t.state.value,
            "event": t.event.value,
            "when": t.when,
            "next_state": t.next_state.value,
            "figure5": t.figure5,
            "asked_in": self.asked_in,
            "played_in": self.played_in,
        }


def coverage(lessons: list[LoadedLesson]) -> list[RowCoverage]:
    """One entry per row of the table, in table order, with the lessons that reach it."""
    rows = {t: RowCoverage(t) for t in TRANSITION_LIST}
    for item in lessons:
        lesson = item.lesson
        scenario = lesson.scenario.to_engine()
        isns = {
            Role.CLIENT: scenario.client.isn
            if scenario.client.isn is not None
            else ISNS[Role.CLIENT],
            Role.SERVER: scenario.server.isn
            if scenario.server.isn is not None
            else ISNS[Role.SERVER],
        }
        run = play(lesson, isns=isns)
        for row in taken(run.trace):
            if lesson.id not in rows[row].played_in:
                rows[row].played_in.append(lesson.id)
        for row, qid in asked(run):
            name = f"{lesson.id}#{qid}"
            if name not in rows[row].asked_in:
                rows[row].asked_in.append(name)
    return list(rows.values())


def taken(trace: engine.Trace) -> list[Transition]:
    """Every row a run takes: its state changes, and the user calls that keep the state
    (``send`` in ESTABLISHED), which the trace records as calls only."""
    states = {Role.CLIENT: State.CLOSED, Role.SERVER: State.CLOSED}
    rows = []
    for ev in trace.events:
        if isinstance(ev, engine.StateChanged):
            states[ev.peer] = ev.new
            rows.append(ev.transition)
        elif isinstance(ev, engine.UserCalled):
            name = ev.call.split()[0]
            event = Event.CLOSE if name == "shutdown" else _CALLS.get(name)
            row = transition(states[ev.peer], event) if event else None
            if row is not None and row.next_state is row.state:
                rows.append(row)
    return rows


def asked(run: Run) -> list[tuple[Transition, str]]:
    """(transition, question id) for every transition a question of the run asks."""
    assert run.lesson is not None
    found = []
    for moment in run.moments:
        step, index = moment.step, moment.step_index
        if index is None or not isinstance(step, PredictSegment | PredictState):
            continue
        if isinstance(step, PredictSegment):
            answer_at = run.frame_end[step.segment - 1]
            peers = [r for r in Role if f"{r.value}_state" in step.ask]
        else:
            if step.when == "end" or step.segment is None:
                answer_at = len(run.trace.events)
            else:
                answer_at = run.frame_end[step.segment - 1]
            peers = [Role(step.peer)]
        for ev in run.trace.events[moment.cutoff : answer_at]:
            if isinstance(ev, engine.StateChanged) and ev.peer in peers:
                found.append((ev.transition, question_id(index, step)))
    return found


@dataclass(frozen=True)
class Summary:
    figure5_asked: int
    figure5_total: int
    endings_reached: int  # asked or played
    endings_total: int
    rows_played: int
    rows_total: int


def summarize(rows: list[RowCoverage]) -> Summary:
    figure5 = [r for r in rows if r.figure5]
    endings = [r for r in rows if r.ending]
    return Summary(
        figure5_asked=sum(1 for r in figure5 if r.asked_in),
        figure5_total=len(figure5),
        endings_reached=sum(1 for r in endings if r.asked_in or r.played_in),
        endings_total=len(endings),
        rows_played=sum(1 for r in rows if r.played_in),
        rows_total=len(rows),
    )
