"""The tutor's start-up and key-press latency, measured on a real pseudo-terminal.

1. Cold start: from spawning the process to the first screen painted (the picker's
   title in the output), as a ratio to a bare Textual "hello world" measured in
   the same run, alternating them so that all see the same machine load; and
   ``tui-tutor open CAPTURE`` to its dialog painted, and to the list of its
   connections in it (``--capture``, by default a tcpdump test capture of three
   connections). Beside wall time, the CPU time each had used by then, which
   other programs on a shared machine move far less.
2. Key press to repaint: inside a lesson, press n and b in turn; the time from
   writing the key to the pty until its screen update has been written (the last
   byte of the update, found by 15 ms of silence after it).

Run: .venv/bin/python benchmarks/bench_app.py [--runs N] [--keys N] [--capture FILE]
     [--venv DIR] (the tutor of another venv, e.g. installed from the wheel)
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAPTURE = ROOT / "tests" / "captures" / "tcpdump" / "tfo-5c1fa7f9ae91.pcap"
# A bare Textual app that repaints four full-height widgets (as much screen as a lesson
# step changes) on each n: the floor that Textual itself sets for a key press.
FLOOR = textwrap.dedent(
    """
    from rich.text import Text
    from textual.app import App
    from textual.containers import Horizontal
    from textual.widgets import Static

    class Floor(App):
        BINDINGS = [("n", "step"), ("b", "step"), ("v", "nothing")]
        count = 0

        def compose(self):
            with Horizontal():
                yield Static(id="a")
                yield Static(id="b")
                yield Static(id="c")
            yield Static("lost: ready", id="d")

        def action_nothing(self):
            pass

        def action_step(self):
            self.count += 1
            for name in ("#a", "#b", "#c", "#d"):
                lines = (f"line {i} step {self.count} " * 3 for i in range(30))
                self.query_one(name).update(Text("\\n".join(lines)))

    Floor().run()
    """
)
HELLO = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Static

    class Hello(App):
        def compose(self):
            yield Static("hello world from textual")

    Hello().run()
    """
)


