"""Record what the Linux kernel sends on loopback, as the engine's ground truth.

Run as root on Linux with tcpdump, iptables, iproute2 (ip, ss) installed:

    .venv/bin/python tests/kernel/record.py            # every case
    .venv/bin/python tests/kernel/record.py lost_syn   # one case

For each case it plays the same story with real sockets that ``NAME.toml`` tells
the engine, captures it with tcpdump on ``lo`` into ``NAME.pcap``, and writes
``NAME.expected.json``: the segments with flags (PSH left out), seq and ack
relative to each side's ISN, and payload length. ``test_kernel.py`` compares the
engine with these files; it needs neither root nor tcpdump.

Segments are dropped with iptables in INPUT: tcpdump has already seen them on
``lo`` by then, so a lost segment is in the capture, as it is in the engine's trace.

The cases in ``NETNS_CASES`` run each in a network namespace of their own (``ip netns``),
with the Linux settings (sysctls) they need to finish in seconds set there only: the
host, its firewall and everyone else's loopback traffic are left alone. They also write
``checkpoints``: both ends' states as ``ss -tan`` showed them after a given step of the
scenario, which ``test_kernel.py`` compares with the engine's states after that step, and
``errors``: what the applications' calls returned (ECONNRESET, EPIPE ...).
"""

from __future__ import annotations

import contextlib
import errno
import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dpkt

HERE = Path(__file__).parent
PORT = 47800  # the server's port; each case adds its own offset

sys.path.insert(0, str(HERE.parent))
from loopback import (  # noqa: E402 - the shared recording tools, beside this folder
    CROWD,
    Server,
    abort,
    closes,
    conversation,
    drop_all,
    drop_first,
    exchange,
    free_port,
    inject,
    netns,
    next_seq,
    opened,
    pause,
    read_eof,
    read_exactly,
    relative_numbers,
    states,
    tcpdump,
)


def expected_segments(pcap: Path, server_port: int) -> list[dict]:
    """The capture as the comparison needs it (relative seq/ack, PSH left out)."""
    rows = []
    first: float | None = None
    with pcap.open("rb") as f:
        for ts, buf in dpkt.pcap.Reader(f):
            first = ts if first is None else first
            ip = dpkt.ethernet.Ethernet(buf).data
            tcp = ip.data
            if not isinstance(tcp, dpkt.tcp.TCP):
                continue
            names = [
                name
                for bit, name in (
                    (dpkt.tcp.TH_SYN, "SYN"),
                    (dpkt.tcp.TH_FIN, "FIN"),
                    (dpkt.tcp.TH_RST, "RST"),
                    (dpkt.tcp.TH_ACK, "ACK"),
                )
                if tcp.flags & bit
            ]
            rows.append(
                {
                    "from": "server" if tcp.sport == server_port else "client",
                    "flags": names,
                    "seq": tcp.seq,
                    "ack": tcp.ack if tcp.flags & dpkt.tcp.TH_ACK else None,
                    "len": len(tcp.data),
                    "time": round(float(ts - first), 3),
                }
            )
    return relative_numbers(rows)


# -------------------------------------------------------------------- cases


def client_closes_first(port: int) -> None:
    conversation(port, b"hello", b"world!", client_closes=True)


def server_closes_first(port: int) -> None:
    conversation(port, b"GET", b"0123456789", client_closes=False)


def half_close(port: int) -> None:
    srv, cli, conn = opened(port)
    exchange(cli, conn, b"query")
    cli.shutdown(socket.SHUT_WR)
    read_eof(conn)
    pause()
    exchange(conn, cli, b"answer-1")
    exchange(conn, cli, b"answer-2")
    closes(conn, cli)
    cli.close()
    pause()
    srv.close()


def three_segment_close(port: int) -> None:
    srv, cli, conn = opened(port)
    cli.close()
    read_eof(conn)
    conn.close()  # at once: the delayed ACK of the client's FIN rides on our FIN
    pause()
    srv.close()


def abort_with_rst(port: int) -> None:
    srv, cli, conn = opened(port)
    exchange(cli, conn, b"hello")
    abort(cli)
    pause()
    conn.close()
    srv.close()


def connection_refused(port: int) -> None:
    with contextlib.suppress(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port))
        raise AssertionError("something listens on the port")
    pause()


def lost_syn(port: int) -> None:
    srv = Server(port)
    with drop_first(["--dport", str(port), "--tcp-flags", "SYN,ACK,FIN,RST", "SYN"]):
        cli = socket.create_connection(("127.0.0.1", port), timeout=5)
        conn = srv.accepted()
    pause()
    closes(cli, conn)
    conn.close()
    pause()
    srv.close()


