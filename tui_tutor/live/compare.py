"""The engine's run beside the kernel's: every difference named, the known ones marked.

How it works
------------
Segments: both runs' rows (``Trace.to_json``: sender, flags, seq and ack relative
to each side's ISN, length, lost) are aligned like two texts (``difflib``); a row
only one side has is ``only_engine`` or ``only_kernel``, two rows in the same place
that differ are a ``field`` difference per field. Rows both have are compared in
time: a retransmission's wait since the previous copy (the RTO), and how long a
peer took to answer what it had just received (a delayed ACK).

States: both peers' states at the end of every step, and, where the kernel was
read after every segment (root), the states each peer went through.

Each difference gets ``known``: the id of the entry of ``engine.linux`` that
explains it, or of a limit of live mode (``not-reproduced``: after a step that could
not be played as written; ``wait-cut``: the engine got there after the moment a
long wait was cut short), or None: a difference nobody has explained yet.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace

from .. import engine
from ..engine import Role, State
from ..ladder import label_text
from .observe import Called, KernelRun

TIME_SLACK = 0.02  # seconds: closer than this is the same moment on loopback
TIMER_TIE = 0.05  # engine timers due this close together may fire either way on Linux
ROW_FIELDS = ("flags", "seq", "ack", "len", "lost")
LIMITS = ("not-reproduced", "wait-cut")  # live mode's own, next to engine.linux's ids


@dataclass(frozen=True)
class Difference:
    kind: str  # only_engine, only_kernel, field, state, state_reached, state_missed, timing, isn
    step: int | None = None
    peer: Role | None = None
    engine: str | None = None  # what the engine had: a segment label, a state, a delay
    kernel: str | None = None
    segment: int | None = None  # the engine's row, 1-based
    kernel_segment: int | None = None  # the kernel's row, 1-based
    field: str | None = None  # a field difference: which field; timing: "rto", "answer"
    known: str | None = None
    kernel_step: int | None = None  # the step the kernel did it in, when not ``step``

    def to_json(self) -> dict:
        out = {
            "kind": self.kind,
            "step": self.step,
            "peer": self.peer.value if self.peer else None,
            "engine": self.engine,
            "kernel": self.kernel,
            "segment": self.segment,
            "kernel_segment": self.kernel_segment,
            "field": self.field,
            "known": self.known,
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class Row:
    """One segment of a run, as compared."""

    number: int  # 1-based
    step: int
    time: float
    sender: Role
    json: dict
    wait: float | None = None  # a retransmission: since the previous copy
    answer: float | None = None  # since the last call or delivery before it
    pure_ack: bool = False

    @property
    def key(self) -> tuple:
        j = self.json
        return (j["from"], tuple(j["flags"]), j["seq"], j["ack"], j["len"], j["lost"])

    @property
    def label(self) -> str:
        j = self.json
        ack = None if j["ack"] is None else str(j["ack"])
        text = f"{j['from']}: " + label_text(j["flags"], str(j["seq"]), ack, j["len"])
        return text + (" (lost)" if j["lost"] else "")


def rows(trace: engine.Trace) -> list[Row]:
    records = trace.segments()
    table = trace.to_json()["connections"][0]["segments"]
    sent = {ev.index: ev for ev in trace.events if isinstance(ev, engine.SegmentSent)}
    out: list[Row] = []
    last_copy: dict[tuple, float] = {}
    stimulus = 0.0
    answer: dict[int, float] = {}
    for ev in trace.events:
        if isinstance(ev, engine.UserCalled | engine.SegmentDelivered):
            stimulus = ev.time
        elif isinstance(ev, engine.SegmentSent):
            answer[ev.index] = ev.time - stimulus
    for n, (record, row) in enumerate(zip(records, table, strict=True), 1):
        ev = sent[record.index]
        r = Row(n, ev.step, record.time, record.sender, row)
        copy = (record.sender, tuple(f for f in record.flags if f != "PSH"), record.seq)
        if record.retransmission and copy in last_copy:
            r.wait = record.time - last_copy[copy]
        else:
            r.answer = answer.get(record.index)
        last_copy[copy] = record.time
        r.pure_ack = record.flags == ["ACK"] and not record.length
        out.append(r)
    return out


def step_states(trace: engine.Trace, steps: int) -> list[dict[Role, State]]:
    """Both peers' states at the end of each step."""
    states = {Role.CLIENT: State.CLOSED, Role.SERVER: State.CLOSED}
    by_step: list[dict[Role, State]] = []
    events = iter(trace.events)
    pending: engine.TraceEvent | None = next(events, None)
    for step in range(steps):
        while pending is not None and pending.step <= step:
            if isinstance(pending, engine.StateChanged):
                states[pending.peer] = pending.new
            pending = next(events, None)
        by_step.append(dict(states))
    return by_step


