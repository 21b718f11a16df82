"""What the panes and the ladder draw: plain data, no Textual here.

The view helpers (``view.py``) read it from the run's trace in the learner's
language; the widgets (``widgets/state_pane.py``, ``widgets/ladder.py``) fit it to
the room they have and draw it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import Role


@dataclass(frozen=True)
class PathStep:
    """A state the peer was in, and the label of the edge that led into it ("" at the start)."""

    state: str
    label: str = ""


@dataclass(frozen=True)
class ExitLine:
    """One transition out of the current state."""

    label: str  # "rcv SYN / snd SYN,ACK"
    target: str  # "SYN_RECEIVED", or the "same" word for a loop
    short: str = ""  # "rcv SYN/SYN,ACK", "rcv RST (passive)": for a pane short of room
    shorter: str = ""  # "rcv RST": the condition left to the next state to tell


@dataclass(frozen=True)
class PaneData:
    """Everything the pane shows, read from the trace by the screen, in the learner's language."""

    title: str  # "Client"
    isn: str  # "ISN x=1000", shown on the bottom border
    variables: tuple[str, ...]  # ("SND.NXT x+1", "RCV.NXT y+1")
    path: tuple[PathStep, ...]  # states before the current one, oldest first
    current: str  # "ESTABLISHED"
    current_label: str  # the edge into the current state ("" at the start)
    current_zh: str  # "已建立连接" in Chinese, "" in English
    exits: tuple[ExitLine, ...]
    exits_title: str  # "what can happen next"
    fresh: int = 0  # how many of the last edges (into current included) happened just now


@dataclass(frozen=True)
class LadderRow:
    """One row: a segment, a timer event, or the segment the learner is predicting."""

    kind: str  # "segment", "timer", "pending"
    time: float | None
    number: int | None = None
    sender: Role | None = None
    flags: tuple[str, ...] = ()
    seq: str = ""
    ack: str | None = None
    length: int = 0
    label: str = ""  # timer rows: "Client: RTO timer fired"; a pending row: "?"
    lost: bool = False
    note: str = ""  # a retransmission's: "↻ of #1, RTO 1 s"
    fresh: bool = False  # appeared at the current moment
