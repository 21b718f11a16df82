"""``tui-tutor serve-ssh``: learners log in with a plain ``ssh`` client and get the tutor.

One ``TutorServer`` listens; each TCP connection gets a ``LearnerConnection``
(authentication, the rate limit), each session on it a ``TutorSession`` that runs
the learner's own tutor app in a child process on its own pty (``pty.py``).
A child per session keeps a crash to one learner and makes a session's memory
its process's. The children are forked by a fork server that has imported the
tutor once (``forkserver.py``), so a login costs a fork rather than a new
interpreter; without one (it failed, or ``python`` names another interpreter)
each app starts an interpreter of its own. Nothing but the tutor runs: exec
requests, subsystems (sftp, scp), forwarding of ports, the agent and X11 are all
refused.

The learner is named by the key's comment in the authorized_keys file, never
by the user name the client sends, so ``ssh anything@host`` logs in as the
learner whose key it is.

Everything a client sends is hostile until checked: its terminal size is
clamped (``Limits.max_size``), its TERM kept only if it is a plain name, and any
string of its own that reaches the log is escaped, so a client cannot forge
log lines. Each learner's apps share a CPU budget (``CpuBudget``): a learner
over it waits, keys held and apps paused, until it refills.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncssh

from ..db import describe
from ..progress import UNSAVED_EXIT
from .forkserver import ForkServer, ForkServerError, become_subreaper
from .keys import AuthorizedKeys
from .limits import KEEPALIVE_COUNT, CpuBudget, Limits, RateLimiter
from .pty import TERMINAL_RESET, PtyChild, open_pty, spawn, tutor_args, tutor_env

DEFAULT_SIZE = (80, 24)
DEFAULT_TERM = "xterm-256color"
INPUT_HIGH_WATER = 64 * 1024  # bytes the app has not read yet before we stop reading the client
FORK_SERVER_START = 60.0  # seconds the fork server may take to import and warm the tutor
EARLY_INPUT = 4096  # bytes typed while the app is being forked, passed on once it runs
CPU_TICK = 0.5  # seconds between two looks at what each app has spent
TERM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")  # xterm-256color, screen.xterm, ...
MAX_SIZE_ENV = "TUI_TUTOR_MAX_SIZE"  # tells the app it is clamped, so it can tell the learner

NO_PTY = "tui-tutor needs a terminal: connect with ssh -t"
FULL = "tui-tutor: the server is full ({n} sessions at once); please try again in a few minutes."
LEARNER_FULL = (
    "tui-tutor: you already have {n} sessions open, the most one learner may have; "
    "close one and try again."
)
CANNOT_START = "tui-tutor: the server could not start the tutor; tell your trainer."
SHUTTING_DOWN = "tui-tutor: the server is shutting down; your progress is saved."
IDLE = (
    "tui-tutor: no key pressed for {time}, so the session was closed. "
    "Your progress is saved; log in again to go on."
)
CRASHED = (
    "tui-tutor stopped unexpectedly ({how}); your progress up to the last answer is saved. "
    "Log in again to go on."
)
RATE_LIMITED = "tui-tutor: too many new connections from {address}; wait a minute and try again"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{seconds // 60} minutes"


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().isoformat(timespec="seconds")


def log_stderr(line: str) -> None:
    print(f"{_stamp(time.time())} {line}", file=sys.stderr, flush=True)


def printable(text: str, limit: int = 80) -> str:
    """A client's string as it may appear in the log: quoted, every control character,
    newline and invisible character escaped, at most ``limit`` characters of it."""
    return repr(text[:limit]) + ("..." if len(text) > limit else "")


class _LogToServer(logging.Handler):
    """asyncssh's own warnings, escaped (they may quote what a client sent), in our log."""

    def __init__(self, log: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log(f"asyncssh: {printable(record.getMessage(), 200)}")


@dataclass(frozen=True)
class ServeConfig:
    host: str
    port: int
    keys: AuthorizedKeys
    host_key: asyncssh.SSHKey
    data_dir: Path
    database: str | None = None  # --database (the apps read it from $TUI_TUTOR_DATABASE)
    lessons: Path | None = None
    captures: Path | None = None  # the folder whose captures learners may open
    limits: Limits = field(default_factory=Limits)
    python: str | None = None  # the interpreter that runs each app (default: this one)
    allow_live: bool = False  # live mode (k) plays on this server's kernel: off unless asked
    exam: Path | None = None  # learners get this exam, not the lessons


class ListenError(Exception):
    """The server cannot listen (the port is taken, the address is not this machine's)."""


class TutorServer:
    """The listener, every connection and session, and the shutdown that ends them all."""

    def __init__(self, config: ServeConfig, log: Callable[[str], None] = log_stderr) -> None:
        self.config = config
        self.log = log
        self.rate = RateLimiter(config.limits.per_minute)
        self.cpu = CpuBudget(config.limits.cpu_per_learner, config.limits.cpu_burst)
        self.connections: set[LearnerConnection] = set()
        self.sessions: set[TutorSession] = set()  # sessions holding a place
        self.held: set[str] = set()  # learners paused until their CPU budget refills
        self.stopping = False
        self.listener: asyncssh.SSHAcceptor | None = None
        self.forks: ForkServer | None = None
        self._tick: asyncio.TimerHandle | None = None
        self._asyncssh_log = _LogToServer(log)

    async def start(self) -> int:
        """Listen; returns the port (the one the system chose when asked for port 0)."""
        logging.getLogger("asyncssh").addHandler(self._asyncssh_log)
        try:
            self.listener = await self._listen()
        except OSError as err:
            where = f"{self.config.host}:{self.config.port}"
            # asyncio's message repeats the address; the errno's own words are enough
            reason = os.strerror(err.errno) if err.errno else str(err)
            raise ListenError(f"{where}: cannot listen: {reason}") from None
        await self._start_fork_server()
        self._tick = asyncio.get_running_loop().call_later(CPU_TICK, self._count_cpu)
        return self.listener.get_port()

    async def _start_fork_server(self) -> None:
        """Ready before the server says it listens (a learner who comes earlier waits)."""
        if self.config.python is not None:  # another interpreter: it cannot fork that one
            return
        if not become_subreaper():
            self.log("no fork server (this system has no child subreapers): apps start slower")
            return
        lessons = str(self.config.lessons) if self.config.lessons else ""
        try:
            self.forks = ForkServer.start(tutor_env(DEFAULT_TERM), warm=lessons)
            await self.forks.ready(FORK_SERVER_START)
        except (OSError, ForkServerError) as err:
            self.log(f"no fork server ({printable(str(err), 200)}): apps start slower")
            if self.forks is not None:
                self.forks.kill()
                self.forks = None

    async def launch(
        self, args: list[str], env: dict[str, str], slave: int, memory: int
    ) -> tuple[int, subprocess.Popen | None]:
        """One app of ``tui-tutor ARGS`` on the terminal ``slave``: forked by the fork
        server, or, without one, in an interpreter of its own."""
        if self.forks is not None:
            try:
                return await self.forks.launch(args, env, slave, memory), None
            except ForkServerError as err:
                if self.forks is not None:
                    self.log(f"fork server failed: {printable(str(err), 200)}; apps start slower")
                    self.forks.kill()
                    self.forks = None
        python = self.config.python or sys.executable
        proc = spawn([python, "-m", "tui_tutor", *args], env, slave, memory)
        return proc.pid, proc

    async def _listen(self) -> asyncssh.SSHAcceptor:
        return await asyncssh.create_server(
            lambda: LearnerConnection(self),
            self.config.host,
            self.config.port,
            server_host_keys=[self.config.host_key],
            # no sshd_config, ~/.ssh or agent of the account running the server is consulted
            config=None,
            public_key_auth=True,
            password_auth=False,
            kbdint_auth=False,
            host_based_auth=False,
            gss_auth=False,
            gss_kex=False,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            sftp_factory=None,
            # bytes both ways: the app's screen is not text to re-encode, and no line editing
            encoding=None,
            line_editor=False,
            login_timeout=self.config.limits.login_timeout,
            # a learner whose laptop went to sleep frees their place within two minutes
            keepalive_interval=self.config.limits.keepalive_interval,
            keepalive_count_max=KEEPALIVE_COUNT,
            rdns_lookup=False,
        )

    def admit(self, session: TutorSession) -> str | None:
        """A place for a new tutor app, or the one line that says why there is none."""
        limits = self.config.limits
        if self.stopping:
            return SHUTTING_DOWN
        if len(self.sessions) >= limits.max_sessions:
            self.log(
                f"refused learner={session.learner} address={session.address}: "
                f"server full ({limits.max_sessions} sessions)"
            )
            return FULL.format(n=limits.max_sessions)
        mine = sum(1 for other in self.sessions if other.learner == session.learner)
        if mine >= limits.max_sessions_per_learner:
            self.log(
                f"refused learner={session.learner} address={session.address}: "
                f"{mine} sessions open already (per-learner limit)"
            )
            return LEARNER_FULL.format(n=limits.max_sessions_per_learner)
        self.sessions.add(session)
        return None

    def release(self, session: TutorSession) -> None:
        """The session's place is free again; what its app spent last is counted."""
        if session in self.sessions:
            self.sessions.discard(session)
            session.charge_cpu(self.cpu)

    def _count_cpu(self) -> None:
        """Charge each learner what their apps spent; hold the keys of those in debt."""
        self._tick = asyncio.get_running_loop().call_later(CPU_TICK, self._count_cpu)
        learners: dict[str, list[TutorSession]] = {}
        for session in self.sessions:
            session.charge_cpu(self.cpu)
            learners.setdefault(session.learner, []).append(session)
        for learner in self.held - learners.keys():
            self.held.discard(learner)
        for learner, sessions in learners.items():
            in_debt = self.cpu.in_debt(learner)
            if in_debt != (learner in self.held):
                if in_debt:
                    self.held.add(learner)
                    self.log(f"cpu learner={learner}: over {self.cpu.cores:g} cores, paused")
                else:
                    self.held.discard(learner)
                    self.log(f"cpu learner={learner}: resumed")
            for session in sessions:
                session.hold_input(in_debt)
        self.cpu.forget_all_but(learners.keys())

    async def stop(self) -> None:
        """Stop listening, tell every learner, hang up every app, wait for them, disconnect."""
        self.stopping = True
        if self._tick is not None:
            self._tick.cancel()
        logging.getLogger("asyncssh").removeHandler(self._asyncssh_log)
        if self.listener is not None:
            self.listener.close()
        sessions = list(self.sessions)
        for session in sessions:
            session.close_with(SHUTTING_DOWN, "server stopped")
        children = [s.child.wait() for s in sessions if s.child is not None]
        if children:
            await asyncio.wait([asyncio.ensure_future(c) for c in children], timeout=5)
        # each client hangs up once its session has closed, after our last line reached it;
        # closing from this side first could cut that line off
        waiting = [asyncio.ensure_future(c.closed.wait()) for c in self.connections]
        if waiting:
            _done, late = await asyncio.wait(waiting, timeout=2)
            for task in late:
                task.cancel()
        for conn in list(self.connections):
            conn.close()
        await asyncio.sleep(0.1)  # let the disconnects reach the sockets
        if self.listener is not None:
            await self.listener.wait_closed()
        if self.forks is not None:
            self.forks.close()
            self.forks = None


class LearnerConnection(asyncssh.SSHServer):
    """One client's TCP connection: rate limit, public key login, its sessions."""

    def __init__(self, server: TutorServer) -> None:
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "?"
        self.learner: str | None = None
        self.rate_limited = False
        self.offered: list[str] = []  # fingerprints of refused keys, for the log
        self.sessions_opened = 0
        self.closed = asyncio.Event()

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        host = str(peer[0])
        self.address = f"{host}:{peer[1]}"
        self.server.connections.add(self)
        # the verdict waits for begin_auth, where a disconnect carries a message the client shows
        self.rate_limited = not self.server.rate.allow(host)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.closed.set()
        if self.learner is None and not self.rate_limited:
            keys = ", ".join(self.offered) or "none"
            self.server.log(f"refused address={self.address}: no listed key (offered: {keys})")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    # ------------------------------------------------------------ authentication

    def begin_auth(self, username: str) -> bool:
        if self.rate_limited:
            host = self.address.rsplit(":", 1)[0]
            self.server.log(f"refused address={self.address}: rate limit")
            raise asyncssh.DisconnectError(
                asyncssh.DISC_TOO_MANY_CONNECTIONS, RATE_LIMITED.format(address=host)
            )
        return True  # every user name needs a key

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # asyncssh asks again with the signature just before it accepts a key, so the last
        # key validated here is the one the connection is logged in with
        learner = self.server.config.keys.learner(key)
        if learner is None:
            self.offered.append(key.get_fingerprint())
            return False
        self.learner = learner
        return True

    def auth_completed(self) -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(self.server.config.limits.login_timeout, self._check_opened)

    def _check_opened(self) -> None:
        """A login that never opens a session holds a connection for nothing."""
        if self.sessions_opened == 0 and self.conn is not None and not self.closed.is_set():
            self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, "no session was opened")

    # ------------------------------------------------------------ what may be asked for

    def session_requested(self) -> TutorSession | bool:
        if self.learner is None:
            return False
        self.sessions_opened += 1
        return TutorSession(self.server, self.learner, self.address)

    def connection_requested(self, dest_host: str, dest_port: int, *_: object) -> bool:
        self.server.log(f"refused learner={self.learner} address={self.address}: port forwarding")
        return False

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self.server.log(f"refused learner={self.learner} address={self.address}: port forwarding")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        return False

    def tun_requested(self, unit: int | None) -> bool:
        return False