def states_at(trace: engine.Trace, step: int, time: float) -> dict[Role, State]:
    """The engine's states after everything up to ``time`` in steps up to ``step``."""
    states = {Role.CLIENT: State.CLOSED, Role.SERVER: State.CLOSED}
    for ev in trace.events:
        if isinstance(ev, engine.StateChanged) and (
            ev.step < step or (ev.step == step and ev.time <= time + 1e-9)
        ):
            states[ev.peer] = ev.new
    return states


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)
    engine_states: list[dict[Role, State]] = field(default_factory=list)
    kernel_states: list[dict[Role, State] | None] = field(default_factory=list)

    @property
    def unexplained(self) -> list[Difference]:
        return [d for d in self.differences if d.known is None]


def compare(
    scenario: engine.Scenario,
    engine_trace: engine.Trace,
    run: KernelRun,
    kernel_trace: engine.Trace,
) -> Comparison:
    steps = len(scenario.steps)
    result = Comparison(engine_states=step_states(engine_trace, steps))
    ends = run.step_end_states()
    result.kernel_states = [
        {Role.CLIENT: ends[i].client, Role.SERVER: ends[i].server} if i in ends else None
        for i in range(steps)
    ]
    ours, theirs = rows(engine_trace), rows(kernel_trace)
    context = _Context(scenario, engine_trace, run, ours, theirs)
    found: list[Difference] = []
    if run.mode != "states":
        found += _segment_differences(ours, theirs)
    found += _state_differences(result.engine_states, result.kernel_states)
    if run.mode == "wire":
        found += _reached_differences(engine_trace, kernel_trace, found)
    if scenario.client.isn is not None or scenario.server.isn is not None:
        fixed = {
            r: s.isn for r, s in ((Role.CLIENT, scenario.client), (Role.SERVER, scenario.server))
        }
        text = ", ".join(f"{r.value} {v}" for r, v in fixed.items() if v is not None)
        found.append(Difference("isn", engine=text, kernel="chosen by the kernel", known="isn"))
    result.differences = context.consequences([context.explain(d) for d in found])
    return result


_STATE_KINDS = ("state", "state_reached", "state_missed")


def align(ours: list[Row], theirs: list[Row]) -> list[tuple[Row | None, Row | None]]:
    """The two runs' rows side by side: equal rows together, differing rows of the same
    sender in the same place together, the rest alone."""
    pairs: list[tuple[Row | None, Row | None]] = []
    matcher = difflib.SequenceMatcher(
        None, [r.key for r in ours], [r.key for r in theirs], autojunk=False
    )
    for op, e1, e2, k1, k2 in matcher.get_opcodes():
        left, right = ours[e1:e2], theirs[k1:k2]
        paired = 0
        if op in ("equal", "replace"):
            for e, k in zip(left, right, strict=False):
                if e.sender is not k.sender:
                    break
                pairs.append((e, k))
                paired += 1
        pairs += [(e, None) for e in left[paired:]]
        pairs += [(None, k) for k in right[paired:]]
    return pairs


def _segment_differences(ours: list[Row], theirs: list[Row]) -> list[Difference]:
    found: list[Difference] = []
    for e, k in align(ours, theirs):
        if e is None:
            assert k is not None
            found.append(
                Difference("only_kernel", k.step, k.sender, None, k.label, kernel_segment=k.number)
            )
        elif k is None:
            found.append(Difference("only_engine", e.step, e.sender, e.label, None, e.number))
        elif e.key == k.key:
            found += _timing(e, k)
        else:
            for name in ROW_FIELDS:
                if e.json[name] != k.json[name]:
                    ours_, theirs_ = _show(e.json[name]), _show(k.json[name])
                    found.append(
                        Difference(
                            "field", e.step, e.sender, ours_, theirs_, e.number, k.number, name
                        )
                    )
    return found


def _timing(e: Row, k: Row) -> list[Difference]:
    for kind, ours, theirs in (("rto", e.wait, k.wait), ("answer", e.answer, k.answer)):
        if ours is None or theirs is None:
            continue
        if abs(ours - theirs) > max(TIME_SLACK, 0.25 * ours):
            return [
                Difference(
                    "timing",
                    e.step,
                    e.sender,
                    f"{ours:.3f} s",
                    f"{theirs:.3f} s",
                    e.number,
                    k.number,
                    kind if kind == "rto" or not e.pure_ack else "delayed_ack",
                    kernel_step=k.step,
                )
            ]
    return []


