"""``tui-tutor capture FILE``: the TCP connections of a pcap/pcapng file, as ladders or JSON.

A file is checked whole first (a damaged record anywhere is one error line and
nothing else), then read a second time and printed connection by connection as
each one ends, so a capture of millions of packets never sits in memory. When the
output goes to a regular file it is read once: damage found on the way cuts the
output file back to what it held before, with the same error line.
Standard input (``-``) can be read only once: it is printed as it comes, and
damage found on the way ends the output there (the JSON still closed) with the
error line. Either may be gzip-compressed.

Ctrl+C stops the reading: the connections read so far are printed (the open
ones as they stand), the output is closed properly, and the exit status is 130.
A large file read into a terminal shows a progress bar on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import io
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..captures.stream import Reading
from . import CommandError

if TYPE_CHECKING:
    from ..captures import CapturedConnection


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "capture",
        help="read a pcap/pcapng file and print each TCP connection's segments and states",
        description=(
            "Read a pcap or pcapng capture and print every TCP connection in it as a ladder "
            "(or JSON): each segment with both peers' states right after it, inferred as "
            "RFC 9293 says. Connections are numbered in the order they end in the file. "
            "The client is the side that sent the first SYN; when the capture starts "
            "mid-connection (partial), it is the side with the higher port."
        ),
        epilog=(
            "seq and ack count from each side's ISN (tcpdump and Wireshark's relative "
            "numbers); without the SYN, from one before the first number seen, as Wireshark."
        ),
    )
    p.add_argument(
        "file",
        type=Path,
        help="a pcap or pcapng capture (tcpdump -w, Wireshark), maybe gzip-compressed; "
        "- reads standard input (tcpdump -w - | tui-tutor capture -)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of ladders")
    p.add_argument(
        "--absolute",
        action="store_true",
        help="raw sequence numbers instead of numbers relative to each side's ISN",
    )
    p.add_argument(
        "--connection",
        type=int,
        metavar="N",
        help="only connection N (1-based, numbered as the full output numbers them)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..captures import CaptureError, check, iter_connections, pipeline, read_connection
    from ..captures.errors import no_connections
    from ..captures.stream import STDIN

    piped = str(args.file) == STDIN
    label = "stdin" if piped else str(args.file)
    if args.connection is not None and args.connection < 1:
        raise CommandError(f"--connection {args.connection}: connections are numbered from 1")
    # a big capture makes millions of small tuples, none in a reference cycle: the
    # cyclic collector would walk them again and again for nothing
    gc.disable()
    # written to a file, the output can be taken back if damage shows up: one reading
    # of the capture is enough; to a terminal or a pipe it cannot, so check first
    taken_back = None if piped else _file_output()
    try:
        if not piped and taken_back is None:
            check(args.file, label)
        with _reading(args.file, piped) as reading:
            out = _Stdout(reading)
            absolute, as_json = args.absolute, args.json

            def render(connection: CapturedConnection) -> str:
                if as_json:
                    return connection.json_text(absolute)
                return "\n".join(ladder(connection, absolute))

            texts: Iterable[str]
            if args.connection is not None:
                texts = [render(read_connection(args.file, args.connection, label, reading))]
            elif pipeline.available() and (piped or (_size(args.file) or 0) >= TWO_CORES):
                texts = pipeline.rendered(args.file, label, render, reading=reading)
            else:
                texts = map(render, iter_connections(args.file, label, reading=reading))
            write = _write_json if args.json else _write_ladders
            found = write(texts, out)
        if reading.stopped:
            print(
                f"{label}: stopped after {reading.packets:,} packets; "
                "the output holds the connections read until then",
                file=sys.stderr,
            )
            return 130
        if not found:
            raise CaptureError(no_connections(label))
    except CaptureError as err:
        if taken_back is not None:
            taken_back()
        raise CommandError(str(err)) from None
    finally:
        gc.enable()
    return 0


def _file_output() -> Callable[[], None] | None:
    """When standard output is a regular file: a function that cuts it back to what it
    held before this command wrote to it. None for a terminal, a pipe or a device."""
    try:
        fd = sys.stdout.fileno()
        info = os.fstat(fd)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None  # not a real file (a test's captured output)
    if not stat.S_ISREG(info.st_mode):
        return None
    appending = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND
    start = info.st_size if appending else os.lseek(fd, 0, os.SEEK_CUR)

    def take_back() -> None:
        sys.stdout.flush()
        os.ftruncate(fd, start)
        os.lseek(fd, start, os.SEEK_SET)

    return take_back


@contextlib.contextmanager
def _reading(path: Path, piped: bool) -> Iterator[Reading]:
    """What follows the reading: a progress bar when a large file is read into a
    terminal, and a Ctrl+C handler that stops the reading (a second one stops at once)."""
    size = None if piped else _size(path)
    bar = sys.stdout.isatty() and sys.stderr.isatty() and (size is None or size >= LARGE)
    reading = _ProgressBar(size) if bar else Reading()

    def stop(signum: int, frame: object) -> None:
        if reading.stopped:
            raise KeyboardInterrupt
        reading.stop()

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield reading
    finally:
        if isinstance(reading, _ProgressBar):
            reading.close()
        signal.signal(signal.SIGINT, previous)


LARGE = 20_000_000  # bytes: smaller files are read before a bar would mean anything
# bytes: from here a second process reads and splits while this one analyses (on two
# cores or more); below, starting it costs more than it gains
TWO_CORES = 4_000_000


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


class _ProgressBar(Reading):
    """A rich progress bar on stderr while the file is read: packets, MB/s, time left
    (when the size is known). Meanwhile rich prints what goes to stdout above the bar;
    once the reading is over (or stopped) the bar goes and stdout is written directly."""

    def __init__(self, size: int | None) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.bar = Progress(
            TextColumn("reading"),
            BarColumn(),
            TextColumn("{task.fields[packets]:>12,} packets"),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.bar.add_task("reading", total=size, packets=0)

    def tick(self) -> None:
        if self.done:
            self.close()
            return
        if not self.bar.live.is_started:
            # started by the first chunk, not before: a reading process forks first
            self.bar.start()
        self.bar.update(self.task, completed=self.bytes, packets=self.packets)

    def close(self) -> None:
        if self.bar.live.is_started:
            self.bar.stop()


class _Stdout:
    """Standard output as it is at each write: rich's stand-in while a bar is shown.
    Stopping (Ctrl+C) takes the bar away before the rest is written."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading

    def write(self, text: str) -> None:
        if self.reading.stopped and isinstance(self.reading, _ProgressBar):
            self.reading.close()
        sys.stdout.write(text)


