"""Benchmark (not a test): a class on ``tui-tutor serve-ssh``, on this machine.

For each N (10, 25, 50 by default) it starts the server as a subprocess with N
keys and plays a class with asyncssh clients in this process:

- a login storm: the N learners connect at random moments within ``--storm``
  seconds (ten by default), and each waits for the lesson picker;
- then each opens one of the first lessons and answers its questions as a
  learner does, key by key: a segment's flags by their letters, Tab, seq and ack
  typed digit by digit (counted from the ISN), Tab, both states by type-ahead
  letters, Enter to check; a choice's digit and Enter; ``n`` to go on. A quarter
  of the answers have one field wrong (``✘``), then ``v`` reveals the right one.
  The answers come from the engine's own run of the lesson and are checked with
  the grader before the class starts. At the end ``r``, ``y`` plays it again.
  Between two keys a learner thinks ``--think`` seconds (uniformly 0.5x-1.5x).

It reports, per N:
- login: from connecting to the picker on screen, the largest wait against the
  aim (every learner's first screen within 3 s);
- key -> screen, per kind of key: from sending the key to the moment what it
  causes has reached the client (the digits typed so far in the field, the flag
  ticked ``[x]SYN``, the state picked, after Tab the field left drawn with thin
  bars ``▏``, after Enter the mark ``✔``/``✘``, the next step's number);
- memory: each session's app (RSS, PSS, and USS = its private pages), the server;
- CPU: cores used by the server and the apps while the class answers, and the
  apps' CPU per key; then while everyone sits idle in a lesson.

The aims on 2 cores: 50 learners, p99 key -> screen under 150 ms, every login of
a storm of 50 on screen within 3 s, under 60 MB of private memory per session.

    .venv/bin/python benchmarks/bench_ssh_load.py [--learners 10,25,50] [--keys 40]
        [--think 1.0] [--storm 10] [--repo DIR] [--profile-startup]

``--repo DIR`` measures the server of another checkout (``git archive main | tar
-x -C DIR``) with the same learners, for a before/after in one session.
``--reference DIR`` plays each class on that checkout's server too, right after this
one's, and prints the ratios (the reference's figure over this one's): e.g. main,
whose ``serve-ssh`` starts each learner's app as a new Python, without the fork server.
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
AIM_MB = 60.0  # private memory (USS) per session
AIM_LOGIN_S = 3.0  # every learner of a login storm sees the picker within this
PICKER = "how TCP opens and closes connections"
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)")
KEY_TIMEOUT = 20.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
LESSONS = 4  # learners open the first four lessons, one in four each
WRONG = 0.25  # answers with one field wrong
RIGHT = ("Right", "✔")  # what Enter shows after a right answer
WRONG_MARKS = ("✘", "Not quite")  # and after a wrong one
OPEN = "Enter: open a lesson"  # the one key not counted in the aim (a whole new screen)


# ---------------------------------------------------------------- what a learner types


@dataclass(frozen=True)
class Press:
    """One key, what the screen shows once the app has taken it, and its kind."""

    key: str
    expect: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Question:
    right: list[Press]  # the right answer, ending with Enter (✔)
    wrong: list[Press]  # one field wrong, ending with Enter (✘)


def segment_answer(run, moment, numbers, absolute: bool, wrong: bool) -> tuple[list[Press], dict]:
    """The keys of a segment question's answer by keyboard alone, and the values they give."""
    from bench_keys_per_question import FLAG_LETTERS, fewest_letters

    from tui_tutor.app.widgets.state_field import match_state
    from tui_tutor.lessons.quiz import Numbers, expected_flags

    record = run.record(moment.segment)
    ask = list(moment.step.ask)
    fields = [f for f in ("flags", "seq", "ack", "len", "client_state", "server_state") if f in ask]
    spoil = fields[0] if wrong else None
    typed_as = Numbers(numbers.x, numbers.y, symbolic=True)  # x+N where plain means absolute
    presses: list[Press] = []
    values: dict[str, object] = {}
    for i, name in enumerate(fields):
        if i:
            presses.append(Press("\t", ("▏",), "Tab"))  # the field left: thin bars again
        if name == "flags":
            flags = set(expected_flags(record))
            if name == spoil:
                flags ^= {"FIN"}
            values["flags"] = flags
            for flag in sorted(flags):
                presses.append(Press(FLAG_LETTERS[flag], (f"[x]{flag}",), "flag letter"))
        elif name in ("seq", "ack", "len"):
            value = record.length if name == "len" else getattr(record, name)
            if name == "len":
                text = str(value + (name == spoil)) if value or name == spoil else ""
            elif value is None:
                text = ""
            else:
                value = (value + (name == spoil)) % 2**32
                if absolute:
                    text = typed_as.show(value, name, record.sender)
                else:
                    text = str((value - numbers.base(name, record.sender)) % 2**32)
            values[name] = text
            for j in range(len(text)):
                presses.append(Press(text[j], (text[: j + 1],), "digit in a field"))
        else:
            state = record.client_state if name == "client_state" else record.server_state
            letters = fewest_letters(state.value)
            values[name] = state.value
            for j in range(len(letters)):
                shown = match_state(letters[: j + 1])
                presses.append(Press(letters[j], (shown.value,), "state letter"))
    presses.append(Press("\r", WRONG_MARKS if wrong else RIGHT, "Enter: check"))
    return presses, values


