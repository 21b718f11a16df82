"""One tutor app in a child process on its own pseudo-terminal, driven from an asyncio loop.

The child is ``tui-tutor --learner NAME ...``, forked by the fork server
(``forkserver.py``) or started as a new interpreter (``spawn``), in a new session
with the pty's slave as its controlling terminal, so that closing the master
(``hangup``) sends it SIGHUP like a closed terminal window would, and a resize
(``resize``) sends it SIGWINCH. Output is read from the master only when the
loop says the fd is readable and only while the consumer can take more
(``pause_output``), so a slow client never blocks the loop or the other sessions.

The app's address space is capped (``memory``, RLIMIT_AS) so that one session
cannot take the machine's memory from the others; ``cpu_seconds`` says how much
CPU it has used, for the server's per-learner share (``cpu.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import resource
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

READ_SIZE = 65536
KILL_AFTER = 3.0  # seconds a hung-up app gets to exit before SIGKILL
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# what Textual's driver turns on, turned off again: for when an app is hung up mid-screen
TERMINAL_RESET = (
    b"\x1b[<u"  # pop the kitty keyboard mode
    b"\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1016l"  # mouse reporting
    b"\x1b[?2004l\x1b[?1004l\x1b[?2048l"  # bracketed paste, focus events, in-band resize
    b"\x1b[?7h\x1b[0m\x1b[?1049l\x1b[?25h"  # line wrap, colours, main screen, cursor
)

# the environment of the server that the app must not see: the learner's terminal is not ours
DROP_ENV = ("COLUMNS", "LINES", "NO_COLOR", "COLORTERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION")


def tutor_args(
    learner: str,
    data_dir: Path,
    lessons: Path | None = None,
    captures: Path | None = None,
    allow_live: bool = False,
) -> list[str]:
    """The ``tui-tutor`` arguments of one learner's app, served: captures only from
    ``captures``, live mode off unless the trainer allows it."""
    args = ["--learner", learner, "--data-dir", str(data_dir), "--served"]
    if lessons is not None:
        args += ["--lessons", str(lessons)]
    if captures is not None:
        args += ["--captures", str(captures)]
    if not allow_live:
        args.append("--no-live")
    return args


def tutor_command(
    learner: str,
    data_dir: Path,
    lessons: Path | None = None,
    python: str | None = None,
    captures: Path | None = None,
    allow_live: bool = False,
) -> list[str]:
    """The command line of one learner's app in an interpreter of its own."""
    args = tutor_args(learner, data_dir, lessons, captures, allow_live)
    return [python or sys.executable, "-m", "tui_tutor", *args]


