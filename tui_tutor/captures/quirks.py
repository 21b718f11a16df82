"""What real peers do that the tutor's engine never does, in the learner's words.

A capture is graded against the engine's rules only where the engine has a rule.
Keep-alives, zero-window probes, window updates, fast retransmissions, data on a
SYN and the like are real TCP the engine does not model; a segment missing from
the capture is not TCP at all but the capture's fault. Each such segment carries
a ``Quirk`` so the app can say so plainly instead of grading it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class QuirkKind(enum.Enum):
    """The kinds of quirk; the value is the short label the ladder prints."""

    KEEP_ALIVE = "keep-alive"
    ZERO_WINDOW_PROBE = "zero-window probe"
    WINDOW_UPDATE = "window update"
    DUPLICATE_ACK = "duplicate ACK"
    FAST_RETRANSMISSION = "fast retransmission"
    SYN_WITH_DATA = "data on SYN"
    RST_WITH_DATA = "data on RST"
    DATA_AFTER_FIN = "data after FIN"
    AFTER_RESET = "after reset"
    NOT_CAPTURED = "segment missing"
    ACKS_UNSEEN = "acks unseen data"
    UNSEEN_SYN = "SYN missing"
    CUT = "header cut"
    FRAGMENT = "IP fragment"
    UNEXPECTED = "unexpected"

    def __str__(self) -> str:
        return self.value


_TEXT = {
    QuirkKind.KEEP_ALIVE: (
        "a keep-alive: it sends an old sequence number again only to check that the "
        "other side is still there; the engine sends no keep-alives"
    ),
    QuirkKind.ZERO_WINDOW_PROBE: (
        "a zero-window probe: the receiver said its buffer is full, so the sender pushes "
        "one byte to learn when there is room; the engine has no flow control"
    ),
    QuirkKind.WINDOW_UPDATE: (
        "a window update: it acknowledges nothing new, it only says the receive window "
        "changed; the engine has no flow control"
    ),
    QuirkKind.DUPLICATE_ACK: (
        "a duplicate ACK: the same acknowledgement again though nothing arrived in between"
    ),
    QuirkKind.FAST_RETRANSMISSION: (
        "a fast retransmission: sent again after duplicate ACKs, before any timer ran "
        "out; the engine only resends when its retransmission timer runs out"
    ),
    QuirkKind.SYN_WITH_DATA: ("the SYN carries data (TCP Fast Open); the engine's SYNs carry none"),
    QuirkKind.RST_WITH_DATA: "the RST carries data, which the engine's RSTs never do",
    QuirkKind.DATA_AFTER_FIN: ("new data after this side's own FIN, which RFC 9293 does not allow"),
    QuirkKind.AFTER_RESET: (
        "sent after the connection was reset: the other side has already forgotten it"
    ),
    QuirkKind.NOT_CAPTURED: (
        "sequence numbers before this segment were never seen: the capture missed a segment"
    ),
    QuirkKind.ACKS_UNSEEN: (
        "it acknowledges data that is not in the capture: the capture missed a segment"
    ),
    QuirkKind.UNSEEN_SYN: ("it answers a SYN that is not in the capture"),
    QuirkKind.CUT: "the capture cut this segment's TCP header short",
    QuirkKind.FRAGMENT: "the first fragment of an IP packet: the rest is in other fragments",
}


@dataclass(frozen=True, slots=True)
class Quirk:
    kind: QuirkKind
    text: str

    def __str__(self) -> str:
        return self.text


_USUAL = {kind: Quirk(kind, text) for kind, text in _TEXT.items()}


def quirk(kind: QuirkKind, text: str = "") -> Quirk:
    """The quirk of that kind, with its usual sentence unless ``text`` says otherwise."""
    return Quirk(kind, text) if text else _USUAL[kind]
