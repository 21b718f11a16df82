"""A ladder (flow) diagram as plain text: one line a segment, both peers' states.

Used by ``tui-tutor simulate`` and ``tui-tutor capture``; the app draws its own,
richer ladder from the same ``SegmentRecord``s.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from .engine import NO_FLAGS, Role, SegmentRecord, flags_label

ARROW_WIDTH = 40
STATE_WIDTH = 12


# tcpdump's letters, in the order it prints them: SYN,ACK is "S.", FIN,PSH,ACK "FP."
TCPDUMP_LETTERS = (("FIN", "F"), ("SYN", "S"), ("RST", "R"), ("PSH", "P"), ("ACK", "."))


def flags_text(flags: Iterable[str], short: bool = False) -> str:
    """``SYN,ACK``, or tcpdump's ``S.`` when ``short``; ``none`` for no flag at all."""
    names = list(flags)
    if short:
        return "".join(letter for name, letter in TCPDUMP_LETTERS if name in names) or NO_FLAGS
    return flags_label(names)


def label_text(
    flags: Iterable[str], seq: str, ack: str | None, length: int, short: bool = False
) -> str:
    """The one way a segment is written: ``SYN,ACK seq=y ack=x+1`` (``len=5`` with data).

    ``short`` writes the flags as tcpdump does (``S. seq=y ack=x+1``); numbers are
    never shortened.
    """
    parts = [flags_text(flags, short), f"seq={seq}"]
    if ack is not None:
        parts.append(f"ack={ack}")
    if length:
        parts.append(f"len={length}")
    return " ".join(parts)


def segment_label(
    record: SegmentRecord, isns: Mapping[Role, int | None], absolute: bool = False
) -> str:
    """``SYN,ACK seq=0 ack=1`` (plus ``len=5`` when there is data)."""
    seq, ack = (record.seq, record.ack) if absolute else record.relative_numbers(isns)
    return label_text(record.flags, str(seq), None if ack is None else str(ack), record.length)


def cell_len(text: str) -> int:
    """Terminal cells ``text`` takes: two for a wide (Chinese) character, none for a combining
    one (what rich's ``cell_len`` says for these, without loading rich for the command line)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def arrow(
    label: str,
    width: int,
    rightward: bool,
    lost: bool = False,
    lead: int = 2,
    least: int = 2,
    gap: int = 3,
) -> str:
    """``── label ──▶`` (rightward) or ``◀── label ──``, ``width`` cells; ``""`` draws a bare
    shaft. ``lead``: the bars between the tail and the label; ``least``: the fewest on the
    head's side. A lost segment stops short with ``✗``, ``gap`` blanks before the receiver.
    """
    body = f" {label} " if label else ""
    room = width - lead - cell_len(body) - 1  # what is left for the shaft and the head
    tail = "─" * lead
    if lost:
        shaft = "─" * max(least, room - gap)
        if rightward:
            text = tail + body + shaft + "✗"
            return text + " " * max(0, width - cell_len(text))
        text = "✗" + shaft + body + tail
        return " " * max(0, width - cell_len(text)) + text
    shaft = "─" * max(least, room)
    return tail + body + shaft + "▶" if rightward else "◀" + shaft + body + tail


def ladder_lines(
    records: Iterable[SegmentRecord],
    isns: Mapping[Role, int | None],
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
            f"{arrow(label, width, record.sender is Role.CLIENT, record.lost)} "
            f"{record.server_state.value}"
        )
        if record.lost:
            line += "   lost"
        lines.append(line)
    return lines
