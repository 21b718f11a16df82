"""One tutor app in a child process on its own pseudo-terminal, driven from an asyncio loop.

The child is ``python -m tui_tutor --learner NAME ...`` started in a new session
with the pty's slave as its controlling terminal, so that closing the master
(``hangup``) sends it SIGHUP like a closed terminal window would, and a resize
(``resize``) sends it SIGWINCH. Output is read from the master only when the
loop says the fd is readable and only while the consumer can take more
(``pause_output``), so a slow client never blocks the loop or the other sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

READ_SIZE = 65536
KILL_AFTER = 3.0  # seconds a hung-up app gets to exit before SIGKILL

# what Textual's driver turns on, turned off again: for when an app is hung up mid-screen
TERMINAL_RESET = (
    b"\x1b[<u"  # pop the kitty keyboard mode
    b"\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1016l"  # mouse reporting
    b"\x1b[?2004l\x1b[?1004l\x1b[?2048l"  # bracketed paste, focus events, in-band resize
    b"\x1b[?7h\x1b[0m\x1b[?1049l\x1b[?25h"  # line wrap, colours, main screen, cursor
)

# the environment of the server that the app must not see: the learner's terminal is not ours
DROP_ENV = ("COLUMNS", "LINES", "NO_COLOR", "COLORTERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION")


def tutor_command(
    learner: str,
    data_dir: Path,
    lessons: Path | None = None,
    python: str | None = None,
    allow_live: bool = False,
) -> list[str]:
    """The command line of one learner's tutor app (live mode off unless the trainer allows)."""
    command = [python or sys.executable, "-m", "tui_tutor", "--learner", learner]
    command += ["--data-dir", str(data_dir)]
    if lessons is not None:
        command += ["--lessons", str(lessons)]
    if not allow_live:
        command.append("--no-live")
    return command


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


def _become_terminal_owner() -> None:
    """In the child, after setsid: take the pty (fd 0) as the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    # a server started under nohup ignores SIGHUP, and the child would inherit that
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


class PtyChild:
    """A child process on a fresh pty; bytes in with ``write``, out through ``on_output``."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        size: tuple[int, int],
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int], None],
    ) -> None:
        self.on_output = on_output
        self.on_exit = on_exit
        self.loop = asyncio.get_running_loop()
        self.returncode: int | None = None
        self._pending = bytearray()  # input the pty could not take yet
        self._reading = False
        self._output_done = False  # the master is closed: all the app wrote has been passed on
        self._exited = asyncio.Event()
        master, slave = os.openpty()
        try:
            _set_size(slave, *size)
            # no echo until the app sets its own modes: early key presses stay off the screen
            attrs = termios.tcgetattr(slave)
            attrs[3] &= ~termios.ECHO
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            self.proc = subprocess.Popen(
                command,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                cwd="/",
                start_new_session=True,
                preexec_fn=_become_terminal_owner,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.master: int | None = master
        os.set_blocking(master, False)
        self.pid = self.proc.pid
        self.resume_output()
        self._watch_exit()

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

    def resize(self, columns: int, rows: int) -> None:
        """The kernel sends the app SIGWINCH when the size changes."""
        if self.master is not None:
            _set_size(self.master, columns, rows)

    # ------------------------------------------------------------ ending

    def hangup(self) -> None:
        """Close the terminal under the app, as closing a window does; it gets SIGHUP."""
        self._close_master()
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
            future = self.loop.run_in_executor(None, self.proc.wait)
            future.add_done_callback(lambda f: self._exited_with(f.result()))
            return

        def readable() -> None:
            self.loop.remove_reader(pidfd)
            os.close(pidfd)
            self._exited_with(self.proc.wait())

        self.loop.add_reader(pidfd, readable)

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
