"""Record what the Linux kernel sends on loopback, as the engine's ground truth.

Run as root on Linux with tcpdump and iptables installed:

    .venv/bin/python tests/kernel/record.py            # every case
    .venv/bin/python tests/kernel/record.py lost_syn   # one case

For each case it plays the same story with real sockets that ``NAME.toml`` tells
the engine, captures it with tcpdump on ``lo`` into ``NAME.pcap``, and writes
``NAME.expected.json``: the segments with flags (PSH left out), seq and ack
relative to each side's ISN, and payload length. ``test_kernel.py`` compares the
engine with these files; it needs neither root nor tcpdump.

Segments are dropped with iptables in INPUT: tcpdump has already seen them on
``lo`` by then, so a lost segment is in the capture, as it is in the engine's trace.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

import dpkt

HERE = Path(__file__).parent
PORT = 47800  # the server's port; each case adds its own offset

sys.path.insert(0, str(HERE.parent))
from loopback import (  # noqa: E402 - the shared recording tools, beside this folder
    Server,
    abort,
    drop_first,
    pause,
    read_eof,
    read_exactly,
    tcpdump,
)


def expected_segments(pcap: Path, server_port: int) -> list[dict]:
    """The capture as the comparison needs it (relative seq/ack, PSH left out)."""
    isn: dict[str, int] = {}
    rows = []
    first: float | None = None
    with pcap.open("rb") as f:
        for ts, buf in dpkt.pcap.Reader(f):
            first = ts if first is None else first
            ip = dpkt.ethernet.Ethernet(buf).data
            tcp = ip.data
            if not isinstance(tcp, dpkt.tcp.TCP):
                continue
            side = "server" if tcp.sport == server_port else "client"
            other = "client" if side == "server" else "server"
            if tcp.flags & dpkt.tcp.TH_SYN:
                isn.setdefault(side, tcp.seq)
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
            ack = None
            if tcp.flags & dpkt.tcp.TH_ACK:
                ack = (tcp.ack - isn.get(other, 0)) % 2**32
            rows.append(
                {
                    "from": side,
                    "flags": names,
                    "seq": (tcp.seq - isn.get(side, 0)) % 2**32,
                    "ack": ack,
                    "len": len(tcp.data),
                    "time": round(float(ts - first), 3),
                }
            )
    return rows


# -------------------------------------------------------------------- cases


def client_closes_first(port: int) -> None:
    srv = Server(port)
    cli = socket.create_connection(("127.0.0.1", port))
    conn = srv.accepted()
    pause()
    cli.sendall(b"hello")
    read_exactly(conn, 5)
    pause()
    conn.sendall(b"world!")
    read_exactly(cli, 6)
    pause()
    cli.close()
    read_eof(conn)
    pause()
    conn.close()
    pause()
    srv.close()


def server_closes_first(port: int) -> None:
    srv = Server(port)
    cli = socket.create_connection(("127.0.0.1", port))
    conn = srv.accepted()
    pause()
    cli.sendall(b"GET")
    read_exactly(conn, 3)
    pause()
    conn.sendall(b"0123456789")
    read_exactly(cli, 10)
    pause()
    conn.close()
    read_eof(cli)
    pause()
    cli.close()
    pause()
    srv.close()


def half_close(port: int) -> None:
    srv = Server(port)
    cli = socket.create_connection(("127.0.0.1", port))
    conn = srv.accepted()
    pause()
    cli.sendall(b"query")
    read_exactly(conn, 5)
    pause()
    cli.shutdown(socket.SHUT_WR)
    read_eof(conn)
    pause()
    conn.sendall(b"answer-1")
    read_exactly(cli, 8)
    pause()
    conn.sendall(b"answer-2")
    read_exactly(cli, 8)
    pause()
    conn.close()
    read_eof(cli)
    pause()
    cli.close()
    pause()
    srv.close()


def three_segment_close(port: int) -> None:
    srv = Server(port)
    cli = socket.create_connection(("127.0.0.1", port))
    conn = srv.accepted()
    pause()
    cli.close()
    read_eof(conn)
    conn.close()  # at once: the delayed ACK of the client's FIN rides on our FIN
    pause()
    srv.close()


def abort_with_rst(port: int) -> None:
    srv = Server(port)
    cli = socket.create_connection(("127.0.0.1", port))
    conn = srv.accepted()
    pause()
    cli.sendall(b"hello")
    read_exactly(conn, 5)
    pause()
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
    cli.close()
    read_eof(conn)
    pause()
    conn.close()
    pause()
    srv.close()


def lost_last_ack(port: int) -> None:
    srv = Server(port)
    cli = socket.create_connection(("127.0.0.1", port))
    conn = srv.accepted()
    pause()
    cli.close()
    read_eof(conn)
    pause()
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


def record(name: str) -> None:
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
    for case in sys.argv[1:] or list(CASES):
        record(case)
