"""Scenarios: who listens, connects, sends, closes, loses what; and running them.

A scenario is plain data (the TOML loader in ``tui_tutor.scenarios`` builds it).
``run`` plays its steps in order on a fresh ``Link`` and returns the trace.
After each step everything in flight is delivered, with what it provokes,
unless the step says ``hold``: then its segments stay on the wire while the
next step runs. Timers fire only while a ``Wait`` moves the clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .link import Link
from .peer import Peer, PeerConfig
from .segment import Flag, Segment
from .seq import MODULUS, SeqNum
from .settings import INITIAL_RTO, Sysctl
from .states import Event, ProtocolError
from .trace import Role, Trace


@dataclass(frozen=True)
class PeerSetup:
    isn: int | None = None  # None: a random ISN each run
    listening: bool = False
    delayed_ack: bool = False
    reads: bool = True  # False: data waits unread until a Read step
    keepalive: bool = False  # SO_KEEPALIVE
    backlog: int = 128  # listen(backlog)


@dataclass(frozen=True)
class Listen:
    peer: Role = Role.SERVER
    hold: bool = False


@dataclass(frozen=True)
class Connect:
    peer: Role = Role.CLIENT
    hold: bool = False


@dataclass(frozen=True)
class Send:
    peer: Role
    bytes: int
    hold: bool = False


@dataclass(frozen=True)
class Read:
    """The application reads everything that has arrived."""

    peer: Role
    hold: bool = False


@dataclass(frozen=True)
class Close:
    """How the application closes: ``close()``, ``shutdown(SHUT_WR)`` (only our sending
    ends; a half-close), or ``linger0``: close() with SO_LINGER 0, which is an abort (RST)."""

    peer: Role
    how: str = "close"  # "close" | "shutdown" | "linger0"
    hold: bool = False


@dataclass(frozen=True)
class Abort:
    peer: Role
    hold: bool = False


@dataclass(frozen=True)
class Lose:
    """The next ``count`` segments this peer sends are lost on the wire."""

    peer: Role
    count: int = 1
    hold: bool = False


@dataclass(frozen=True)
class Crowd:
    """Other clients, not drawn, fill the listener's queues: ``accept_queue`` connections
    wait for accept(), ``syn_queue`` half-open ones (a SYN flood) wait for their ACK."""

    peer: Role = Role.SERVER
    accept_queue: int = 0
    syn_queue: int = 0
    hold: bool = False


@dataclass(frozen=True)
class Accept:
    """The listener's application calls accept(): the oldest waiting connection leaves the
    accept queue (other clients' connections first)."""

    peer: Role = Role.SERVER
    hold: bool = False


@dataclass(frozen=True)
class Crash:
    """The peer's host crashes and restarts: its connection is forgotten without a word."""

    peer: Role
    hold: bool = False


@dataclass(frozen=True)
class Inject:
    """A segment neither application sent arrives at ``to`` as if from the other peer.

    ``seq`` counts from the receiver's RCV.NXT (0: exactly the next number it expects; from
    the other peer's ISN before the receiver has one), ``ack`` from its SND.NXT.
    """

    to: Role
    flags: Flag
    seq: int = 0
    ack: int = 0
    bytes: int = 0
    hold: bool = False


@dataclass(frozen=True)
class Wait:
    seconds: float
    hold: bool = False


Step = (
    Listen | Connect | Send | Read | Close | Abort | Lose | Inject | Crash | Crowd | Accept | Wait
)

_EVENTS: dict[type, Event] = {
    Listen: Event.LISTEN,
    Connect: Event.CONNECT,
    Send: Event.SEND,
    Read: Event.READ,
    Close: Event.CLOSE,
    Abort: Event.ABORT,
}


def describe(step: Step) -> str:
    """``send by client``: how error messages name a step."""
    name = type(step).__name__.lower()
    if isinstance(step, Inject):
        return f"{name} to {step.to.value}"
    peer = getattr(step, "peer", None)
    return f"{name} by {peer.value}" if peer is not None else name


@dataclass(frozen=True)
class Scenario:
    client: PeerSetup = field(default_factory=PeerSetup)
    server: PeerSetup = field(default_factory=lambda: PeerSetup(listening=True))
    steps: tuple[Step, ...] = ()
    msl: float = 30.0  # maximum segment lifetime; TIME_WAIT lasts 2*MSL
    mss: int = 1460
    rto: float = INITIAL_RTO  # the retransmission timeout once the connection is open
    sysctl: Sysctl = field(default_factory=Sysctl)


class StepError(Exception):
    """A step the current state does not allow, e.g. ``send`` in CLOSED."""

    def __init__(self, index: int, step: Step, message: str) -> None:
        self.index, self.step = index, step
        super().__init__(f"steps[{index}] ({describe(step)}): {message}")


def choose_isns(scenario: Scenario, rng: random.Random | None = None) -> dict[Role, int]:
    """The ISNs a run will use: the scenario's, or random ones (RFC 9293 3.4.1)."""
    rng = rng or random.Random()
    isns = {}
    for role, setup in ((Role.CLIENT, scenario.client), (Role.SERVER, scenario.server)):
        isns[role] = setup.isn if setup.isn is not None else rng.randrange(MODULUS)
    return isns


def new_link(scenario: Scenario, isns: dict[Role, int]) -> Link:
    setups = {Role.CLIENT: scenario.client, Role.SERVER: scenario.server}
    peers = {
        role: Peer(
            role,
            PeerConfig(
                isn=isns[role],
                listening=setup.listening,
                delayed_ack=setup.delayed_ack,
                reads=setup.reads,
                keepalive=setup.keepalive,
                backlog=setup.backlog,
                msl=scenario.msl,
                mss=scenario.mss,
                rto=scenario.rto,
                sysctl=scenario.sysctl,
            ),
        )
        for role, setup in setups.items()
    }
    link = Link(peers)
    for role, setup in setups.items():
        if setup.listening:
            link.call(role, Event.LISTEN)  # step -1: the setup before the first step
    return link


def run(
    scenario: Scenario,
    rng: random.Random | None = None,
    isns: dict[Role, int] | None = None,
) -> Trace:
    """Play every step; raise StepError at the first impossible one."""
    link = new_link(scenario, isns or choose_isns(scenario, rng))
    for index, step in enumerate(scenario.steps):
        run_step(link, index, step)
    link.deliver_all()
    link.trace.step_count = len(scenario.steps)
    return link.trace


def forge(receiver: Peer, other: Peer, step: Inject) -> Segment:
    """The injected segment, its numbers counted from what the receiver expects."""
    base = receiver.rcv_nxt if receiver.irs is not None else SeqNum(other.config.isn)
    ack = receiver.snd_nxt + step.ack if Flag.ACK in step.flags else None
    return Segment(step.flags, base + step.seq, ack, step.bytes)


def run_step(link: Link, index: int, step: Step) -> None:
    link.step = index
    if isinstance(step, Wait):
        link.deliver_all()
        link.advance(step.seconds)
    elif isinstance(step, Lose):
        link.lose_next(step.peer, step.count)
        return  # not an action on the wire: whatever is held stays held
    elif isinstance(step, Inject):
        link.inject(step.to, forge(link.peers[step.to], link.peers[step.to.other], step))
    elif isinstance(step, Crash):
        link.crash(step.peer)
    elif isinstance(step, Crowd | Accept):
        if not link.peers[step.peer].config.listening:
            raise StepError(index, step, f"the {step.peer.value} does not listen")
        if isinstance(step, Crowd):
            link.crowd(step.peer, step.accept_queue, step.syn_queue)
        else:
            link.accept(step.peer)
    else:
        nbytes = step.bytes if isinstance(step, Send) else 0
        how = step.how if isinstance(step, Close) else ""
        event = Event.ABORT if how == "linger0" else _EVENTS[type(step)]
        try:
            link.call(step.peer, event, nbytes, shutdown=how == "shutdown")
        except ProtocolError as err:
            raise StepError(index, step, f"not possible in {err.state.value}") from None
    if not step.hold:
        link.deliver_all()
