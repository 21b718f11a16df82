"""The engine against the Linux kernel: the same story, the same segments, the same states.

Each ``tests/kernel/NAME.toml`` tells the engine a story that ``record.py`` played
with real sockets on loopback; ``NAME.expected.json`` is what Linux sent, read
from ``NAME.pcap``. PSH is left out of the comparison (Linux sets it on the last
segment of each write; it changes nothing in connection management).

Cases recorded in a namespace also hold ``checkpoints``: both ends' states as ``ss``
showed them after a step. Linux keeps a server's listening socket apart from its
connections, the engine's server is one TCB: where Linux shows the connection gone and
the listener still open, the engine may say CLOSED or LISTEN.
"""

import dataclasses
import json
import random
from pathlib import Path

import pytest
from loopback import comparable, relative_numbers  # tests/loopback.py: record.py numbers Linux's so

from tui_tutor import engine
from tui_tutor.scenarios import load_scenario

KERNEL = Path(__file__).parent / "kernel"
CLIENT = engine.Role.CLIENT
CASES = sorted(p.stem for p in KERNEL.glob("*.toml"))


def engine_rows(trace: engine.Trace) -> list[dict]:
    """The run's segments numbered as record.py numbers Linux's (``relative_numbers``)."""
    return relative_numbers(trace.to_json(absolute=True)["connections"][0]["segments"])


def engine_segments(name: str, seed: int) -> list[dict]:
    trace = engine.run(load_scenario(KERNEL / f"{name}.toml"), rng=random.Random(seed))
    return comparable(engine_rows(trace))


def kernel_rows(name: str) -> list[dict]:
    return json.loads((KERNEL / f"{name}.expected.json").read_text())["segments"]


def kernel_segments(name: str) -> list[dict]:
    rows = [r for r in kernel_rows(name) if not r.get("dropped")]
    return [{k: r[k] for k in ("from", "flags", "seq", "ack", "len")} for r in rows]


def per_direction(rows: list[dict]) -> dict[str, list[dict]]:
    return {side: [r for r in rows if r["from"] == side] for side in ("client", "server")}


# cases where both sides' timers run out at the same moments, so that Linux sends their
# segments in either order (see the comment in each NAME.toml)
RACING = {"give_up_in_closing"}


def test_every_recorded_case_has_a_scenario():
    recorded = sorted(p.name.removesuffix(".expected.json") for p in KERNEL.glob("*.expected.json"))
    assert recorded == CASES
    assert len(CASES) >= 10


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("seed", [1, 2])
def test_engine_sends_what_linux_sends(name: str, seed: int):
    got, want = engine_segments(name, seed), kernel_segments(name)
    if any(r.get("dropped") for r in kernel_rows(name)) or name in RACING:
        # segments the recording dropped to make the two sides cross, or timers of both
        # sides running out at the same moment: compare each side's own sequence of
        # segments, which the order between the sides does not change
        for side, rows in per_direction(want).items():
            assert per_direction(got)[side] == rows, f"{name}: the {side} sent differently"
        return
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        assert g == w, f"{name}: segment {i + 1}: engine sent {g}, Linux sent {w}"
    assert len(got) == len(want), f"{name}: engine sent {len(got)} segments, Linux {len(want)}"


def test_a_lost_syn_is_resent_after_one_second_as_on_linux():
    trace = engine.run(load_scenario(KERNEL / "lost_syn.toml"))
    rows = trace.to_json()["connections"][0]["segments"]
    linux = json.loads((KERNEL / "lost_syn.expected.json").read_text())["segments"]
    assert rows[0]["lost"] and rows[1]["retransmission"]
    assert rows[1]["time"] == 1.0
    assert abs(linux[1]["time"] - rows[1]["time"]) < 0.1


def checkpoints() -> list:
    cases = []
    for name in CASES:
        for cp in json.loads((KERNEL / f"{name}.expected.json").read_text()).get("checkpoints", []):
            cases.append(pytest.param(name, cp, id=f"{name}-after-step-{cp['after_step']}"))
    return cases