def spawn(argv: list[str], cols: int = 120, rows: int = 36) -> tuple[subprocess.Popen, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = dict(
        os.environ, TERM="xterm-256color", LANG="C.UTF-8", COLUMNS=str(cols), LINES=str(rows)
    )
    proc = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    return proc, master


def read_until(master: int, needle: bytes, timeout: float = 20.0) -> float:
    """Seconds until ``needle`` appears in the output (answering terminal queries)."""
    start = time.perf_counter()
    seen = b""
    while time.perf_counter() - start < timeout:
        ready, _, _ = select.select([master], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        seen += chunk
        if needle in seen:
            return time.perf_counter() - start
        seen = seen[-4096:]
    raise TimeoutError(f"{needle!r} did not appear")


def drain(master: int, quiet: float = 0.015, limit: float = 5.0) -> float | None:
    """Read until ``quiet`` seconds pass with no output; time of the last byte read."""
    last = None
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        ready, _, _ = select.select([master], [], [], quiet)
        if not ready:
            return last
        try:
            if os.read(master, 65536):
                last = time.perf_counter()
        except OSError:
            return last
    return last


def stop(proc: subprocess.Popen, master: int) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    os.close(master)


def cold_start(
    runs: int, data: Path, capture: Path, venv: Path | None = None
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds to the first paint of each program, run in turn ``runs`` times: wall time,
    and the CPU time it had used by then. ``venv``: the tutor installed there (a wheel, as
    learners install it), and the hello world run by its Python."""
    python = str(venv / "bin" / "python") if venv else sys.executable
    if venv is None:
        # compiled as an install compiles it: with PYTHONDONTWRITEBYTECODE set (as on the
        # shared machine) each start would compile our modules again, 40 ms no learner pays
        compileall.compile_dir(ROOT / "tui_tutor", quiet=1)
    tutor = [str((venv or ROOT / ".venv") / "bin" / "tui-tutor")]
    if not Path(tutor[0]).exists():
        tutor = [sys.executable, "-m", "tui_tutor"]
    open_capture = [*tutor, "open", str(capture), "--data-dir", str(data)]
    # (name, program, what it paints): the capture's dialog first, then its list in it
    programs = (
        ("hello", [python, "-c", HELLO], [("hello", b"hello world")]),
        ("picker", [*tutor, "--data-dir", str(data)], [("picker", b"how TCP opens")]),
        ("capture", open_capture, [("dialog", b"Open a capture"), ("list", b"pick one")]),
    )
    times: dict[str, list[float]] = {"hello": [], "picker": [], "dialog": [], "list": []}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    for _ in range(runs):
        for _name, argv, paints in programs:
            proc, master = spawn(argv)
            try:
                start = time.perf_counter()
                for name, needle in paints:
                    read_until(master, needle)
                    times[name].append(time.perf_counter() - start)
                    cpu[name].append(cpu_seconds(proc.pid))
            finally:  # a program that never painted is not left running
                stop(proc, master)
    return times, cpu


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, all threads) the process has used so far: unlike wall
    time, hardly moved by other programs sharing the machine."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def key_latency(keys: int, data: Path, argv: list[str] | None = None) -> list[float]:
    """Walk a lesson forward with n (revealing questions with v first), then back with b."""
    argv = argv or [
        sys.executable,
        "-m",
        "tui_tutor",
        "--data-dir",
        str(data),
        "--lesson",
        "lost-last-ack",
    ]
    proc, master = spawn(argv)
    read_until(master, b"lost")
    drain(master, quiet=0.5)
    samples: list[float] = []
    forward = True
    steps = 0
    while len(samples) < keys:
        if forward:
            os.write(master, b"v")  # reveal, if this is a question: not measured
            drain(master, quiet=0.05)
        key = b"n" if forward else b"b"
        sent = time.perf_counter()
        os.write(master, key)
        ready, _, _ = select.select([master], [], [], 2.0)  # the first byte of the update
        last = drain(master) if ready else None
        if last is not None:
            samples.append(last - sent)
        steps += 1
        if steps % 15 == 0:
            forward = not forward
    stop(proc, master)
    return samples


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keys", type=int, default=240)
    parser.add_argument("--capture", type=Path, default=CAPTURE, help="for `open CAPTURE`")
    parser.add_argument("--no-keys", action="store_true", help="cold start only")
    parser.add_argument(
        "--venv", type=Path, help="time the tutor installed in this venv (default: .venv)"
    )
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-app-"))
    try:
        times, cpu = cold_start(args.runs, data, args.capture, args.venv)
        hello, hello_cpu = statistics.median(times["hello"]), statistics.median(cpu["hello"])
        print(f"cold start to first paint, median of {args.runs} (alternated; aim: at most 1.3x)")
        print(f"  the tutor of {args.venv or ROOT / '.venv'}")
        print(f"  {'':<44} {'wall ms':>8} {'ratio':>6} {'CPU ms':>8} {'ratio':>6}")
        for name, label in (
            ("hello", "Textual hello world"),
            ("picker", "tui-tutor picker"),
            ("dialog", f"tui-tutor open {args.capture.name}: dialog"),
            ("list", "  ... and its list of connections in it"),
        ):
            wall, used = statistics.median(times[name]), statistics.median(cpu[name])
            print(
                f"  {label:<44} {wall * 1000:8.0f} {wall / hello:5.2f}x "
                f"{used * 1000:8.0f} {used / hello_cpu:5.2f}x"
            )
        if args.no_keys:
            return
        lat = key_latency(args.keys, data)
        floor = key_latency(args.keys, data, [sys.executable, "-c", FLOOR])
        print(f"key press to repaint complete, {len(lat)} keys (n, b, v) in a lesson at 120x36,")
        print("and a bare Textual app repainting as much screen per key, in the same run:")
        for name, values in (("tui-tutor lesson", lat), ("bare Textual", floor)):
            print(
                f"  {name:<17} p50 {pct(values, 0.5) * 1000:6.1f} ms   p90 "
                f"{pct(values, 0.9) * 1000:6.1f} ms   p99 {pct(values, 0.99) * 1000:6.1f} ms"
            )
        print(
            f"  ratio at p50 {pct(lat, 0.5) / pct(floor, 0.5):.2f}x, at p99 "
            f"{pct(lat, 0.99) / pct(floor, 0.99):.2f}x   (aim: p99 under 30 ms)"
        )
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
