"""A simulated link between two peers, on a virtual clock, writing the trace.

The link has no delay: a segment arrives the moment ``deliver_all`` is called,
and the clock moves only in ``advance``, where timers fire in deadline order.
Segments can be marked to be lost as they are sent, and a segment can be held
in flight while the next user call runs (that is how two SYNs or two FINs
cross on the wire).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import dataclass, field

from .peer import Action, ChangeState, Drop, Peer, StartTimer, StopTimer, Transmit
from .segment import Segment
from .states import Event
from .trace import (
    PeerVars,
    Role,
    SegmentDelivered,
    SegmentSent,
    StateChanged,
    TimerFired,
    TimerKind,
    TimerStarted,
    TimerStopped,
    Trace,
    UserCalled,
    Why,
)

MAX_DELIVERIES = 10_000  # per call to deliver_all: a safety net against an ACK storm


class LivelockError(RuntimeError):
    """The peers kept answering each other without end."""


@dataclass
class _InFlight:
    index: int
    sender: Role
    segment: Segment


@dataclass
class Link:
    """Two peers, the wire between them, their timers and the trace of it all."""

    peers: dict[Role, Peer]
    trace: Trace = field(default_factory=Trace)
    now: float = 0.0
    step: int = -1
    in_flight: deque[_InFlight] = field(default_factory=deque)
    losses: dict[Role, int] = field(default_factory=lambda: {Role.CLIENT: 0, Role.SERVER: 0})
    # timers: (deadline, order, peer, kind); a dict says which entry is current
    _heap: list[tuple[float, int, Role, TimerKind]] = field(default_factory=list)
    _deadlines: dict[tuple[Role, TimerKind], tuple[float, int]] = field(default_factory=dict)
    _order: itertools.count[int] = field(default_factory=itertools.count)
    _segments: itertools.count[int] = field(default_factory=itertools.count)
    _vars: dict[Role, tuple[int | None, ...]] = field(default_factory=dict)

    # ------------------------------------------------------------ user calls

    def call(self, role: Role, event: Event, nbytes: int = 0, shutdown: bool = False) -> None:
        """Run a user call on one peer. ``ProtocolError`` passes through untouched."""
        peer = self.peers[role]
        actions = peer.call(event, self.now, nbytes, shutdown)
        label = f"{event.value} {nbytes}" if event is Event.SEND else event.value
        if shutdown:
            label = "shutdown"
        self.trace.events.append(UserCalled(self.now, self.step, role, label))
        self._apply(role, actions, cause=None)

    def lose_next(self, role: Role, count: int) -> None:
        self.losses[role] += count

    def crash(self, role: Role) -> None:
        """The peer's host restarts: it forgets its connection and sends nothing. A peer
        that listened from the start listens again once it is back."""
        old = self.peers[role]
        self.trace.events.append(UserCalled(self.now, self.step, role, "crash"))
        self._apply(role, old.crash(self.now), cause=None)
        self.peers[role] = Peer(role, old.config, isn_clock_zero=old.isn_clock_zero)
        self._note_vars(role)
        if old.config.listening:
            self.call(role, Event.LISTEN)

    def crowd(self, role: Role, accept_queue: int, syn_queue: int) -> None:
        """Other clients' connections (not drawn) now fill the listener's queues."""
        label = f"crowd: {accept_queue} waiting, {syn_queue} half-open"
        self.trace.events.append(UserCalled(self.now, self.step, role, label))
        self.peers[role].crowd(accept_queue, syn_queue)

    def accept(self, role: Role) -> None:
        """The listener's application accepts the oldest waiting connection."""
        self.trace.events.append(UserCalled(self.now, self.step, role, "accept"))
        self.peers[role].accept()

    def inject(self, to: Role, segment: Segment) -> None:
        """Put a segment on the wire that ``to`` will take for one from the other peer."""
        index = next(self._segments)
        self.trace.events.append(
            SegmentSent(self.now, self.step, index, to.other, segment, Why.INJECTED)
        )
        self.in_flight.append(_InFlight(index, to.other, segment))

    # ------------------------------------------------------------ the wire

    def deliver_all(self) -> None:
        """Deliver every segment in flight, and every answer they provoke."""
        for _ in range(MAX_DELIVERIES):
            if not self.in_flight:
                return
            item = self.in_flight.popleft()
            receiver = item.sender.other
            actions = self.peers[receiver].receive(item.segment, self.now)
            drops = tuple(a.reason for a in actions if isinstance(a, Drop))
            self.trace.events.append(
                SegmentDelivered(
                    self.now,
                    self.step,
                    item.index,
                    receiver,
                    self.peers[Role.CLIENT].state,
                    self.peers[Role.SERVER].state,
                    drops=drops,
                )
            )
            self._apply(receiver, actions, cause=item.index)
        raise LivelockError(f"more than {MAX_DELIVERIES} segments without a pause")

    # ------------------------------------------------------------ the clock

    def advance(self, seconds: float) -> None:
        """Move the clock forward; timers that run out fire in deadline order."""
        end = self.now + seconds
        while self._heap and self._heap[0][0] <= end:
            deadline, order, role, kind = heapq.heappop(self._heap)
            if self._deadlines.get((role, kind)) != (deadline, order):
                continue  # restarted or stopped since
            del self._deadlines[(role, kind)]
            self.now = deadline
            self.trace.events.append(TimerFired(self.now, self.step, role, kind))
            self._apply(role, self.peers[role].timer_expired(kind, self.now), cause=None)
            self.deliver_all()
        self.now = end

    def next_deadline(self) -> float | None:
        live = [d for d, _ in self._deadlines.values()]
        return min(live) if live else None

    # ------------------------------------------------------------ actions

    def _apply(self, role: Role, actions: list[Action], cause: int | None) -> None:
        # the variables first: they belong with the cause, before any segment it makes
        self._note_vars(role)
        self._apply_actions(role, actions, cause)

    def _note_vars(self, role: Role) -> None:
        """Record the peer's SND.UNA, SND.NXT and RCV.NXT when they moved."""
        peer = self.peers[role]
        synced = peer.iss is not None
        values = (
            peer.iss.value if peer.iss is not None else None,
            peer.irs.value if peer.irs is not None else None,
            peer.snd_una.value if synced else None,
            peer.snd_nxt.value if synced else None,
            peer.rcv_nxt.value if peer.irs is not None else None,
        )
        if role not in self._vars and values == (None,) * 5:
            self._vars[role] = values  # nothing to show yet (a listening server)
        elif self._vars.get(role) != values:
            self._vars[role] = values
            self.trace.events.append(PeerVars(self.now, self.step, role, *values))

    def _apply_actions(self, role: Role, actions: list[Action], cause: int | None) -> None:
        for action in actions:
            if isinstance(action, Transmit):
                self._transmit(role, action)
            elif isinstance(action, ChangeState):
                self.trace.events.append(
                    StateChanged(
                        self.now, self.step, role, action.old, action.new, action.transition, cause
                    )
                )
            elif isinstance(action, StartTimer):
                deadline = self.now + action.duration
                order = next(self._order)
                self._deadlines[(role, action.timer)] = (deadline, order)
                heapq.heappush(self._heap, (deadline, order, role, action.timer))
                self.trace.events.append(
                    TimerStarted(self.now, self.step, role, action.timer, deadline)
                )
            elif (
                isinstance(action, StopTimer)
                and self._deadlines.pop((role, action.timer), None) is not None
            ):
                self.trace.events.append(TimerStopped(self.now, self.step, role, action.timer))

    def _transmit(self, role: Role, action: Transmit) -> None:
        index = next(self._segments)
        lost = self.losses[role] > 0
        if lost:
            self.losses[role] -= 1
        peer = self.peers[role]
        if peer.iss is not None:
            self.trace.isn.setdefault(role, peer.iss.value)
        self.trace.events.append(
            SegmentSent(
                self.now,
                self.step,
                index,
                role,
                action.segment,
                action.why,
                action.retransmission,
                lost,
            )
        )
        if not lost:
            self.in_flight.append(_InFlight(index, role, action.segment))