def _state_differences(
    ours: list[dict[Role, State]], theirs: list[dict[Role, State] | None]
) -> list[Difference]:
    found = []
    for step, (e, k) in enumerate(zip(ours, theirs, strict=True)):
        if k is None:
            continue
        for role in (Role.CLIENT, Role.SERVER):
            if e[role] is not k[role]:
                found.append(Difference("state", step, role, e[role].value, k[role].value))
    return found


def _reached_differences(
    engine_trace: engine.Trace, kernel_trace: engine.Trace, already: list[Difference]
) -> list[Difference]:
    """States one side went through and the other never did (not already told per step)."""
    found = []
    told = {(d.peer, d.engine) for d in already} | {(d.peer, d.kernel) for d in already}
    for role in (Role.CLIENT, Role.SERVER):
        ours = _entered(engine_trace, role)
        theirs = _entered(kernel_trace, role)
        for state, step in theirs.items():
            if state not in ours and (role, state.value) not in told:
                found.append(Difference("state_reached", step, role, None, state.value))
        for state, step in ours.items():
            if state not in theirs and (role, state.value) not in told:
                found.append(Difference("state_missed", step, role, state.value, None))
    return found


def _entered(trace: engine.Trace, role: Role) -> dict[State, int]:
    entered: dict[State, int] = {}
    for ev in trace.events:
        if isinstance(ev, engine.StateChanged) and ev.peer is role and ev.new is not ev.old:
            entered.setdefault(ev.new, ev.step)
    return entered


def _seconds(text: str | None) -> float:
    return float((text or "0").removesuffix(" s"))


def _show(value: object) -> str:
    if isinstance(value, list):
        return ",".join(value) or "(none)"
    return "none" if value is None else str(value)