def choice_answer(step, wrong: bool) -> tuple[list[Press], dict]:
    right = {i for i, option in enumerate(step.options) if option.correct}
    multi = len(right) > 1
    picked = right if not wrong else {min(set(range(len(step.options))) - right)}
    mark = "[x]" if multi else "(•)"
    presses = [Press(str(i + 1), (mark,), "digit: option") for i in sorted(picked)]
    presses.append(Press("\r", WRONG_MARKS if wrong else RIGHT, "Enter: check"))
    return presses, {"choice": picked}


def state_answer(run, moment, numbers) -> tuple[list[Press], list[Press]]:
    """A state question: the state the grader takes (found by trying all eleven), and
    another one."""
    from bench_keys_per_question import fewest_letters

    from tui_tutor.app.widgets.state_field import match_state
    from tui_tutor.engine import State
    from tui_tutor.lessons.quiz import grade_question

    def keys(state: State, marks: tuple[str, ...]) -> list[Press]:
        letters = fewest_letters(state.value)
        presses = [
            Press(letters[j], (match_state(letters[: j + 1]).value,), "state letter")
            for j in range(len(letters))
        ]
        return [*presses, Press("\r", marks, "Enter: check")]

    graded = {
        s: grade_question(run, moment.step, {"state": s.value}, numbers, "en", moment.segment)
        for s in State
    }
    right = next(s for s, grade in graded.items() if grade.correct)
    wrong = next(s for s, grade in graded.items() if not grade.correct)
    return keys(right, RIGHT), keys(wrong, WRONG_MARKS)


