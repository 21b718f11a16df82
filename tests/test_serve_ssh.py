"""``tui-tutor serve-ssh``: learners log in with a key, get their own tutor, and nothing else.

The server runs as a real subprocess (``--port 0``: it logs the port it got);
the learners are asyncssh clients that read the screen's raw bytes. Each
tutor app takes a second or two to start, so the tests that only need a login
share one server, and those about limits or the shutdown get their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pytest

from tui_tutor import cli
from tui_tutor.progress import ProgressStore
from tui_tutor.serve.keys import KeyFileError, learner_id, load_host_key, read_authorized_keys
from tui_tutor.serve.limits import KEEPALIVE_COUNT, CpuBudget, Limits, RateLimiter

REPO = Path(__file__).resolve().parent.parent
PICKER = "how TCP opens and closes connections"
PICKER_ZH = "TCP 如何建立和关闭连接"
APP_START = 40.0  # seconds an app may take to show its first screen on a loaded machine
LEARNERS = ["ada", "bob", "cleo", "dan", "eve", "fay", "gus", "hal", "Zhang San 张三"]
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)")


# ---------------------------------------------------------------- a learner's terminal


class Screen(asyncssh.SSHClientSession):
    """Everything the server sent, as bytes; ``text`` has the escape sequences taken out."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.changed = asyncio.Event()
        self.closed = asyncio.Event()

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.data += data
        self.changed.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()
        self.changed.set()

    def text(self, since: int = 0) -> str:
        return ESCAPES.sub(b"", bytes(self.data[since:])).decode("utf-8", "replace")


@dataclass
class Learner:
    conn: asyncssh.SSHClientConnection
    chan: asyncssh.SSHClientChannel | None = None
    screen: Screen | None = None
    mark: int = 0  # where the screen's bytes stood when the last key was sent

    async def open(
        self, size: tuple[int, int] = (120, 36), pty: bool = True, term: str = "xterm-256color"
    ) -> Learner:
        kwargs: dict = {"term_type": term, "term_size": size} if pty else {}
        self.chan, self.screen = await self.conn.create_session(Screen, encoding=None, **kwargs)
        return self

    def press(self, keys: str | bytes) -> None:
        assert self.chan is not None and self.screen is not None
        self.mark = len(self.screen.data)
        self.chan.write(keys.encode() if isinstance(keys, str) else keys)

    async def expect(self, *texts: str, timeout: float = APP_START, since: int | None = None):
        """Wait until every text has appeared on the screen (after the last key, by default)."""
        assert self.screen is not None
        start = self.mark if since is None else since
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen.text(start)
            if all(t in shown for t in texts):
                return shown
            if self.screen.closed.is_set():
                raise AssertionError(f"session closed without showing {texts}; it showed {shown!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{texts} not shown within {timeout}s; got {shown[-400:]!r}")
            self.screen.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.screen.changed.wait(), left)

    async def closed(self, timeout: float = 15) -> None:
        assert self.screen is not None
        await asyncio.wait_for(self.screen.closed.wait(), timeout)


async def connect(server: Server, name: str, **options) -> Learner:
    # a name without a listed key gets a key of its own that the server has never seen
    key = server.keys.get(name) or asyncssh.generate_private_key("ssh-ed25519")
    conn = await asyncssh.connect(
        "127.0.0.1",
        server.port,
        username="learner",
        client_keys=[key],
        known_hosts=None,
        config=None,
        agent_path=None,
        **options,
    )
    return Learner(conn)


# ---------------------------------------------------------------- the server


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    data_dir: Path
    keys: dict[str, asyncssh.SSHKey]
    log: list[str] = field(default_factory=list)

    def children(self) -> dict[str, int]:
        """The tutor apps running under the server, by learner (as its log names them)."""
        apps = {}
        for line in list(self.log):
            started = re.match(r"\S+ started learner=(\S+) .* pid=(\d+) ", line)
            if started and alive_child(int(started.group(2)), self.proc.pid):
                apps[started.group(1)] = int(started.group(2))
        return apps

    def fork_server(self) -> int | None:
        """The pid of the server's fork server, if it runs: the child with no terminal
        (the apps it forked have its command line too, and each its own terminal)."""
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and alive_child(int(entry.name), self.proc.pid):
                with contextlib.suppress(OSError, IndexError):
                    tty = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[4])
                    if tty == 0 and b"forkserver" in (entry / "cmdline").read_bytes():
                        return int(entry.name)
        return None

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=20)