def lost_last_ack(port: int) -> None:
    srv, cli, conn = opened(port)
    closes(cli, conn)
    with drop_first(["--dport", str(port), "--tcp-flags", "SYN,ACK,FIN,RST", "ACK"]):
        conn.close()
        time.sleep(1.5)  # the server's retransmission timer resends its FIN
    srv.close()


CASES: dict[str, tuple[int, Callable[[int], None]]] = {
    "client_closes_first": (0, client_closes_first),
    "server_closes_first": (1, server_closes_first),
    "half_close": (2, half_close),
    "three_segment_close": (3, three_segment_close),
    "abort_with_rst": (4, abort_with_rst),
    "connection_refused": (5, connection_refused),
    "lost_syn": (6, lost_syn),
    "lost_last_ack": (7, lost_last_ack),
}


# -------------------------------------------------------------------- cases in a namespace


@dataclass
class Recording:
    """One case being recorded in its own namespace: its port, its capture, what it saw."""

    port: int
    pcap: Path
    client_port: int = 0
    checkpoints: list[dict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)  # wall clock, as the capture's
    # each side's first SYN was dropped to make the resent ones cross: the engine cannot
    # drop a first SYN and still cross, so test_kernel compares such cases side by side
    crossed: bool = False

    def client(self, **options: int) -> socket.socket:
        """A client socket (with ``SOL_SOCKET``/``IPPROTO_TCP`` options) connected to us."""
        cli = socket.socket()
        for name, value in options.items():
            level = socket.SOL_SOCKET if name.startswith("SO_") else socket.IPPROTO_TCP
            cli.setsockopt(level, getattr(socket, name), value)
        cli.connect(("127.0.0.1", self.port))
        self.client_port = cli.getsockname()[1]
        return cli

    def check(self, after_step: int) -> None:
        """Both ends' states now, to compare with the engine's after scenario step N."""
        self.checkpoints.append({"after_step": after_step, **states(self.port, self.client_port)})

    def error(self, what: str, call: Callable[[], object]) -> None:
        """Run an application call that should fail; note the errno name it fails with."""
        try:
            call()
        except OSError as err:
            self.errors[what] = errno.errorcode.get(err.errno or 0, str(err))
        else:
            self.errors[what] = "no error"
        self.times[what] = time.time()

    def wait_for(self, side: str, state: str, what: str, timeout: float) -> None:
        """Watch ``ss`` until ``side`` is in ``state``; note when, as ``what``."""
        end = time.time() + timeout
        while states(self.port, self.client_port)[side] != state:
            assert time.time() < end, f"the {side} never reached {state}"
            time.sleep(0.02)
        self.times[what] = time.time()


def close_with_unread_data(rec: Recording) -> None:
    srv = Server(rec.port)
    cli = rec.client()
    conn = srv.accepted()
    pause()
    cli.sendall(b"hello")  # the server's application never reads it
    pause()
    rec.check(1)
    conn.close()
    pause()
    rec.check(2)
    rec.error("client recv", lambda: cli.recv(100))
    cli.close()
    srv.close()


def data_after_close(rec: Recording) -> None:
    srv = Server(rec.port)
    cli = rec.client()
    conn = srv.accepted()
    pause()
    conn.close()
    pause()
    rec.check(1)
    cli.sendall(b"hello")  # to a socket the server's application has closed
    pause()
    rec.check(2)
    rec.error("client send after the RST", lambda: cli.sendall(b"again"))
    cli.close()
    srv.close()


def close_in_syn_sent(rec: Recording) -> None:
    srv = listener(rec.port)
    cli = socket.socket()
    cli.setblocking(False)
    synack = ["--sport", str(rec.port), "--tcp-flags", "SYN,ACK,FIN,RST", "SYN,ACK"]
    with drop_first(synack):
        cli.connect_ex(("127.0.0.1", rec.port))
        rec.client_port = cli.getsockname()[1]
        pause()
        rec.check(1)  # the SYN,ACK was lost: SYN_SENT, SYN_RECEIVED
    cli.close()  # give up before the handshake ends: nothing is sent
    pause()
    rec.check(2)
    time.sleep(1.3)  # the server resends its SYN,ACK to a port nobody holds now
    rec.check(3)
    srv.close()