def _write_json(texts: Iterable[str], out: _Stdout) -> bool:
    """``{"connections": [...]}``, one connection a line, written as each one comes; closed
    even when the reading ends on damage (standard input)."""
    count = 0
    try:
        for text in texts:
            out.write('{"connections": [\n' if count == 0 else ",\n")
            out.write(text)
            count += 1
    finally:
        if count:
            out.write("\n]}\n")
    return count > 0


def _write_ladders(texts: Iterable[str], out: _Stdout) -> bool:
    count = 0
    for text in texts:
        if count:
            out.write("\n")
        out.write(text + "\n")
        count += 1
    return count > 0


def ladder(connection: CapturedConnection, absolute: bool = False) -> list[str]:
    """The ladder of one connection, with its quirks after the rows they concern."""
    from ..engine import Role
    from ..ladder import ladder_lines

    head = f"connection {connection.number}: {connection.client} -> {connection.server}"
    if connection.tunnels:
        head += f" via {connection.via}"
    if connection.partial:
        head += " (partial: it started before the capture)"
    steps = connection.steps
    lines = ladder_lines(
        [step.record for step in steps],
        connection.isns,
        absolute,
        client=connection.client,
        server=connection.server,
    )
    for n, step in enumerate(steps, 1):
        marks = [str(q.kind) for q in step.quirks]
        if not step.received:
            marks.append("never arrived")
        if marks:
            lines[n] += "   " + ", ".join(marks)
    final = connection.final_states
    lines = [head, *lines, f"end: client {final[Role.CLIENT]}, server {final[Role.SERVER]}"]
    lines += [f"note: {note}" for note in connection.notes]
    return lines
