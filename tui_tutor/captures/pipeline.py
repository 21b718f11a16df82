"""Reading a big capture on two cores: a child process reads and splits, this one analyses.

``iter_connections`` in ``reader.py`` does everything in one process: reading and
decoding the packets and splitting them into connections (``pcapfile``, ``split``)
take about as long as analysing the connections and printing them. So for a big
capture ``connections()`` forks: the child reads the file and splits it, and
sends each finished connection's segments down a pipe (``marshal``, in batches);
this process analyses them as they come and yields the same ``CapturedConnection``s,
numbered in the same order. The pipe is small, so the child never runs far ahead
and memory stays bounded as before.

Messages on the pipe, each a length and a marshalled tuple:
``("flows", [(key, segments, tunnels, notes), ...])`` (a ``split.Flow``'s parts),
``("progress", bytes, packets, size, done)``, ``("error", message)`` (a
``CaptureError``, after the flows read before it), ``("crash", traceback)`` and
``("end",)``.

Ctrl+C: the child ignores SIGINT; ``Reading.stop()`` in this process sends it
SIGUSR1, which stops its reading as ``stop()`` stops a reading in one process.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import struct
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .connection import CapturedConnection, from_segments
from .errors import CaptureError
from .pcapfile import tcp_segments
from .split import LINGER, flows
from .stream import Reading

BATCH = 4096  # segments per message: big enough to cost little, small enough to stream
_LENGTH = struct.Struct("<I")


def available() -> bool:
    """Can this machine read in a second process (fork, and a core to spare)?"""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def connections(
    path: str | Path, label: str, linger: float = LINGER, reading: Reading | None = None
) -> Iterator[CapturedConnection]:
    """What ``reader.iter_connections`` yields, read and split in a child process.

    The child starts here, before the first connection is asked for: call this
    before starting any thread (a progress bar's), as with any ``fork``.
    """
    reading = reading if reading is not None else Reading()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: it never returns from here
        os.close(read_end)
        _child(path, label, linger, write_end)
    os.close(write_end)
    reading.on_stop = lambda: _signal(pid, signal.SIGUSR1)
    return _parent(pid, os.fdopen(read_end, "rb"), reading)


def _parent(pid: int, pipe: BinaryIO, reading: Reading) -> Iterator[CapturedConnection]:
    number = 0
    try:
        for message in _messages(pipe):
            kind = message[0]
            if kind == "flows":
                for key, segments, tunnels, cut in message[1]:
                    number += 1
                    yield from_segments(key, segments, number, tunnels, cut)
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


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


class _ChildReading(Reading):
    """The child's reading: each chunk's progress goes down the pipe to the parent."""

    def __init__(self, send: callable) -> None:  # type: ignore[valid-type]
        super().__init__()
        self.send = send

    def tick(self) -> None:
        self.send(("progress", self.bytes, self.packets, self.size, self.done))


def _child(path: str | Path, label: str, linger: float, fd: int) -> None:
    """Read and split, send everything to the parent, and exit (never returns)."""
    out = os.fdopen(fd, "wb", buffering=1 << 16)

    def send(message: tuple) -> None:
        data = marshal.dumps(message)
        out.write(_LENGTH.pack(len(data)))
        out.write(data)

    status = 0
    try:
        reading = _ChildReading(send)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides (SIGUSR1)
        signal.signal(signal.SIGUSR1, lambda signum, frame: reading.stop())
        batch: list[tuple] = []
        held = 0
        try:
            for flow in flows(tcp_segments(path, label, reading), linger):
                batch.append((flow.key, flow.segments, flow.tunnels, flow.notes))
                held += len(flow.segments)
                if held >= BATCH:
                    send(("flows", batch))
                    batch, held = [], 0
        except CaptureError as err:
            send(("flows", batch))
            send(("error", str(err)))
        else:
            send(("flows", batch))
            send(("end",))
        out.flush()
    except BrokenPipeError:
        pass  # the parent stopped listening: nothing more to do
    except BaseException:
        status = 1
        try:
            send(("crash", traceback.format_exc()))
            out.flush()
        except Exception:
            traceback.print_exc(file=sys.stderr)
    finally:
        os._exit(status)
