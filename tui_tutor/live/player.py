"""Playing a scenario's steps with real sockets on loopback, reading the kernel's states.

How it works
------------
Each peer is a socket bound to a free port on 127.0.0.1 (or ::1); a peer the
scenario says listens, listens. The steps are played in order, each by the
function ``ACTIONS`` has for its type (connect, listen, send, close, abort, lose,
wait): a new kind of step is one function and one line there. A step the table
has no function for, or one this process lacks the rights for (``lose`` and
``hold`` need root), is said to be not reproduced, and the rest is played.

After a step's call the wire (``wire.py``) delivers what the call sent and what
that provokes, then the player reads both peers' states from the kernel
(``kstate.py``): ``TCP_INFO`` on the socket it holds, sock_diag once the kernel
has moved the connection to a socket of its own (TIME_WAIT) or the application
closed it. A listening peer's connection is accepted as soon as it is there, and
every byte that arrives is read, as the engine's applications read everything.

Time is bounded: a step's delivery ends when the wire has been quiet for a
moment (``quiet``: longer than Linux's 40 ms delayed ACK, shorter than its 200 ms
retransmission timeout; none after a ``lose``, which sends nothing) or after
``step_bound`` seconds; a wait waits what ``LiveOptions.waits`` says (the command
cuts long waits short); a call that blocks (a send before the connection is open)
runs in a thread of its own, and the next step comes once it waits in the kernel.
Every socket, rule, queue and capture is let go in ``finally``, also on Ctrl+C.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import engine
from ..engine import Role, State
from .capture import Capture, write_pcap
from .firewall import Firewall, FirewallError, queue_rule
from .kstate import SockDiag, tcp_info_state
from .nfqueue import Queue, QueueUnavailable
from .observe import Called, KernelRun, Note, Passed, States, StepPlayed
from .system import UNPRIVILEGED, abilities
from .wire import KernelWire, QueueWire

# once a connection got this far, its end going away is CLOSED, not back to LISTEN
_OPENED = frozenset(
    {
        State.ESTABLISHED,
        State.FIN_WAIT_1,
        State.FIN_WAIT_2,
        State.CLOSE_WAIT,
        State.CLOSING,
        State.LAST_ACK,
        State.TIME_WAIT,
    }
)
TIMESTAMP_OPTION = 12  # bytes Linux's timestamp option takes from every segment's MSS
BLOCK_BOUND = 1.0  # seconds a blocking call may take to be done or waiting in the kernel


@dataclass
class LiveOptions:
    host: str = "127.0.0.1"
    quiet: float = 0.1  # see the module doc; 0.01 when a peer delays its ACKs on purpose
    step_bound: float = 5.0
    waits: dict[int, float] = field(default_factory=dict)  # real seconds per wait step
    pcap: Path | None = None  # also write the capture here
    use_privileges: bool = True  # False: play as an unprivileged user would (tests)
    progress: Callable[[int, int], None] | None = None  # (step, steps) as each step starts


class NotPlayed(Exception):
    """This step cannot be reproduced here: a key of ``words.NOTES`` and its detail."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(key, detail)
        self.note: Note = (key, detail)


