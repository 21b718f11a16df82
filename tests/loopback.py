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
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

PAUSE = 0.2  # longer than Linux's 40 ms delayed ACK, so ACKs go out alone


@contextlib.contextmanager
def tcpdump(pcap: Path, port: int, interface: str = "lo") -> Iterator[None]:
    proc = subprocess.Popen(
        ["tcpdump", "-i", interface, "-U", "--immediate-mode", "-w", str(pcap), f"tcp port {port}"],
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
    for rule in rules:
        subprocess.run(["iptables", "-I", *rule], check=True)
    try:
        yield
    finally:
        for rule in rules:
            subprocess.run(["iptables", "-D", *rule], check=True)


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
