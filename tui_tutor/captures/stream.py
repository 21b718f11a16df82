"""Where the bytes of a capture come from: a file or standard input, gzip-compressed or not.

``open_input(path)`` opens the file (only a regular one: ``inputs.open_regular``;
``-``: standard input) behind a ``Counted``
stream that counts the bytes it hands out, so a progress bar can say how far the
reading has got (``Reading``); ``gunzip`` unpacks a compressed capture on the fly
once its first bytes said it is one (``GZIP_MAGIC``). Neither ever seeks, so a
pipe (``tcpdump -w - | tui-tutor capture -``) reads like a file.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..inputs import InputError, open_regular
from .errors import CaptureError, empty_file, not_a_capture

GZIP_MAGIC = b"\x1f\x8b"
STDIN = "-"
PCAP_MAGICS: dict[bytes, tuple[str, float, int]] = {
    # first four bytes -> (byte order, seconds per timestamp unit, record header size)
    bytes.fromhex("a1b2c3d4"): (">", 1e-6, 16),
    bytes.fromhex("d4c3b2a1"): ("<", 1e-6, 16),
    bytes.fromhex("a1b23c4d"): (">", 1e-9, 16),
    bytes.fromhex("4d3cb2a1"): ("<", 1e-9, 16),
    # Alexey Kuznetzov's "modified" pcap: 8 more bytes per record header
    bytes.fromhex("a1b2cd34"): (">", 1e-6, 24),
    bytes.fromhex("34cdb2a1"): ("<", 1e-6, 24),
}
PCAPNG_SHB = bytes.fromhex("0a0d0d0a")


class Reading:
    """How far a capture has been read, for a progress bar; and a way to stop early.

    The reader sets ``size`` (bytes in the file; None when it cannot know, as for
    standard input), keeps ``bytes`` (read so far; compressed bytes for gzip, so
    that ``bytes / size`` is the share done) and ``packets`` (records read so far),
    and calls ``tick()`` after each chunk (``pcapfile.CHUNK``), and once more with
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
    import gzip  # here: every command's parser imports this module, few read gzip

    return gzip.GzipFile(fileobj=_Rewound(head, f), mode="rb")  # type: ignore[call-overload]


def sniff(path: str | Path, label: str) -> None:
    """Check from its first bytes alone that ``path`` may be a capture (pcap, pcapng, either
    gzip-compressed): ``CaptureError`` in the reader's words if not. Damage further on is
    found by reading it; this only spares a command starting up for a file that is none."""
    import zlib

    try:
        raw = open_regular(path, label)
    except InputError as err:
        raise CaptureError(str(err)) from None
    try:
        with raw:
            head = raw.read(24)
            if head[:2] == GZIP_MAGIC:
                head = gunzip(Counted(raw, None), head).read(4)
    except (OSError, EOFError, zlib.error) as err:
        raise CaptureError(f"{label}: {getattr(err, 'strerror', None) or err}") from None
    if not head:
        raise CaptureError(empty_file(label))
    if head[:4] not in PCAP_MAGICS and head[:4] != PCAPNG_SHB:
        raise CaptureError(not_a_capture(label))