def listener(port: int) -> socket.socket:
    """A listening socket that nobody accepts on (a thread in accept() would keep it open)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen()
    return srv


def close_listener_in_syn_received(rec: Recording) -> None:
    srv = listener(rec.port)
    ack = ["--dport", str(rec.port), "--tcp-flags", "SYN,ACK,FIN,RST", "ACK"]
    with drop_first(ack):  # the third segment of the handshake is lost
        cli = rec.client()
        pause()
        rec.check(2)  # ESTABLISHED, SYN_RECEIVED
        # the listening socket goes, and the half-open connection with it (ss still lists
        # it as SYN-RECV until a segment or its timer finds the listener gone)
        srv.close()
        pause()
    cli.sendall(b"hello")  # the client's first data reaches nothing
    pause()
    rec.check(4)
    rec.error("client recv", lambda: cli.recv(100))
    cli.close()


def close_in_listen(rec: Recording) -> None:
    srv = listener(rec.port)
    pause()
    srv.close()  # stop listening before anyone connects
    pause()
    cli = socket.socket()
    rec.error("client connect", lambda: cli.connect(("127.0.0.1", rec.port)))
    rec.client_port = cli.getsockname()[1]
    pause()
    rec.check(1)
    cli.close()


FIN = ["--tcp-flags", "FIN", "FIN"]
ACK_ONLY = ["--tcp-flags", "SYN,ACK,FIN,RST", "ACK"]
LOCAL = "127.0.0.1"


def open_pair(rec: Recording) -> tuple[Server, socket.socket, socket.socket]:
    srv = Server(rec.port)
    cli = rec.client()
    conn = srv.accepted()
    pause()
    return srv, cli, conn


def rst_in_fin_wait_1(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    with drop_first(["--sport", str(rec.client_port), *FIN]):
        cli.close()  # its FIN is lost: FIN_WAIT_1 until the retransmission (200 ms)
        time.sleep(0.05)
        rec.check(2)
        abort(conn)  # the server aborts meanwhile
    pause()
    rec.check(3)
    srv.close()


def rst_in_fin_wait_2(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    cli.close()
    pause()
    rec.check(1)
    abort(conn)  # the server, in CLOSE_WAIT, aborts
    pause()
    rec.check(2)
    srv.close()


def rst_in_close_wait(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    conn.shutdown(socket.SHUT_WR)
    pause()
    rec.check(1)
    abort(conn)  # the server, in FIN_WAIT_2 and still holding its socket, aborts
    pause()
    rec.check(2)
    cli.close()
    srv.close()


def abort_in_fin_wait_1(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    with drop_first(["--sport", str(rec.client_port), *FIN]):
        cli.shutdown(socket.SHUT_WR)  # its FIN is lost
        time.sleep(0.05)
        rec.check(2)
        abort(cli)  # RST,ACK whose seq is past the lost FIN: not exactly what the server expects
        pause()
    rec.check(3)
    conn.close()
    srv.close()


def abort_in_last_ack(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    closes(cli, conn)
    with drop_first(["--sport", str(rec.client_port), *ACK_ONLY]):
        conn.shutdown(socket.SHUT_WR)  # the client's last ACK is lost: LAST_ACK
        time.sleep(0.05)
        rec.check(3)
        abort(conn)  # nothing to reset in LAST_ACK: Linux sends nothing
    pause()
    rec.check(4)
    srv.close()


def rst_in_last_ack(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    closes(cli, conn)
    with drop_first(["--sport", str(rec.client_port), *ACK_ONLY]):
        conn.close()  # the client's last ACK is lost: LAST_ACK
        time.sleep(0.05)
        rec.check(3)
        # a RST at exactly the server's RCV.NXT, as if from the client
        seq = next_seq(rec.pcap, rec.client_port)
        inject((LOCAL, rec.client_port), (LOCAL, rec.port), "RST", seq)
        time.sleep(0.05)
    rec.check(4)
    pause()
    srv.close()


def rst_in_closing(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    with drop_all(["--sport", str(rec.client_port), "--dport", str(rec.port)]):
        cli.close()  # the client's FIN is lost, and its ACK of the server's FIN too
        conn.close()  # the server's FIN reaches the client in FIN_WAIT_1: CLOSING
        time.sleep(0.05)
        rec.check(3)
        seq = next_seq(rec.pcap, rec.port)
        inject((LOCAL, rec.port), (LOCAL, rec.client_port), "RST", seq)
        time.sleep(0.05)
        rec.check(4)
    time.sleep(1.0)  # the server resends its FIN to a client that has forgotten everything
    rec.check(5)
    srv.close()


def time_wait_assassination(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    cli.close()
    read_eof(conn)
    conn.close()
    pause()
    rec.check(2)  # the client is in TIME_WAIT
    # an old duplicate: 5 bytes of data from before, as if from the server
    seq = next_seq(rec.pcap, rec.port) - 10
    ack = next_seq(rec.pcap, rec.client_port)
    inject((LOCAL, rec.port), (LOCAL, rec.client_port), "ACK,PSH", seq, ack, b"stale")
    pause()
    rec.check(3)
    srv.close()


def challenge_ack(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    exchange(cli, conn, b"hello")
    seq = next_seq(rec.pcap, rec.port)  # the client's RCV.NXT
    server, client = (LOCAL, rec.port), (LOCAL, rec.client_port)
    # Linux answers at most one odd segment per 500 ms (net.ipv4.tcp_invalid_ratelimit):
    # the injections are further apart than that
    gap = 0.6
    inject(server, client, "RST", seq + 1000)  # in the window, not exact: challenge ACK
    time.sleep(gap)
    rec.check(2)
    inject(server, client, "SYN", seq + 5000)  # a SYN on the open connection: challenge ACK
    time.sleep(gap)
    rec.check(3)
    inject(server, client, "RST", seq + 1_000_000)  # outside the window: ignored
    time.sleep(gap)
    rec.check(4)
    inject(server, client, "RST", seq)  # exactly RCV.NXT: the connection is reset
    pause()
    rec.check(5)
    rec.error("client recv", lambda: cli.recv(100))
    conn.close()  # the server, which saw none of this, closes: the client answers RST
    pause()
    srv.close()


# Give-up cases: Linux's limits shortened so that each finishes in seconds (in the namespace)
SHORT_RETRIES = {
    "net.ipv4.tcp_syn_retries": 2,
    "net.ipv4.tcp_synack_retries": 2,
    "net.ipv4.tcp_retries2": 3,
    "net.ipv4.tcp_orphan_retries": 2,
}


def cut_off(rec: Recording) -> list[str]:
    """Everything from the client to the server: the network between them is gone."""
    return ["--sport", str(rec.client_port), "--dport", str(rec.port)]


def give_up_in_syn_sent(rec: Recording) -> None:
    srv = listener(rec.port)
    cli = socket.socket()
    with drop_all(["--dport", str(rec.port)]):
        rec.error("client connect", lambda: cli.connect(("127.0.0.1", rec.port)))
        rec.client_port = cli.getsockname()[1]
        rec.check(2)
    cli.close()
    srv.close()


def give_up_in_syn_received(rec: Recording) -> None:
    srv = listener(rec.port)
    cli = socket.socket()
    cli.setblocking(False)
    with drop_all(["--sport", str(rec.port)]):  # every SYN,ACK is lost
        cli.connect_ex(("127.0.0.1", rec.port))
        rec.client_port = cli.getsockname()[1]
        cli.close()  # the client goes: no more SYNs, only the server's SYN,ACKs
        pause()
        rec.check(2)
        time.sleep(8)
        rec.check(3)
    srv.close()


def give_up_in_established(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    with drop_all(cut_off(rec)):
        cli.sendall(b"hello")
        rec.error("client recv", lambda: cli.recv(100))  # returns when the client gives up
        rec.check(3)
    conn.close()  # the server, which never heard of it, closes: the client answers RST
    pause()
    rec.check(4)
    srv.close()


def give_up_in_fin_wait_1(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    with drop_all(cut_off(rec)):
        cli.close()  # orphaned: net.ipv4.tcp_orphan_retries bounds its FIN's retransmissions
        rec.wait_for("client", "CLOSED", "client gone", timeout=10)
        rec.check(3)
    conn.close()
    pause()
    rec.check(4)
    srv.close()


def give_up_in_last_ack(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    conn.shutdown(socket.SHUT_WR)
    read_eof(cli)
    pause()
    with drop_all(cut_off(rec)):
        cli.close()  # LAST_ACK, orphaned, and nothing from the server gets through
        rec.wait_for("client", "CLOSED", "client gone", timeout=10)
        rec.check(4)
    srv.close()


def give_up_in_close_wait(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    conn.shutdown(socket.SHUT_WR)
    read_eof(cli)
    pause()
    with drop_all(cut_off(rec)):
        cli.sendall(b"late answer")  # CLOSE_WAIT: the client may still send; it never arrives
        rec.wait_for("client", "CLOSED", "client gone", timeout=15)
        rec.check(4)
        rec.error("client send", lambda: cli.sendall(b"more"))
    conn.close()
    pause()
    srv.close()


def give_up_in_closing(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    with drop_all(cut_off(rec)):
        cli.close()  # the client's FIN is lost ...
        conn.shutdown(socket.SHUT_WR)  # ... the server's reaches the client in FIN_WAIT_1
        time.sleep(0.05)
        rec.check(3)
        time.sleep(5)
        rec.check(4)
    conn.close()
    pause()
    srv.close()


def fin_wait_2_timeout(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    cli.close()
    pause()
    rec.check(1)
    time.sleep(2.5)  # net.ipv4.tcp_fin_timeout = 2 in the namespace (Linux: 60 s)
    rec.check(2)
    conn.close()  # the server's FIN finds nobody: RST
    pause()
    rec.check(3)
    srv.close()


KEEPALIVE_1S = {
    "net.ipv4.tcp_keepalive_time": 1,
    "net.ipv4.tcp_keepalive_intvl": 1,
    "net.ipv4.tcp_keepalive_probes": 2,
}


def crash_server(rec: Recording, conn: socket.socket) -> None:
    """The server's host forgets the connection without a word: its abort's RST never
    leaves (its listening socket, like a service restarted after a reboot, stays)."""
    with drop_all(["--sport", str(rec.port), "--dport", str(rec.client_port)], chain="OUTPUT"):
        abort(conn)
        pause(0.05)


def keepalive_finds_a_crashed_peer(rec: Recording) -> None:
    srv = Server(rec.port)
    cli = rec.client(SO_KEEPALIVE=1)
    conn = srv.accepted()
    time.sleep(1.5)  # idle for 1 s: a probe, answered
    rec.check(1)
    crash_server(rec, conn)
    rec.check(2)
    time.sleep(1.5)  # the next probe reaches a host that knows nothing of it: RST
    rec.check(3)
    rec.error("client recv", lambda: cli.recv(100))
    cli.close()
    srv.close()


def keepalive_times_out(rec: Recording) -> None:
    srv = Server(rec.port)
    cli = rec.client(SO_KEEPALIVE=1)
    conn = srv.accepted()
    with drop_all(cut_off(rec)):  # the server's host is unreachable: no probe arrives
        rec.error("client recv", lambda: cli.recv(100))
        rec.check(2)
    cli.close()
    conn.close()  # the server was never told: its FIN gets RST
    pause()
    srv.close()


def send_finds_a_crashed_peer(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    crash_server(rec, conn)
    rec.check(1)
    cli.sendall(b"hello")
    pause()
    rec.check(2)
    rec.error("client recv", lambda: cli.recv(100))
    cli.close()
    srv.close()


def new_syn_into_time_wait(rec: Recording) -> None:
    srv = Server(rec.port)
    cli = rec.client()
    conn = srv.accepted()
    pause()
    conn.close()  # the server closes first: TIME_WAIT will be on the server's side
    read_eof(cli)
    pause()
    cli.close()
    pause()
    rec.check(2)  # CLOSED, TIME_WAIT
    # the client connects again from the same port: its SYN finds the server's TIME_WAIT
    srv._thread = threading.Thread(target=srv._accept, daemon=True)
    srv._thread.start()
    again = socket.socket()
    again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    again.bind(("127.0.0.1", rec.client_port))
    again.connect(("127.0.0.1", rec.port))
    srv.accepted()
    pause()
    rec.check(4)
    abort(again)
    pause()
    srv.close()


def binding_a_port_in_time_wait(rec: Recording) -> None:
    """What bind() says about ports held in TIME_WAIT, on either side (nothing on the wire
    but the two connections)."""
    srv = Server(rec.port)
    cli = rec.client()
    conn = srv.accepted()
    pause()
    cli.close()  # the client closes first: its port is held in TIME_WAIT
    read_eof(conn)
    conn.close()
    pause()
    rec.check(2)
    again = socket.socket()
    rec.error(
        "client bind to its port in TIME_WAIT", lambda: again.bind(("127.0.0.1", rec.client_port))
    )
    again.close()
    # a server (on a port of its own, left out of the capture) closes first, then its
    # application restarts and binds its port again
    port = free_port()
    srv2 = Server(port)
    cli2 = socket.create_connection(("127.0.0.1", port))
    conn2 = srv2.accepted()
    pause()
    conn2.close()
    read_eof(cli2)
    cli2.close()
    pause()
    srv2.close()  # the listening socket goes; the port is still held in TIME_WAIT
    plain = socket.socket()
    rec.error("server bind without SO_REUSEADDR", lambda: plain.bind(("127.0.0.1", port)))
    plain.close()
    reuse = socket.socket()
    reuse.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    rec.error("server bind with SO_REUSEADDR", lambda: reuse.bind(("127.0.0.1", port)))
    reuse.close()
    srv.close()


def listener_with(port: int, backlog: int) -> socket.socket:
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(backlog)
    return srv


def other_client(port: int) -> socket.socket:
    """A client the capture leaves out: from another loopback address."""
    return socket.create_connection(("127.0.0.1", port), source_address=(CROWD, 0))


def flood(rec: Recording, count: int) -> None:
    """Forged SYNs from addresses that never answer (their SYN,ACKs are lost on the way):
    the listener's SYN queue fills with half-open connections."""
    for i in range(count):
        inject((CROWD, 40000 + i), (LOCAL, rec.port), "SYN", 1000 * i)


