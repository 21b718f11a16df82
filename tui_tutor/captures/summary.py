"""One line about each connection of a capture, to list and filter them before opening one.

``summaries(path)`` reads the file once and says, for every connection, who
talked to whom, when it started, how many segments it has, whether its
three-way handshake completed and how it ended, numbered as ``read_connection``
numbers them. It looks at flags only (no states are inferred), so it costs
little more than reading the file: a list of a big capture comes at once.
``select`` filters such a list by address or port and by what happened.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .decode import ACK, FIN, RST, SYN, endpoints, label
from .errors import CaptureError, no_connections
from .pcapfile import tcp_segments
from .split import LINGER, Flow, client_side, flows
from .stream import Reading


class Ending(enum.Enum):
    """How a connection ended in the capture; the value is the English label."""

    CLOSED = "closed"  # each side sent a FIN and it was acknowledged
    CLOSING = "closing"  # a FIN passed, but the close did not finish in the capture
    RESET = "reset"  # a RST ended it
    REFUSED = "refused"  # its SYN was answered with a RST: nothing listened
    NO_ANSWER = "no answer"  # its SYN was never answered
    OPEN = "open"  # still open when the capture ends

    @property
    def zh(self) -> str:
        return _ZH[self]


_ZH = {
    Ending.CLOSED: "已关闭",
    Ending.CLOSING: "正在关闭",
    Ending.RESET: "被重置",
    Ending.REFUSED: "被拒绝",
    Ending.NO_ANSWER: "无应答",
    Ending.OPEN: "仍打开",
}


@dataclass(frozen=True, slots=True)
class Summary:
    """What a list of connections shows about one of them."""

    number: int  # as ``read_connection`` numbers it
    client: str  # "ip:port", the side that sent the first SYN (guessed when partial)
    server: str
    client_address: str
    client_port: int
    server_address: str
    server_port: int
    start: float  # capture time of its first segment, seconds since the epoch
    segments: int
    partial: bool  # it started before the capture
    handshake: bool  # SYN, SYN,ACK and the ACK of the SYN,ACK all seen
    reset: bool  # a RST passed
    ending: Ending

    @property
    def incomplete_handshake(self) -> bool:
        """A connection that began in the capture but never finished its handshake."""
        return not self.partial and not self.handshake

    def mentions(self, text: str) -> bool:
        """Does ``text`` appear in either end's address or port (``10.0.0.1``, ``:80``, ``80``)?"""
        text = text.strip()
        return not text or any(text in end for end in (self.client, self.server))


def summaries(
    path: str | Path,
    label_: str | None = None,
    reading: Reading | None = None,
    linger: float = LINGER,
) -> Iterator[Summary]:
    """A ``Summary`` of every connection of the capture, in ``iter_connections`` order."""
    name = str(path) if label_ is None else label_
    for number, flow in enumerate(flows(tcp_segments(path, name, reading), linger), 1):
        yield summarize(flow, number)


def read_summaries(path: str | Path, label_: str | None = None) -> list[Summary]:
    """Every connection's summary; ``CaptureError`` when the capture holds none."""
    listed = list(summaries(path, label_))
    if not listed:
        raise CaptureError(no_connections(str(path) if label_ is None else label_))
    return listed


def summarize(flow: Flow, number: int) -> Summary:
    """The summary of one connection of a capture, from its raw segments."""
    segments = flow.segments
    client_d, partial = client_side(flow.key, segments)
    (addr_a, port_a), (addr_b, port_b) = endpoints(flow.key)
    if client_d:
        (addr_a, port_a), (addr_b, port_b) = (addr_b, port_b), (addr_a, port_a)
    syn = syn_ack = handshake = reset = refused = False
    fins = [False, False]
    answered = False
    for _, d, flags, *_ in segments:
        side = d ^ client_d  # 0: the client
        if side == 1:
            answered = True
        if flags & RST:
            reset = True
            refused = refused or (syn and not syn_ack and side == 1)
        elif flags & SYN:
            if side == 0 and not flags & ACK:
                syn = True
            elif side == 1 and flags & ACK:
                syn_ack = True
        elif syn_ack and side == 0 and flags & ACK:
            handshake = True
        if flags & FIN:
            fins[side] = True
    if partial:
        handshake = syn_ack and handshake
    if refused:
        ending = Ending.REFUSED
    elif reset:
        ending = Ending.RESET
    elif not partial and not answered:
        ending = Ending.NO_ANSWER
    elif all(flow.fin_acked):
        ending = Ending.CLOSED
    elif any(fins):
        ending = Ending.CLOSING
    else:
        ending = Ending.OPEN
    return Summary(
        number=number,
        client=label(addr_a, port_a),
        server=label(addr_b, port_b),
        client_address=addr_a,
        client_port=port_a,
        server_address=addr_b,
        server_port=port_b,
        start=segments[0][0],
        segments=len(segments),
        partial=partial,
        handshake=handshake,
        reset=reset,
        ending=ending,
    )


def select(
    items: Iterable[Summary],
    text: str = "",
    incomplete_handshakes: bool = False,
    resets: bool = False,
) -> list[Summary]:
    """The summaries that mention ``text`` (an address or port) and, when asked, only
    those whose handshake did not complete or that a RST ended or refused."""
    return [
        item
        for item in items
        if item.mentions(text)
        and (not incomplete_handshakes or item.incomplete_handshake)
        and (not resets or item.reset)
    ]
