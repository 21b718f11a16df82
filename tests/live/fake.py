"""A kernel that does what the engine does: a fixed ``KernelRun`` for tests and snapshots.

Real runs differ from run to run (ports, ISNs, microseconds). The app's snapshots
and the comparison's tests take this instead: the engine's own trace told as the
player would have recorded it (frames as captured on ``lo``, deliveries, states
after each), optionally with the kernel resending after ``rto`` seconds as Linux
does on loopback. It goes through the same ``kernel_trace`` and ``compare`` as a
real run.
"""

from __future__ import annotations

import random
import struct
from dataclasses import replace

from tui_tutor import engine
from tui_tutor.engine import Role
from tui_tutor.live.capture import Frame, segments
from tui_tutor.live.compare import compare
from tui_tutor.live.ktrace import kernel_trace
from tui_tutor.live.observe import Called, KernelRun, Passed, States, StepPlayed
from tui_tutor.live.session import LiveResult

BASE = 1_700_000_000.0  # a fixed wall-clock start
PORTS = {Role.CLIENT: 40123, Role.SERVER: 40456}
_BITS = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10}


def frame(time: float, sender: Role, seg: engine.Segment) -> Frame:
    flags = sum(_BITS[name] for name in seg.flags.names)
    ack = seg.ack.value if seg.ack is not None else 0
    tcp = struct.pack(
        "!HHIIBBHHH",
        PORTS[sender],
        PORTS[sender.other],
        seg.seq.value,
        ack,
        5 << 4,
        flags,
        seg.window,
        0,
        0,
    )
    total = 20 + len(tcp) + seg.length
    loopback = bytes([127, 0, 0, 1])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0, 64, 6, 0, loopback, loopback)
    return Frame(time, b"\0" * 12 + b"\x08\x00" + ip + tcp + b"x" * seg.length)


def fake_run(scenario: engine.Scenario, trace: engine.Trace, rto: float | None = None) -> KernelRun:
    run = KernelRun("127.0.0.1", dict(PORTS), "wire", frames=[], start=BASE)
    clock = {Role.CLIENT: engine.State.CLOSED, Role.SERVER: engine.State.CLOSED}
    shift: dict[int, float] = {}  # per step: how much earlier than the engine the kernel is
    step_start, clock_at = {}, 0.0
    for index, step in enumerate(scenario.steps):
        step_start[index] = BASE + clock_at + index * 0.1
        if isinstance(step, engine.Wait):
            clock_at += step.seconds
    last: dict[int, float] = {}
    copies: dict[tuple, float] = {}
    numbers: dict[int, int] = {}
    order = 0

    def at(ev) -> float:
        return BASE + ev.time + max(ev.step, 0) * 0.1 + order * 1e-6 - shift.get(ev.step, 0.0)

    def states(ev, after: int | None = None, at_end: bool = False) -> States:
        return States(at(ev), ev.step, clock[Role.CLIENT], clock[Role.SERVER], after, at_end)

    events = trace.events
    for i, ev in enumerate(events):
        order += 1
        last[ev.step] = at(ev)
        if isinstance(ev, engine.UserCalled):
            run.log.append(Called(at(ev), ev.step, ev.peer, ev.call))
        elif isinstance(ev, engine.StateChanged):
            clock[ev.peer] = ev.new
            nxt = events[i + 1] if i + 1 < len(events) else None
            if not isinstance(nxt, engine.StateChanged) and ev.cause_segment is None:
                run.log.append(states(ev, at_end=ev.step < 0))
        elif isinstance(ev, engine.SegmentSent):
            key = (ev.sender, tuple(ev.segment.flags.names), ev.segment.seq.value)
            if ev.retransmission and rto is not None and key in copies:
                shift[ev.step] = shift.get(ev.step, 0.0) + (at(ev) - copies[key]) - rto
            copies[key] = at(ev)
            run.frames.append(frame(at(ev), ev.sender, ev.segment))
            numbers[ev.index] = len(run.frames) - 1
            if ev.lost:
                decoded = segments([run.frames[-1]])[0][1]
                run.log.append(Passed(at(ev), ev.step, ev.index, decoded, False))
        elif isinstance(ev, engine.SegmentDelivered):
            decoded = segments([run.frames[numbers[ev.index]]])[0][1]
            run.log.append(Passed(at(ev), ev.step, ev.index, decoded, True))
            clock[Role.CLIENT], clock[Role.SERVER] = ev.client_state, ev.server_state
            run.log.append(states(ev, after=ev.index))
    ends = _ends(trace, len(scenario.steps))
    for index, step in enumerate(scenario.steps):
        start = step_start[index]
        end = max(start, last.get(index, start)) + 0.01
        played = StepPlayed(index, start, end, held=step.hold)
        if isinstance(step, engine.Wait):
            played.seconds = step.seconds
        run.steps.append(played)
        client, server = ends[index]  # the states at the end of the step, as the engine's
        run.log.append(States(end, index, client, server, None, True))
    run.end = BASE + 1000
    return run


def _ends(trace: engine.Trace, steps: int) -> list[tuple[engine.State, engine.State]]:
    from tui_tutor.live.compare import step_states

    return [(s[Role.CLIENT], s[Role.SERVER]) for s in step_states(trace, steps)]


def fake_result(
    scenario: engine.Scenario,
    isns: dict[Role, int] | None = None,
    rto: float | None = 0.2,
    seed: int = 7,
    kernel: engine.Scenario | None = None,
) -> LiveResult:
    """``kernel``: the kernel does what the engine does in this scenario instead."""
    trace = engine.run(scenario, rng=random.Random(seed), isns=isns)
    kernel_isns = {Role.CLIENT: 1_000_000, Role.SERVER: 2_000_000}  # the kernel picks its own
    run = fake_run(scenario, engine.run(kernel or scenario, isns=kernel_isns), rto)
    ktrace = kernel_trace(run, scenario)
    return LiveResult(scenario, trace, run, ktrace, compare(scenario, trace, run, ktrace))


def acks_at_once(scenario: engine.Scenario) -> engine.Scenario:
    """The scenario with neither peer delaying its ACKs: what the kernel plays when its
    delayed-ACK timer ran out before the call (``engine.linux``'s "ack-timer-first")."""
    return replace(
        scenario,
        client=replace(scenario.client, delayed_ack=False),
        server=replace(scenario.server, delayed_ack=False),
    )