LOST_TO_THE_CROWD = ["-d", CROWD]  # in INPUT: sent (so the listener keeps trying), then lost


def syn_cookies_always(rec: Recording) -> None:
    srv = listener_with(rec.port, 128)
    cli = socket.socket()
    cli.bind((LOCAL, 0))
    rec.client_port = cli.getsockname()[1]
    with drop_first(["--sport", str(rec.client_port), *ACK_ONLY]):
        cli.connect((LOCAL, rec.port))  # the ACK that brings the cookie back is lost
        pause()
        rec.check(2)  # the client is ESTABLISHED; the server kept nothing: LISTEN
    cli.sendall(b"hello")  # its first data brings the cookie back: the server opens now
    pause()
    rec.check(3)
    abort(cli)
    srv.close()


def syn_flood_with_cookies(rec: Recording) -> None:
    srv = listener_with(rec.port, 2)
    with drop_all(LOST_TO_THE_CROWD):
        flood(rec, 3)  # 3 half-open connections: more than the backlog of 2
        pause()
        cli = socket.socket()
        cli.bind((LOCAL, 0))
        rec.client_port = cli.getsockname()[1]
        with drop_first(["--sport", str(rec.client_port), *ACK_ONLY]):
            cli.connect((LOCAL, rec.port))  # a cookie: the server keeps nothing
            pause()
            rec.check(3)
        cli.sendall(b"hello")
        pause()
        rec.check(4)
        abort(cli)
    srv.close()