def lesson_plans() -> dict[str, list[Question | None]]:
    """Each of the first lessons by its header title: per moment, the question's keys
    (right and wrong, checked with the grader), or None where there is nothing to answer."""
    from tui_tutor.app.screens.lesson import LessonScreen, lesson_source
    from tui_tutor.lessons import default_dir
    from tui_tutor.lessons.loader import load_all
    from tui_tutor.lessons.model import Choice, PredictSegment, PredictState
    from tui_tutor.lessons.quiz import Numbers, grade_question

    plans = {}
    for item in load_all([default_dir()])[0][:LESSONS]:
        source = lesson_source(item.lesson, random.Random(0))
        run = source.make_run(None)
        absolute = source.numbers == "absolute"
        numbers = Numbers(run.x, run.y, symbolic=source.numbers == "symbolic", absolute=absolute)
        plan: list[Question | None] = []
        for moment in run.moments:
            step = moment.step
            if not LessonScreen._is_question(moment):
                plan.append(None)
                continue
            if isinstance(step, PredictState):
                plan.append(Question(*state_answer(run, moment, numbers)))
                continue
            answers = []
            for wrong in (False, True):
                if isinstance(step, PredictSegment):
                    presses, values = segment_answer(run, moment, numbers, absolute, wrong)
                elif isinstance(step, Choice):
                    presses, values = choice_answer(step, wrong)
                else:
                    raise SystemExit(f"{item.lesson.id}: a question of a kind not scripted here")
                grade = grade_question(run, step, values, numbers, "en", moment.segment)
                if grade.correct == wrong:
                    raise SystemExit(
                        f"{item.lesson.id}: the script's answer {values} is graded wrong"
                    )
                answers.append(presses)
            plan.append(Question(*answers))
        plans[source.title("en")] = plan
    return plans


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

    def shown(self) -> str:
        return ESCAPES.sub(b"", bytes(self.data[self.mark :])).decode("utf-8", "replace")

    def data_received(self, data: bytes, datatype: int | None) -> None:
        now = time.perf_counter()
        self.data += data
        self.received += len(data)
        if self.first_byte is None:
            self.first_byte = now
        if self.matched is not None and not self.matched.done():
            shown = self.shown()
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
    latencies: list[float] = field(default_factory=list)  # ms, every key in a lesson
    by_key: dict[str, list[float]] = field(default_factory=dict)  # the same, by kind of key
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
        self.plan: list[Question | None] = []
        self.pressed = 0

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

    async def press(self, key: str, *texts: str, kind: str = "", aim: bool = True) -> bool:
        """Send ``key``, wait for one of ``texts``; False after a timeout. The time is kept
        under ``kind``, and counts towards the aim unless ``aim`` is False."""
        assert self.chan is not None and self.screen is not None
        waiting = self.screen.expect(*texts)
        sent = time.perf_counter()
        self.chan.write(key.encode())
        self.pressed += aim
        try:
            _text, arrived = await asyncio.wait_for(waiting, KEY_TIMEOUT)
        except TimeoutError:
            self.stats.timeouts += 1
            self.stats.errors.append(f"{key!r} -> {texts}: {self.screen.shown()[-400:]!r}")
            return False
        ms = (arrived - sent) * 1000
        if kind:
            self.stats.by_key.setdefault(kind, []).append(ms)
        if aim:
            self.stats.latencies.append(ms)
            if self.screen.first_byte is not None:
                self.stats.first_bytes.append((self.screen.first_byte - sent) * 1000)
        return True

    async def pause(self) -> None:
        await asyncio.sleep(self.think * random.uniform(0.5, 1.5))

    async def open_lesson(self, downs: int, plans: dict[str, list[Question | None]]) -> None:
        await asyncio.sleep(self.think * random.uniform(0.0, 2.0))  # not all in the same instant
        for _ in range(downs):
            await self.press("\x1b[B", "", aim=False)
            await asyncio.sleep(0.05)
        if not await self.press("\r", "step 1/", kind=OPEN, aim=False):
            raise SystemExit(f"{self.name}: the lesson did not open")
        self.step = 1
        assert self.screen is not None
        shown = self.screen.shown()
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

    async def answer(self, question: Question) -> None:
        """Type an answer key by key; a wrong one is revealed after its ✘."""
        wrong = random.random() < WRONG
        for press in question.wrong if wrong else question.right:
            await self.pause()
            if not await self.press(press.key, *press.expect, kind=press.kind):
                break
        if wrong:
            await self.pause()
            await self.press("v", "Revealed", kind="v: reveal")

    async def take_class(self, keys: int) -> None:
        """Answer the lesson's questions and step through it until ``keys`` keys are pressed;
        at the end ``r``, ``y`` plays it again."""
        while self.pressed < keys:
            question = self.plan[self.step - 1]
            if question is not None:
                await self.answer(question)
            await self.pause()
            if self.step == len(self.plan):
                ok = await self.press("n", "Score", kind="n: next")
                await self.pause()
                ok = ok and await self.press("r", "y or Enter: yes", kind="r: again")
                ok = ok and await self.press("y", "step 1/", kind="y: yes")
                if ok:
                    self.step = 1
                    continue
            elif await self.press("n", f"step {self.step + 1}/", kind="n: next"):
                self.step += 1
                continue
            self._resync()

    async def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            await self.conn.wait_closed()


# ---------------------------------------------------------------- the server and its processes


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: list[str]

    def apps(self) -> list[int]:
        """The learners' apps: the server's children on a terminal (its fork server has none)."""
        return [pid for pid, ppid, tty in _processes() if ppid == self.proc.pid and tty]


