"""What a live run saw, as plain records: the player writes them, ``ktrace`` reads them.

Everything is stamped with the wall clock (``time.time()``), the clock the kernel
stamps captured frames with, so calls, states and segments sort into one story.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import Role, State
from .capture import Frame

Decoded = tuple[bytes, int, int, int, int, int]  # captures.decode: key, flags, seq, ack, win, len
# something to tell the learner: a key of ``words.NOTES`` and the detail it is said with
Note = tuple[str, str]


@dataclass(frozen=True)
class Called:
    """The application made a call (``connect``, ``send 5``, ``close`` ...)."""

    time: float
    step: int
    peer: Role
    call: str


@dataclass(frozen=True)
class States:
    """Both peers' states as the kernel reported them.

    ``after``: read right after the wire delivered segment number ``after`` (the
    order it reached the wire), or None (after a call, or at the end of a step).
    """

    time: float
    step: int
    client: State
    server: State
    after: int | None = None
    at_end: bool = False

    def of(self, role: Role) -> State:
        return self.client if role is Role.CLIENT else self.server


@dataclass(frozen=True)
class Passed:
    """The wire delivered (or dropped, for a ``lose`` step) the segment ``number``."""

    time: float
    step: int
    number: int
    segment: Decoded
    delivered: bool


@dataclass
class StepPlayed:
    """How one scenario step went on the real sockets."""

    index: int
    start: float
    end: float = 0.0
    played: bool = True  # False: it could not be reproduced here (``notes`` say why)
    held: bool = False  # its segments were held while the next step ran
    notes: list[Note] = field(default_factory=list)
    seconds: float | None = None  # a wait: how long it really waited


Observation = Called | States | Passed


@dataclass
class KernelRun:
    """A scenario played on the kernel: the story, the captured frames, and the limits."""

    host: str
    ports: dict[Role, int]
    mode: str  # "wire" (segments, states after each), "capture" (segments), "states"
    limits: list[Note] = field(default_factory=list)  # what could not be done here, and why
    steps: list[StepPlayed] = field(default_factory=list)
    log: list[Observation] = field(default_factory=list)
    frames: list[Frame] | None = None  # None: no capture
    start: float = 0.0
    end: float = 0.0

    def step_end_states(self) -> dict[int, States]:
        """The states read at the end of each step (-1: before the first)."""
        return {s.step: s for s in self.log if isinstance(s, States) and s.at_end}