def syn_flood_without_cookies(rec: Recording) -> None:
    srv = listener_with(rec.port, 2)
    with drop_all(LOST_TO_THE_CROWD):
        flood(rec, 3)  # their half-open connections last 3 s (tcp_synack_retries = 1)
        pause(0.5)
        cli = socket.socket()
        cli.bind((LOCAL, 0))
        rec.client_port = cli.getsockname()[1]
        cli.setblocking(False)
        cli.connect_ex((LOCAL, rec.port))  # the SYN finds the SYN queue full: dropped
        time.sleep(2.3)
        rec.check(3)  # still SYN_SENT: its SYNs at 0.5, 1.5 and 2.5 s were dropped
        time.sleep(1.2)  # the flood's half-open connections are gone: the SYN at 3.5 s is in
        rec.check(5)
        cli.setblocking(True)
        abort(cli)
    srv.close()


def accept_queue_full_drops_syn(rec: Recording) -> None:
    srv = listener_with(rec.port, 0)  # listen(0): one connection may wait for accept()
    waiting = other_client(rec.port)
    pause()
    cli = socket.socket()
    cli.bind((LOCAL, 0))
    rec.client_port = cli.getsockname()[1]
    cli.setblocking(False)
    cli.connect_ex((LOCAL, rec.port))  # the accept queue is full: the SYN is dropped
    time.sleep(1.5)
    rec.check(3)  # SYN_SENT, and nothing for it on the server
    srv.accept()[0].close()  # the application takes the other client's connection
    time.sleep(1)  # the SYN resent at 2 s finds room
    rec.check(5)
    cli.setblocking(True)
    abort(cli)
    waiting.close()
    srv.close()


