"""Tools for recording real TCP on loopback: tcpdump, iptables drops, scripted sockets.

Used by ``tests/kernel/record.py`` (the engine's ground truth) and
``tests/captures/record.py`` (the capture reader's references). Root, tcpdump and
iptables are needed to record; the tests themselves only read what was recorded.

Segments are dropped with iptables in INPUT: tcpdump has already seen them on
``lo`` by then, so a dropped segment is in the capture, as a lost one is in the
engine's trace.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

PAUSE = 0.2  # longer than Linux's 40 ms delayed ACK, so ACKs go out alone


# other clients, whose traffic the capture leaves out, connect from here
CROWD = "127.0.0.2"


@contextlib.contextmanager
def tcpdump(pcap: Path, port: int, interface: str = "lo") -> Iterator[None]:
    capture = f"tcp port {port} and not host {CROWD}"
    proc = subprocess.Popen(
        ["tcpdump", "-i", interface, "-U", "--immediate-mode", "-w", str(pcap), capture],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    try:
        yield
    finally:
        time.sleep(1.5)  # libpcap hands packets over in blocks; let the last one go
        proc.terminate()
        proc.wait()


@contextlib.contextmanager
def drop_first(*matches: list[str]) -> Iterator[None]:
    """Drop the first INPUT packet matching each of ``matches`` (one rule each)."""
    rules = [
        [
            "INPUT",
            "-p",
            "tcp",
            *match,
            "-m",
            "statistic",
            "--mode",
            "nth",
            "--every",
            "1000000",
            "--packet",
            "0",
            "-j",
            "DROP",
        ]
        for match in matches
    ]
    with iptables_rules(rules):
        yield


@contextlib.contextmanager
def drop_all(*matches: list[str], chain: str = "INPUT") -> Iterator[None]:
    """Drop every packet matching one of ``matches`` while the block runs: in INPUT, after
    tcpdump has seen it (a segment lost on the way), or in OUTPUT, before (never sent)."""
    with iptables_rules([[chain, "-p", "tcp", *match, "-j", "DROP"] for match in matches]):
        yield


@contextlib.contextmanager
def iptables_rules(rules: list[list[str]]) -> Iterator[None]:
    """Insert ``rules`` for the block and delete them after it, whatever happens."""
    for rule in rules:
        subprocess.run(["iptables", "-I", *rule], check=True)
    try:
        yield
    finally:
        for rule in rules:
            subprocess.run(["iptables", "-D", *rule], check=True)


def comparable(rows: list[dict]) -> list[dict]:
    """Segments as the kernel tests compare them: PSH left out (Linux sets it on the last
    segment of a write, the engine on every data segment), the numbers and the length kept."""
    return [
        {
            "from": r["from"],
            "flags": [f for f in r["flags"] if f != "PSH"],
            "seq": r["seq"],
            "ack": r["ack"],
            "len": r["len"],
        }
        for r in rows
    ]


class Server:
    """A listening socket whose accepted connection the case drives step by step."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listener = socket.socket(family)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, port))
        self.listener.listen()
        self.conn: socket.socket | None = None
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self.conn, _ = self.listener.accept()

    def accepted(self) -> socket.socket:
        self._thread.join(10)
        assert self.conn is not None
        return self.conn

    def close(self) -> None:
        self.listener.close()


def opened(port: int, host: str = "127.0.0.1") -> tuple[Server, socket.socket, socket.socket]:
    """A server listening on ``port``, a client connected to it, the connection accepted;
    then a pause. Returns (server, client socket, accepted socket)."""
    srv = Server(port, host)
    cli = socket.create_connection((host, port))
    conn = srv.accepted()
    pause()
    return srv, cli, conn


def exchange(sender: socket.socket, receiver: socket.socket, data: bytes) -> None:
    """``data`` written on one end and read whole on the other; then a pause."""
    sender.sendall(data)
    read_exactly(receiver, len(data))
    pause()


def closes(closer: socket.socket, other: socket.socket) -> None:
    """``closer`` closes and ``other`` reads to the end (the FIN arrived); then a pause."""
    closer.close()
    read_eof(other)
    pause()


def conversation(
    port: int, request: bytes, answer: bytes, client_closes: bool, host: str = "127.0.0.1"
) -> None:
    """A whole connection: the handshake, a request, an answer, one side closes and the
    other reads to the end, then closes too."""
    srv, cli, conn = opened(port, host)
    exchange(cli, conn, request)
    exchange(conn, cli, answer)
    first, last = (cli, conn) if client_closes else (conn, cli)
    closes(first, last)
    last.close()
    pause()
    srv.close()


def read_exactly(sock: socket.socket, n: int) -> None:
    got = 0
    while got < n:
        chunk = sock.recv(n - got)
        assert chunk, "connection closed early"
        got += len(chunk)


def read_eof(sock: socket.socket) -> None:
    assert sock.recv(100) == b""


def pause(seconds: float = PAUSE) -> None:
    time.sleep(seconds)