def alive_child(pid: int, parent: int) -> bool:
    """``pid`` runs (is not a zombie) as a child of ``parent``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return fields[0] != "Z" and int(fields[1]) == parent


def write_keys(folder: Path, names: list[str]) -> tuple[Path, dict[str, asyncssh.SSHKey]]:
    keys = {}
    lines = []
    for name in names:
        key = asyncssh.generate_private_key("ssh-ed25519", comment=name)
        keys[name] = key
        lines.append(key.export_public_key().decode())
    path = folder / "authorized_keys"
    path.write_text("".join(lines), encoding="utf-8")
    return path, keys


def start_server(
    folder: Path, *options: str, names: list[str] = LEARNERS, nohup: bool = False
) -> Server:
    """``nohup``: started as under nohup, SIGHUP ignored (the apps must not inherit that)."""
    folder.mkdir(parents=True, exist_ok=True)
    keys_file, keys = write_keys(folder, names)

    def ignore_hangup() -> None:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "tui_tutor", "serve-ssh", "--port", "0"),
            *("--authorized-keys", str(keys_file), "--data-dir", str(folder / "data")),
            *options,
        ],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignore_hangup if nohup else None,
    )
    log: list[str] = []
    listening = threading.Event()

    def read_log() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line.rstrip("\n"))
            if "listening on" in line:
                listening.set()

    threading.Thread(target=read_log, daemon=True).start()
    if not listening.wait(20):
        proc.kill()
        raise AssertionError(f"the server did not start: {log}")
    port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", "\n".join(log)).group(1))
    return Server(proc, port, folder / "data", keys, log)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("serve-ssh"))
    yield running
    assert running.stop() == 0


def wait_for_log(server: Server, pattern: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in server.log:
            if re.search(pattern, line):
                return line
        time.sleep(0.05)
    raise AssertionError(f"no log line matches {pattern!r}: {server.log}")


# ---------------------------------------------------------------- logging in


async def test_a_listed_key_logs_in_and_sees_the_picker_as_its_learner(server):
    learner = await (await connect(server, "ada")).open()
    async with learner.conn:
        await learner.expect(PICKER, "learner: ada")


async def test_a_key_comment_in_any_script_names_the_learner(server):
    learner = await (await connect(server, "Zhang San 张三")).open()
    async with learner.conn:
        await learner.expect(PICKER, "learner: Zhang-San-张三")


async def test_keys_sent_reach_the_app(server):
    learner = await (await connect(server, "bob")).open()
    async with learner.conn:
        await learner.expect(PICKER)
        learner.press("l")
        await learner.expect(PICKER_ZH)


async def test_a_resize_reaches_the_app(server):
    learner = await (await connect(server, "cleo")).open()
    async with learner.conn:
        await learner.expect(PICKER)
        learner.mark = len(learner.screen.data)
        learner.chan.change_terminal_size(40, 12)
        shown = await learner.expect("40x12", "80x24")
        assert "needs" in shown, "the tiny-terminal notice tells the learner what it needs"
        learner.mark = len(learner.screen.data)
        learner.chan.change_terminal_size(100, 30)
        await learner.expect(PICKER)
    line = wait_for_log(server, r"session learner=cleo ")
    assert "term=xterm-256color size=120x36 last_size=100x30" in line


async def test_the_session_log_names_learner_address_times_and_size(server):
    learner = await (await connect(server, "dan")).open(size=(90, 25))
    async with learner.conn:
        await learner.expect(PICKER)
        learner.press("q")
        await learner.closed()
    line = wait_for_log(server, r"session learner=dan ")
    assert re.search(
        r"session learner=dan address=127\.0\.0\.1:\d+ start=\S+ end=\S+ duration=\d+s "
        r"term=xterm-256color size=90x25 ended=quit",
        line,
    ), line


async def test_an_unlisted_key_is_refused(server):
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server, "mallory")
    wait_for_log(server, r"refused address=127\.0\.0\.1:\d+: no listed key \(offered: SHA256:")


async def test_passwords_are_not_accepted(server):
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect(
            "127.0.0.1",
            server.port,
            username="ada",
            password="ada",
            client_keys=None,
            known_hosts=None,
            config=None,
            agent_path=None,
        )


async def test_the_host_key_is_made_once_and_kept_private(server):
    path = server.data_dir / "ssh_host_ed25519_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    learner = await connect(server, "ada")
    async with learner.conn:
        shown = learner.conn.get_server_host_key()
    assert shown.public_data == asyncssh.read_private_key(path).public_data


# ---------------------------------------------------------------- nothing but the tutor


async def test_an_exec_request_is_refused(server):
    learner = await connect(server, "ada")
    async with learner.conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await learner.conn.run("cat /etc/passwd")
    wait_for_log(server, r"refused learner=ada .*exec 'cat /etc/passwd'")


async def test_an_sftp_request_is_refused(server):
    learner = await connect(server, "ada")
    async with learner.conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await learner.conn.start_sftp_client()
    wait_for_log(server, r"refused learner=ada .*subsystem 'sftp'")


async def test_port_forwarding_is_refused(server):
    learner = await connect(server, "ada")
    async with learner.conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await learner.conn.open_connection("127.0.0.1", 22)
        with pytest.raises(asyncssh.ChannelListenError):
            await learner.conn.start_server(lambda *a: None, "127.0.0.1", 0)


async def test_a_session_without_a_pty_gets_one_line_and_is_closed(server):
    learner = await connect(server, "ada")
    async with learner.conn:
        result = await learner.conn.run(encoding=None)
    assert result.stdout == b"tui-tutor needs a terminal: connect with ssh -t\r\n"
    assert result.exit_status == 1


# ---------------------------------------------------------------- learners apart


def lessons_of(data_dir: Path) -> dict[str, set[str]]:
    db = sqlite3.connect(data_dir / "progress.sqlite3")
    rows = db.execute("SELECT learner, lesson FROM lessons").fetchall()
    db.close()
    out: dict[str, set[str]] = {}
    for learner, lesson in rows:
        out.setdefault(learner, set()).add(lesson)
    return out


async def test_two_learners_progress_stays_apart(server):
    eve, fay = await connect(server, "eve"), await connect(server, "fay")
    async with eve.conn, fay.conn:
        await asyncio.gather(eve.open(), fay.open())
        await asyncio.gather(eve.expect(PICKER), fay.expect(PICKER))
        eve.press("\r")  # the first lesson
        fay.press("\x1b[B")  # down: the second lesson
        await fay.expect("2. ")  # the detail pane shows the second lesson
        fay.press("\r")
        await asyncio.gather(eve.expect("step 1/"), fay.expect("step 1/"))
    rows = lessons_of(server.data_dir)
    assert len(rows["eve"]) == 1 and len(rows["fay"]) == 1
    assert rows["eve"] != rows["fay"], "each learner's lesson is recorded under their own name"
    (eve_lesson,) = rows["eve"]
    assert ProgressStore(server.data_dir, "fay").lesson(eve_lesson).status == "not started"


async def test_a_crashed_session_leaves_the_others_running(server):
    ada, bob = await connect(server, "ada"), await connect(server, "bob")
    async with ada.conn, bob.conn:
        await asyncio.gather(ada.open(), bob.open())
        await asyncio.gather(ada.expect(PICKER), bob.expect(PICKER))
        os.kill(server.children()["ada"], signal.SIGKILL)
        await ada.expect("stopped unexpectedly", "progress")
        await ada.closed()
        bob.press("l")
        await bob.expect(PICKER_ZH)
    wait_for_log(server, r"session learner=ada .*ended=crashed_\(signal_9\)")


# ---------------------------------------------------------------- limits


async def test_the_session_after_the_last_place_gets_a_message(tmp_path):
    server = start_server(tmp_path, "--max-sessions", "1")
    try:
        ada, bob = await connect(server, "ada"), await connect(server, "bob")
        async with ada.conn, bob.conn:
            await (await ada.open()).expect(PICKER)
            await bob.open()
            await bob.expect("the server is full (1 sessions at once)")
            await bob.closed()
            assert bob.chan.get_exit_status() == 1
            await ada.expect(PICKER, since=0)
    finally:
        assert server.stop() == 0


async def test_an_idle_session_is_told_and_closed(tmp_path):
    server = start_server(tmp_path, "--idle-timeout", "3")
    try:
        ada = await connect(server, "ada")
        async with ada.conn:
            await (await ada.open()).expect(PICKER)
            await ada.expect("no key pressed for 3 seconds", since=0, timeout=15)
            await ada.closed()
        wait_for_log(server, r"session learner=ada .*ended=idle")
        assert server.children() == {}
    finally:
        assert server.stop() == 0


async def test_new_connections_from_one_address_are_rate_limited(tmp_path):
    server = start_server(tmp_path, "--rate-limit", "2")
    try:
        for _ in range(2):
            (await connect(server, "ada")).conn.close()
        with pytest.raises(asyncssh.DisconnectError, match="too many new connections"):
            await connect(server, "ada")
    finally:
        assert server.stop() == 0


def test_the_rate_limit_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a")] == [True, True, False]
    assert limiter.allow("b"), "each address has its own allowance"
    now[0] = 30.0  # 2 per minute: one more after 30 s
    assert [limiter.allow("a"), limiter.allow("a")] == [True, False]


def test_the_cpu_budget_lets_a_burst_through_then_the_share():
    now = [0.0]
    budget = CpuBudget(cores=0.5, burst=10.0, clock=lambda: now[0])
    budget.spend("ada", 9.0)  # starting an app and a run of keys: within the burst
    assert not budget.in_debt("ada")
    budget.spend("ada", 3.0)
    assert budget.in_debt("ada") and not budget.in_debt("bob"), "each learner has their own"
    now[0] = 3.9  # half a core: 2 seconds of debt take 4 seconds to earn back
    assert budget.in_debt("ada")
    now[0] = 4.1
    assert not budget.in_debt("ada")


# ---------------------------------------------------------------- shutting down


async def test_sigterm_closes_every_session_and_exits_0(tmp_path):
    server = start_server(tmp_path)
    ada, bob = await connect(server, "ada"), await connect(server, "bob")
    async with ada.conn, bob.conn:
        await asyncio.gather(ada.open(), bob.open())
        await asyncio.gather(ada.expect(PICKER), bob.expect(PICKER))
        apps = server.children()
        assert set(apps) == {"ada", "bob"}
        server.proc.send_signal(signal.SIGTERM)
        for learner in (ada, bob):
            await learner.expect("the server is shutting down; your progress is saved")
            await learner.closed()
    assert server.proc.wait(timeout=15) == 0
    for pid in apps.values():
        assert not Path(f"/proc/{pid}").exists(), "every app was hung up"
    ended = [line for line in server.log if "ended=server_stopped" in line]
    assert len(ended) == 2


# ---------------------------------------------------------------- bad options


def run_cli(capsys, *argv: str) -> tuple[int, list[str]]:
    status = cli.main(["serve-ssh", *argv])
    return status, capsys.readouterr().err.splitlines()


def test_a_missing_key_file_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nope"
    status, err = run_cli(capsys, "--authorized-keys", str(missing), "--data-dir", str(tmp_path))
    assert (status, err) == (2, [f"{missing}: no such authorized keys file"])


def test_a_key_without_a_comment_is_refused_naming_file_and_line(tmp_path, capsys):
    named = asyncssh.generate_private_key("ssh-ed25519", comment="ada").export_public_key()
    bare = asyncssh.generate_private_key("ssh-ed25519").export_public_key()
    keys = tmp_path / "keys"
    keys.write_bytes(b"# the class of 2025\n" + named + bare)
    status, err = run_cli(capsys, "--authorized-keys", str(keys), "--data-dir", str(tmp_path))
    assert status == 2
    assert err == [f"{keys}:3: the key has no comment; put the learner's name after the key"]


def test_key_options_are_refused_rather_than_ignored(tmp_path, capsys):
    key = asyncssh.generate_private_key("ssh-ed25519", comment="ada").export_public_key()
    keys = tmp_path / "keys"
    keys.write_bytes(b'from="10.0.0.0/8" ' + key)
    status, err = run_cli(capsys, "--authorized-keys", str(keys), "--data-dir", str(tmp_path))
    assert status == 2 and len(err) == 1
    assert err[0].startswith(f"{keys}:1: key options such as 'from=")


def test_a_huge_key_file_is_one_line_without_reading_it(tmp_path, capsys):
    keys, _ = write_keys(tmp_path, ["ada"])
    with keys.open("r+b") as f:
        f.truncate(8 << 30)  # 8 GiB, sparse: read whole, the server would run out of memory
    status, err = run_cli(capsys, "--authorized-keys", str(keys), "--data-dir", str(tmp_path))
    assert (status, err) == (
        2,
        [f"{keys} (authorized keys): larger than 4 MiB, the most such a file may have"],
    )


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda path: os.mkfifo(path), "a named pipe (FIFO)"),  # opened plainly, it would hang
        (lambda path: path.symlink_to("/dev/zero"), "a device"),  # read whole, never ends
        (lambda path: path.mkdir(), "a folder"),
    ],
)
def test_a_key_file_that_is_not_a_regular_file_is_one_line(tmp_path, capsys, make, kind):
    keys = tmp_path / "keys"
    make(keys)
    status, err = run_cli(capsys, "--authorized-keys", str(keys), "--data-dir", str(tmp_path))
    assert (status, err) == (2, [f"{keys} (authorized keys): {kind}, not a regular file"])


def test_a_key_file_that_is_not_utf8_names_the_byte(tmp_path, capsys):
    keys, _ = write_keys(tmp_path, ["ada"])
    keys.write_bytes(keys.read_bytes() + b"\xff\n")
    size = keys.stat().st_size
    status, err = run_cli(capsys, "--authorized-keys", str(keys), "--data-dir", str(tmp_path))
    assert (status, err) == (
        2,
        [f"{keys}: cannot read the authorized keys file: not UTF-8 at byte {size - 2}"],
    )


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda path: path.write_text("not a key\n"), ": cannot read the host key: "),
        (lambda path: path.symlink_to("/dev/urandom"), " (host key): a device, not a regular file"),
    ],
)
def test_an_unreadable_host_key_is_one_line(tmp_path, capsys, make, said):
    keys, _ = write_keys(tmp_path, ["ada"])
    host_key = tmp_path / "host_key"
    make(host_key)
    status, err = run_cli(
        capsys, "--authorized-keys", str(keys), "--host-key", str(host_key),
        "--data-dir", str(tmp_path),
    )  # fmt: skip
    assert status == 2 and len(err) == 1
    assert err[0].startswith(f"{host_key}{said}")


def test_a_port_in_use_is_one_line(tmp_path, capsys):
    keys, _ = write_keys(tmp_path, ["ada"])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, err = run_cli(
            capsys, "--authorized-keys", str(keys), "--port", str(port),
            "--data-dir", str(tmp_path),
        )  # fmt: skip
    assert (status, err) == (2, [f"127.0.0.1:{port}: cannot listen: Address already in use"])


def test_the_host_key_is_generated_once_with_mode_0600(tmp_path):
    path = tmp_path / "sub" / "host_key"
    key, new = load_host_key(path)
    again, new_again = load_host_key(path)
    assert (new, new_again) == (True, False)
    assert again.public_data == key.public_data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("comment", "learner"),
    [
        ("ada", "ada"),
        ("Ada Lovelace", "Ada-Lovelace"),
        ("ada@laptop", "ada@laptop"),
        ("../../etc/passwd", "etc-passwd"),
        ("张三", "张三"),
        ("tab\there\x1b[31m", "tab-here-31m"),
    ],
)
def test_key_comments_become_safe_learner_names(comment, learner):
    assert learner_id(comment) == learner


# ---------------------------------------------------------------- hostile clients (issue 16)


def wait_until(condition, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.1)


async def test_absurd_terminal_sizes_never_leak_a_session_place(tmp_path):
    server = start_server(tmp_path, "--max-sessions", "2")
    try:
        absurd = [(70000, 70000), (65536, 24), (80, 65536), (2**32 - 1, 2**32 - 1)]
        for size in absurd:
            learner = await (await connect(server, "ada")).open(size=size)
            async with learner.conn:
                await learner.expect(PICKER)  # clamped, the tutor runs
            await asyncio.to_thread(wait_until, lambda: server.children() == {}, 30, "app gone")
        # a terminal name the app's environment cannot hold (a NUL): refused or not, no leak
        learner = await (await connect(server, "ada")).open(term="xterm\0evil")
        async with learner.conn:
            await asyncio.sleep(1)
        await asyncio.to_thread(wait_until, lambda: server.children() == {}, 30, "app gone")
        for name in ("ada", "bob"):  # every place is free again
            learner = await (await connect(server, name)).open()
            async with learner.conn:
                await learner.expect(PICKER, f"learner: {name}")
    finally:
        assert server.stop() == 0


async def test_a_huge_terminal_is_clamped_and_the_learner_told(server):
    learner = await (await connect(server, "gus")).open(size=(1000, 400))
    async with learner.conn:
        await learner.expect(PICKER, "larger than tui-tutor draws", "512x256")
        learner.mark = len(learner.screen.data)
        learner.chan.change_terminal_size(100, 30)
        await learner.expect(PICKER)
        learner.mark = len(learner.screen.data)
        learner.chan.change_terminal_size(9000, 9000)
        await learner.expect("larger than tui-tutor draws", "512x256")
        app = server.children()["gus"]
        assert memory_cap(app) == 1024 * 1024 * 1024, "each app runs under the memory cap"
    line = wait_for_log(server, r"session learner=gus ")
    assert "size=512x256 ended=" in line


def memory_cap(pid: int) -> int:
    limits = Path(f"/proc/{pid}/limits").read_text()
    return int(re.search(r"Max address space\s+(\d+)", limits).group(1))


async def test_a_session_over_its_memory_cap_ends_alone(tmp_path):
    server = start_server(tmp_path, "--session-memory", "32")  # too small to start
    try:
        learner = await (await connect(server, "ada")).open()
        async with learner.conn:
            await learner.expect("stopped unexpectedly", since=0)
            await learner.closed()
        wait_for_log(server, r"session learner=ada .*ended=crashed")
        assert server.proc.poll() is None, "the server goes on"
    finally:
        assert server.stop() == 0


async def test_client_strings_are_escaped_in_the_log(server):
    forged = "2030-01-01T00:00:00+00:00 session learner=eve ended=quit"
    learner = await (await connect(server, "hal")).open(term=f"xterm\r\n{forged}\x1b[2J")
    async with learner.conn:
        await learner.expect(PICKER)
        learner.press("q")
        await learner.closed()
        with pytest.raises(asyncssh.ChannelOpenError):
            await learner.conn.run(f"true\n{forged}\x1b]0;title\x07")
    line = wait_for_log(server, r"session learner=hal ")
    assert "term='xterm\\r\\n2030-01-01" in line, "the TERM the client sent, escaped"
    wait_for_log(server, r"refused learner=hal .*exec 'true\\n2030")
    assert not any(entry.startswith("2030-01-01") for entry in server.log), "no forged line"
    assert not any("\x1b" in entry or "\r" in entry for entry in server.log)


async def test_one_learner_gets_at_most_their_share_of_sessions(tmp_path):
    server = start_server(tmp_path, "--max-sessions-per-learner", "1")
    try:
        first, second = await connect(server, "ada"), await connect(server, "ada")
        other = await connect(server, "bob")
        async with first.conn, second.conn, other.conn:
            await (await first.open()).expect(PICKER)
            await second.open()
            await second.expect("you already have 1 sessions open", since=0)
            await second.closed()
            assert second.chan.get_exit_status() == 1
            await (await other.open()).expect(PICKER, "learner: bob")
        wait_for_log(server, r"refused learner=ada .*1 sessions open already \(per-learner limit\)")
    finally:
        assert server.stop() == 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def test_a_learner_over_their_cpu_share_waits_and_the_others_do_not(tmp_path):
    server = start_server(tmp_path, "--cpu-per-learner", "0.02")  # 2 CPU seconds at once
    try:
        ada, bob = await connect(server, "ada"), await connect(server, "bob")
        async with ada.conn, bob.conn:
            await asyncio.gather(ada.open(), bob.open())
            await asyncio.gather(ada.expect(PICKER), bob.expect(PICKER))
            app = server.children()["ada"]

            async def hammer(seconds: float) -> None:  # each l repaints the whole screen
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    ada.chan.write(b"l")
                    await asyncio.sleep(0.02)

            await hammer(15)
            wait_for_log(server, r"cpu learner=ada: over 0\.02 cores, paused", timeout=60)
            before = cpu_seconds(app)
            bob.press("l")  # meanwhile bob's keys go through
            await asyncio.gather(hammer(10), bob.expect(PICKER_ZH))
            spent = cpu_seconds(app) - before
            # paused, ada's app gets 0.02 of a core: 0.2 s in 10 s, or one tick's worth
            assert spent < 1.5, f"ada's app spent {spent:.2f} CPU seconds in 10 s"
    finally:
        assert server.stop() == 0


async def test_a_frozen_client_frees_its_place_after_the_keepalive(tmp_path):
    server = start_server(tmp_path, "--keepalive", "6")
    key_file = tmp_path / "id_ed25519"
    server.keys["ada"].write_private_key(str(key_file))
    key_file.chmod(0o600)
    client = subprocess.Popen(
        [
            *("ssh", "-tt", "-F", "/dev/null", "-i", str(key_file), "-p", str(server.port)),
            *("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"),
            *("-o", "BatchMode=yes", "-o", "ServerAliveInterval=0", "learner@127.0.0.1"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    seen = bytearray()
    threading.Thread(
        target=lambda: [
            seen.extend(chunk) for chunk in iter(lambda: client.stdout.read1(4096), b"")
        ],
        daemon=True,
    ).start()
    try:
        wait_until(lambda: PICKER.encode() in ESCAPES.sub(b"", bytes(seen)), APP_START, "picker")
        client.send_signal(signal.SIGSTOP)  # a laptop lid closed: TCP stays, nothing answers
        wait_for_log(server, r"session learner=ada .*ended=disconnected", timeout=60)
        wait_until(lambda: server.children() == {}, 30, "the app hung up")
    finally:
        client.kill()
        client.wait(timeout=10)
        assert server.stop() == 0


def test_keepalive_frees_a_frozen_client_within_the_two_minutes_the_readme_promises():
    limits = Limits()
    assert limits.keepalive_interval * (KEEPALIVE_COUNT + 1) == limits.keepalive <= 120


async def test_progress_that_cannot_be_saved_is_told_and_the_session_goes_on(tmp_path):
    server = start_server(tmp_path)
    lock = sqlite3.connect(server.data_dir / "progress.sqlite3", isolation_level=None)
    try:
        learner = await (await connect(server, "ada")).open()
        async with learner.conn:
            await learner.expect(PICKER)
            lock.execute("BEGIN IMMEDIATE")  # another program takes the write lock
            learner.press("\r")  # the first lesson: its start cannot be saved
            await learner.expect("step 1/", "Your progress could not be saved")
            learner.press("n")
            await learner.expect("step 2/")
            learner.press("q")
            shown = await learner.expect("could not be saved (locked by another program)")
            assert "Traceback" not in shown
            await learner.closed()
            assert learner.chan.get_exit_status() == 1
        wait_for_log(server, r"session learner=ada .*ended=progress_not_saved")
        lock.execute("ROLLBACK")
    finally:
        lock.close()
        assert server.stop() == 0


def refused_at_start(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    """``serve-ssh`` in a process of its own (a server that did start would not return):
    it must stop at once with status 2."""
    keys, _ = write_keys(tmp_path, ["ada"])
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tui_tutor", "serve-ssh", "--port", "0", *options),
            *("--authorized-keys", str(keys), "--data-dir", str(tmp_path / "data")),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    return done


def test_a_damaged_progress_file_stops_the_server_at_start(tmp_path):
    from test_progress import bulky_file, damage

    path = bulky_file(tmp_path / "data")
    damage(path)
    done = refused_at_start(tmp_path)
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"{path}: the progress file is damaged (")


async def test_the_progress_file_is_private(server):
    assert stat.S_IMODE((server.data_dir / "progress.sqlite3").stat().st_mode) == 0o600


# ---------------------------------------------------------------- options and key files


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--idle-timeout", "nan"),
        ("--idle-timeout", "inf"),
        ("--idle-timeout", "-5"),
        ("--keepalive", "nan"),
        ("--keepalive", "0"),
        ("--cpu-per-learner", "inf"),
        ("--cpu-per-learner", "-1"),
        ("--max-sessions", "0"),
        ("--max-sessions-per-learner", "0"),
        ("--rate-limit", "-1"),
        ("--session-memory", "0"),
    ],
)
def test_every_number_must_be_finite_and_more_than_0(tmp_path, option, value):
    done = refused_at_start(tmp_path, option, value)
    assert re.fullmatch(rf"{option} \S+: must be a number( of \w+)? more than 0\n", done.stderr)


async def test_a_host_key_others_can_read_is_warned_about(tmp_path):
    host_key = tmp_path / "host_key"
    host_key.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
    host_key.chmod(0o644)
    server = start_server(tmp_path, "--host-key", str(host_key))
    try:
        assert (
            f"warning: {host_key} is open to other users (mode 0644); run: chmod 600 {host_key}"
            in server.log
        )
    finally:
        assert server.stop() == 0


def key_line(comment: str) -> str:
    return asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip() + (
        f" {comment}\n"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ada", "Ada"),
        ("ada", "ada\u200b"),
        ("Ada Lovelace", "Ada/Lovelace"),
        ("ada lovelace", "ADA_LOVELACE"),
        ("ada", "ａｄａ"),  # full-width letters
    ],
)
def test_two_comments_naming_one_learner_stop_the_server_naming_both_lines(tmp_path, first, second):
    keys = tmp_path / "keys"
    keys.write_text(key_line(first) + "# another\n" + key_line(second), encoding="utf-8")
    with pytest.raises(KeyFileError) as refused:
        read_authorized_keys(keys)
    (line,) = refused.value.lines
    assert line.startswith(f"{keys}:1 {first!r} and {keys}:3 {second!r} are one learner")
    assert "exactly the same comment" in line


def test_one_learners_keys_under_exactly_the_same_comment_are_one_learner(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text(key_line("Ada Lovelace") + key_line("Ada Lovelace"), encoding="utf-8")
    assert list(read_authorized_keys(keys).learners.values()) == ["Ada-Lovelace"] * 2


def test_a_key_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    keys = tmp_path / "keys"
    keys.write_bytes(b"\xef\xbb\xbf" + key_line("ada").encode())
    assert read_authorized_keys(keys).names == ["ada"]


@pytest.mark.parametrize(
    ("comment", "learner"),
    [
        ("a\u200bda", "ada"),  # a zero-width space inside
        ("ada\u00ad", "ada"),  # a soft hyphen
        ("\u202eada", "ada"),  # a right-to-left override
        ("ａｄａ", "ada"),  # full-width
        ("ﬁona", "fiona"),  # a ligature
    ],
)
def test_invisible_and_look_alike_characters_are_normalised(comment, learner):
    assert learner_id(comment) == learner


# ---------------------------------------------------------------- captures, served


async def test_a_served_learner_opens_only_the_trainers_captures(tmp_path):
    captures = tmp_path / "captures"
    captures.mkdir()
    shutil.copy(REPO / "tests" / "captures" / "ipv6_close.pcap", captures / "close.pcap")
    server = start_server(tmp_path, "--captures", str(captures))
    try:
        learner = await (await connect(server, "ada")).open()
        async with learner.conn:
            await learner.expect(PICKER)
            for probe in ("/etc/shadow", "~/.ssh/id_ed25519", "/nonexistent/x.pcap", "/dev/stdin"):
                learner.press("o")
                await learner.expect("close.pcap")  # listed by name: nothing to type
                start = len(learner.screen.data)
                learner.press(probe + "\r")
                await asyncio.sleep(3)  # whatever the app would say about it, it has said now
                shown = learner.screen.text(start)
                for leak in ("0x", "starts with", "No such file", "Permission", "not a pcap"):
                    assert leak not in shown, f"typing {probe!r} showed {leak!r}: {shown[-300:]!r}"
                assert not learner.screen.closed.is_set()
                learner.press("\x1b")  # back to the picker
                await learner.expect(PICKER)
    finally:
        assert server.stop() == 0


# ---------------------------------------------------------------- a class at once (issue 13)


def status_of(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:"):
                found.add(target)
    return found


async def test_each_learner_gets_an_app_of_their_own_with_the_limits(tmp_path):
    server = start_server(tmp_path, "--session-memory", "900", nohup=True)
    try:
        eve, fay = await connect(server, "eve"), await connect(server, "fay")
        async with eve.conn, fay.conn:
            await asyncio.gather(eve.open(), fay.open())
            await asyncio.gather(eve.expect(PICKER), fay.expect(PICKER))
            apps = server.children()
            forks = server.fork_server()
            assert forks is not None, "the apps come from the fork server"
            assert set(apps) == {"eve", "fay"} and apps["eve"] != apps["fay"]
            ttys = set()
            for learner, pid in apps.items():
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                session, tty = int(fields[3]), int(fields[4])
                assert session == pid, f"{learner}'s app leads a session of its own"
                assert tty != 0, f"{learner}'s app has its pty as controlling terminal"
                ttys.add(tty)
                assert memory_cap(pid) == 900 * 1024 * 1024, "the memory cap is the app's"
                ignored = int(status_of(pid)["SigIgn"], 16)
                assert not ignored & (1 << (signal.SIGHUP - 1)), "a hangup ends the app"
                assert not socket_inodes(pid) & socket_inodes(forks), (
                    "no fd of the fork server is left open in an app"
                )
            assert len(ttys) == 2, "each app has a terminal of its own"
            for learner in (eve, fay):
                learner.press("\r")  # the first lesson, with ISNs of its own
            await asyncio.gather(eve.expect("step 1/"), fay.expect("step 1/"))
            await asyncio.sleep(1)  # the lesson's start is saved
        (lesson,) = lessons_of(server.data_dir)["eve"]
        isns = [ProgressStore(server.data_dir, name).lesson(lesson).isns for name in ("eve", "fay")]
        assert None not in isns[0] and isns[0] != isns[1], f"two forks drew the same ISNs: {isns}"
    finally:
        assert server.stop() == 0


async def test_a_crashed_fork_server_leaves_logins_working(tmp_path):
    server = start_server(tmp_path)
    try:
        ada = await connect(server, "ada")
        async with ada.conn:
            await (await ada.open()).expect(PICKER)
            forks = server.fork_server()
            assert forks is not None
            os.kill(forks, signal.SIGKILL)
            bob = await connect(server, "bob")
            async with bob.conn:
                await (await bob.open()).expect(PICKER, "learner: bob")
            wait_for_log(server, r"fork server failed: .*apps start slower")
            ada.press("l")
            await ada.expect(PICKER_ZH)  # the app forked before goes on
    finally:
        assert server.stop() == 0


async def test_a_killed_server_leaves_no_fork_server_or_app_behind(tmp_path):
    server = start_server(tmp_path)
    ada = await connect(server, "ada")
    async with ada.conn:
        await (await ada.open()).expect(PICKER)
        left = [server.fork_server(), *server.children().values()]
        assert None not in left and len(left) == 2
        server.proc.kill()
        server.proc.wait(timeout=10)
        await ada.closed()
    await asyncio.to_thread(
        wait_until,
        lambda: not any(Path(f"/proc/{pid}").exists() for pid in left),
        30,
        "the fork server and the app exited with the server",
    )