def accept_queue_full_drops_ack(rec: Recording) -> None:
    srv = listener_with(rec.port, 0)
    cli = socket.socket()
    cli.bind((LOCAL, 0))
    rec.client_port = cli.getsockname()[1]
    with drop_first(["--sport", str(rec.client_port), *ACK_ONLY]):
        cli.connect((LOCAL, rec.port))  # its ACK is lost: the server stays in SYN_RECEIVED
        pause(0.1)
    waiting = other_client(rec.port)  # another client fills the accept queue meanwhile
    pause(0.1)
    rec.check(3)
    time.sleep(1.3)  # the SYN,ACK resent at 1 s: the client's ACK is dropped, no room
    rec.check(4)
    srv.accept()[0].close()  # the application takes the other client's connection
    time.sleep(2)  # the SYN,ACK resent at 3 s: this time the ACK finds room
    rec.check(6)
    abort(cli)
    waiting.close()
    srv.close()


def lost_third_ack(rec: Recording) -> None:
    srv = Server(rec.port)
    cli = socket.socket()
    cli.bind((LOCAL, 0))
    rec.client_port = cli.getsockname()[1]
    with drop_first(["--sport", str(rec.client_port), *ACK_ONLY]):
        cli.connect((LOCAL, rec.port))  # the third segment of the handshake is lost
        pause(0.5)
        rec.check(2)  # ESTABLISHED, SYN_RECEIVED
    cli.sendall(b"hello")  # its first data acknowledges the SYN,ACK too
    conn = srv.accepted()
    read_exactly(conn, 5)
    pause()
    rec.check(3)
    abort(cli)
    pause()
    srv.close()


