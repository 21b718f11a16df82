"""Where the bytes of a capture come from: a file or standard input, gzip-compressed or not.

``open_input(path)`` opens the file (only a regular one: ``inputs.open_regular``;
``-``: standard input) behind a ``Counted``
stream that counts the bytes it hands out, so a progress bar can say how far the
reading has got (``Reading``); ``gunzip`` unpacks a compressed capture on the fly
once its first bytes said it is one (``GZIP_MAGIC``). Neither ever seeks, so a
pipe (``tcpdump -w - | tui-tutor capture -``) reads like a file.
"""

from __future__ import annotations

import gzip
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..inputs import open_regular

GZIP_MAGIC = b"\x1f\x8b"
STDIN = "-"


class Reading:
    """How far a capture has been read, for a progress bar; and a way to stop early.

    The reader sets ``size`` (bytes in the file; None when it cannot know, as for
    standard input), keeps ``bytes`` (read so far; compressed bytes for gzip, so
    that ``bytes / size`` is the share done) and ``packets`` (records read so far),
    and calls ``tick()`` after each chunk of about a megabyte, and once more with
    ``done`` set at the end of the file. ``stop()`` (a Ctrl+C handler calls it)
    ends the reading there as if the file ended: what was read is kept, and the
    record cut in half is not called damage.
    """

    def __init__(self) -> None:
        self.size: int | None = None
        self.bytes = 0
        self.packets = 0
        self.done = False
        self.stopped = False
        # called by ``stop``: a reader in another process hears of it this way
        self.on_stop: Callable[[], None] | None = None

    def tick(self) -> None:
        """Called after each chunk; a progress bar redraws itself here."""

    def stop(self) -> None:
        """End the reading at the next chunk (safe to call from a signal handler)."""
        self.stopped = True
        if self.on_stop is not None:
            self.on_stop()


class Counted:
    """A binary stream that counts what it hands out into ``reading.bytes``."""

    def __init__(self, raw: BinaryIO, reading: Reading | None) -> None:
        self.raw = raw
        self.reading = reading if reading is not None else Reading()
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self._counted(len(data))
        return data

    def read1(self, n: int = -1) -> bytes:
        # one read of what is there: a live pipe hands over packets as they come
        data = self.raw.read1(n)  # type: ignore[attr-defined]
        self._counted(len(data))
        return data

    def _counted(self, n: int) -> None:
        self.count += n
        self.reading.bytes = self.count

    def size(self) -> int | None:
        """The file's size in bytes; None for a pipe, a terminal or a socket."""
        try:
            info = os.fstat(self.raw.fileno())
        except (OSError, ValueError):
            return None
        return info.st_size if stat.S_ISREG(info.st_mode) and info.st_size else None

    def close(self) -> None:
        if self.raw is not sys.stdin.buffer:
            self.raw.close()


def open_input(path: str | Path, label: str, reading: Reading | None = None) -> Counted:
    """Standard input for ``-``, else the regular file at ``path``
    (``inputs.open_regular``: anything else is ``InputError``)."""
    if str(path) == STDIN:
        return Counted(sys.stdin.buffer, reading)
    return Counted(open_regular(path, label), reading)


class _Rewound:
    """A stream whose first bytes were read already: hands them out again, then the rest."""

    def __init__(self, head: bytes, rest: Counted) -> None:
        self.head = head
        self.rest = rest

    def read(self, n: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(n)
        if n < 0:
            data, self.head = self.head + self.rest.read(), b""
            return data
        data, self.head = self.head[:n], self.head[n:]
        return data


def gunzip(f: Counted, head: bytes) -> BinaryIO:
    """The uncompressed bytes of the gzip stream ``f``, whose first bytes ``head`` are read."""
    return gzip.GzipFile(fileobj=_Rewound(head, f), mode="rb")  # type: ignore[arg-type]