@dataclass
class Peer:
    role: Role
    sock: socket.socket  # bound; listens if the peer listens
    address: tuple[str, int]
    listening: bool = False
    conn: socket.socket | None = None  # the connection's socket, once there is one
    opened: bool = False  # the connection got past the handshake
    delayed_ack: bool = False  # the scenario has this peer hold back its ACKs
    acks_delayed: bool = False  # ... and the kernel was told so
    threads: list[threading.Thread] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Player:
    def __init__(self, scenario: engine.Scenario, options: LiveOptions) -> None:
        self.scenario = scenario
        self.options = options
        self.host = options.host
        self.step = -1
        self.peers: dict[Role, Peer] = {}
        self.ports: dict[Role, int] = {}
        self.diag: SockDiag | None = None
        self.run: KernelRun | None = None
        self.wire: QueueWire | KernelWire | None = None

    # ------------------------------------------------------------ the run

    def play(self) -> KernelRun:
        can = abilities(host=self.host) if self.options.use_privileges else UNPRIVILEGED
        capture: Capture | None = None
        firewall: Firewall | None = None
        queue: Queue | None = None
        self.diag = SockDiag()
        try:
            self._make_peers()
            run = KernelRun(self.host, dict(self.ports), "states")
            run.limits += [(key, "") for key in can.why_not]
            self.run = run
            if can.capture:
                capture = Capture((self.ports[Role.CLIENT], self.ports[Role.SERVER]))
                try:
                    capture.start()
                except OSError as err:
                    capture = None
                    run.limits.append(("no_capture", err.strerror or str(err)))
            if can.control:
                firewall = Firewall(self.host)
                try:
                    queue = Queue()
                    firewall.add(queue_rule(self.host, _pair(self.ports), queue.number))
                except (QueueUnavailable, FirewallError) as err:
                    if queue is not None:
                        queue.close()
                        queue = None
                    run.limits.append(("no_queue", str(err)))
            if queue is not None:
                self.wire = QueueWire(queue, self)
                run.mode = "wire" if capture is not None else "states"
            else:
                self.wire = KernelWire(self, firewall)
                run.mode = "capture" if capture is not None else "states"
            run.start = time.time()
            self._setup()
            for index, step in enumerate(self.scenario.steps):
                self._play_step(index, step)
            run.end = time.time()
            self.wire.finish()
            if capture is not None:
                frames = capture.stop()
                capture = None
                run.frames = [f for f in frames if f.time <= run.end]
                if self.options.pcap is not None:
                    write_pcap(run.frames, self.options.pcap)
            return run
        finally:
            if capture is not None:
                capture.stop()
            if firewall is not None:
                firewall.close()  # before the queue goes: no segment waits for nobody
            if queue is not None:
                queue.close()
            self._let_go()
            self.diag.close()

    def _make_peers(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        for role in (Role.CLIENT, Role.SERVER):
            sock = socket.socket(family, socket.SOCK_STREAM)
            # segments as long as the scenario's MSS, as the engine cuts them (loopback's
            # would be 65483 bytes); Linux takes the timestamp option out of what we set
            with contextlib.suppress(OSError):
                sock.setsockopt(
                    socket.IPPROTO_TCP, socket.TCP_MAXSEG, self.scenario.mss + TIMESTAMP_OPTION
                )
            sock.bind((self.host, 0))
            address = sock.getsockname()[:2]
            setup = self.scenario.client if role is Role.CLIENT else self.scenario.server
            self.peers[role] = Peer(role, sock, address, delayed_ack=setup.delayed_ack)
            self.ports[role] = address[1]

    def _setup(self) -> None:
        """Step -1: the peers the scenario says listen, listen."""
        assert self.run is not None
        setups = {Role.CLIENT: self.scenario.client, Role.SERVER: self.scenario.server}
        for role, setup in setups.items():
            if setup.listening:
                self.run.log.append(Called(time.time(), -1, role, "listen"))
                _listen_on(self.peers[role])
        self._states(at_end=True)

    def _play_step(self, index: int, step: engine.Step) -> None:
        assert self.run is not None and self.wire is not None
        self.step = index
        if self.options.progress is not None:
            self.options.progress(index, len(self.scenario.steps))
        played = StepPlayed(index, time.time())
        self.run.steps.append(played)
        action = ACTIONS.get(type(step))
        hold = step.hold and self.wire.can_hold
        if step.hold and not self.wire.can_hold:
            played.notes.append(("hold_not_reproduced", ""))
        if action is None:
            played.played = False
            played.notes.append(("unknown_step", type(step).__name__.lower()))
        else:
            called = time.time()  # as close to the call as can be: what went before, went first
            try:
                call = action(self, step)
            except NotPlayed as err:
                played.played = False
                played.notes.append(err.note)
                call = None
            if call is not None:  # what the call itself did to its peer (SYN_SENT, FIN_WAIT_1)
                assert not isinstance(step, engine.Wait | engine.Inject)  # neither is a call
                self.run.log.append(Called(called, index, step.peer, call))
                self._states()
            self.wire.pull()
        played.held = hold
        if not isinstance(step, engine.Wait) and not hold:
            # a loss sends nothing, so nothing answers it: waiting would only bring the
            # lost segment's retransmission (200 ms) nearer to the steps after it
            quiet = 0.0 if isinstance(step, engine.Lose) else self.options.quiet
            self.wire.settle(quiet, self.options.step_bound)
        self.tend()
        self._states(at_end=True)
        played.end = time.time()
        for peer in self.peers.values():
            played.notes += [("call_failed", e) for e in peer.errors]
            peer.errors.clear()

    # ------------------------------------------------------------ for the wire

    def note(self, observation: Passed) -> None:
        assert self.run is not None
        self.run.log.append(observation)

    def after_delivery(self, number: int) -> None:
        self.tend()
        self._states(after=number)

    def tend(self) -> None:
        """Accept a connection that is there; read every byte that arrived."""
        for peer in self.peers.values():
            if peer.listening and peer.conn is None:
                try:
                    conn, _ = peer.sock.accept()
                except (BlockingIOError, OSError):
                    pass
                else:
                    conn.setblocking(True)
                    peer.conn = conn
            if peer.conn is not None:
                _read_all(peer.conn)
                if peer.delayed_ack and not peer.acks_delayed:
                    _delay_acks(peer)

    # ------------------------------------------------------------ states

    def _states(self, after: int | None = None, at_end: bool = False) -> None:
        assert self.run is not None
        client, server = self.state(Role.CLIENT), self.state(Role.SERVER)
        self.run.log.append(States(time.time(), self.step, client, server, after, at_end))

    def state(self, role: Role) -> State:
        """The kernel's state of this peer's end of the connection."""
        peer, other = self.peers[role], self.peers[role.other]
        state: State | None = None
        if peer.conn is not None:
            state = tcp_info_state(peer.conn)
        if state in (None, State.CLOSED, State.LISTEN):
            assert self.diag is not None
            found = self.diag.lookup(peer.address, other.address)
            if found is None:
                state = State.CLOSED
            else:
                state, listener = found
                if listener:
                    # no connection (any more): a listener that had one is that one's CLOSED
                    state = State.CLOSED if peer.opened else State.LISTEN
        if state in _OPENED:
            peer.opened = True
        return state or State.CLOSED

    # ------------------------------------------------------------ helpers for actions

    def peer(self, role: Role) -> Peer:
        return self.peers[role]

    def in_thread(
        self, peer: Peer, sock: socket.socket, call: Callable[[], None], name: str
    ) -> None:
        """Run a call that blocks (until the connection opens) in a thread of its own; go on
        once it is done or waits in the kernel, as an application's would when the SYN,ACK
        comes (Linux then holds its ACK for the data: ``sk_write_pending``)."""

        def run() -> None:
            try:
                call()
            except OSError as err:
                peer.errors.append(f"{name}: {err.strerror or err}")

        thread = threading.Thread(target=run, name=f"live-{name}", daemon=True)
        peer.threads.append(thread)
        thread.start()
        _wait_until_blocked(thread, sock)

    def _let_go(self) -> None:
        """Close every socket at once (RST, no TIME_WAIT left behind); end the threads."""
        for peer in self.peers.values():
            for sock in {id(s): s for s in (peer.conn, peer.sock) if s is not None}.values():
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in a call
                _reset(sock)
        for peer in self.peers.values():
            for thread in peer.threads:
                thread.join(1.0)


def _wait_until_blocked(thread: threading.Thread, sock: socket.socket) -> None:
    """Until ``thread`` is done or blocked in a system call on ``sock`` (proc(5): a task's
    ``syscall`` file names the call it is blocked in, then its arguments; the first is the
    socket's descriptor). Where that file cannot be read, a moment as a guess."""
    task = Path(f"/proc/self/task/{thread.native_id}/syscall")
    deadline = time.monotonic() + BLOCK_BOUND
    while thread.is_alive() and time.monotonic() < deadline:
        try:
            fields = task.read_text().split()
        except OSError:
            thread.join(0.05)
            return
        blocked = len(fields) > 1 and fields[0] not in ("running", "-1")
        if blocked and int(fields[1], 16) == sock.fileno():
            return
        time.sleep(0.001)


def _pair(ports: dict[Role, int]) -> tuple[int, int]:
    return ports[Role.CLIENT], ports[Role.SERVER]


def _read_all(sock: socket.socket) -> None:
    while True:
        try:
            if not sock.recv(1 << 16, socket.MSG_DONTWAIT):
                return
        except (BlockingIOError, OSError):
            return


def _reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the kernel sends RST and keeps nothing (no TIME_WAIT)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _delay_acks(peer: Peer) -> None:
    """Once open, hold ACKs back as the engine's ``delayed_ack`` does (Linux's pingpong
    mode, which TCP_QUICKACK 0 turns on; before that, the handshake's ACK is not delayed)."""
    assert peer.conn is not None
    if tcp_info_state(peer.conn) is State.ESTABLISHED:
        with contextlib.suppress(OSError):
            peer.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
        peer.acks_delayed = True


def _listen_on(peer: Peer) -> None:
    peer.sock.listen(8)
    peer.sock.setblocking(False)
    peer.listening = True


# -------------------------------------------------------------------- step kinds
# Each returns the call as the engine's trace names it ("send 5"), or None for a step
# that is not an application call; NotPlayed when it cannot be reproduced here.


def _connect(player: Player, step: engine.Connect) -> str:
    peer, other = player.peer(step.peer), player.peer(step.peer.other)
    if peer.listening:
        raise NotPlayed("call_failed", "a listening socket cannot connect")
    peer.sock.setblocking(False)
    err = peer.sock.connect_ex(other.address)
    peer.sock.setblocking(True)
    if err not in (0, errno.EINPROGRESS, errno.ECONNREFUSED):
        raise NotPlayed("call_failed", f"connect: {errno.errorcode.get(err, err)}")
    peer.conn = peer.sock
    return "connect"


def _listen(player: Player, step: engine.Listen) -> str:
    peer = player.peer(step.peer)
    try:
        _listen_on(peer)
    except OSError as err:
        raise NotPlayed("call_failed", f"listen: {err.strerror}") from None
    return "listen"


def _send(player: Player, step: engine.Send) -> str:
    peer = player.peer(step.peer)
    conn = peer.conn
    if conn is None:
        raise NotPlayed("no_connection", "send")
    data = b"x" * step.bytes
    try:  # at once, in this thread, when it does not block: its segment leaves now
        sent = conn.send(data, socket.MSG_DONTWAIT)
    except BlockingIOError:
        sent = 0
    except OSError as err:
        peer.errors.append(f"send: {err.strerror or err}")
        return f"send {step.bytes}"
    if sent < len(data):
        rest = data[sent:]
        # blocks while the connection is still opening, as an application's send() does
        player.in_thread(peer, conn, lambda: conn.sendall(rest), "send")
    return f"send {step.bytes}"


def _close(player: Player, step: engine.Close) -> str:
    peer = player.peer(step.peer)
    how = getattr(step, "how", "shutdown")  # the engine's close: FIN, the other way stays open
    if peer.conn is None:
        if peer.listening:  # LISTEN -> CLOSED
            _reset(peer.sock)
            peer.listening = False
            return "close"
        raise NotPlayed("no_connection", "close")
    if how == "close":
        peer.conn.close()
        peer.conn = None
    elif how == "linger0":
        _reset(peer.conn)
        peer.conn = None
    else:
        try:
            peer.conn.shutdown(socket.SHUT_WR)
        except OSError as err:
            raise NotPlayed("call_failed", f"close: {err.strerror}") from None
    return "close"


def _abort(player: Player, step: engine.Abort) -> str:
    peer = player.peer(step.peer)
    if peer.conn is not None:
        _reset(peer.conn)  # SO_LINGER 0: RST
        peer.conn = None
    elif peer.listening:
        _reset(peer.sock)
        peer.listening = False
    else:
        raise NotPlayed("no_connection", "abort")
    return "abort"


def _lose(player: Player, step: engine.Lose) -> None:
    assert player.wire is not None
    if not player.wire.can_lose:
        raise NotPlayed("lose_not_reproduced")
    player.wire.lose(step.peer, step.count)


def _wait(player: Player, step: engine.Wait) -> None:
    assert player.wire is not None and player.run is not None
    seconds = player.options.waits.get(player.step, step.seconds)
    player.run.steps[-1].seconds = seconds
    player.wire.run_for(seconds)


ACTIONS: dict[type, Callable[[Player, Any], str | None]] = {
    engine.Connect: _connect,
    engine.Listen: _listen,
    engine.Send: _send,
    engine.Close: _close,
    engine.Abort: _abort,
    engine.Lose: _lose,
    engine.Wait: _wait,
}


def play(scenario: engine.Scenario, options: LiveOptions | None = None) -> KernelRun:
    """Play ``scenario`` on this machine's kernel (see the module doc)."""
    return Player(scenario, options or LiveOptions()).play()