def lost_fin_and_its_ack(rec: Recording) -> None:
    srv, cli, conn = open_pair(rec)
    with drop_first(["--sport", str(rec.client_port), *FIN]):
        cli.close()  # the client's FIN is lost ...
        time.sleep(0.1)
        rec.check(2)
    with drop_first(["--sport", str(rec.port), *ACK_ONLY]):
        time.sleep(0.15)  # ... resent after 200 ms; the server's ACK of it is lost
        rec.check(4)
        conn.close()  # before the client resends again: its FIN acknowledges the client's
    pause()
    rec.check(5)
    srv.close()


def close_in_syn_received(rec: Recording) -> None:
    """Simultaneous open: each side's first SYN is dropped, so the resent ones cross; then
    nothing from the server reaches the client, which stays in SYN_RECEIVED and closes."""
    a, b = socket.socket(), socket.socket()
    client_port = free_port()
    for sock, own in ((a, client_port), (b, rec.port)):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOCAL, own))
        sock.setblocking(False)
    rec.client_port = client_port
    rec.crossed = True
    syn = ["--tcp-flags", "SYN,ACK,FIN,RST", "SYN"]
    with (
        drop_first(["--dport", str(rec.port), *syn], ["--dport", str(client_port), *syn]),
        drop_all(["--sport", str(rec.port), "--tcp-flags", "ACK", "ACK"]),
    ):
        a.connect_ex((LOCAL, rec.port))
        b.connect_ex((LOCAL, client_port))
        time.sleep(1.5)
        rec.check(3)
        a.close()  # close() in SYN_RECEIVED
        pause()
        rec.check(4)
        b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        b.close()
    pause()


def old_duplicate_and_blind_rst(rec: Recording) -> None:
    srv = Server(rec.port)
    cli = rec.client()
    conn = srv.accepted()
    pause()
    exchange(cli, conn, b"first")
    conn.close()  # the server closes first: TIME_WAIT on its side
    read_eof(cli)
    pause()
    old_seq = next_seq(rec.pcap, rec.client_port) - 5  # the client's first data, again
    cli.close()
    pause()
    srv._thread = threading.Thread(target=srv._accept, daemon=True)
    srv._thread.start()
    again = socket.socket()
    again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    again.bind((LOCAL, rec.client_port))
    again.connect((LOCAL, rec.port))  # a new connection from the same port, a higher ISN
    srv.accepted()
    time.sleep(0.6)
    rec.check(5)
    server, client = (LOCAL, rec.port), (LOCAL, rec.client_port)
    # an old duplicate of the first connection's data reaches the server
    ack = next_seq(rec.pcap, rec.port)
    inject(client, server, "ACK,PSH", old_seq, ack, b"first")
    time.sleep(0.6)  # Linux answers odd segments at most every 500 ms
    rec.check(6)
    seq = next_seq(rec.pcap, rec.port)  # the client's RCV.NXT
    inject(server, client, "RST", seq + 1000)  # a blind RST, in the window: challenge ACK
    time.sleep(0.6)
    rec.check(7)
    inject(server, client, "RST", seq)  # a lucky (or seen) guess: exactly RCV.NXT
    pause()
    rec.check(8)
    srv.close()


def abort_in_syn_sent(rec: Recording) -> None:
    srv = listener(rec.port)
    cli = socket.socket()
    cli.setblocking(False)
    with drop_first(["--dport", str(rec.port), "--tcp-flags", "SYN,ACK,FIN,RST", "SYN"]):
        cli.connect_ex((LOCAL, rec.port))  # the SYN is lost
        rec.client_port = cli.getsockname()[1]
        pause()
        rec.check(1)
        abort(cli)  # SO_LINGER 0 in SYN_SENT: nothing to reset, nothing sent
        pause()
        rec.check(2)
    time.sleep(1)
    srv.close()


