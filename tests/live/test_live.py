"""Live mode: each lesson played on this machine's kernel, compared with the engine.

The tests that play on the kernel need Linux; those that capture, lose and hold
segments need root (CI runs as root); one plays as an unprivileged user, dropping
root in a child process. The rest compare a faked kernel run (``fake.py``)
and need neither.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui_tutor import engine
from tui_tutor.engine.linux import LINUX_DIFFERENCES
from tui_tutor.lessons.loader import load_all, load_lesson
from tui_tutor.live.capture import port_filter
from tui_tutor.live.session import LiveSettings, run_live, wait_plan
from tui_tutor.live.words import difference, known

from .fake import acks_at_once, fake_result

ROOT = Path(__file__).resolve().parent.parent.parent
LESSONS = ROOT / "lessons"
KERNEL = ROOT / "tests" / "kernel"
LESSON_IDS = [item.lesson.id for item in load_all([LESSONS])[0]]
LINUX = sys.platform.startswith("linux")
IS_ROOT = LINUX and os.geteuid() == 0

linux_only = pytest.mark.skipif(not LINUX, reason="live mode plays on the Linux kernel")
root_only = pytest.mark.skipif(not IS_ROOT, reason="capturing and losing segments needs root")


def lesson_scenario(lesson_id: str) -> engine.Scenario:
    path = next(p for p in LESSONS.glob("*.toml") if load_lesson(p).lesson.id == lesson_id)
    return load_lesson(path).lesson.scenario.to_engine()


def unexplained(result) -> list[str]:
    return [difference(d) for d in result.comparison.differences if d.known is None]


def tui_tutor(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui_tutor", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


# ------------------------------------------------------------------ on the kernel, as root


@root_only
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_the_kernel_plays_every_lesson_with_only_documented_differences(lesson_id):
    scenario = lesson_scenario(lesson_id)
    result = run_live(scenario)
    # "capture": a kernel without NFQUEUE; holds are then played without, and said so
    assert result.run.mode in ("wire", "capture"), result.run.limits
    assert all(s.played for s in result.run.steps), [s.notes for s in result.run.steps]
    assert unexplained(result) == [], f"{lesson_id}: the kernel differs where nobody said why"
    # the kernel's ladder is the kernel's: as many rows as segments captured on lo
    assert len(result.kernel.segments()) == len(result.run.frames or []) > 0
    lost = [r for r in result.kernel.segments() if r.lost]
    assert len(lost) == sum(s.count for s in scenario.steps if isinstance(s, engine.Lose))
    if result.run.mode != "wire":
        return
    expected = result.engine
    if any(d.known == "ack-timer-first" for d in result.comparison.differences):
        # the one documented way the kernel's story differs: its delayed-ACK timer ran out
        # before the call, so it did what the engine does when nobody delays an ACK
        expected = engine.run(acks_at_once(scenario))
        assert rows(result.kernel) == rows(expected)
    # each peer's way through the states, as its pane draws it, goes back only where the
    # engine's does (a passive open reset to LISTEN), never from a state read too late
    for role in (engine.Role.CLIENT, engine.Role.SERVER):
        ours, theirs = path(expected, role), path(result.kernel, role)
        assert theirs == ours[: len(theirs)], f"{role}: kernel {theirs}, engine {ours}"


def rows(trace: engine.Trace) -> list[tuple]:
    """Each segment as the ladder labels it: sender, flags, relative numbers, length."""
    table = trace.to_json()["connections"][0]["segments"]
    return [(r["from"], r["flags"], r["seq"], r["ack"], r["len"], r["lost"]) for r in table]


def path(trace: engine.Trace, role: engine.Role) -> list[str]:
    return [
        ev.new.value
        for ev in trace.events
        if isinstance(ev, engine.StateChanged) and ev.peer is role and ev.new is not ev.old
    ]


@root_only
@pytest.mark.parametrize("name", sorted(p.stem for p in KERNEL.glob("*.toml")))
def test_the_recorded_kernel_cases_play_live_with_only_documented_differences(name):
    from tui_tutor.scenarios import load_scenario

    result = run_live(load_scenario(KERNEL / f"{name}.toml"))
    assert unexplained(result) == [], f"{name}: the kernel differs where nobody said why"


@root_only
def test_the_kernel_opens_and_closes_as_the_engine_says_segment_by_segment():
    result = run_live(lesson_scenario("four-way-close-client-first"))
    kernel = result.kernel.to_json()["connections"][0]["segments"]
    ours = result.engine.to_json()["connections"][0]["segments"]
    fields = ("from", "flags", "seq", "ack", "len", "client_state", "server_state")
    assert [{k: r[k] for k in fields} for r in kernel] == [{k: r[k] for k in fields} for r in ours]


@root_only
def test_json_has_the_simulate_shape_on_both_sides_and_names_each_difference():
    scenario = KERNEL / "lost_last_ack.toml"
    live = tui_tutor("live", str(scenario), "--json", "--seed", "3")
    assert live.returncode == 0, live.stderr
    out = json.loads(live.stdout)
    simulated = json.loads(tui_tutor("simulate", str(scenario), "--json", "--seed", "3").stdout)
    assert out["engine"] == simulated
    row_keys = set(simulated["connections"][0]["segments"][0])
    assert all(set(r) == row_keys for r in out["kernel"]["connections"][0]["segments"])
    assert out["differences"], "the kernel resends the FIN sooner than the engine"
    for d in out["differences"]:
        assert d["text"] and d["known"] and d["why"]
    assert [s["do"] for s in out["steps"]] == [
        "connect by client",
        "close by client",
        "lose by client",
        "close by server",
        "wait",
    ]


@root_only
def test_a_pcap_of_the_run_opens_in_the_capture_reader(tmp_path):
    pcap = tmp_path / "handshake.pcap"
    done = tui_tutor("live", "three-way-handshake", "--pcap", str(pcap))
    assert done.returncode == 0, done.stderr
    read = tui_tutor("capture", str(pcap), "--json")
    rows = json.loads(read.stdout)["connections"][0]["segments"]
    assert [r["flags"] for r in rows] == [["SYN"], ["SYN", "ACK"], ["ACK"]]


@root_only
def test_ipv6_loopback_plays_as_well():
    result = run_live(lesson_scenario("half-close"), LiveSettings(host="::1"))
    assert result.run.mode == "wire"
    assert unexplained(result) == []


# ------------------------------------------------------------------ nothing left behind


def our_rules(pid: int) -> list[str]:
    rules = subprocess.run(["iptables", "-S", "INPUT"], capture_output=True, text=True).stdout
    return [line for line in rules.splitlines() if f"tui-tutor-live:{pid}:" in line]


def guardians(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg.startswith(f"tui-tutor-live:{pid}:".encode()) for arg in cmdline):
            found.append(int(proc.name))
    return found


# ``python -m tui_tutor`` with Ctrl+C as a terminal delivers it: a process started where
# SIGINT is ignored (a script's background job) inherits that, and Python leaves it ignored
AS_FROM_A_TERMINAL = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('tui_tutor', run_name='__main__')"
)


def start_and_wait_for_rules(lesson: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL, "live", lesson],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 20
    while not our_rules(proc.pid):
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the run never added its rule"
        time.sleep(0.05)
    time.sleep(0.3)  # well into the run: its SYN is being lost
    return proc


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@root_only
def test_a_run_killed_mid_way_leaves_no_firewall_rule_and_no_process():
    proc = start_and_wait_for_rules("lost-syn-backoff")
    proc.kill()  # SIGKILL: no finally runs; the guardian removes the rule
    proc.wait(10)
    assert wait_until(lambda: not our_rules(proc.pid)), our_rules(proc.pid)
    assert wait_until(lambda: not guardians(proc.pid)), "the guardian stayed behind"


@root_only
def test_ctrl_c_mid_run_removes_the_rules_and_exits_quietly():
    proc = start_and_wait_for_rules("lost-syn-backoff")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 130
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    assert not our_rules(proc.pid)
    assert wait_until(lambda: not guardians(proc.pid))


# ------------------------------------------------------------------ as a normal user

UNPRIVILEGED = """
import json, os, sys
sys.argv = ["tui-tutor"]
import difflib, platform, random, signal, tomllib
import tui_tutor.cli, tui_tutor.commands.live, tui_tutor.live, tui_tutor.live.report
import tui_tutor.lessons.loader, tui_tutor.lessons.catalog, tui_tutor.scenarios
import tui_tutor.live.player, tui_tutor.live.ktrace, tui_tutor.live.compare
if os.geteuid() == 0:  # drop root for good, as a learner's account is
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
assert os.geteuid() != 0
sys.exit(tui_tutor.cli.main(json.loads(os.environ["ARGS"])))
"""


def unprivileged(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", UNPRIVILEGED],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "ARGS": json.dumps(list(args))},
    )


@linux_only
@pytest.mark.parametrize("lesson_id", ["three-way-handshake", "lost-last-ack", "half-close"])
def test_a_normal_user_gets_the_kernels_states_and_is_told_why_not_segments(lesson_id):
    done = unprivileged("live", lesson_id, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["mode"] == "states"
    assert any("needs root" in limit for limit in out["limits"])
    assert out["kernel"]["connections"][0]["segments"] == []
    assert all(step["kernel"] for step in out["steps"])  # states after every step
    assert [d for d in out["differences"] if not d.get("known")] == []
    for step in out["steps"]:
        if step["do"].startswith("lose"):
            assert not step["played"] and "needs root" in step["notes"][0]


@linux_only
def test_a_normal_user_sees_which_step_could_not_be_reproduced():
    done = unprivileged("live", "lost-last-ack")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "segments are not captured: that needs root" in text
    assert re.search(
        r"3\. lose by client .*\n\s+\(not reproduced: losing segments needs root", text
    )
    assert "differences:" in text


# ------------------------------------------------------------------ without the kernel


def test_outside_linux_live_mode_says_so_in_one_line(monkeypatch, capsys):
    from tui_tutor import cli

    monkeypatch.setattr(sys, "platform", "darwin")
    assert cli.main(["live", "three-way-handshake"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "live mode needs Linux (this is darwin): it asks the Linux kernel's TCP for its states"
    ]


def test_a_bad_target_is_one_line_with_a_suggestion(capsys):
    from tui_tutor import cli

    assert cli.main(["live", "lost-syn-ak"]) == 2
    assert capsys.readouterr().err.strip() == (
        "lost-syn-ak: no such file, and no lesson with that id (did you mean lost-syn-ack?)"
    )


def test_the_readme_lists_exactly_the_known_differences_live_mode_recognises():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Where the engine and Linux differ", 1)[1].split("\n## ", 1)[0]
    bullets = [b.strip().replace("\n  ", " ") for b in section.split("\n- ")[1:]]
    bullets = [" ".join(b.split()) for b in bullets]
    assert bullets == [d.en for d in LINUX_DIFFERENCES]


def test_every_known_difference_has_both_languages():
    for d in LINUX_DIFFERENCES:
        assert d.en.strip() and d.zh.strip() and d.id


def test_long_waits_are_cut_to_what_the_engine_needs_and_full_waits_wait_them_out():
    scenario = lesson_scenario("lost-syn-backoff")  # three SYNs lost: the engine is done at 7 s
    trace = engine.run(scenario)
    assert wait_plan(scenario, trace, 10.0, full=False) == {2: 7.5}
    assert wait_plan(scenario, trace, 5.0, full=False) == {2: 5.0}
    closing = lesson_scenario("four-way-close-client-first")  # nothing but TIME_WAIT's end
    assert wait_plan(closing, engine.run(closing), 10.0, full=False) == {3: 0.3}
    assert wait_plan(closing, engine.run(closing), 70.0, full=True) == {3: 61.0}


def test_the_capture_filter_jumps_stay_inside_the_program():
    program = port_filter((40000, 40001))
    for i, (op, jt, jf, _k) in enumerate(program):
        if op & 0x07 == 0x05:  # a jump
            assert i + 1 + jt < len(program) and i + 1 + jf < len(program)
    assert [op for op, *_ in program[-2:]] == [0x06, 0x06]  # accept, reject


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_a_kernel_that_does_what_the_engine_does_differs_only_in_known_ways(lesson_id):
    result = fake_result(lesson_scenario(lesson_id), rto=None)
    found = result.comparison.differences
    assert [d for d in found if d.kind != "isn"] == [], [difference(d) for d in found]


def test_a_kernel_that_resends_sooner_is_told_as_the_known_rto_difference():
    result = fake_result(lesson_scenario("lost-last-ack"), rto=0.2)
    (d,) = result.comparison.differences
    assert d.kind == "timing" and d.known == "rto"
    assert (
        difference(d)
        == "segment 8: resent after 0.200 s by the kernel, after 1.000 s by the engine"
    )
    assert known(d, "zh").startswith("不测量往返时间")
    assert difference(d, "zh") == "报文段 8：内核在 0.200 s 后重传，引擎在 1.000 s 后重传"


def test_an_ack_that_went_alone_before_the_close_is_the_documented_timer_difference():
    scenario = lesson_scenario("three-segment-close")  # the server delays its ACKs
    # the kernel acknowledged the client's FIN before the server's close came
    result = fake_result(scenario, rto=None, kernel=acks_at_once(scenario))
    found = [(d.kind, d.known, difference(d)) for d in result.comparison.differences]
    assert found == [
        ("only_kernel", "ack-timer-first", "only the kernel sent server: ACK seq=1 ack=2"),
        (
            "state",
            "ack-timer-first",
            "after step 2, the client is in FIN_WAIT_1 in the engine, in FIN_WAIT_2 in the kernel",
        ),
    ]
    assert known(result.comparison.differences[0]).startswith("The delayed-ACK timer can run out")


def test_an_ack_that_went_alone_after_the_call_is_not_explained():
    from dataclasses import replace

    from tui_tutor.live.compare import compare
    from tui_tutor.live.ktrace import kernel_trace
    from tui_tutor.live.observe import Called

    scenario = lesson_scenario("three-segment-close")
    result = fake_result(scenario, rto=None, kernel=acks_at_once(scenario))
    run = result.run
    assert run.frames is not None
    lone_ack = result.kernel.segments()[4]
    assert lone_ack.flags == ["ACK"] and lone_ack.sender is engine.Role.SERVER
    # the server's close was made before its kernel sent the ACK alone: no timer explains that
    run.log = [
        replace(o, time=lone_ack.time - 0.001) if isinstance(o, Called) and o.step == 2 else o
        for o in run.log
    ]
    found = compare(scenario, result.engine, run, kernel_trace(run, scenario)).differences
    told = [(d.kind, d.known) for d in found if d.kind in ("only_kernel", "state")]
    assert told == [("only_kernel", None), ("state", None)]


def differences_when_late(scenario: engine.Scenario, segment: int, seconds: float) -> list:
    """The differences from a kernel that did what the engine does, but sent its
    ``segment``-th segment and everything after it ``seconds`` later."""
    from dataclasses import replace

    from tui_tutor.live.compare import compare
    from tui_tutor.live.ktrace import kernel_trace

    result = fake_result(scenario, rto=None)
    run = result.run
    assert run.frames is not None
    since = run.frames[segment - 1].time
    run.frames = [replace(f, time=f.time + seconds) if f.time >= since else f for f in run.frames]
    run.log = [replace(o, time=o.time + seconds) if o.time >= since else o for o in run.log]
    return compare(scenario, result.engine, run, kernel_trace(run, scenario)).differences


def test_data_a_woken_send_wrote_late_is_the_documented_blocked_send_difference():
    # the client wrote before the connection was open; its data left 30 ms after the SYN,ACK
    found = differences_when_late(lesson_scenario("third-ack-carries-data"), 3, 0.03)
    assert [(d.kind, d.known, difference(d)) for d in found] == [
        (
            "timing",
            "blocked-send",
            "segment 3: the kernel answered after 0.030 s, the engine after 0.000 s",
        )
    ]


def test_data_a_send_on_an_open_connection_wrote_late_is_not_explained():
    # nobody waited: the send was made on an open connection and its data left 30 ms later
    found = differences_when_late(lesson_scenario("abort-with-rst"), 4, 0.03)
    assert [(d.kind, d.known, difference(d)) for d in found] == [
        ("timing", None, "segment 4: the kernel answered after 0.030 s, the engine after 0.000 s")
    ]


def test_a_segment_only_the_kernel_sent_is_named_and_not_explained():
    from dataclasses import replace

    from tui_tutor.live.compare import compare
    from tui_tutor.live.ktrace import kernel_trace

    result = fake_result(lesson_scenario("three-way-handshake"), rto=None)
    run = result.run
    assert run.frames is not None
    run.frames.append(replace(run.frames[-1], time=run.frames[-1].time + 0.001))  # ACK twice
    ktrace = kernel_trace(run, result.scenario)
    found = compare(result.scenario, result.engine, run, ktrace).differences
    assert [(d.kind, d.known, difference(d)) for d in found] == [
        ("only_kernel", None, "only the kernel sent client: ACK seq=1 ack=1")
    ]


def test_the_guardian_removes_what_a_killed_run_left_and_nothing_after_done(tmp_path):
    from tui_tutor.live.firewall import GUARDIAN

    left, cleaned = tmp_path / "left", tmp_path / "cleaned"

    def guardian(lines: str) -> None:
        subprocess.run([sys.executable, str(GUARDIAN), "tag"], input=lines, text=True, timeout=30)

    guardian(f'+ ["touch", "{left}"]\n')  # the pipe closes without "done": a kill
    guardian(f'+ ["touch", "{cleaned}"]\n- ["touch", "{cleaned}"]\ndone\n')
    assert left.exists() and not cleaned.exists()


def test_importing_live_mode_loads_no_textual():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, tui_tutor.live, tui_tutor.live.report; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_server_starts_each_tutor_with_live_mode_off_unless_the_trainer_allows_it():
    from tui_tutor.cli import build_parser
    from tui_tutor.serve.pty import tutor_command

    assert tutor_command("ada", Path("/data"))[-1] == "--no-live"
    assert "--no-live" not in tutor_command("ada", Path("/data"), allow_live=True)
    parser = build_parser()
    assert parser.parse_args(["--no-live"]).no_live
    args = parser.parse_args(["serve-ssh", "--authorized-keys", "k", "--allow-live"])
    assert args.allow_live
    assert not parser.parse_args(["serve-ssh", "--authorized-keys", "k"]).allow_live