def abort(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# ---------------------------------------------------------------- network namespaces

CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def netns(sysctls: dict[str, object] | None = None) -> Iterator[str]:
    """Run the block inside a fresh network namespace: loopback up, ``sysctls`` set there.

    The host's settings and iptables rules are untouched, other engineers' loopback
    traffic is out of sight, and every port is free. Threads and processes (tcpdump,
    iptables, ss) that the block starts are inside the namespace too; it is deleted after.
    """
    name = f"tutor-rec-{os.getpid()}-{next(_namespaces)}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        for key, value in (sysctls or {}).items():
            subprocess.run(
                ["ip", "netns", "exec", name, "sysctl", "-qw", f"{key}={value}"], check=True
            )
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{name}", os.O_RDONLY)
        try:
            _setns(target)
            try:
                yield name
            finally:
                _setns(home)
        finally:
            os.close(home)
            os.close(target)
    finally:
        subprocess.run(["ip", "netns", "del", name], check=True)


_namespaces = itertools.count()


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- forged segments

_FLAG_BITS = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10}


def inject(
    src: tuple[str, int],
    dst: tuple[str, int],
    flags: str,
    seq: int,
    ack: int = 0,
    payload: bytes = b"",
) -> None:
    """Put a TCP segment on loopback that no socket sent (a forged or an old segment)."""
    bits = 0
    for name in flags.split(","):
        bits |= _FLAG_BITS[name.strip()]
    src_ip, dst_ip = socket.inet_aton(src[0]), socket.inet_aton(dst[0])
    header = struct.pack(
        "!HHIIBBHHH", src[1], dst[1], seq % 2**32, ack % 2**32, 5 << 4, bits, 65535, 0, 0
    )
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, socket.IPPROTO_TCP, 20 + len(payload))
    check = _checksum(pseudo + header + payload)
    tcp = header[:16] + struct.pack("!H", check) + header[18:] + payload
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, socket.IPPROTO_TCP, 0, src_ip, dst_ip
    )
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW) as raw:
        raw.sendto(ip + tcp, (dst[0], 0))


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def next_seq(pcap: Path, sender_port: int) -> int:
    """The seq just after the last segment sent from ``sender_port`` so far: its SND.NXT,
    and the other side's RCV.NXT once that segment arrived (read from the capture)."""
    import dpkt

    end = None
    with pcap.open("rb") as f:
        for _, buf in dpkt.pcap.Reader(f):
            tcp = dpkt.ethernet.Ethernet(buf).data.data
            if isinstance(tcp, dpkt.tcp.TCP) and tcp.sport == sender_port:
                syn_fin = bool(tcp.flags & dpkt.tcp.TH_SYN) + bool(tcp.flags & dpkt.tcp.TH_FIN)
                end = (tcp.seq + len(tcp.data) + syn_fin) % 2**32
    assert end is not None, f"nothing sent from port {sender_port} yet"
    return end


# ---------------------------------------------------------------- states, as ss prints them

_SS_STATES = {
    "ESTAB": "ESTABLISHED",
    "SYN-SENT": "SYN_SENT",
    "SYN-RECV": "SYN_RECEIVED",
    "FIN-WAIT-1": "FIN_WAIT_1",
    "FIN-WAIT-2": "FIN_WAIT_2",
    "TIME-WAIT": "TIME_WAIT",
    "CLOSE": "CLOSED",
    "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK",
    "LISTEN": "LISTEN",
    "CLOSING": "CLOSING",
}


def states(server_port: int, client_port: int) -> dict[str, str | bool]:
    """Both ends of the connection as ``ss -tan`` shows them (a socket gone is CLOSED),
    and whether a listening socket is still open on the server's port."""
    out = subprocess.run(
        ["ss", "-tanH", "state", "all"], capture_output=True, text=True, check=True
    ).stdout
    found: dict[str, str] = {}
    listening = False
    for line in out.splitlines():
        state, _, _, local, peer = line.split()[:5]
        ports = (local.rsplit(":", 1)[1], peer.rsplit(":", 1)[1])
        if ports == (str(client_port), str(server_port)):
            found["client"] = _SS_STATES[state]
        elif ports == (str(server_port), str(client_port)):
            found["server"] = _SS_STATES[state]
        elif ports[0] == str(server_port) and state == "LISTEN":
            listening = True
    return {
        "client": found.get("client", "CLOSED"),
        "server": found.get("server", "CLOSED"),
        "listening": listening,
    }


# ---------------------------------------------------------------- relative numbers


def relative_numbers(rows: list[dict]) -> list[dict]:
    """``rows`` (``from``, ``flags``, absolute ``seq``/``ack``) with seq and ack counted from
    each side's ISN, as tcpdump prints them. A client SYN with a new seq starts a new
    connection from the same port (its ISN clock has moved on): it counts from there."""
    isn: dict[str, int] = {}
    out = []
    for row in rows:
        side = row["from"]
        other = "client" if side == "server" else "server"
        if "SYN" in row["flags"]:
            new_connection = side == "client" and "ACK" not in row["flags"]
            if side not in isn or new_connection:
                isn[side] = row["seq"]
        ack = row["ack"]
        out.append(
            {
                **row,
                "seq": (row["seq"] - isn.get(side, 0)) % 2**32,
                "ack": None if ack is None else (ack - isn.get(other, 0)) % 2**32,
            }
        )
    return out