# name -> (sysctls set in the namespace, story)
NETNS_CASES: dict[str, tuple[dict[str, object], Callable[[Recording], None]]] = {
    "close_with_unread_data": ({}, close_with_unread_data),
    "data_after_close": ({}, data_after_close),
    "close_in_syn_sent": ({}, close_in_syn_sent),
    "close_listener_in_syn_received": ({}, close_listener_in_syn_received),
    "close_in_listen": ({}, close_in_listen),
    "rst_in_fin_wait_1": ({}, rst_in_fin_wait_1),
    "rst_in_fin_wait_2": ({}, rst_in_fin_wait_2),
    "rst_in_close_wait": ({}, rst_in_close_wait),
    "abort_in_fin_wait_1": ({}, abort_in_fin_wait_1),
    "abort_in_last_ack": ({}, abort_in_last_ack),
    "rst_in_last_ack": ({}, rst_in_last_ack),
    "rst_in_closing": ({}, rst_in_closing),
    "time_wait_assassination": ({}, time_wait_assassination),
    "challenge_ack": ({}, challenge_ack),
    "give_up_in_syn_sent": (SHORT_RETRIES, give_up_in_syn_sent),
    "give_up_in_syn_received": (SHORT_RETRIES, give_up_in_syn_received),
    "give_up_in_established": (SHORT_RETRIES, give_up_in_established),
    "give_up_in_fin_wait_1": (SHORT_RETRIES, give_up_in_fin_wait_1),
    "give_up_in_last_ack": (SHORT_RETRIES, give_up_in_last_ack),
    "give_up_in_close_wait": (SHORT_RETRIES, give_up_in_close_wait),
    "give_up_in_closing": (SHORT_RETRIES, give_up_in_closing),
    "fin_wait_2_timeout": ({"net.ipv4.tcp_fin_timeout": 2}, fin_wait_2_timeout),
    "keepalive_finds_a_crashed_peer": (KEEPALIVE_1S, keepalive_finds_a_crashed_peer),
    "keepalive_times_out": (KEEPALIVE_1S, keepalive_times_out),
    "send_finds_a_crashed_peer": ({}, send_finds_a_crashed_peer),
    "new_syn_into_time_wait": ({}, new_syn_into_time_wait),
    "binding_a_port_in_time_wait": ({}, binding_a_port_in_time_wait),
    "syn_cookies_always": ({"net.ipv4.tcp_syncookies": 2}, syn_cookies_always),
    "syn_flood_with_cookies": ({}, syn_flood_with_cookies),
    "syn_flood_without_cookies": (
        {"net.ipv4.tcp_syncookies": 0, "net.ipv4.tcp_synack_retries": 1},
        syn_flood_without_cookies,
    ),
    "accept_queue_full_drops_syn": ({}, accept_queue_full_drops_syn),
    "accept_queue_full_drops_ack": ({}, accept_queue_full_drops_ack),
    "lost_third_ack": ({}, lost_third_ack),
    "lost_fin_and_its_ack": ({}, lost_fin_and_its_ack),
    "close_in_syn_received": ({}, close_in_syn_received),
    "old_duplicate_and_blind_rst": ({}, old_duplicate_and_blind_rst),
    "abort_in_syn_sent": ({}, abort_in_syn_sent),
}


def first_packet_time(pcap: Path) -> float:
    with pcap.open("rb") as f:
        for ts, _ in dpkt.pcap.Reader(f):
            return float(ts)
    return 0.0


def record_in_netns(name: str) -> None:
    sysctls, play = NETNS_CASES[name]
    pcap = HERE / f"{name}.pcap"
    with netns(sysctls):
        rec = Recording(free_port(), pcap)
        with tcpdump(pcap, rec.port):
            play(rec)
    rows = expected_segments(pcap, rec.port)
    if rec.crossed:
        for side in ("client", "server"):
            next(r for r in rows if r["from"] == side and r["flags"] == ["SYN"])["dropped"] = True
    out = HERE / f"{name}.expected.json"
    first = first_packet_time(pcap)
    data = {
        "server_port": rec.port,
        "sysctls": {k: str(v) for k, v in sysctls.items()},
        "segments": rows,
        "checkpoints": rec.checkpoints,
        "errors": rec.errors,
        # when a failing call returned or a state was reached, in seconds after the first
        # segment (to within the 20 ms ss is polled at)
        "times": {k: round(t - first, 2) for k, t in rec.times.items()},
    }
    out.write_text(json.dumps(data, indent=1) + "\n")
    print(f"{name}: {len(rows)} segments")
    for row in rows:
        print("   ", row)
    print("    checkpoints:", rec.checkpoints)
    print("    errors:", rec.errors)


def record(name: str) -> None:
    if name in NETNS_CASES:
        record_in_netns(name)
        return
    offset, play = CASES[name]
    port = PORT + offset
    pcap = HERE / f"{name}.pcap"
    with tcpdump(pcap, port):
        play(port)
    rows = expected_segments(pcap, port)
    out = HERE / f"{name}.expected.json"
    out.write_text(json.dumps({"server_port": port, "segments": rows}, indent=1) + "\n")
    print(f"{name}: {len(rows)} segments")
    for row in rows:
        print("   ", row)


if __name__ == "__main__":
    for case in sys.argv[1:] or [*CASES, *NETNS_CASES]:
        record(case)
