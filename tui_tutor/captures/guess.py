"""Why a real peer most likely sent a segment, and the application call it suggests.

A capture (or a live run on the kernel) shows segments, not the reasons for
them; the app explains a segment by its ``Why``. This guesses it from the
segment and the ones before it, for traces built from real traffic.
"""

from __future__ import annotations

from ..engine import SegmentRecord, Why


def why_sent(record: SegmentRecord, earlier: list[SegmentRecord]) -> Why:
    flags = set(record.flags)
    if record.retransmission:
        return Why.RETRANSMISSION
    if "RST" in flags:
        answered_syn = (
            earlier and "SYN" in earlier[-1].flags and earlier[-1].sender is not (record.sender)
        )
        return Why.RST_REFUSED if answered_syn and record.seq == 0 else Why.RST_ABORT
    if "SYN" in flags:
        return Why.SYN_ACK if "ACK" in flags else Why.SYN
    if "FIN" in flags:
        return Why.FIN
    if record.length:
        return Why.DATA
    theirs = [r for r in earlier if r.sender is not record.sender]
    if theirs and "SYN" in theirs[-1].flags:
        return Why.HANDSHAKE_ACK
    if theirs and "FIN" in theirs[-1].flags:
        return Why.ACK_OF_FIN
    return Why.ACK


def application_call(record: SegmentRecord) -> str:
    """The application call a segment suggests, or "" for what TCP sends on its own."""
    flags = set(record.flags)
    if record.retransmission or ("SYN" in flags and "ACK" in flags):
        return ""
    if "SYN" in flags:
        return "connect"
    if "RST" in flags:
        return "abort" if "ACK" in flags and record.seq != 0 else ""
    if "FIN" in flags:
        return "close"
    return f"send {record.length}" if record.length else ""
