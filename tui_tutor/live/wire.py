"""The wire between the two sockets: how segments get from one to the other.

``QueueWire`` (root): we are the wire, as the engine's ``Link`` is. Every segment
between the run's two ports waits in our NFQUEUE; after each step we deliver
them first in, first out, with the answers they provoke, until the wire has been
quiet for a moment, reading both peers' states after each delivery. A step that
holds its segments leaves them waiting while the next step runs (two SYNs or two
FINs cross), and a ``lose`` step has the next segments of a peer dropped. A
``wait`` delivers whatever the peers' timers send until it is over.

``KernelWire`` (no NFQUEUE): the kernel delivers at once by itself; we let it
settle before reading the states. It cannot hold segments; with the right to add
firewall rules it loses them with drop-first rules, otherwise not at all.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol

from ..captures import decode
from ..engine import Role
from .firewall import Firewall, drop_first_rule
from .nfqueue import Queue, Queued
from .observe import Decoded, Passed


class Player(Protocol):
    """What the wire needs from the player."""

    step: int
    host: str
    ports: dict[Role, int]

    def note(self, observation: Passed) -> None: ...
    def after_delivery(self, number: int) -> None: ...
    def tend(self) -> None: ...


class QueueWire:
    can_hold = True
    can_lose = True

    def __init__(self, queue: Queue, player: Player) -> None:
        self.queue = queue
        self.player = player
        self.waiting: deque[tuple[Queued, int, Role, Decoded, bool]] = deque()
        self.losses = {Role.CLIENT: 0, Role.SERVER: 0}
        self.count = 0

    def pull(self, timeout: float = 0.0) -> bool:
        """Take what the kernel has put on the wire; the segments a loss is set for are lost."""
        got = self.queue.receive(timeout)
        for item in got:
            segment = _decode(item.packet)
            if segment is None:  # not TCP between our ports: not ours to hold
                self.queue.deliver(item)
                continue
            sender = _sender(segment, self.player.ports)
            lost = self.losses[sender] > 0
            if lost:
                self.losses[sender] -= 1
            self.waiting.append((item, self.count, sender, segment, lost))
            self.count += 1
        return bool(got)

    def lose(self, role: Role, count: int) -> None:
        self.pull()  # what was sent before this step is not lost, as in the engine
        self.losses[role] += count

    def settle(self, quiet: float, bound: float) -> None:
        """Deliver until nothing new came for ``quiet`` seconds (``bound`` at most)."""
        deadline = time.monotonic() + bound
        while True:
            self.pull()
            if not self.waiting:
                left = deadline - time.monotonic()
                if left <= 0 or not self.pull(min(quiet, left)):
                    return
            self._deliver_one()

    def run_for(self, seconds: float) -> None:
        """Deliver everything the peers send (timers fire) until ``seconds`` have passed."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self.waiting and not self.pull(min(left, 0.05)):
                self.player.tend()
                continue
            self._deliver_one()

    def finish(self) -> None:
        """The run is over: let go of whatever still waits (the kernel would drop it)."""
        self.pull()
        while self.waiting:
            self.queue.deliver(self.waiting.popleft()[0])

    def _deliver_one(self) -> None:
        item, number, _sender, segment, lost = self.waiting.popleft()
        now = time.time()  # before: what the delivery provokes is stamped later
        if lost:
            self.queue.drop(item)
        else:
            self.queue.deliver(item)
        self.player.note(Passed(now, self.player.step, number, segment, not lost))
        if not lost:
            self.player.after_delivery(number)


class KernelWire:
    can_hold = False

    def __init__(self, player: Player, firewall: Firewall | None) -> None:
        self.player = player
        self.firewall = firewall

    @property
    def can_lose(self) -> bool:
        return self.firewall is not None

    def pull(self, timeout: float = 0.0) -> bool:
        return False

    def lose(self, role: Role, count: int) -> None:
        assert self.firewall is not None
        ports = self.player.ports
        match = ["--sport", str(ports[role]), "--dport", str(ports[role.other])]
        for _ in range(count):  # each rule drops the first segment it sees
            self.firewall.add(drop_first_rule(self.player.host, match))

    def settle(self, quiet: float, bound: float) -> None:
        time.sleep(quiet)

    def run_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))
            self.player.tend()

    def finish(self) -> None:
        pass


def _decode(packet: bytes) -> Decoded | None:
    if not packet:
        return None
    decoder = decode.ipv6 if packet[0] >> 4 == 6 else decode.ipv4
    decoded = decoder(packet, 0, len(packet))
    # its header fields, as the capture's (live.capture.segments): no tunnel or cut header on lo
    return None if decoded is None else decoded[:6]


def source_port(key: bytes) -> int:
    """The source port of a decoded segment's key (addresses, then the two ports)."""
    return int.from_bytes(key[-4:-2], "big")


def _sender(segment: Decoded, ports: dict[Role, int]) -> Role:
    return Role.CLIENT if source_port(segment[0]) == ports[Role.CLIENT] else Role.SERVER
