"""A connection end's state as the Linux kernel reports it, with no privilege needed.

``getsockopt(TCP_INFO)`` gives ``tcpi_state`` for a socket the application still
holds. Once the application has let go of it (``close()``, or the connection
went on to TIME_WAIT, which Linux keeps in a separate small socket), the socket
has no descriptor any more; sock_diag (what ``ss`` uses) still finds it by its
addresses and ports. Linux's state numbers are those of ``include/net/tcp_states.h``.
"""

from __future__ import annotations

import socket
import struct

from ..engine import State
from . import netlink

# include/net/tcp_states.h; NEW_SYN_RECV is the small socket a listener makes for a SYN
LINUX_STATES: dict[int, State] = {
    1: State.ESTABLISHED,
    2: State.SYN_SENT,
    3: State.SYN_RECEIVED,
    4: State.FIN_WAIT_1,
    5: State.FIN_WAIT_2,
    6: State.TIME_WAIT,
    7: State.CLOSED,
    8: State.CLOSE_WAIT,
    9: State.LAST_ACK,
    10: State.LISTEN,
    11: State.CLOSING,
    12: State.SYN_RECEIVED,
}

Address = tuple[str, int]

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
_NO_COOKIE = 0xFFFFFFFF
_ALL_STATES = 0xFFFFFFFF


def tcp_info_state(sock: socket.socket) -> State | None:
    """``tcpi_state`` of a socket this process holds, or None when it is closed."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    except OSError:
        return None
    return LINUX_STATES.get(info[0])


class SockDiag:
    """Looks up one TCP socket by its addresses and ports (the kernel's exact lookup)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)
        self.sock.settimeout(1.0)
        self._seq = 0

    def lookup(self, local: Address, remote: Address) -> tuple[State, bool] | None:
        """(state, is_listener) of the socket ``local`` -> ``remote``, or None if none.

        With no connection between the two, the kernel answers with a socket listening
        on ``local`` if there is one; ``is_listener`` says so (its remote port is 0).
        """
        family = socket.AF_INET6 if ":" in local[0] else socket.AF_INET
        sockid = (
            struct.pack("!HH", local[1], remote[1])
            + _address(family, local[0])
            + _address(family, remote[0])
            + struct.pack("=III", 0, _NO_COOKIE, _NO_COOKIE)
        )
        request = struct.pack("=BBBxI", family, socket.IPPROTO_TCP, 0, _ALL_STATES) + sockid
        self._seq += 1
        self.sock.send(
            netlink.message(SOCK_DIAG_BY_FAMILY, netlink.NLM_F_REQUEST, request, self._seq)
        )
        try:
            for kind, body in netlink.messages(self.sock.recv(65536)):
                if kind == SOCK_DIAG_BY_FAMILY:
                    state = LINUX_STATES.get(body[1], State.CLOSED)
                    (remote_port,) = struct.unpack_from("!H", body, 6)
                    return state, remote_port == 0
        except FileNotFoundError:  # ENOENT: no such socket
            return None
        return None

    def close(self) -> None:
        self.sock.close()


def _address(family: int, host: str) -> bytes:
    packed = socket.inet_pton(family, host)
    return packed + b"\0" * (16 - len(packed))
