"""A fork server: one process imports the tutor once and forks a ready app per session.

Starting a Python that imports Textual costs a learner's login about a second of
CPU; a class of fifty logging in at nine o'clock would queue for half a minute.
So ``serve-ssh`` starts this module once (``ForkServer.start``), as a fresh
interpreter: it imports the modules named on its command line, freezes what they
built out of the garbage collector's sight (so the forked children share those
pages instead of copying them), and waits on a socket. For each session the
server sends the tutor's arguments, its environment, its memory cap and the
pty's slave fd (SCM_RIGHTS); the fork server forks, the child becomes the
learner's app on that terminal, and the server gets its pid back.

Fork safety: the fork server is a plain loop around ``recvmsg``, with no event
loop, thread or open connection of any kind, so a child inherits nothing half
done. The child starts a new session on its pty (which becomes its controlling
terminal, so closing the master hangs it up), puts back the signal handlers the
interpreter started with and unblocks every signal, closes every fd but its
terminal, takes the learner's environment and memory cap, and reseeds
``random`` (the ISNs of two learners never repeat each other).

The child is forked twice, the middle process exiting at once, and the server is
a child subreaper (``PR_SET_CHILD_SUBREAPER``): the app becomes the server's own
child, which the server waits for and signals as it would one it had started.
One child per session keeps crash isolation: a crash ends one learner's app.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import gc
import importlib
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import termios
import traceback

PR_SET_CHILD_SUBREAPER = 36
MESSAGE_SIZE = 1 << 16  # a request: the tutor's arguments and environment, as JSON
READY = b"ready"
# what the fork server imports before its first fork, and whose warm(ARG) it calls
PRELOAD = "tui_tutor.app.preload"


class ForkServerError(Exception):
    """The fork server could not start a session (or is gone)."""


def become_subreaper() -> bool:
    """Orphans of this process's descendants become its children (Linux 3.4 and later):
    the apps the fork server forks are the server's own to wait for."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


# ---------------------------------------------------------------- the server's side


class ForkServer:
    """The server's handle on its fork server: ``launch`` asks it for one app."""

    def __init__(self, proc: subprocess.Popen, sock: socket.socket) -> None:
        self.proc = proc
        self.sock = sock
        self._lock = asyncio.Lock()  # one request at a time: each reply answers the last

    @classmethod
    def start(cls, env: dict[str, str], warm: str = "", preload: str = PRELOAD) -> ForkServer:
        """A fresh interpreter, in a session of its own (a Ctrl-C at the server's terminal
        is the server's to handle); it imports ``preload`` and calls its ``warm(warm)``
        at once, while the first learners log in."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [sys.executable, "-m", __name__, str(theirs.fileno()), preload, warm]
        try:
            proc = subprocess.Popen(
                command,
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
                cwd="/",
                start_new_session=True,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        return cls(proc, ours)

    async def _receive(self) -> bytes:
        data = await asyncio.get_running_loop().sock_recv(self.sock, MESSAGE_SIZE)
        if not data:
            raise ForkServerError(f"it has exited ({self.proc.poll()})")
        return data

    async def ready(self, timeout: float) -> None:
        """Wait until it has imported and warmed what the apps need (a launch meanwhile
        waits too: the first message is this one)."""
        try:
            async with self._lock:
                said = await asyncio.wait_for(self._receive(), timeout)
        except TimeoutError:
            raise ForkServerError(f"not ready after {timeout:g} seconds") from None
        if said != READY:
            raise ForkServerError("it did not start")

    async def launch(self, args: list[str], env: dict[str, str], slave: int, memory: int) -> int:
        """Fork one app running ``tui-tutor ARGS`` on the terminal ``slave``; its pid."""
        request = json.dumps({"args": args, "env": env, "memory": memory}).encode()
        async with self._lock:
            try:
                socket.send_fds(self.sock, [request], [slave])
            except OSError as err:
                raise ForkServerError(f"it is gone: {err}") from None
            reply = json.loads(await self._receive())
        if "error" in reply:
            raise ForkServerError(reply["error"])
        return int(reply["pid"])

    def close(self) -> None:
        """The fork server exits when its socket closes; the apps it forked run on."""
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """A fork server that failed: gone at once."""
        self.sock.close()
        self.proc.kill()
        self.proc.wait()


# ---------------------------------------------------------------- the fork server's side


def _initial_handlers() -> dict[signal.Signals, object]:
    """Every signal's handler as the interpreter started: what each child gets back."""
    handlers: dict[signal.Signals, object] = {}
    for signum in signal.valid_signals():
        if signum in (signal.SIGKILL, signal.SIGSTOP):
            continue
        with contextlib.suppress(OSError, ValueError):
            handler = signal.getsignal(signum)
            if handler is not None:  # None: set outside Python, left alone
                handlers[signum] = handler
    return handlers


