"""One live comparison: the engine runs the scenario, the kernel plays it, both compared.

``run_live`` is what the command and the app call. Long waits are cut short:
a wait lasts as long as the engine needs to see everything it does in that wait
(its last segment or state change, TIME_WAIT's end aside) plus half a second, at
most ``max_wait`` seconds; ``full_waits`` waits every wait out (still at most
``max_wait``). The kernel's own timers are faster than the engine's (RTO about
200 ms), so what the engine sees in a wait the kernel has done by then too.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import engine
from ..engine import Event, Role, Trace
from .compare import Comparison, compare
from .ktrace import kernel_trace
from .observe import KernelRun
from .player import LiveOptions, play
from .words import difference, known, note

MARGIN = 0.5  # seconds waited after the engine's last event in a wait
SHORTEST_WAIT = 0.3
# the quiet moment when a peer delays its ACKs, so that the next step comes before Linux's
# delayed ACK if it can (a FIN before any data: one clock tick); if not, 'ack-timer-first'
QUICK = 0.002


@dataclass
class LiveSettings:
    host: str = "127.0.0.1"
    max_wait: float = 10.0
    full_waits: bool = False
    pcap: Path | None = None
    use_privileges: bool = True
    isns: dict[Role, int] | None = None  # the engine's (the app passes the learner's)
    seed: int | None = None
    progress: Callable[[int, int], None] | None = None


@dataclass
class LiveResult:
    scenario: engine.Scenario
    engine: Trace
    run: KernelRun
    kernel: Trace
    comparison: Comparison

    def to_json(self, absolute: bool = False) -> dict:
        """``{"engine": <simulate --json>, "kernel": <the same shape>, "differences": [...]}``
        and, beside them, how the run went (mode, limits, each step's states)."""
        steps = []
        for played, ours, theirs in zip(
            self.run.steps,
            self.comparison.engine_states,
            self.comparison.kernel_states,
            strict=True,
        ):
            row: dict = {
                "step": played.index,
                "do": engine.describe(self.scenario.steps[played.index]),
                "played": played.played,
                "engine": {r.value: s.value for r, s in ours.items()},
                "kernel": {r.value: s.value for r, s in theirs.items()} if theirs else None,
            }
            if played.seconds is not None:
                row["waited"] = round(played.seconds, 3)
            if played.notes:
                row["notes"] = [note(n, "en") for n in played.notes]
            steps.append(row)
        return {
            "engine": self.engine.to_json(absolute),
            "kernel": self.kernel.to_json(absolute),
            "differences": [
                d.to_json() | {"text": difference(d), **({"why": known(d)} if d.known else {})}
                for d in self.comparison.differences
            ],
            "mode": self.run.mode,
            "limits": [note(n, "en") for n in self.run.limits],
            "ports": {r.value: p for r, p in self.run.ports.items()},
            "steps": steps,
        }


def wait_plan(
    scenario: engine.Scenario, trace: engine.Trace, max_wait: float, full: bool
) -> dict[int, float]:
    """Real seconds for each wait step (see the module doc)."""
    plan: dict[int, float] = {}
    clock = 0.0
    for index, step in enumerate(scenario.steps):
        if not isinstance(step, engine.Wait):
            continue
        if full:
            plan[index] = min(step.seconds, max_wait)
        else:
            seen = [
                ev.time - clock
                for ev in trace.events
                if ev.step == index
                and isinstance(ev, engine.SegmentSent | engine.StateChanged)
                and not (
                    isinstance(ev, engine.StateChanged)
                    and ev.transition.event is Event.TIMEOUT_2MSL
                )
            ]
            needed = max(SHORTEST_WAIT, max(seen) + MARGIN) if seen else SHORTEST_WAIT
            plan[index] = min(step.seconds, max_wait, needed)
        clock += step.seconds
    return plan


def run_live(scenario: engine.Scenario, settings: LiveSettings | None = None) -> LiveResult:
    settings = settings or LiveSettings()
    trace = engine.run(scenario, rng=random.Random(settings.seed), isns=settings.isns)
    delayed = scenario.client.delayed_ack or scenario.server.delayed_ack
    options = LiveOptions(
        host=settings.host,
        waits=wait_plan(scenario, trace, settings.max_wait, settings.full_waits),
        pcap=settings.pcap,
        use_privileges=settings.use_privileges,
        progress=settings.progress,
    )
    if delayed:
        options.quiet = QUICK
    run = play(scenario, options)
    ktrace = kernel_trace(run, scenario)
    return LiveResult(scenario, trace, run, ktrace, compare(scenario, trace, run, ktrace))
