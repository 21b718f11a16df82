"""Benchmark (not a test): N learners at once on ``tui-tutor serve-ssh``, on this machine.

For each N (10, 25, 50 by default) it starts the server as a subprocess with N
keys, logs N scripted learners in over SSH (asyncssh clients in this process, a
new one every ``--stagger`` seconds, as a class arriving), waits until every
one sees the lesson picker, then has each open a lesson and step through it:
``n``; at a question the app says "Answer first", so ``v`` reveals the answer
and ``n`` goes on; at the end ``r`` plays the lesson again. Between two key
presses a learner thinks for ``--think`` seconds (uniformly 0.5x to 1.5x).

It reports, per N:
- login: from connecting to the picker on screen (an app's start-up, under load);
- key -> screen: from sending a key to the moment the text it causes (the new
  step number, "Answer first", "Revealed:") has reached the client, and to the
  first byte of the answer;
- memory: each session's app process (RSS, PSS, and USS = its private pages),
  and the server's RSS;
- CPU: cores used by the server and by the apps while learners step, and while
  they all sit idle in a lesson (a focused input's cursor blinks).

The aim: 50 learners on 2 cores, p99 key -> screen under 150 ms, under 60 MB per session.

    .venv/bin/python benchmarks/bench_ssh_load.py [--learners 10,25,50] [--keys 30]
        [--think 1.0] [--stagger 0.1] [--profile-startup]

``--profile-startup`` also runs one app under ``-X importtime`` and prints where its
start-up goes (the biggest imports).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

REPO = Path(__file__).resolve().parent.parent
AIM_P99_MS = 150.0
AIM_MB = 60.0
PICKER = "how TCP opens and closes connections"
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)")
KEY_TIMEOUT = 20.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------- one scripted learner


class Screen(asyncssh.SSHClientSession):
    """Collects the screen's bytes and notices when what a key press should cause arrives."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.mark = 0
        self.expected: tuple[str, ...] = ()
        self.matched: asyncio.Future[tuple[str, float]] | None = None
        self.first_byte: float | None = None
        self.closed = False
        self.received = 0  # bytes, over the whole session

    def expect(self, *texts: str) -> asyncio.Future[tuple[str, float]]:
        """From now on, resolve with (text, arrival time) once one of ``texts`` is shown."""
        self.mark = len(self.data)
        self.expected = texts
        self.first_byte = None
        self.matched = asyncio.get_running_loop().create_future()
        return self.matched

    def data_received(self, data: bytes, datatype: int | None) -> None:
        now = time.perf_counter()
        self.data += data
        self.received += len(data)
        if self.first_byte is None:
            self.first_byte = now
        if self.matched is not None and not self.matched.done():
            shown = ESCAPES.sub(b"", bytes(self.data[self.mark :])).decode("utf-8", "replace")
            for text in self.expected:
                if text in shown:
                    self.matched.set_result((text, now))
                    break
        if len(self.data) > 1 << 20:  # keep memory flat over a long run
            drop = len(self.data) - 65536
            del self.data[:drop]
            self.mark = max(0, self.mark - drop)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.matched is not None and not self.matched.done():
            self.matched.set_exception(ConnectionError("session closed"))


@dataclass
class LearnerStats:
    login: float | None = None  # seconds from connect to the picker
    latencies: list[float] = field(default_factory=list)  # ms to the expected text (n, v, r)
    by_key: dict[str, list[float]] = field(default_factory=dict)  # the same, by what was awaited
    first_bytes: list[float] = field(default_factory=list)  # ms to the first byte
    timeouts: int = 0
    errors: list[str] = field(default_factory=list)