class _Context:
    """What the run knows that explains a difference."""

    def __init__(
        self,
        scenario: engine.Scenario,
        trace: engine.Trace,
        run: KernelRun,
        ours: list[Row],
        theirs: list[Row],
    ) -> None:
        self.ours, self.theirs = ours, theirs
        self.scenario = scenario
        self.trace = trace
        self.run = run
        self.first_unplayed = min(
            (s.index for s in run.steps if not s.played or s.held != scenario.steps[s.index].hold),
            default=None,
        )
        # engine time at the start of each step, and where a wait was cut short
        clock = 0.0
        self.cut: dict[int, float] = {}
        for s in run.steps:
            step = scenario.steps[s.index]
            if isinstance(step, engine.Wait):
                if s.seconds is not None and s.seconds < step.seconds - 1e-9:
                    self.cut[s.index] = clock + s.seconds
                clock += step.seconds
        self.races = _timer_races(trace)

    def explain(self, d: Difference) -> Difference:
        if d.known is not None:
            return d
        if self.first_unplayed is not None and d.step is not None and d.step >= self.first_unplayed:
            return replace(d, known="not-reproduced")
        known = self._known(d)
        return replace(d, known=known) if known else d

    def _known(self, d: Difference) -> str | None:
        if d.kind == "timing":
            if d.field == "rto":
                ours, theirs = _seconds(d.engine), _seconds(d.kernel)
                if self._syn(d) and abs(theirs - 1.0) < 0.2 and ours > 1.5:
                    return "syn-linear"
                return "rto" if theirs < ours else None
            if d.field == "delayed_ack":
                return "delayed-ack"
            if self._woken_writer(d):
                return "blocked-send"
            return "timer-race" if d.step in self.races else None
        if d.step in self.races and d.kind in ("only_engine", "only_kernel", "field"):
            return "timer-race"  # which of two timers fired first is the kernel's choice
        carrier = self._rides_on(d)
        if carrier is not None:
            if d.kind == "only_engine":
                return "delayed-ack"  # Linux held back an ACK the engine sent at once
            return "ack-timer-first" if self._timer_first(d, carrier) else None
        if d.kind == "only_engine" and d.segment is not None:
            sent = self.trace.segments()[d.segment - 1]
            if d.step in self.cut and sent.time > self.cut[d.step] + TIME_SLACK:
                return "wait-cut"
        if d.kind in ("state", "state_missed") and d.peer is not None and d.step is not None:
            for j, when in self.cut.items():
                if j <= d.step:
                    then = states_at(self.trace, j, when)[d.peer]
                    if d.kind == "state_missed" or then.value == d.kernel:
                        return "wait-cut"
            if self.scenario.msl != 30 and State.TIME_WAIT.value in (d.engine, d.kernel):
                return "time-wait"
        return None

    def consequences(self, found: list[Difference]) -> list[Difference]:
        """A state that differs in a step where the segments differ for a known reason differs
        for that reason (the kernel's ACK came alone, so its peer moved on sooner)."""
        because: list[tuple[set[int], Role | None, str]] = []  # steps, whose states, why
        for d in found:
            if not d.known or d.kind in _STATE_KINDS:
                continue
            carrier = self._rides_on(d) if d.known == "ack-timer-first" else None
            if carrier is not None and d.step is not None and d.peer is not None:
                # the lone ACK moved its receiver on, from when it went until the call
                first, last = sorted((d.step, carrier.step))
                because.append((set(range(first, last + 1)), d.peer.other, d.known))
            else:
                steps = {s for s in (d.step, d.kernel_step) if s is not None}
                because.append((steps, None, d.known))
        out = []
        for d in found:
            if d.known is None and d.kind in _STATE_KINDS:
                d = next(
                    (
                        replace(d, known=known)
                        for steps, peer, known in because
                        if d.step in steps and peer in (None, d.peer)
                    ),
                    d,
                )
            out.append(d)
        return out

    def _rides_on(self, d: Difference) -> Row | None:
        """For a pure ACK one side sent alone: the segment of the same peer the other side
        put that ACK on (who waited how long before acknowledging)."""
        if d.kind == "only_kernel" and d.kernel_segment is not None:
            alone, other = self.theirs[d.kernel_segment - 1], self.ours
        elif d.kind == "only_engine" and d.segment is not None:
            alone, other = self.ours[d.segment - 1], self.theirs
        else:
            return None
        if not alone.pure_ack:
            return None
        ack = alone.json["ack"]
        return next(
            (
                r
                for r in other
                if r.sender is alone.sender and not r.pure_ack and r.json["ack"] == ack
            ),
            None,
        )

    def _timer_first(self, d: Difference, carrier: Row) -> bool:
        """The kernel's ACK went alone because its delayed-ACK timer ran out before the call:
        in the engine the peer delays its ACKs and the ACK rides on what the peer's own call
        sent; in the kernel run the ACK was on the wire before that call was made."""
        assert d.kernel_segment is not None
        alone = self.theirs[d.kernel_segment - 1]
        setup = self.scenario.client if alone.sender is Role.CLIENT else self.scenario.server
        if not setup.delayed_ack or not self._answers_own_call(carrier):
            return False
        return any(
            isinstance(c, Called)
            and c.step == carrier.step
            and c.peer is alone.sender
            and alone.time < c.time
            for c in self.run.log
        )

    def _woken_writer(self, d: Difference) -> bool:
        """The kernel's late answer carried data its sender's application had been waiting
        in send() to write since before what the answer answers."""
        if d.kernel_segment is None:
            return False
        row = self.theirs[d.kernel_segment - 1]
        if not row.json["len"] or row.answer is None:
            return False
        stimulus = row.time - row.answer
        return any(
            isinstance(c, Called)
            and c.peer is row.sender
            and c.call.startswith("send")
            and c.time < stimulus
            for c in self.run.log
        )

    def _answers_own_call(self, row: Row) -> bool:
        """The engine sent this row in answer to its sender's own call (not to a segment)."""
        index = self.trace.segments()[row.number - 1].index
        cause: engine.TraceEvent | None = None
        for ev in self.trace.events:
            if isinstance(ev, engine.UserCalled | engine.SegmentDelivered):
                cause = ev
            elif isinstance(ev, engine.SegmentSent) and ev.index == index:
                return isinstance(cause, engine.UserCalled) and cause.peer is row.sender
        return False

    def _syn(self, d: Difference) -> bool:
        rows_ = self.trace.segments()
        return d.segment is not None and "SYN" in rows_[d.segment - 1].flags


def _timer_races(trace: engine.Trace) -> set[int]:
    """Steps in which a timer ran out while one of the other peer's was due within
    ``TIMER_TIE``: Linux may fire those two in either order."""
    pending: dict[tuple[Role, engine.TimerKind], float] = {}
    races = set()
    for ev in trace.events:
        if isinstance(ev, engine.TimerStarted):
            pending[(ev.peer, ev.timer)] = ev.deadline
        elif isinstance(ev, engine.TimerStopped):
            pending.pop((ev.peer, ev.timer), None)
        elif isinstance(ev, engine.TimerFired):
            pending.pop((ev.peer, ev.timer), None)
            if any(
                peer is not ev.peer and abs(deadline - ev.time) <= TIMER_TIE
                for (peer, _kind), deadline in pending.items()
            ):
                races.add(ev.step)
    return races
