"""An NFQUEUE: the kernel hands us each segment a rule sends here, we say deliver or drop.

This is how live mode is the wire between the two sockets, as the engine's
``Link`` is between its two peers: a segment waits here until we deliver it, so
it can be held while the next step runs (two SYNs or two FINs cross), dropped
(a ``lose`` step), or delivered one at a time with both peers' states read after
each. The rule (``firewall.py``) uses ``--queue-bypass``: while nobody listens on
the queue, and after we are gone, the kernel delivers the segments itself.

Spoken over netlink (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_QUEUE), as
``include/uapi/linux/netfilter/nfnetlink_queue.h`` defines it.
"""

from __future__ import annotations

import contextlib
import errno
import random
import select
import socket
import struct
import time
from dataclasses import dataclass

from . import netlink

NETLINK_NETFILTER = 12
_SUBSYS_QUEUE = 3 << 8
_MSG_PACKET, _MSG_VERDICT, _MSG_CONFIG = 0, 1, 2
_CFG_CMD, _CFG_PARAMS = 1, 2
_CMD_BIND, _CMD_UNBIND = 1, 2
_COPY_PACKET = 2
_PACKET_HDR, _VERDICT_HDR, _PAYLOAD = 1, 2, 10
_DROP, _ACCEPT = 0, 1


class QueueUnavailable(Exception):
    """This kernel (or this process) cannot have a queue: say why, play without one."""


@dataclass(frozen=True)
class Queued:
    """A segment waiting in the queue: the IP packet, and when we were handed it."""

    id: int
    packet: bytes
    time: float


class Queue:
    def __init__(self) -> None:
        try:
            self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
            self.sock.bind((0, 0))
        except OSError as err:
            raise QueueUnavailable(f"no netfilter queue: {err.strerror}") from None
        self.number = -1
        for number in random.sample(range(1024, 65535), 20):  # a queue nobody else uses
            try:
                self._config(number, [_command(_CMD_BIND)])
            except OSError as err:
                if err.errno == errno.EBUSY:
                    continue
                self.sock.close()
                raise QueueUnavailable(f"no netfilter queue: {err.strerror}") from None
            self.number = number
            break
        else:
            self.sock.close()
            raise QueueUnavailable("no free netfilter queue number")
        params = struct.pack("!IB", 0xFFFF, _COPY_PACKET)
        self._config(self.number, [netlink.attribute(_CFG_PARAMS, params)])

    def _config(self, number: int, attrs: list[bytes]) -> None:
        self._send(_MSG_CONFIG, number, attrs, netlink.NLM_F_REQUEST | netlink.NLM_F_ACK)
        self.sock.settimeout(2.0)
        for _ in netlink.messages(self.sock.recv(65536)):
            pass  # an error answer raises

    def _send(self, kind: int, number: int, attrs: list[bytes], flags: int) -> None:
        body = struct.pack("!BBH", socket.AF_UNSPEC, 0, number) + b"".join(attrs)
        self.sock.send(netlink.message(_SUBSYS_QUEUE | kind, flags, body))

    def receive(self, timeout: float) -> list[Queued]:
        """What the kernel handed us: waits up to ``timeout`` for the first, then takes the rest."""
        found: list[Queued] = []
        wait = max(0.0, timeout)
        while select.select([self.sock], [], [], wait)[0]:
            data = self.sock.recv(1 << 17)
            now = time.time()
            for kind, body in netlink.messages(data):
                if kind & 0xFF != _MSG_PACKET:
                    continue
                attrs = netlink.attributes(body[4:])  # after the nfgenmsg header
                header = attrs.get(_PACKET_HDR)
                if header is None:
                    continue
                (packet_id,) = struct.unpack_from("!I", header)
                found.append(Queued(packet_id, attrs.get(_PAYLOAD, b""), now))
            wait = 0.0
        return found

    def deliver(self, item: Queued) -> None:
        self._verdict(item, _ACCEPT)

    def drop(self, item: Queued) -> None:
        self._verdict(item, _DROP)

    def _verdict(self, item: Queued, verdict: int) -> None:
        header = struct.pack("!II", verdict, item.id)
        self._send(
            _MSG_VERDICT,
            self.number,
            [netlink.attribute(_VERDICT_HDR, header)],
            netlink.NLM_F_REQUEST,
        )

    def close(self) -> None:
        """Unbind. The kernel drops what still waits here, so deliver it first; after this
        the rule bypasses the queue and the kernel delivers by itself."""
        with contextlib.suppress(OSError):
            self._send(_MSG_CONFIG, self.number, [_command(_CMD_UNBIND)], netlink.NLM_F_REQUEST)
        self.sock.close()


def _command(command: int) -> bytes:
    return netlink.attribute(_CFG_CMD, struct.pack("!BxH", command, 0))