class Learner:
    def __init__(self, name: str, key: asyncssh.SSHKey, port: int, think: float) -> None:
        self.name = name
        self.key = key
        self.port = port
        self.think = think
        self.stats = LearnerStats()
        self.conn: asyncssh.SSHClientConnection | None = None
        self.chan: asyncssh.SSHClientChannel | None = None
        self.screen: Screen | None = None
        self.step = 0  # the step number the header shows
        self.plan: list[bool] = []  # per step of the lesson: does it ask a question?

    async def login(self) -> None:
        start = time.perf_counter()
        self.conn = await asyncssh.connect(
            "127.0.0.1",
            self.port,
            username=self.name,
            client_keys=[self.key],
            known_hosts=None,
            config=None,
            agent_path=None,
        )
        self.chan, self.screen = await self.conn.create_session(
            Screen, term_type="xterm-256color", term_size=(120, 36), encoding=None
        )
        self.screen.mark = 0
        waiting = self.screen.expect(PICKER)
        self.screen.mark = 0
        await asyncio.wait_for(waiting, 300)
        self.stats.login = time.perf_counter() - start

    async def press(self, key: str, *texts: str, measure: bool = True) -> str | None:
        """Send ``key``, wait for one of ``texts``; returns it, or None after a timeout."""
        assert self.chan is not None and self.screen is not None
        waiting = self.screen.expect(*texts)
        sent = time.perf_counter()
        self.chan.write(key.encode())
        try:
            text, arrived = await asyncio.wait_for(waiting, KEY_TIMEOUT)
        except TimeoutError:
            self.stats.timeouts += 1
            shown = ESCAPES.sub(b"", bytes(self.screen.data[self.screen.mark :]))
            self.stats.errors.append(f"{key!r} -> {texts}: {shown.decode(errors='replace')!r}")
            return None
        if measure:
            ms = (arrived - sent) * 1000
            opening = key == "\r"
            kind = "open a lesson" if opening else f"{key} -> {texts[0].split()[0]}"
            self.stats.by_key.setdefault(kind, []).append(ms)
            if not opening:  # the aim is about stepping through a lesson
                self.stats.latencies.append(ms)
                if self.screen.first_byte is not None:
                    self.stats.first_bytes.append((self.screen.first_byte - sent) * 1000)
        return text

    async def open_lesson(self, downs: int, plans: dict[str, list[bool]]) -> None:
        await asyncio.sleep(self.think * random.uniform(0.0, 2.0))  # not all in the same instant
        for _ in range(downs):
            await self.press("\x1b[B", "", measure=False)
            await asyncio.sleep(0.05)
        await self.press("\r", "step 1/")
        self.step = 1
        assert self.screen is not None
        shown = ESCAPES.sub(b"", bytes(self.screen.data[self.screen.mark :])).decode(
            errors="replace"
        )
        # the header, " TITLE   step 1/N", not the picker's rows that may still be on screen
        title = next((t for t, p in plans.items() if f"{t}   step 1/{len(p)}" in shown), None)
        if title is None:
            raise SystemExit(f"{self.name}: no known lesson in the header: {shown[-300:]!r}")
        self.plan = plans[title]

    def _resync(self) -> None:
        """After a timeout: believe the last step number the screen showed."""
        assert self.screen is not None
        shown = ESCAPES.sub(b"", bytes(self.screen.data[-65536:])).decode(errors="replace")
        steps = re.findall(r"step (\d+)/", shown)
        if steps:
            self.step = int(steps[-1])

    async def step_through(self, keys: int) -> None:
        """``keys`` key presses: v at a question (reveal), n to go on, r y after the last step.

        The learner knows the lesson's plan (which steps ask a question), so it never
        presses n at an open question, which would only raise a toast that lingers on
        screen and would be mistaken for the answer to a later key.
        """
        revealed = False
        pressed = 0
        while pressed < keys:
            await asyncio.sleep(self.think * random.uniform(0.5, 1.5))
            pressed += 1
            if self.plan[self.step - 1] and not revealed:
                revealed = await self.press("v", "Revealed") is not None
                if not revealed:
                    self._resync()
            elif self.step == len(self.plan):
                if await self.press("n", "Score:") is not None:
                    await asyncio.sleep(self.think * random.uniform(0.5, 1.5))
                    pressed += 1
                    # r asks first (the score goes): y says yes
                    confirmed = await self.press("r", "y or Enter: yes") is not None
                    if confirmed and await self.press("y", "step 1/") is not None:
                        self.step, revealed = 1, False
                        continue
                self._resync()
            elif await self.press("n", f"step {self.step + 1}/") is not None:
                self.step, revealed = self.step + 1, False
            else:
                self._resync()

    async def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            await self.conn.wait_closed()


def lesson_plans() -> dict[str, list[bool]]:
    """Each bundled lesson's header title, and which of its steps ask a question."""
    import random as rng

    from tui_tutor.app.screens.lesson import LessonScreen, lesson_source
    from tui_tutor.lessons import default_dir
    from tui_tutor.lessons.loader import load_all

    plans = {}
    for item in load_all([default_dir()])[0]:
        source = lesson_source(item.lesson, rng.Random(0))
        moments = source.make_run(None).moments
        plans[source.title("en")] = [LessonScreen._is_question(m) for m in moments]
    return plans


# ---------------------------------------------------------------- the server and its processes


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: list[str]

    def apps(self) -> list[int]:
        return [pid for pid, ppid in _processes() if ppid == self.proc.pid]


def _processes() -> list[tuple[int, int]]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    out.append((int(entry), int(f.read().rsplit(")", 1)[1].split()[1])))
            except (OSError, IndexError, ValueError):
                pass
    return out