def engine_states_after(name: str, step: int) -> dict[str, str]:
    scenario = load_scenario(KERNEL / f"{name}.toml")
    cut = dataclasses.replace(scenario, steps=scenario.steps[: step + 1])
    final = engine.run(cut, rng=random.Random(1)).final_states()
    return {role.value: state.value for role, state in final.items()}


@pytest.mark.parametrize(("name", "checkpoint"), checkpoints())
def test_after_each_checkpoint_both_ends_are_in_the_states_linux_showed(name, checkpoint):
    got = engine_states_after(name, checkpoint["after_step"])
    want = {"client": checkpoint["client"], "server": checkpoint["server"]}
    if want["server"] == "CLOSED" and checkpoint["listening"] and got["server"] == "LISTEN":
        want["server"] = "LISTEN"  # the connection is gone, the listener is still there
    assert got == want, f"{name} after step {checkpoint['after_step']}: engine {got}, Linux {want}"


@pytest.mark.parametrize(
    ("name", "call", "step", "state"),
    [
        ("data_after_close", "client send after the RST", engine.Send(CLIENT, 5), "CLOSED"),
        ("close_with_unread_data", "client recv", engine.Read(CLIENT), "CLOSED"),
        (
            "binding_a_port_in_time_wait",
            "client bind to its port in TIME_WAIT",
            engine.Connect(CLIENT),
            "TIME_WAIT",
        ),
    ],
)
def test_a_call_linux_fails_is_refused_by_the_engine_too(name, call, step, state):
    errors = json.loads((KERNEL / f"{name}.expected.json").read_text())["errors"]
    assert errors[call] in ("EPIPE", "ECONNRESET", "EADDRINUSE")
    scenario = load_scenario(KERNEL / f"{name}.toml")
    longer = dataclasses.replace(scenario, steps=(*scenario.steps, step))
    with pytest.raises(engine.StepError, match=f"not possible in {state}"):
        engine.run(longer)


def give_up_cases() -> list[str]:
    return [
        name
        for name in CASES
        if json.loads((KERNEL / f"{name}.expected.json").read_text()).get("times")
        and name.startswith("give_up")
    ]


@pytest.mark.parametrize("name", give_up_cases())
def test_the_engine_gives_up_as_long_after_the_first_send_as_linux_did(name: str):
    """From the first copy of the segment that is never acknowledged to the failed call."""
    data = json.loads((KERNEL / f"{name}.expected.json").read_text())
    linux_end = min(data["times"].values())  # the first sign that the client gave up
    rows = data["segments"]
    last = rows[-1] if name == "give_up_in_syn_sent" else _last_resent(rows)
    linux = linux_end - next(r["time"] for r in rows if _same(r, last))

    trace = engine.run(load_scenario(KERNEL / f"{name}.toml"), rng=random.Random(1))
    gave_up = next(
        ev.time
        for ev in trace.events
        if isinstance(ev, engine.StateChanged) and ev.transition.event is engine.Event.GIVE_UP
    )
    mine = engine_rows(trace)
    start = trace.segments()[0].time
    first = next(r["time"] for r in mine if _same(r, last)) + start
    assert abs((gave_up - first) - linux) < 0.35, (
        f"{name}: Linux gave up {linux:.2f} s after the first copy, the engine "
        f"{gave_up - first:.2f} s"
    )


def _same(a: dict, b: dict) -> bool:
    return all(a[k] == b[k] for k in ("from", "seq", "len")) and (
        [f for f in a["flags"] if f != "PSH"] == [f for f in b["flags"] if f != "PSH"]
    )


def _last_resent(rows: list[dict]) -> dict:
    """The last segment Linux sent more than once: the one nobody acknowledged."""
    return next(r for r in reversed(rows) if sum(_same(r, o) for o in rows) > 1)