def _processes() -> list[tuple[int, int, int]]:
    """(pid, parent's pid, controlling terminal) of every process."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                out.append((int(entry), int(fields[1]), int(fields[4])))
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


def start_server(
    folder: Path, names: list[str], repo: Path
) -> tuple[Server, dict[str, asyncssh.SSHKey]]:
    """``serve-ssh`` of the checkout ``repo``: it and every app it starts import from there."""
    keys = {n: asyncssh.generate_private_key("ssh-ed25519", comment=n) for n in names}
    authorized = folder / "authorized_keys"
    authorized.write_bytes(b"".join(k.export_public_key() for k in keys.values()))
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "tui_tutor", "serve-ssh", "--port", "0"),
            *("--authorized-keys", str(authorized), "--data-dir", str(folder / "data")),
            *("--max-sessions", str(len(names)), "--rate-limit", str(10 * len(names))),
        ],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
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


async def login_storm(learners: list[Learner], seconds: float) -> float:
    """Every learner logs in at a random moment within ``seconds``; when the last sees
    the picker, from the first connection."""

    async def arrive(learner: Learner, at: float) -> None:
        await asyncio.sleep(at)
        await learner.login()

    t0 = time.perf_counter()
    moments = sorted(random.uniform(0, seconds) for _ in learners)
    moments[0] = 0.0
    await asyncio.gather(*(arrive(lr, at) for lr, at in zip(learners, moments, strict=True)))
    return time.perf_counter() - t0


async def run_round(
    n: int, args: argparse.Namespace, plans: dict[str, list[Question | None]]
) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-ssh-{n}-"))
    names = [f"learner{i:02d}" for i in range(n)]
    server, keys = start_server(folder, names, args.repo)
    await asyncio.sleep(args.settle)  # the server's own start-up (its fork server) is done
    me = os.getpid()
    learners = [Learner(name, keys[name], server.port, args.think) for name in names]
    try:
        all_in = await login_storm(learners, args.storm)
        apps = server.apps()
        at_picker = [memory(pid) for pid in apps]
        start_cpu = statistics.fmean(cpu_seconds([pid]) for pid in apps)
        server_at_picker = memory(server.proc.pid)["Rss"]

        await asyncio.gather(*(lr.open_lesson(i % LESSONS, plans) for i, lr in enumerate(learners)))
        # the stepping phase, with CPU counted over it
        cpu_server, cpu_apps, cpu_me = (
            cpu_seconds([server.proc.pid]),
            cpu_seconds(apps),
            cpu_seconds([me]),
        )
        t1 = time.perf_counter()
        received = sum(lr.screen.received for lr in learners if lr.screen)
        await asyncio.gather(*(lr.take_class(args.keys) for lr in learners))
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
        f"max {max(login):5.2f} s   aim max < {AIM_LOGIN_S:g} s: "
        f"{'met' if max(login) < AIM_LOGIN_S else 'MISSED'}   (all {n} in after "
        f"{r['all_in']:.1f} s; {r['start_cpu']:.2f} CPU s per app start)"
    )
    opening = r["by_key"].get(OPEN, [])
    print(
        f"  key -> screen    p50 {pct(lat, 50):5.0f} ms p99 {p99:5.0f} ms max {max(lat):5.0f} ms"
        f"   (every key in a lesson; first byte p50 {pct(first, 50):.0f} ms "
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
    uss_max = max((m["Uss"] for m in lesson), default=float("nan"))
    print(
        f"  per session      at picker RSS {mean('Rss', r['at_picker']):.1f} MB, USS "
        f"{mean('Uss', r['at_picker']):.1f} MB; in a lesson RSS {mean('Rss', lesson):.1f} MB "
        f"(max {rss_max:.1f}), PSS {mean('Pss', lesson):.1f} MB, USS (private) "
        f"{mean('Uss', lesson):.1f} MB (max {uss_max:.1f})   aim private < {AIM_MB:.0f} MB: "
        f"{'met' if uss_max < AIM_MB else 'MISSED'}"
    )
    server_pick, server_lesson = r["server_rss"]
    print(
        f"  server           RSS {server_pick:.1f} MB at the picker, {server_lesson:.1f} MB after"
    )
    busy_server, busy_apps, busy_me = r["busy"]
    for kind, values in r["by_key"].items():
        if kind != OPEN:
            print(
                f"    {kind:18} {len(values):4} keys  p50 {pct(values, 50):5.0f} ms  "
                f"p99 {pct(values, 99):5.0f} ms"
            )
    for error in r["errors"][:3]:
        print(f"  timed out: {error[:600]}")
    per_key = busy_apps / r["keys_per_s"] * 1000 if r["keys_per_s"] else float("nan")
    print(
        f"  CPU (cores)      answering: server {busy_server:.2f}, apps {busy_apps:.2f}, "
        f"clients {busy_me:.2f}; all idle in a lesson: {r['idle']:.2f}\n"
        f"                   the apps' CPU per key press: {per_key:.0f} ms; "
        f"{r['bytes_per_key'] / 1024:.1f} KiB of screen updates per key press"
    )


def meets_aim(r: dict) -> bool:
    return pct(r["latencies"], 99) < AIM_P99_MS and not r["timeouts"]


def compare(ours: dict, reference: dict) -> None:
    """The reference's figures over ours (above 1: ours is faster or smaller)."""

    def ratio(a: float, b: float) -> str:
        return f"{b / a:5.1f}x" if a else "   -"

    def uss(r: dict) -> float:
        return statistics.fmean(m["Uss"] for m in r["in_lesson"]) if r["in_lesson"] else 0.0

    def cpu_per_key(r: dict) -> float:
        return r["busy"][1] / r["keys_per_s"] if r["keys_per_s"] else 0.0

    rows = [
        ("login, slowest", max(ours["login"]), max(reference["login"]), "s"),
        ("CPU per app start", ours["start_cpu"], reference["start_cpu"], "s"),
        ("key -> screen p99", pct(ours["latencies"], 99), pct(reference["latencies"], 99), "ms"),
        ("apps' CPU per key", cpu_per_key(ours) * 1000, cpu_per_key(reference) * 1000, "ms"),
        ("private MB/session", uss(ours), uss(reference), "MB"),
    ]
    print(f"  == N = {ours['n']}: this checkout vs the reference (reference / this)")
    for name, a, b, unit in rows:
        print(f"     {name:20} {a:8.2f} {unit:2} vs {b:8.2f} {unit:2}  {ratio(a, b)}")


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
    parser.add_argument("--keys", type=int, default=40, help="key presses per learner")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between keys")
    parser.add_argument(
        "--storm", type=float, default=10.0, help="every learner logs in within these seconds"
    )
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds between the server's start and the class"
    )
    parser.add_argument(
        "--repo",
        type=Path,
        default=REPO,
        help="the checkout whose server to measure (another branch, exported): default this one",
    )
    parser.add_argument(
        "--reference",
        type=Path,
        help="also play each class on this checkout's server (e.g. main, exported): the ratios",
    )
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of the idle measure")
    parser.add_argument("--profile-startup", action="store_true")
    args = parser.parse_args()
    cores = os.cpu_count()
    print(
        f"{cores} cores; server of {args.repo}; {args.keys} keys per learner, "
        f"{args.think:g} s think time; the class logs in within {args.storm:g} s"
    )
    plans = lesson_plans()
    met: dict[Path, list[int]] = {args.repo: [], args.reference: []}
    for n in (int(x) for x in args.learners.split(",")):
        result = asyncio.run(run_round(n, args, plans))
        report(result)
        if meets_aim(result):
            met[args.repo].append(n)
        if args.reference is not None:
            reference = asyncio.run(
                run_round(n, argparse.Namespace(**{**vars(args), "repo": args.reference}), plans)
            )
            print(f"  -- the same class on the reference, {args.reference}:")
            report(reference)
            compare(result, reference)
            if meets_aim(reference):
                met[args.reference].append(n)
    for repo, ns in met.items():
        if repo is not None:
            print(
                f"\nthe largest class with p99 key -> screen under {AIM_P99_MS:.0f} ms on "
                f"{repo}: {max(ns) if ns else 'none of those tried'}"
            )
    if args.profile_startup:
        profile_startup()


if __name__ == "__main__":
    main()