def memory(pid: int) -> dict[str, float]:
    """MB: Rss, Pss, and Uss (private pages only) from /proc/PID/smaps_rollup."""
    values: dict[str, float] = {"Rss": 0.0, "Pss": 0.0, "Uss": 0.0}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                name = parts[0].rstrip(":")
                if name in ("Rss", "Pss"):
                    values[name] = int(parts[1]) / 1024
                elif name in ("Private_Clean", "Private_Dirty"):
                    values["Uss"] += int(parts[1]) / 1024
    except OSError:
        pass
    return values


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / CLK_TCK


def start_server(folder: Path, names: list[str]) -> tuple[Server, dict[str, asyncssh.SSHKey]]:
    keys = {n: asyncssh.generate_private_key("ssh-ed25519", comment=n) for n in names}
    authorized = folder / "authorized_keys"
    authorized.write_bytes(b"".join(k.export_public_key() for k in keys.values()))
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "tui_tutor", "serve-ssh", "--port", "0"),
            *("--authorized-keys", str(authorized), "--data-dir", str(folder / "data")),
            *("--max-sessions", str(len(names)), "--rate-limit", str(10 * len(names))),
        ],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line.rstrip("\n"))
            if "listening on" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(30):
        proc.kill()
        raise SystemExit(f"the server did not start: {log}")
    port = int(re.search(r"listening on \S+:(\d+)", "\n".join(log)).group(1))
    return Server(proc, port, log), keys


# ---------------------------------------------------------------- one round


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run_round(n: int, args: argparse.Namespace) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-ssh-{n}-"))
    names = [f"learner{i:02d}" for i in range(n)]
    server, keys = start_server(folder, names)
    me = os.getpid()
    learners = [Learner(name, keys[name], server.port, args.think) for name in names]
    try:
        # a class arriving: one login every --stagger seconds, all apps starting meanwhile
        t0 = time.perf_counter()
        logins = []
        for learner in learners:
            logins.append(asyncio.ensure_future(learner.login()))
            await asyncio.sleep(args.stagger)
        await asyncio.gather(*logins)
        all_in = time.perf_counter() - t0
        apps = server.apps()
        at_picker = [memory(pid) for pid in apps]
        start_cpu = statistics.fmean(cpu_seconds([pid]) for pid in apps)
        server_at_picker = memory(server.proc.pid)["Rss"]

        plans = lesson_plans()
        await asyncio.gather(*(lr.open_lesson(i % 4, plans) for i, lr in enumerate(learners)))
        # the stepping phase, with CPU counted over it
        cpu_server, cpu_apps, cpu_me = (
            cpu_seconds([server.proc.pid]),
            cpu_seconds(apps),
            cpu_seconds([me]),
        )
        t1 = time.perf_counter()
        received = sum(lr.screen.received for lr in learners if lr.screen)
        await asyncio.gather(*(lr.step_through(args.keys) for lr in learners))
        wall = time.perf_counter() - t1
        received = sum(lr.screen.received for lr in learners if lr.screen) - received
        busy = (
            (cpu_seconds([server.proc.pid]) - cpu_server) / wall,
            (cpu_seconds(apps) - cpu_apps) / wall,
            (cpu_seconds([me]) - cpu_me) / wall,
        )
        in_lesson = [memory(pid) for pid in apps]
        server_in_lesson = memory(server.proc.pid)["Rss"]
        # everyone idle in a lesson: what the apps cost doing nothing
        before = cpu_seconds(apps) + cpu_seconds([server.proc.pid])
        await asyncio.sleep(args.idle)
        idle = (cpu_seconds(apps) + cpu_seconds([server.proc.pid]) - before) / args.idle
    finally:
        await asyncio.gather(*(lr.close() for lr in learners), return_exceptions=True)
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.proc.kill()
        shutil.rmtree(folder, ignore_errors=True)

    latencies = [ms for lr in learners for ms in lr.stats.latencies]
    first = [ms for lr in learners for ms in lr.stats.first_bytes]
    login = [lr.stats.login for lr in learners if lr.stats.login is not None]
    return {
        "n": n,
        "all_in": all_in,
        "start_cpu": start_cpu,
        "login": login,
        "latencies": latencies,
        "first": first,
        "keys": len(latencies),
        "timeouts": sum(lr.stats.timeouts for lr in learners),
        "keys_per_s": len(latencies) / wall,
        "bytes_per_key": received / max(1, len(latencies)),
        "at_picker": at_picker,
        "in_lesson": in_lesson,
        "server_rss": (server_at_picker, server_in_lesson),
        "busy": busy,
        "idle": idle,
        "errors": [e for lr in learners for e in lr.stats.errors],
        "by_key": {
            kind: [ms for lr in learners for ms in lr.stats.by_key.get(kind, [])]
            for kind in sorted({k for lr in learners for k in lr.stats.by_key})
        },
    }


