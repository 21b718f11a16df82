"""Where a key press's CPU goes, by kind of key, in the tutor on a real pseudo-terminal.

The tutor runs in a child process on a pty (as over SSH, minus the network). A
learner types through lesson 2 twice, as ``bench_ssh_load.py``'s class does
(flag letters, Tab, digits, type-ahead states, Enter to check, a wrong answer
revealed with v, n to go on). For each key the parent measures:

- the app's CPU for it: every thread's run time (``/proc/PID/task/*/schedstat``,
  nanoseconds) from just before the key to the end of the screen update it
  caused (50 ms without output);
- how long until that update had been written, and how many bytes it was.

The child profiles itself (cProfile, CPU time of its main thread) during the keys of one kind
at a time, told which by the parent (a file, then SIGUSR1 to start, SIGUSR2 to
stop), and prints each kind's heaviest functions at the end.

The table comes from a session without the profiler; the profiles from a second one.
``--repo DIR`` measures another checkout's tutor (``git archive main | tar -x -C DIR``).

Run: .venv/bin/python benchmarks/profile_keys.py [--rounds 2] [--top 14] [--kind Tab]
    [--no-profile] [--repo DIR] [--size 120x36]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import fcntl
import io
import os
import pstats
import random
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

from bench_ssh_load import ESCAPES, PICKER, REPO, lesson_plans

LESSON_INDEX = 1  # lesson 2, the three-way handshake: every kind of field
QUIET = 0.05  # seconds without output: the update is written (a frame is 1/60 s)
TIMEOUT = 10.0


# ---------------------------------------------------------------- the child: the app, profiled


def run_app(data: Path, kind_file: Path, out: Path) -> None:
    """In the child, on the pty: the tutor with a profiler per kind of key."""
    from tui_tutor.cli import main

    profiles: dict[str, cProfile.Profile] = {}
    current: list[cProfile.Profile] = []

    def start(*_: object) -> None:
        kind = kind_file.read_text()
        current[:] = [profiles.setdefault(kind, cProfile.Profile(time.thread_time))]
        current[0].enable()

    def stop(*_: object) -> None:
        if current:
            current.pop().disable()

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    try:
        main(["--learner", "bench", "--data-dir", str(data), "--served", "--no-live"])
    finally:
        for kind, profile in profiles.items():
            profile.dump_stats(str(out / f"{kind.replace(' ', '_').replace(':', '')}.prof"))


def spawn(
    size: tuple[int, int], repo: Path, data: Path, kind_file: Path, out: Path
) -> tuple[int, int]:
    """The tutor of checkout ``repo`` in a new interpreter on a new pty: (pid, master)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env["PYTHONPATH"] = str(repo)
    command = [sys.executable, __file__, "--child", str(data), str(kind_file), str(out)]
    pid = os.fork()
    if pid == 0:
        try:
            os.close(master)
            os.setsid()
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            os.execve(sys.executable, command, env)
        finally:
            os._exit(1)
    os.close(slave)
    return pid, master


# ---------------------------------------------------------------- the parent: a learner typing