class TutorSession(asyncssh.SSHServerSession):
    """One session: a pty request, a shell request, then the learner's tutor app."""

    def __init__(self, server: TutorServer, learner: str, address: str) -> None:
        self.server = server
        self.learner = learner
        self.address = address
        self.chan: asyncssh.SSHServerChannel | None = None
        self.term: str | None = None  # None until the client asks for a pty
        self.size = DEFAULT_SIZE
        self.first_size: tuple[int, int] | None = None
        self.child: PtyChild | None = None
        self.starting: asyncio.Task | None = None  # the app being forked
        self.early_input = bytearray()  # keys typed meanwhile
        self.cpu_counted = 0.0  # CPU seconds of the app already charged to the learner
        self.held = False  # app paused, keys and resizes wait: over the CPU budget
        self.held_size: tuple[int, int] | None = None  # a resize that came while held
        self.started = 0.0
        self.ended: float | None = None
        self.reason = ""
        self.loop = asyncio.get_running_loop()
        self.last_input = self.loop.time()
        self._idle_timer: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------ the channel's requests

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan
        self._arm_idle(self.server.config.limits.idle_timeout)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], _modes) -> bool:
        self.term = term_type or DEFAULT_TERM
        self._set_size(term_size[0], term_size[1])
        return True

    def terminal_size_changed(self, width: int, height: int, *_: int) -> None:
        self._set_size(width, height)
        if self.held:
            self.held_size = self.size  # a resize costs the app a repaint: it waits too
        elif self.child is not None:
            self.child.resize(*self.size)

    def _set_size(self, width: int, height: int) -> None:
        """The client's size, clamped: a huge terminal would cost the app gigabytes."""
        columns, rows = self.server.config.limits.max_size
        # some clients send 0x0 for "unknown"; the app needs a real size to lay itself out
        self.size = (min(width or DEFAULT_SIZE[0], columns), min(height or DEFAULT_SIZE[1], rows))
        if self.first_size is None:
            self.first_size = self.size

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.server.log(
            f"refused learner={self.learner} address={self.address}: exec {printable(command, 60)}"
        )
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        self.server.log(
            f"refused learner={self.learner} address={self.address}: "
            f"subsystem {printable(subsystem, 40)}"
        )
        return False

    def break_received(self, msec: int) -> bool:
        return False

    # ------------------------------------------------------------ running the app

    def session_started(self) -> None:
        if self.term is None:
            self._refuse(NO_PTY)
            return
        refusal = self.server.admit(self)
        if refusal is not None:
            self._refuse(refusal)
            return
        self.started = time.time()
        self.starting = asyncio.ensure_future(self._start())

    async def _start(self) -> None:
        # from here on the session holds a place: whatever goes wrong must give it back
        problem = "interrupted"
        try:
            self.child = await self._start_app()
        except Exception as err:  # any error at all: one line for the learner, one for the log
            problem = printable(f"{type(err).__name__}: {err}", 200)
        finally:
            if self.child is None:
                self.server.release(self)
                self.server.log(
                    f"error learner={self.learner} address={self.address}: "
                    f"cannot start the tutor: {problem}"
                )
                if self.ended is None:
                    self._refuse(CANNOT_START)
        if self.child is None:  # refused above
            return
        if self.ended is not None:  # the learner left, or the server stops, meanwhile
            self.child.hangup()
            return
        self.server.log(
            f"started learner={self.learner} address={self.address} pid={self.child.pid} "
            f"in {time.time() - self.started:.2f}s"
        )
        if self.held:
            self.child.stop()
        elif self.child.size != self.size:  # resized meanwhile
            self.child.resize(*self.size)
        if self.early_input:
            self.child.write(bytes(self.early_input))
            self.early_input.clear()

    async def _start_app(self) -> PtyChild:
        assert self.chan is not None
        config = self.server.config
        columns, rows = config.limits.max_size
        args = tutor_args(
            self.learner, config.data_dir, config.lessons, config.captures, config.allow_live
        )
        if config.exam is not None:
            args += ["--exam", str(config.exam)]
        env = tutor_env(self.term_name, dict(self.chan.get_environment()))
        env[MAX_SIZE_ENV] = f"{columns}x{rows}"
        memory = config.limits.session_memory * 1024 * 1024
        size = self.size
        master, slave = open_pty(size)
        try:
            pid, proc = await self.server.launch(args, env, slave, memory)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        return PtyChild(pid, master, size, self._output, self._exited, proc)

    @property
    def term_name(self) -> str:
        """The client's TERM if it is a plain terminal name, for the app (and the log)."""
        if self.term and TERM_NAME.fullmatch(self.term):
            return self.term
        return DEFAULT_TERM

    def charge_cpu(self, budget: CpuBudget) -> None:
        """Charge the learner what the app has spent since the last look."""
        spent = self.child.cpu_seconds() if self.child is not None else None
        if spent is not None and spent > self.cpu_counted:
            budget.spend(self.learner, spent - self.cpu_counted)
            self.cpu_counted = spent

    def hold_input(self, held: bool) -> None:
        """Hold or release the learner: their keys stay at the client (SSH flow control)
        and the app stops where it is, since the keys it has already read cost CPU too."""
        if held == self.held:
            return
        self.held = held
        if held:
            if self.chan is not None:
                self.chan.pause_reading()
            if self.child is not None:
                self.child.stop()
            return
        if self.child is not None:
            self.child.cont()
            if self.held_size is not None:
                self.child.resize(*self.held_size)
        self.held_size = None
        self._resume_reading()

    def _refuse(self, line: str) -> None:
        self._cancel_idle()
        self._write((line + "\r\n").encode())
        self._exit(1)

    def _write(self, data: bytes) -> None:
        if self.chan is not None:
            with contextlib.suppress(OSError):  # the channel is already closing: drop it
                self.chan.write(data)

    def _exit(self, status: int) -> None:
        if self.chan is not None:
            with contextlib.suppress(OSError):
                self.chan.exit(status)

    def _output(self, data: bytes) -> None:
        self._write(data)

    def pause_writing(self) -> None:
        # the client is slower than the app: leave the app's output in the pty until it catches up
        if self.child is not None:
            self.child.pause_output()

    def resume_writing(self) -> None:
        if self.child is not None:
            self.child.resume_output()

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.last_input = self.loop.time()
        if self.child is None:
            if self.starting is not None and len(self.early_input) + len(data) <= EARLY_INPUT:
                self.early_input += data
            return
        self.child.write(data)
        if self.child.pending_input > INPUT_HIGH_WATER and self.chan is not None:
            # a paste the app cannot keep up with: let SSH flow control hold the rest
            self.chan.pause_reading()
            self.loop.call_later(0.1, self._resume_reading)

    def _resume_reading(self) -> None:
        if self.child is None or self.chan is None or self.held:
            return
        if self.child.pending_input > INPUT_HIGH_WATER:
            self.loop.call_later(0.1, self._resume_reading)
        else:
            self.chan.resume_reading()

    def _exited(self, returncode: int) -> None:
        """The app is gone: it quit, crashed, or we hung it up."""
        self._cancel_idle()
        self.server.release(self)
        if self.ended is None:  # it ended on its own
            self.ended = time.time()
            if returncode == 0:
                self.reason = "quit"
            elif returncode == UNSAVED_EXIT:  # the app has told the learner itself
                self.reason = "progress not saved"
            else:
                how = f"signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
                self.reason = f"crashed ({how})"
                self._say(CRASHED.format(how=how))
            self._exit(0 if returncode == 0 else 1)
        self._log_session()

    def _say(self, line: str) -> None:
        """A line for the learner, on their own screen again (the app may have left it)."""
        self._write(TERMINAL_RESET + b"\r\n" + line.encode() + b"\r\n")

    def close_with(self, line: str, reason: str) -> None:
        """End the session from our side: hang up the app, tell the learner, close."""
        if self.ended is not None:
            return
        self.ended = time.time()
        self.reason = reason
        self._cancel_idle()
        if self.child is not None:
            self.child.hangup()  # its output stops here, so our line comes after all of it
        self._say(line)
        self._exit(0)

    def eof_received(self) -> bool:
        self._client_gone("client closed its input")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._client_gone("disconnected")
        self.chan = None

    def _client_gone(self, reason: str) -> None:
        self._cancel_idle()
        if self.ended is None:
            self.ended = time.time()
            self.reason = reason
            if self.child is not None:
                self.child.hangup()

    def _log_session(self) -> None:
        ended = self.ended or time.time()
        width, height = self.first_size or self.size
        last = self.size
        resized = f" last_size={last[0]}x{last[1]}" if last != (width, height) else ""
        self.server.log(
            f"session learner={self.learner} address={self.address} "
            f"start={_stamp(self.started)} end={_stamp(ended)} "
            f"duration={ended - self.started:.0f}s term={self._term_for_log()} "
            f"size={width}x{height}{resized} "
            f"ended={self.reason.replace(' ', '_')}"
        )

    def _term_for_log(self) -> str:
        return self.term if self.term == self.term_name else printable(self.term or "", 40)

    # ------------------------------------------------------------ idle timeout

    def _arm_idle(self, delay: float) -> None:
        self._idle_timer = self.loop.call_later(delay, self._check_idle)

    def _cancel_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _check_idle(self) -> None:
        # one timer per session, re-armed for what is left rather than on every key press
        timeout = self.server.config.limits.idle_timeout
        idle = self.loop.time() - self.last_input
        if idle < timeout:
            self._arm_idle(timeout - idle)
            return
        self._idle_timer = None
        if self.child is None:  # a channel that never started a shell
            if self.chan is not None:
                self.chan.close()
            return
        self.close_with(IDLE.format(time=_duration(timeout)), "idle")


async def serve(config: ServeConfig, log: Callable[[str], None] = log_stderr) -> int:
    """Run until SIGTERM or SIGINT, then close every session; the exit status is 0."""
    server = TutorServer(config, log)
    port = await server.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    limits = config.limits
    log(
        f"tui-tutor serve-ssh: listening on {config.host}:{port}; "
        f"{len(config.keys.names)} learners in {config.keys.path}; "
        f"progress in {describe(config.database, config.data_dir)}; "
        f"at most {limits.max_sessions} sessions ({limits.max_sessions_per_learner} per "
        f"learner), idle timeout {limits.idle_timeout:g}s"
    )
    await stop.wait()
    log(f"stopping: closing {len(server.sessions)} sessions")
    await server.stop()
    log("stopped")
    return 0
