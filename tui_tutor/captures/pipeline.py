"""Reading a big capture on two cores: a child process reads and splits, both print.

``iter_connections`` in ``reader.py`` does everything in one process: reading and
decoding the packets and splitting them into connections (``pcapfile``, ``split``)
take about as long as analysing the connections and writing them out. So for a
big capture ``rendered()`` forks: the child reads the file and splits it, and
sends each finished connection's segments down a pipe (``marshal``, in small
batches); this process analyses them as they come and renders each (a ladder,
JSON: the ``render`` it is given), in the order ``iter_connections`` numbers them.

Which process is slower depends on the capture: short connections cost more to
analyse than to read, long ones less. So the child watches the pipe: when
this process has not yet read more than ``BEHIND`` segments it was sent to analyse
(``Backlog``: the bytes still in the pipe say which messages it has read), the child
renders the next connections itself and sends their text instead, rather than wait
for room: both cores stay busy. Text costs this process next to nothing, so only
segments count. The pipe stays small (a megabyte at most), so the child never runs
far ahead and memory stays bounded.

Messages on the pipe, each a length and a marshalled tuple:
``("items", [...])``, each item a finished connection: ``(key, data, tunnels,
notes)`` (a ``split.Flow``'s parts, its segments packed) or its rendered text;
``("progress", bytes, packets, size, done)``, ``("error", message)`` (a
``CaptureError``, after the connections read before it), ``("crash", traceback)``
and ``("end",)``.

Ctrl+C: the child ignores SIGINT; ``Reading.stop()`` in this process sends it
SIGUSR1, which stops its reading as ``stop()`` stops a reading in one process.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import marshal
import math
import os
import select
import signal
import struct
import sys
import termios
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .connection import CapturedConnection, from_flow, from_segments
from .errors import CaptureError
from .pcapfile import tcp_segments
from .split import LINGER, Flow, flows, unpacked
from .stream import Reading

Render = Callable[[CapturedConnection], str]

BATCH = 512  # segments per message: enough to cost little, few enough to stream
PIPE_SIZE = 1 << 20  # how far the child may run ahead at most
# segments sent to analyse and not yet read from which the child renders itself: two
# batches, so that this process always has some at hand but the child never waits
BEHIND = 2 * BATCH
_LENGTH = struct.Struct("<I")
PROGRESS_EVERY = 0.1  # seconds: as often as a progress bar redraws


def available() -> bool:
    """Can this machine read in a second process (fork, and a core to spare)?"""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def rendered(
    path: str | Path,
    label: str,
    render: Render,
    linger: float = LINGER,
    reading: Reading | None = None,
) -> Iterator[str]:
    """``render(connection)`` for each connection ``reader.iter_connections`` would
    yield, in its order, read and split in a child process (see the module doc).

    The child starts here, before the first text is asked for: call this before
    starting any thread (a progress bar's), as with any ``fork``.
    """
    reading = reading if reading is not None else Reading()
    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError, AttributeError):  # Linux lets a pipe grow
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    pid = os.fork()
    if pid == 0:  # the child: it never returns from here
        os.close(read_end)
        _child(path, label, linger, render, write_end)
    os.close(write_end)
    reading.on_stop = lambda: _signal(pid, signal.SIGUSR1)
    return _parent(pid, os.fdopen(read_end, "rb"), render, reading)


def _parent(pid: int, pipe: BinaryIO, render: Render, reading: Reading) -> Iterator[str]:
    number = 0
    try:
        for message in _messages(pipe):
            kind = message[0]
            if kind == "items":
                for item in message[1]:
                    number += 1
                    if isinstance(item, str):
                        yield item
                    else:
                        segments = unpacked(item[1])
                        yield render(from_segments(item[0], segments, number, item[2], item[3]))
            elif kind == "progress":
                _, reading.bytes, reading.packets, reading.size, reading.done = message
                reading.tick()
            elif kind == "error":
                raise CaptureError(message[1])
            elif kind == "crash":
                raise RuntimeError(f"the reading process failed:\n{message[1]}")
            else:  # "end"
                return
        raise RuntimeError("the reading process ended without a word")
    finally:
        reading.on_stop = None
        pipe.close()
        _signal(pid, signal.SIGKILL)  # gone already unless this process gave up first
        os.waitpid(pid, 0)


def _messages(pipe: BinaryIO) -> Iterator[tuple]:
    while True:
        head = pipe.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            return
        yield marshal.loads(pipe.read(_LENGTH.unpack(head)[0]))


class Backlog:
    """The segments sent down the pipe ``fd`` for the parent to analyse that it has not
    read yet: the messages still (partly) in the pipe, found from how many bytes wait."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.sent = 0  # bytes written so far
        self.unread: deque[tuple[int, int]] = deque()  # (end offset, segments) per message
        self.segments = 0  # in ``unread``

    def wrote(self, size: int, segments: int) -> None:
        self.sent += size
        if segments:
            self.unread.append((self.sent, segments))
            self.segments += segments

    def behind(self) -> bool:
        """Is the parent more than ``BEHIND`` segments behind?"""
        waiting = array.array("i", [0])
        try:
            fcntl.ioctl(self.fd, termios.FIONREAD, waiting, True)  # Linux: either end
        except OSError:
            return not select.select([], [self.fd], [], 0)[1]  # elsewhere: is the pipe full?
        read = self.sent - waiting[0]
        while self.unread and self.unread[0][0] <= read:
            self.segments -= self.unread.popleft()[1]
        return self.segments > BEHIND


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


class _ChildReading(Reading):
    """The child's reading: its progress goes down the pipe to the parent, at most every
    ``PROGRESS_EVERY`` seconds (the reader ticks after every chunk, 64 KiB) and at the end."""

    def __init__(self, send: Callable[[tuple], None]) -> None:
        super().__init__()
        self.send = send
        self.told = -math.inf  # when progress was last sent

    def tick(self) -> None:
        now = time.monotonic()
        if self.done or now - self.told >= PROGRESS_EVERY:
            self.told = now
            self.send(("progress", self.bytes, self.packets, self.size, self.done))


def _child(path: str | Path, label: str, linger: float, render: Render, fd: int) -> None:
    """Read and split, send everything to the parent, and exit (never returns)."""
    out = os.fdopen(fd, "wb")
    backlog = Backlog(fd)

    def send(message: tuple, segments: int = 0) -> None:
        data = _LENGTH.pack(len(body := marshal.dumps(message))) + body
        out.write(data)
        out.flush()  # a live capture's connections go out as they end
        backlog.wrote(len(data), segments)

    def send_items(batch: list[tuple[int, Flow]], held: int) -> None:
        if backlog.behind():  # render these here
            send(("items", [render(from_flow(flow, number)) for number, flow in batch]))
        else:
            send(("items", [(f.key, f.data, f.tunnels, f.notes) for _, f in batch]), held)

    status = 0
    try:
        reading = _ChildReading(send)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides (SIGUSR1)
        signal.signal(signal.SIGUSR1, lambda signum, frame: reading.stop())
        batch: list[tuple[int, Flow]] = []
        held = 0
        try:
            for number, flow in enumerate(flows(tcp_segments(path, label, reading), linger), 1):
                batch.append((number, flow))
                held += len(flow)
                if held >= BATCH:
                    send_items(batch, held)
                    batch, held = [], 0
        except CaptureError as err:
            send_items(batch, held)
            send(("error", str(err)))
        else:
            send_items(batch, held)
            send(("end",))
    except BrokenPipeError:
        pass  # the parent stopped listening: nothing more to do
    except BaseException:
        status = 1
        try:
            send(("crash", traceback.format_exc()))
        except Exception:
            traceback.print_exc(file=sys.stderr)
    finally:
        os._exit(status)