def cpu_ns(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int((task / "schedstat").read_text().split()[0])
    return total


class Terminal:
    def __init__(self, pid: int, master: int) -> None:
        self.pid, self.master = pid, master
        self.data = bytearray()

    def read_until_quiet(
        self, quiet: float = QUIET, expect: tuple[str, ...] = ("",)
    ) -> tuple[int, float]:
        """Bytes read and when the last came, once ``quiet`` seconds pass without any and
        one of ``expect`` is on screen."""
        start, last, count = time.perf_counter(), None, 0
        mark = len(self.data)
        while True:
            ready, _, _ = select.select([self.master], [], [], quiet)
            if ready:
                chunk = os.read(self.master, 65536)
                self.data += chunk
                count += len(chunk)
                last = time.perf_counter()
                continue
            shown = self.text(mark)
            seen = any(text in shown for text in expect)
            if last is not None and seen:
                return count, last
            if time.perf_counter() - start > TIMEOUT:
                raise SystemExit(f"no {expect!r} on screen: {self.text(mark)[-300:]!r}")

    def text(self, since: int = 0) -> str:
        return ESCAPES.sub(b"", bytes(self.data[since:])).decode("utf-8", "replace")


def script(rounds: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """(key, kind, what the screen shows after it) through lesson 2, ``rounds`` times."""
    plan = list(lesson_plans().values())[LESSON_INDEX]
    rng = random.Random(1)
    keys: list[tuple[str, str, tuple[str, ...]]] = [("\x1b[B", "", ("",))] * LESSON_INDEX
    keys.append(("\r", "Enter: open a lesson", ("step 1/",)))
    for round_ in range(rounds):
        for index, question in enumerate(plan):
            if question is not None:
                wrong = rng.random() < 0.25
                for press in question.wrong if wrong else question.right:
                    keys.append((press.key, press.kind, press.expect))
                if wrong:
                    keys.append(("v", "v: reveal", ("Revealed",)))
            if index + 1 < len(plan):
                keys.append(("n", "n: next", (f"step {index + 2}/",)))
        keys.append(("n", "n: next", ("Score",)))
        if round_ + 1 < rounds:
            keys += [("r", "r: again", ("y or Enter",)), ("y", "y: yes", ("step 1/",))]
    return keys


def play(
    keys: list[tuple[str, str, tuple[str, ...]]],
    args: argparse.Namespace,
    work: Path,
    profile: bool,
) -> dict[str, list[tuple[float, float, int]]]:
    """One session through ``keys``: per kind of key, (CPU ms, ms to the screen, bytes).
    ``profile``: the child profiles the kinds asked for (the CPU it reports is then
    inflated by the profiler)."""
    kind_file, out = work / "kind", work / "profiles"
    out.mkdir(exist_ok=True)
    pid, master = spawn(args.size, args.repo, work / f"data-{profile}", kind_file, out)
    term = Terminal(pid, master)
    measured: dict[str, list[tuple[float, float, int]]] = {}
    try:
        term.read_until_quiet(0.3, (PICKER,))
        for key, kind, expect in keys:
            time.sleep(0.05)
            profiled = profile and bool(kind) and (not args.kind or kind in args.kind)
            if profiled:
                kind_file.write_text(kind)
                os.kill(pid, signal.SIGUSR1)
                time.sleep(0.005)  # the handler runs between two bytecodes of the main thread
            before, sent = cpu_ns(pid), time.perf_counter()
            os.write(master, key.encode())
            count, last = term.read_until_quiet(expect=expect)
            spent = (cpu_ns(pid) - before) / 1e6
            if profiled:
                os.kill(pid, signal.SIGUSR2)
            if kind:
                measured.setdefault(kind, []).append((spent, (last - sent) * 1000, count))
        os.write(master, b"q")
        with contextlib.suppress(OSError):
            term.read_until_quiet(0.5)
    finally:
        with contextlib.suppress(ProcessLookupError):
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                time.sleep(1)
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        os.close(master)
    return measured


def report(measured: dict[str, list[tuple[float, float, int]]]) -> None:
    print(
        f"{'kind of key':22} {'keys':>5} {'CPU ms p50':>10} {'mean':>6} {'to screen ms':>12} "
        f"{'bytes':>7}"
    )
    rows = sorted(measured.items(), key=lambda kv: -statistics.fmean(r[0] for r in kv[1]))
    for kind, values in rows:
        cpu = [r[0] for r in values]
        print(
            f"{kind:22} {len(values):5} {statistics.median(cpu):10.1f} "
            f"{statistics.fmean(cpu):6.1f} {statistics.median(r[1] for r in values):12.1f} "
            f"{statistics.median(r[2] for r in values):7.0f}"
        )


def print_profiles(out: Path, top: int) -> None:
    for path in sorted(out.glob("*.prof")):
        text = io.StringIO()
        stats = pstats.Stats(str(path), stream=text)
        stats.sort_stats("cumulative").print_stats(top)
        print(f"\n== {path.stem}: heaviest by cumulative CPU time (all keys of this kind)")
        body = text.getvalue().split("filename:lineno(function)", 1)[-1]
        for line in body.strip().splitlines():
            print("  " + line.replace(str(Path(sys.prefix)), "").replace(SITE, ""))


SITE = "/lib/python3.11/site-packages/"


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        data, kind_file, out = (Path(a) for a in sys.argv[2:5])
        run_app(data, kind_file, out)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="times through lesson 2")
    parser.add_argument("--top", type=int, default=14, help="functions shown per kind")
    parser.add_argument("--kind", action="append", help="profile only these kinds of key")
    parser.add_argument("--no-profile", action="store_true", help="only the CPU per key")
    parser.add_argument(
        "--size",
        default="120x36",
        type=lambda text: tuple(int(n) for n in text.split("x")),
        help="terminal size, COLSxROWS",
    )
    parser.add_argument(
        "--repo", type=Path, default=REPO, help="the checkout whose tutor to measure"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="profile-keys-"))
    keys = script(args.rounds)
    try:
        measured = play(keys, args, work, profile=False)
        columns, rows = args.size
        print(
            f"the tutor of {args.repo} at {columns}x{rows}, lesson 2 typed through "
            f"{args.rounds} times; CPU of all its threads per key, without a profiler\n"
        )
        report(measured)
        if not args.no_profile:
            play(keys, args, work, profile=True)
            print_profiles(work / "profiles", args.top)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