def report(r: dict) -> None:
    n = r["n"]
    lat, first, login = r["latencies"], r["first"], r["login"]
    lesson = r["in_lesson"]

    def mean(key: str, rows: list[dict[str, float]]) -> float:
        return statistics.fmean(m[key] for m in rows) if rows else float("nan")

    rss_max = max((m["Rss"] for m in lesson), default=float("nan"))
    p99 = pct(lat, 99)
    print(f"\nN = {n} learners")
    print(
        f"  login -> picker  p50 {pct(login, 50):5.2f} s  p99 {pct(login, 99):5.2f} s  "
        f"max {max(login):5.2f} s   (all {n} in after {r['all_in']:.1f} s; "
        f"{r['start_cpu']:.2f} CPU s per app start)"
    )
    opening = r["by_key"].get("open a lesson", [])
    print(
        f"  key -> screen    p50 {pct(lat, 50):5.0f} ms p99 {p99:5.0f} ms max {max(lat):5.0f} ms"
        f"   (n, v, r in a lesson; first byte p50 {pct(first, 50):.0f} ms "
        f"p99 {pct(first, 99):.0f} ms)"
    )
    print(
        f"  open a lesson    p50 {pct(opening, 50):5.0f} ms p99 {pct(opening, 99):5.0f} ms"
        "   (Enter at the picker: the app's first lesson screen)"
    )
    print(
        f"                   {r['keys']} keys at {r['keys_per_s']:.1f} keys/s, "
        f"{r['timeouts']} timeouts   aim p99 < {AIM_P99_MS:.0f} ms: "
        f"{'met' if p99 < AIM_P99_MS and not r['timeouts'] else 'MISSED'}"
    )
    print(
        f"  per session      at picker RSS {mean('Rss', r['at_picker']):.1f} MB; in a lesson "
        f"RSS {mean('Rss', lesson):.1f} MB (max {rss_max:.1f}), PSS {mean('Pss', lesson):.1f} MB, "
        f"USS {mean('Uss', lesson):.1f} MB   aim < {AIM_MB:.0f} MB: "
        f"{'met' if rss_max < AIM_MB else 'MISSED'}"
    )
    server_pick, server_lesson = r["server_rss"]
    print(
        f"  server           RSS {server_pick:.1f} MB at the picker, {server_lesson:.1f} MB after"
    )
    busy_server, busy_apps, busy_me = r["busy"]
    for kind, values in r["by_key"].items():
        if kind == "open a lesson":
            continue
        print(
            f"    {kind:16} {len(values):4} keys  p50 {pct(values, 50):5.0f} ms  "
            f"p99 {pct(values, 99):5.0f} ms"
        )
    for error in r["errors"][:3]:
        print(f"  timed out: {error[:600]}")
    per_key = busy_apps / r["keys_per_s"] * 1000 if r["keys_per_s"] else float("nan")
    print(
        f"  CPU (cores)      stepping: server {busy_server:.2f}, apps {busy_apps:.2f}, "
        f"clients {busy_me:.2f}; all idle in a lesson: {r['idle']:.2f}\n"
        f"                   the apps' CPU per key press: {per_key:.0f} ms; "
        f"{r['bytes_per_key'] / 1024:.1f} KiB of screen updates per key press"
    )


def profile_startup() -> None:
    """Where one app's start-up goes: imports by package (-X importtime), then the lessons."""
    folder = Path(tempfile.mkdtemp(prefix="bench-ssh-import-"))
    code = (
        "import time; t = time.perf_counter(); from tui_tutor.app import make_app; "
        f"t1 = time.perf_counter(); make_app(None, {str(folder)!r}, 'x'); "
        "print(f'{(t1 - t) * 1000:.0f} {(time.perf_counter() - t1) * 1000:.0f}')"
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=REPO
    )
    imports_ms, lessons_ms = result.stdout.split()
    by_package: dict[str, int] = {}
    for line in result.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            top = m.group(2).split(".")[0]
            by_package[top] = by_package.get(top, 0) + int(m.group(1))
    print(f"\none app's start-up: imports {imports_ms} ms, make_app (17 lessons) {lessons_ms} ms;")
    print("imports by package (their own time, -X importtime):")
    for name, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {us / 1000:7.1f} ms  {name}")
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", default="10,25,50", help="comma-separated N")
    parser.add_argument("--keys", type=int, default=30, help="key presses per learner")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between keys")
    parser.add_argument("--stagger", type=float, default=0.1, help="seconds between logins")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of the idle measure")
    parser.add_argument("--profile-startup", action="store_true")
    args = parser.parse_args()
    cores = os.cpu_count()
    print(
        f"{cores} cores; {args.keys} keys per learner, {args.think:g} s think time, "
        f"a login every {args.stagger:g} s"
    )
    for n in (int(x) for x in args.learners.split(",")):
        report(asyncio.run(run_round(n, args)))
    if args.profile_startup:
        profile_startup()


if __name__ == "__main__":
    main()