def tutor_env(term: str, client_env: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment with the learner's terminal: TERM, UTF-8, NO_COLOR if asked."""
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV and not k.startswith("SSH_")}
    env.update(TERM=term or "xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    for name in ("NO_COLOR", "COLORTERM"):
        if client_env and name in client_env:
            env[name] = client_env[name]
    return env


def _set_size(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def open_pty(size: tuple[int, int]) -> tuple[int, int]:
    """A new pty (master, slave) of ``size`` (columns, rows), echo off until the app sets
    its own modes: early key presses stay off the screen."""
    master, slave = os.openpty()
    try:
        _set_size(slave, *size)
        attrs = termios.tcgetattr(slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
    except BaseException:
        os.close(master)
        os.close(slave)
        raise
    return master, slave


def _child_setup(memory: int | None) -> Callable[[], None]:
    def setup() -> None:
        """In the child, after setsid: take the pty (fd 0) as the controlling terminal."""
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        # a server started under nohup ignores SIGHUP, and the child would inherit that
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return setup


def spawn(
    command: list[str], env: dict[str, str], slave: int, memory: int | None = None
) -> subprocess.Popen:
    """``command`` in a new interpreter on the terminal ``slave``, in a session of its own
    (the pty is its controlling terminal), its address space capped at ``memory`` bytes."""
    return subprocess.Popen(
        command,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd="/",
        start_new_session=True,
        preexec_fn=_child_setup(memory),
    )


def _cpu_of(pid: int) -> float | None:
    """CPU seconds (user + system, all threads) a running process has used so far."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class PtyChild:
    """A child process on a fresh pty; bytes in with ``write``, out through ``on_output``."""

    def __init__(
        self,
        pid: int,
        master: int,
        size: tuple[int, int],
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int], None],
        proc: subprocess.Popen | None = None,
    ) -> None:
        """The app ``pid`` (this process's child), already running on the pty whose master
        is ``master`` (now this object's to close), of ``size``; ``proc`` if ``spawn``
        started it."""
        self.on_output = on_output
        self.on_exit = on_exit
        self.loop = asyncio.get_running_loop()
        self.pid = pid
        self.proc = proc  # kept so that subprocess never reaps the app behind our back
        self.master: int | None = master
        self.size = size
        self.returncode: int | None = None
        self._final_cpu: float | None = None  # from the exit's rusage
        self.stopped = False  # by ``stop``, until ``cont``
        self._pending = bytearray()  # input the pty could not take yet
        self._reading = False
        self._output_done = False  # the master is closed: all the app wrote has been passed on
        self._exited = asyncio.Event()
        try:
            os.set_blocking(master, False)
            self.resume_output()
            self._watch_exit()
        except BaseException:  # an app nobody watches would run on unseen
            self._kill()
            self._close_master()
            raise

    def cpu_seconds(self) -> float | None:
        """The CPU the app has used, all of it once it has exited."""
        if self._final_cpu is not None:
            return self._final_cpu
        return _cpu_of(self.pid)

    # ------------------------------------------------------------ output

    def resume_output(self) -> None:
        if self.master is not None and not self._reading:
            self.loop.add_reader(self.master, self._read)
            self._reading = True

    def pause_output(self) -> None:
        if self.master is not None and self._reading:
            self.loop.remove_reader(self.master)
            self._reading = False

    def _read(self) -> None:
        assert self.master is not None
        try:
            data = os.read(self.master, READ_SIZE)
        except BlockingIOError:
            return
        except OSError as err:
            if err.errno != errno.EIO:  # EIO: every slave fd is closed, the app is gone
                raise
            data = b""
        if data:
            self.on_output(data)
        else:
            self._close_master()

    # ------------------------------------------------------------ input

    def write(self, data: bytes) -> None:
        if self.master is None:
            return
        if self._pending:
            self._pending += data
            return
        try:
            written = os.write(self.master, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return  # the app has gone; its exit is on the way
        if written < len(data):
            self._pending += data[written:]
            self.loop.add_writer(self.master, self._flush)

    def _flush(self) -> None:
        assert self.master is not None
        try:
            written = os.write(self.master, self._pending)
        except BlockingIOError:
            return
        except OSError:
            written = len(self._pending)
        del self._pending[:written]
        if not self._pending:
            self.loop.remove_writer(self.master)

    @property
    def pending_input(self) -> int:
        return len(self._pending)

    def stop(self) -> None:
        """Stop the app where it is (SIGSTOP): it spends no CPU until ``cont``."""
        if self.returncode is None and not self.stopped:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGSTOP)
            self.stopped = True

    def cont(self) -> None:
        if self.stopped:
            self.stopped = False
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGCONT)

    def resize(self, columns: int, rows: int) -> None:
        """The kernel sends the app SIGWINCH when the size changes."""
        if self.master is not None:
            _set_size(self.master, columns, rows)
            self.size = (columns, rows)

    # ------------------------------------------------------------ ending

    def hangup(self) -> None:
        """Close the terminal under the app, as closing a window does; it gets SIGHUP."""
        self._close_master()
        self.cont()  # a stopped app would not act on its SIGHUP
        self.loop.call_later(KILL_AFTER, self._kill)

    def _kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    def _close_master(self) -> None:
        if self.master is None:
            return
        self.pause_output()
        if self._pending:
            self.loop.remove_writer(self.master)
            self._pending.clear()
        os.close(self.master)
        self.master = None
        self._output_done = True
        self._maybe_finished()

    def _watch_exit(self) -> None:
        try:
            pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # no pidfd (old kernel): a thread waits instead
            future = self.loop.run_in_executor(None, self._reap)
            future.add_done_callback(lambda f: self._exited_with(f.result()))
            return

        def readable() -> None:
            self.loop.remove_reader(pidfd)
            os.close(pidfd)
            self._exited_with(self._reap())

        self.loop.add_reader(pidfd, readable)

    def _reap(self) -> int:
        """Wait for the app (it has exited when the pidfd says so); its total CPU is kept."""
        _pid, status, usage = os.wait4(self.pid, 0)
        self._final_cpu = usage.ru_utime + usage.ru_stime
        returncode = os.waitstatus_to_exitcode(status)
        if self.proc is not None:
            self.proc.returncode = returncode
        return returncode

    def _exited_with(self, returncode: int) -> None:
        self.returncode = returncode
        # what the app wrote last is still in the pty and read until EIO; closing the master
        # now would cut its goodbye (leaving the alternate screen). A grandchild holding the
        # slave open would keep it from ever coming, hence the deadline.
        self.loop.call_later(1.0, self._close_master)
        self._maybe_finished()

    def _maybe_finished(self) -> None:
        if self.returncode is not None and self._output_done and not self._exited.is_set():
            self._exited.set()
            self.on_exit(self.returncode)

    async def wait(self) -> int:
        await self._exited.wait()
        assert self.returncode is not None
        return self.returncode
