"""Reading a capture file into connections: the entry points the app and the CLI call.

``read_capture(path)`` returns every TCP connection of the file; the app calls
it. ``iter_connections`` hands them out one at a time while the file is still
being read, so memory holds only the open connections (the command line streams
its output this way). ``check`` (from ``pcapfile``) walks the file's records
without decoding them, so that a damaged file is reported before anything is printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .connection import CapturedConnection, from_flow
from .errors import CaptureError, no_connections
from .pcapfile import tcp_segments
from .split import LINGER, flows
from .stream import Reading


def iter_connections(
    path: str | Path,
    label: str | None = None,
    linger: float = LINGER,
    reading: Reading | None = None,
) -> Iterator[CapturedConnection]:
    """Each connection as soon as it is over; numbered 1, 2 ... in that order.

    ``path`` may be ``-`` (standard input); ``reading`` follows the progress and may
    stop the reading early, after which the connections still open come out as they are.
    """
    label = str(path) if label is None else label
    for number, flow in enumerate(flows(tcp_segments(path, label, reading), linger), 1):
        yield from_flow(flow, number)


def read_capture(path: str | Path, label: str | None = None) -> list[CapturedConnection]:
    """Every TCP connection in the capture; ``CaptureError`` when there is none."""
    label = str(path) if label is None else label
    connections = list(iter_connections(path, label))
    if not connections:
        raise CaptureError(no_connections(label))
    return connections


def read_connection(
    path: str | Path, number: int, label: str | None = None, reading: Reading | None = None
) -> CapturedConnection:
    """Connection ``number`` (1-based, as ``iter_connections`` numbers them)."""
    label = str(path) if label is None else label
    count = 0
    for count, flow in enumerate(flows(tcp_segments(path, label, reading)), 1):
        if count == number:
            return from_flow(flow, number)
    if count == 0:
        raise CaptureError(no_connections(label))
    raise CaptureError(
        f"{label} has {count} TCP connection{'s' if count != 1 else ''}; "
        f"there is no connection {number}"
    )
