"""What the sequence numbers of a connection say: relative numbering, retransmissions, quirks.

Relative numbers are counted as Wireshark counts them (``packet-tcp.c``): from a
side's ISN when its SYN is in the capture; otherwise from one before the first
seq that side sends, or one before the first ack the other side sends, whichever
comes first, so a connection seen mid-stream starts at 1 on both sides. One
exception, where Wireshark would show 1: in a connection whose SYN is in the
capture, a side that only ever sends RSTs (nothing listened) has no ISN, and its
RST's seq (0, as RFC 9293 sets it) is shown as it is, as tcpdump and the engine do.

A segment is a *retransmission* when part of its sequence range (data, SYN or
FIN) was already sent. Keep-alives and zero-window probes reuse old or spare
numbers on purpose and are marked as the quirks they are instead; so are the
other things the sequence numbers show that the engine never does (see
``quirks.py``).

Segments here are ``(time, role, flags, seq, ack, window, length)`` tuples, role
0 for the client and 1 for the server.
"""

from __future__ import annotations

from .decode import ACK, FIN, RST, SYN
from .quirks import Quirk, QuirkKind, quirk

Segment = tuple[float, int, int, int, int, int, int]

_MASK = 0xFFFFFFFF
_HALF = 0x80000000


def _after(a: int, b: int) -> bool:
    """a > b in sequence space (RFC 1982)."""
    return 0 < ((a - b) & _MASK) < _HALF


def bases(segments: list[Segment], partial: bool) -> list[int | None]:
    """The number each side's seq is counted from: ``[client, server]`` (see module doc)."""
    base: list[int | None] = [None, None]
    if not partial:
        for _, r, flags, seq, *_ in segments:
            if flags & SYN and base[r] is None:
                base[r] = seq
    for _, r, flags, seq, ack, _, _ in segments:
        # in a full connection a side without a SYN has no ISN: a RST refusing the SYN
        # carries seq 0 (or the ack it answers), to be shown as it is, as tcpdump does
        if base[r] is None and (partial or not flags & RST):
            base[r] = seq if flags & SYN else (seq - 1) & _MASK
        if flags & ACK and base[1 - r] is None:
            base[1 - r] = (ack - 1) & _MASK
        if base[0] is not None and base[1] is not None:
            break
    return base


def analyse(segments: list[Segment]) -> tuple[list[bool], dict[int, list[Quirk]]]:
    """Which segments are retransmissions, and the sequence quirks by segment index."""
    retransmission = [False] * len(segments)
    quirks: dict[int, list[Quirk]] = {}
    nxt: list[int | None] = [None, None]  # one past the highest number each side sent
    sent = [False, False]  # has the side sent anything yet?
    fin: list[int | None] = [None, None]  # the seq of each side's FIN
    last_ack: list[int | None] = [None, None]
    window: list[int | None] = [None, None]
    duplicates = [0, 0]  # pure ACKs in a row repeating the same ack
    previous: Segment | None = None
    for i, seg in enumerate(segments):
        _, r, flags, seq, ack, win, length = seg
        o = 1 - r
        found: list[QuirkKind] = []
        seg_len = length + (1 if flags & SYN else 0) + (1 if flags & FIN else 0)
        if flags & ACK and nxt[o] is None:
            nxt[o] = ack  # the other side has sent everything up to here
        n = nxt[r]
        control = flags & (SYN | FIN | RST)
        pure_ack = flags & ACK and not control and length == 0
        keep_alive = (
            sent[r] and n is not None and not control and length <= 1 and (n - seq) & _MASK == 1
        )
        if keep_alive:
            found.append(QuirkKind.KEEP_ALIVE)
        elif n is not None and seg_len:
            if _after(n, seq):
                retransmission[i] = True
                if duplicates[o] >= 2 and last_ack[o] == seq:
                    found.append(QuirkKind.FAST_RETRANSMISSION)
            elif length == 1 and seq == n and window[o] == 0 and not control:
                found.append(QuirkKind.ZERO_WINDOW_PROBE)
        if n is not None and not flags & RST and _after(seq, n):
            found.append(QuirkKind.NOT_CAPTURED)
        if flags & ACK and sent[o] and nxt[o] is not None and _after(ack, nxt[o]):
            found.append(QuirkKind.ACKS_UNSEEN)
        if length and flags & SYN:
            found.append(QuirkKind.SYN_WITH_DATA)
        if length and flags & RST:
            found.append(QuirkKind.RST_WITH_DATA)
        if length and fin[r] is not None and _after(seq + length, fin[r]):
            found.append(QuirkKind.DATA_AFTER_FIN)
        if (
            pure_ack
            and not keep_alive
            and previous is not None
            and previous[1] == r
            and previous[2] & ACK
            and previous[4] == ack
        ):
            found.append(QuirkKind.WINDOW_UPDATE if previous[5] != win else QuirkKind.DUPLICATE_ACK)
        # bookkeeping for the segments to come
        if pure_ack and last_ack[r] == ack and window[r] == win:
            duplicates[r] += 1
        elif flags & ACK:
            duplicates[r] = 0
        if flags & FIN and fin[r] is None:
            fin[r] = (seq + length + (1 if flags & SYN else 0)) & _MASK
        end = (seq + seg_len) & _MASK
        if n is None or _after(end, n):
            nxt[r] = end
        sent[r] = True
        if flags & ACK:
            last_ack[r] = ack
        window[r] = win
        previous = seg
        if found:
            quirks[i] = [quirk(kind) for kind in found]
    return retransmission, quirks