def serve_forks(sock: socket.socket, handlers: dict[signal.Signals, object]) -> None:
    """Fork a session for each request until the server closes the socket."""
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(sock, MESSAGE_SIZE, 4)
        except ConnectionResetError:
            return
        if not data:
            return
        try:
            if len(fds) != 1:
                raise ForkServerError(f"a request came with {len(fds)} fds, not 1")
            pid = _fork_session(json.loads(data), fds[0], sock, handlers)
            reply: dict[str, object] = {"pid": pid}
        except Exception as err:
            reply = {"error": f"{type(err).__name__}: {err}"}
        finally:
            for fd in fds:
                os.close(fd)
        sock.send(json.dumps(reply).encode())


def _fork_session(request: dict, slave: int, sock: socket.socket, handlers: dict) -> int:
    """Fork twice: the middle process tells the app's pid and exits, so the app is
    handed to the server (the subreaper); returns the app's pid."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    told, tell = os.pipe()
    middle = os.fork()
    if middle == 0:
        try:
            os.close(told)
            app = os.fork()
            if app == 0:
                os.close(tell)
                _become_app(request, slave, sock, handlers)
            os.write(tell, str(app).encode())
        finally:
            os._exit(0)
    os.close(tell)
    try:
        answer = os.read(told, 32)
    finally:
        os.close(told)
        os.waitpid(middle, 0)
    if not answer:
        raise ForkServerError("the fork failed")
    return int(answer)


def _become_app(request: dict, slave: int, sock: socket.socket, handlers: dict):
    """In the child: the learner's app on its own terminal, then exit; never returns."""
    status = 1
    try:
        sock.close()
        os.setsid()
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(slave)
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        for signum, handler in handlers.items():
            with contextlib.suppress(OSError, ValueError):
                signal.signal(signum, handler)
        # a server started under nohup ignores SIGHUP: the app must die of its hangup
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        if request.get("memory"):
            memory = int(request["memory"])
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        os.chdir("/")
        os.environ.clear()
        os.environ.update(request["env"])
        random.seed()  # os.fork reseeds it too; said here because the ISNs depend on it
        _fresh_stdio()
        from tui_tutor.cli import main

        args = [str(arg) for arg in request["args"]]
        sys.argv = ["tui-tutor", *args]
        status = main(args)
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)


def _fresh_stdio() -> None:
    """Standard streams on the terminal, as a new interpreter would open them (UTF-8)."""
    sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)  # type: ignore[misc]  # noqa: SIM115
    sys.stdout = sys.__stdout__ = open(  # type: ignore[misc]  # noqa: SIM115
        1, "w", encoding="utf-8", buffering=1, closefd=False
    )
    sys.stderr = sys.__stderr__ = open(  # type: ignore[misc]  # noqa: SIM115
        2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False
    )


def main(argv: list[str]) -> int:
    """``python -m tui_tutor.serve.forkserver FD MODULE ARG``: import MODULE, call its
    ``warm(ARG)``, then fork an app for each request on the socket FD."""
    fd, name, warm = argv
    sock = socket.socket(fileno=int(fd))
    handlers = _initial_handlers()
    try:
        importlib.import_module(name).warm(warm)
    except Exception as err:  # the server starts each app on its own instead
        print(f"tui-tutor fork server: {name}: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    gc.collect()
    gc.freeze()
    sock.send(READY)
    serve_forks(sock, handlers)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
