"""``tui-tutor capture FILE``: the TCP connections of a pcap/pcapng file, as ladders or JSON.

The file is checked whole first (a damaged record anywhere is one error line and
nothing else), then read a second time and printed connection by connection as
each one ends, so a capture of millions of packets never sits in memory.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

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
    p.add_argument("file", type=Path, help="a pcap or pcapng capture (tcpdump -w, Wireshark)")
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
    from ..captures import CaptureError, check, iter_connections, read_connection
    from ..captures.reader import no_connections

    label = str(args.file)
    if args.connection is not None and args.connection < 1:
        raise CommandError(f"--connection {args.connection}: connections are numbered from 1")
    out = sys.stdout
    # a big capture makes millions of small tuples, none in a reference cycle: the
    # cyclic collector would walk them again and again for nothing
    gc.disable()
    try:
        check(args.file, label)
        connections: Iterable[CapturedConnection]
        if args.connection is not None:
            connections = [read_connection(args.file, args.connection, label)]
        else:
            connections = iter_connections(args.file, label)
        write = _write_json if args.json else _write_ladders
        if not write(connections, out, args.absolute):
            raise CaptureError(no_connections(label))
    except CaptureError as err:
        raise CommandError(str(err)) from None
    finally:
        gc.enable()
    return 0


def _write_json(connections: Iterable[CapturedConnection], out: TextIO, absolute: bool) -> bool:
    """``{"connections": [...]}``, one connection a line, written as each one comes."""
    count = 0
    for connection in connections:
        out.write('{"connections": [\n' if count == 0 else ",\n")
        out.write(connection.json_text(absolute))
        count += 1
    if count:
        out.write("\n]}\n")
    return count > 0


def _write_ladders(connections: Iterable[CapturedConnection], out: TextIO, absolute: bool) -> bool:
    count = 0
    for connection in connections:
        if count:
            out.write("\n")
        out.write("\n".join(ladder(connection, absolute)) + "\n")
        count += 1
    return count > 0


def ladder(connection: CapturedConnection, absolute: bool = False) -> list[str]:
    """The ladder of one connection, with its quirks after the rows they concern."""
    from ..engine import Role
    from ..ladder import ladder_lines

    head = f"connection {connection.number}: {connection.client} -> {connection.server}"
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
