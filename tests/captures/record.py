"""Record real loopback traffic for the capture reader's tests.

Run as root on Linux with tcpdump, iptables and editcap (Wireshark) installed:

    .venv/bin/python tests/captures/record.py             # every case
    .venv/bin/python tests/captures/record.py keepalive   # one case
    .venv/bin/python tests/captures/record.py --expected-only   # no recording

Each case plays a story with real sockets while tcpdump writes ``NAME.pcap``,
then this writes ``NAME.txt`` (what ``tcpdump -nn -r`` prints, the reference for
flags, seq/ack and lengths) and ``NAME.expected.json`` (what ``tui-tutor capture
--json`` printed when the case was recorded and its states were checked by hand).
Some cases are also converted by ``editcap`` to pcapng or nanosecond pcap, so the
reader meets files written by Wireshark's tools and not only by tcpdump.

Segments are dropped with iptables in INPUT: tcpdump has already seen them on
``lo`` by then, so a dropped segment is in the capture and is sent again.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
PORT = 47900  # each case adds its own offset

sys.path.insert(0, str(HERE.parent))
from loopback import (  # noqa: E402 - the shared recording tools, beside this folder
    Server,
    abort,
    closes,
    conversation,
    drop_first,
    exchange,
    opened,
    pause,
    read_eof,
    read_exactly,
    tcpdump,
)

# -------------------------------------------------------------------- cases


def ipv6_close(port: int) -> None:
    """A whole connection over ::1: handshake, a request, an answer, the client closes."""
    conversation(port, b"ping", b"pong!", client_closes=True, host="::1")


def data_retransmission(port: int) -> None:
    """The client's first data segment is dropped once; Linux sends it again."""
    srv, cli, conn = opened(port)
    with drop_first(["--dport", str(port), "-m", "length", "--length", "60:65535"]):
        cli.sendall(b"0123456789")
        read_exactly(conn, 10)
    pause()
    closes(cli, conn)
    conn.close()
    pause()
    srv.close()


def refused_ipv6(port: int) -> None:
    """Nothing listens on the port: the SYN gets RST,ACK."""
    with contextlib.suppress(ConnectionRefusedError):
        socket.create_connection(("::1", port))
        raise AssertionError("something listens on the port")
    pause()


def simultaneous_close(port: int) -> None:
    """Both FINs are dropped once, so each side sends its FIN before it gets the other's."""
    srv, cli, conn = opened(port)
    fin = ["--tcp-flags", "SYN,ACK,FIN,RST", "FIN,ACK"]
    with drop_first(["--dport", str(port), *fin], ["--sport", str(port), *fin]):
        cli.close()
        time.sleep(0.05)
        conn.close()
        time.sleep(1.5)
    srv.close()


def reset_in_fin_wait_2(port: int) -> None:
    """The client half-closes; the server aborts: RST reaches a client in FIN_WAIT_2."""
    srv, cli, conn = opened(port)
    cli.shutdown(socket.SHUT_WR)
    read_eof(conn)
    pause()
    abort(conn)
    pause()
    cli.close()
    srv.close()


def keepalive(port: int) -> None:
    """An idle connection with keep-alives every second (Linux's shortest idle time)."""
    srv = Server(port)
    cli = socket.create_connection(("127.0.0.1", port))
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    conn = srv.accepted()
    pause()
    cli.sendall(b"hello")
    read_exactly(conn, 5)
    time.sleep(2.5)
    closes(conn, cli)
    cli.close()
    pause()
    srv.close()


def two_connections_same_port(port: int) -> None:
    """Two connections one after the other from the same client port: the second SYN
    on a closed pair starts a new connection."""
    srv = Server(port)
    for _ in range(2):
        cli = socket.socket()
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        cli.bind(("127.0.0.1", port + 50))
        cli.connect(("127.0.0.1", port))
        conn = srv.accepted()
        pause()
        abort(cli)  # RST: no TIME_WAIT, so the port is free again at once
        pause()
        conn.close()
        srv._thread = threading.Thread(target=srv._accept, daemon=True)
        srv.conn = None
        srv._thread.start()
    srv.close()


def simultaneous_open(port: int) -> None:
    """Two sockets bound to each other's peer port connect at once. Both first SYNs are
    dropped, so each side is in SYN_SENT when the other's SYN arrives: they cross."""
    a, b = socket.socket(), socket.socket()
    for sock, own in ((a, port), (b, port + 50)):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", own))
        sock.setblocking(False)
    syn = ["--tcp-flags", "SYN,ACK,FIN,RST", "SYN"]
    with drop_first(["--dport", str(port + 50), *syn], ["--dport", str(port), *syn]):
        a.connect_ex(("127.0.0.1", port + 50))
        b.connect_ex(("127.0.0.1", port))
        time.sleep(1.5)
    for sock in (a, b):
        sock.setblocking(True)
    exchange(a, b, b"hi")
    abort(a)
    pause()
    b.close()


# name -> (port offset, story, interface, editcap output format or None)
CASES: dict[str, tuple[int, Callable[[int], None], str, str | None]] = {
    "ipv6_close": (0, ipv6_close, "any", None),
    "data_retransmission": (1, data_retransmission, "lo", "pcapng"),
    "refused_ipv6": (2, refused_ipv6, "lo", None),
    "simultaneous_close": (3, simultaneous_close, "lo", None),
    "reset_in_fin_wait_2": (4, reset_in_fin_wait_2, "lo", "nsecpcap"),
    "keepalive": (5, keepalive, "lo", None),
    "two_connections_same_port": (6, two_connections_same_port, "lo", None),
    "simultaneous_open": (7, simultaneous_open, "lo", None),
}


def record(name: str) -> None:
    offset, play, interface, convert = CASES[name]
    port = PORT + offset
    pcap = HERE / f"{name}.pcap"
    with tcpdump(pcap, port, interface):
        play(port)
    if convert:
        converted = HERE / f"{name}.{'pcapng' if convert == 'pcapng' else 'ns.pcap'}"
        subprocess.run(["editcap", "-F", convert, str(pcap), str(converted)], check=True)
        pcap.unlink()
        pcap = converted
    text = subprocess.run(
        ["tcpdump", "-nn", "-r", str(pcap)], capture_output=True, text=True, check=True
    ).stdout
    (HERE / f"{name}.txt").write_text(text)
    print(f"{name}: {pcap.name}, {len(text.splitlines())} segments")
    print(text)
    expect(pcap)


def expect(pcap: Path) -> None:
    """Write NAME.expected.json from what the reader makes of the capture now, and show
    the ladder: check the states by hand before committing it."""
    name = pcap.name.split(".")[0]
    out = subprocess.run(
        [sys.executable, "-m", "tui_tutor", "capture", "--json", str(pcap)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    (HERE / f"{name}.expected.json").write_text(json.dumps(json.loads(out), indent=1) + "\n")
    subprocess.run([sys.executable, "-m", "tui_tutor", "capture", str(pcap)], cwd=ROOT)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--expected-only"]:
        # after a change to the reader: rewrite the expected files, recording nothing
        for pcap in sorted(HERE.glob("*.pcap*")):
            expect(pcap)
    else:
        for case in sys.argv[1:] or list(CASES):
            record(case)
