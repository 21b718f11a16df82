"""A ladder (flow) diagram as plain text: one line a segment, both peers' states.

Used by ``tui-tutor simulate`` and ``tui-tutor capture``; the app draws its own,
richer ladder from the same ``SegmentRecord``s.
"""

from __future__ import annotations

from collections.abc import Iterable

from .engine import Role, SegmentRecord, relative

ARROW_WIDTH = 40
STATE_WIDTH = 12


# tcpdump's letters, in the order it prints them: SYN,ACK is "S.", FIN,PSH,ACK "FP."
TCPDUMP_LETTERS = (("FIN", "F"), ("SYN", "S"), ("RST", "R"), ("PSH", "P"), ("ACK", "."))


def flags_text(flags: Iterable[str], short: bool = False, empty: str = "-") -> str:
    """``SYN,ACK``, or tcpdump's ``S.`` when ``short``."""
    names = list(flags)
    if short:
        return "".join(letter for name, letter in TCPDUMP_LETTERS if name in names) or empty
    return ",".join(names) or empty


def label_text(
    flags: Iterable[str],
    seq: str,
    ack: str | None,
    length: int,
    short: bool = False,
    empty: str = "-",
) -> str:
    """The one way a segment is written: ``SYN,ACK seq=y ack=x+1`` (``len=5`` with data).

    ``short`` writes the flags as tcpdump does (``S. seq=y ack=x+1``); numbers are
    never shortened.
    """
    parts = [flags_text(flags, short, empty), f"seq={seq}"]
    if ack is not None:
        parts.append(f"ack={ack}")
    if length:
        parts.append(f"len={length}")
    return " ".join(parts)


def segment_label(
    record: SegmentRecord, isns: dict[Role, int | None], absolute: bool = False
) -> str:
    """``SYN,ACK seq=0 ack=1`` (plus ``len=5`` when there is data)."""
    seq, ack = record.seq, record.ack
    if not absolute:
        seq = relative(seq, isns.get(record.sender))
        if ack is not None:
            ack = relative(ack, isns.get(record.sender.other))
    return label_text(
        record.flags, str(seq), None if ack is None else str(ack), record.length, empty="(no flags)"
    )


def arrow(record: SegmentRecord, label: str, width: int = ARROW_WIDTH) -> str:
    """``── label ──▶`` left to right for the client, ``◀── label ──`` for the server.

    A lost segment stops short with ``✗`` instead of reaching the other side.
    """
    body = f" {label} "
    if record.lost:  # stops short of the receiver
        shaft = max(2, width - len(body) - 6)
        if record.sender is Role.CLIENT:
            return ("──" + body + "─" * shaft + "✗").ljust(width)
        return ("✗" + "─" * shaft + body + "──").rjust(width)
    fill = max(2, width - len(body) - 3)
    if record.sender is Role.CLIENT:
        return "──" + body + "─" * fill + "▶"
    return "◀" + "─" * fill + body + "──"


def ladder_lines(
    records: Iterable[SegmentRecord],
    isns: dict[Role, int | None],
    absolute: bool = False,
    client: str = "client",
    server: str = "server",
    start: float | None = None,
) -> list[str]:
    records = list(records)
    if start is None:
        start = records[0].time if records else 0.0
    labels = []
    for record in records:
        label = segment_label(record, isns, absolute)
        labels.append(label + " (retransmission)" if record.retransmission else label)
    width = max([ARROW_WIDTH, *(len(label) + 8 for label in labels)])
    head = f"{'#':>3} {'time':>8}  {client:<{STATE_WIDTH}} {'':<{width}} {server}"
    lines = [head]
    for n, (record, label) in enumerate(zip(records, labels, strict=True), 1):
        line = (
            f"{n:>3} {record.time - start:>8.3f}  {record.client_state.value:<{STATE_WIDTH}} "
            f"{arrow(record, label, width)} {record.server_state.value}"
        )
        if record.lost:
            line += "   lost"
        lines.append(line)
    return lines
