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

from ..engine import Flag, sequence_space
from .decode import ACK, FIN, PSH, RST, SYN
from .quirks import Quirk, QuirkKind, quirk

Segment = tuple[float, int, int, int, int, int, int]

_MASK = 0xFFFFFFFF
_HALF = 0x80000000
_CONTROL = SYN | FIN | RST
_ENGINE_BITS = ((SYN, Flag.SYN), (FIN, Flag.FIN), (RST, Flag.RST), (PSH, Flag.PSH), (ACK, Flag.ACK))


def engine_flags(bits: int) -> Flag:
    """The TCP header's flag byte as the engine's ``Flag`` (URG, ECE, CWR left out)."""
    flags = Flag(0)
    for bit, flag in _ENGINE_BITS:
        if bits & bit:
            flags |= flag
    return flags


# the numbers a segment takes beyond its data, by its flag byte: the engine's rule (one for
# a SYN, one for a FIN), looked up rather than called, since it runs once per segment
CONTROL_SPACE = tuple(sequence_space(engine_flags(bits), 0) for bits in range(256))


def bases(segments: list[Segment], partial: bool) -> list[int | None]:
    """The number each side's seq is counted from: ``[client, server]`` (see module doc)."""
    base: list[int | None] = [None, None]
    if not partial:
        # a side's SYN, if it sent one, is the first thing it sent
        seen = [False, False]
        for _, r, flags, seq, *_ in segments:
            if not seen[r]:
                seen[r] = True
                if flags & SYN:
                    base[r] = seq
                if seen[1 - r]:
                    break
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


def retransmissions(segments: list[Segment]) -> list[bool]:
    """Which segments are retransmissions (see the module doc)."""
    # ``(a - b) & _MASK`` in (0, _HALF) means a is after b in sequence space (RFC 1982);
    # written out rather than called, since this runs once per segment
    found: list[bool] = []
    append = found.append
    nxt: list[int | None] = [None, None]  # one past the highest number each side sent
    sent = [False, False]  # has the side sent anything yet?
    for _, r, flags, seq, ack, _, length in segments:
        if flags & ACK and nxt[1 - r] is None:
            nxt[1 - r] = ack  # the other side has sent everything up to here
        seg_len = length + CONTROL_SPACE[flags]
        end = (seq + seg_len) & _MASK
        n = nxt[r]
        if n is None:
            append(False)
            nxt[r] = end
        else:
            ahead = (n - seq) & _MASK  # how far this segment starts before the highest sent
            append(
                seg_len > 0
                and 0 < ahead < _HALF
                and not (ahead == 1 and _keep_alive(sent[r], flags, length))
            )
            if 0 < (end - n) & _MASK < _HALF:
                nxt[r] = end
        sent[r] = True
    return found


def _keep_alive(sent: bool, flags: int, length: int) -> bool:
    """Is a segment that starts one before the highest number its side sent a keep-alive?
    It sends that old number again (with no data or one byte) to see if the other side
    is still there."""
    return sent and not flags & _CONTROL and length <= 1


def analyse(segments: list[Segment]) -> tuple[list[bool], dict[int, list[Quirk]]]:
    """Which segments are retransmissions, and the sequence quirks by segment index."""
    retransmission = retransmissions(segments)
    return retransmission, quirks(segments, retransmission)


def quirks(segments: list[Segment], retransmission: list[bool]) -> dict[int, list[Quirk]]:
    """What the sequence numbers show that the engine never does, by segment index."""
    found_at: dict[int, list[Quirk]] = {}
    nxt: list[int | None] = [None, None]  # one past the highest number each side sent
    sent = [False, False]  # has the side sent anything yet?
    fin: list[int | None] = [None, None]  # the seq of each side's FIN
    last_ack: list[int | None] = [None, None]
    window: list[int | None] = [None, None]
    duplicates = [0, 0]  # pure ACKs in a row repeating the same ack
    prev_r = prev_flags = prev_ack = prev_win = -1  # the previous segment's
    for i, (_, r, flags, seq, ack, win, length) in enumerate(segments):
        o = 1 - r
        found: list[QuirkKind] = []
        control = flags & _CONTROL
        seg_len = length + CONTROL_SPACE[control]
        if flags & ACK and nxt[o] is None:
            nxt[o] = ack
        n = nxt[r]
        keep_alive = False
        if n is not None:
            ahead = (n - seq) & _MASK
            keep_alive = ahead == 1 and _keep_alive(sent[r], flags, length)
            if keep_alive:
                found.append(QuirkKind.KEEP_ALIVE)
            elif retransmission[i]:
                if duplicates[o] >= 2 and last_ack[o] == seq:
                    found.append(QuirkKind.FAST_RETRANSMISSION)
            elif seg_len and length == 1 and ahead == 0 and window[o] == 0 and not control:
                found.append(QuirkKind.ZERO_WINDOW_PROBE)
            if ahead >= _HALF and not flags & RST:
                found.append(QuirkKind.NOT_CAPTURED)
        if flags & ACK and sent[o]:
            m = nxt[o]
            if m is not None and 0 < (ack - m) & _MASK < _HALF:
                found.append(QuirkKind.ACKS_UNSEEN)
        if length:
            if control & SYN:
                found.append(QuirkKind.SYN_WITH_DATA)
            if control & RST:
                found.append(QuirkKind.RST_WITH_DATA)
            f = fin[r]
            if f is not None and 0 < (seq + length - f) & _MASK < _HALF:
                found.append(QuirkKind.DATA_AFTER_FIN)
        pure_ack = flags & ACK and not control and length == 0
        # the previous segment a plain one too: an ACK right after a SYN,ACK or FIN answers
        # something that may have arrived in between even if the capture shows nothing
        if (
            pure_ack
            and not keep_alive
            and prev_r == r
            and prev_flags & (ACK | _CONTROL) == ACK
            and prev_ack == ack
        ):
            found.append(QuirkKind.WINDOW_UPDATE if prev_win != win else QuirkKind.DUPLICATE_ACK)
        # bookkeeping for the segments to come
        if pure_ack and last_ack[r] == ack and window[r] == win:
            duplicates[r] += 1
        elif flags & ACK:
            duplicates[r] = 0
        if control & FIN and fin[r] is None:
            fin[r] = (seq + seg_len - CONTROL_SPACE[FIN]) & _MASK  # the FIN's own number
        end = (seq + seg_len) & _MASK
        if n is None or 0 < (end - n) & _MASK < _HALF:
            nxt[r] = end
        sent[r] = True
        if flags & ACK:
            last_ack[r] = ack
        window[r] = win
        prev_r, prev_flags, prev_ack, prev_win = r, flags, ack, win
        if found:
            found_at[i] = [quirk(kind) for kind in found]
    return found_at
