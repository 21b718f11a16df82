"""Capturing the segments between two ports on ``lo``, as tcpdump would (root or CAP_NET_RAW).

An AF_PACKET socket bound to ``lo`` with a classic BPF filter, so the kernel queues
for us only TCP segments whose source and destination ports are both ours,
whatever else runs on loopback. Nothing reads it while the run goes on: the
socket's receive queue keeps the frames, each stamped by the kernel as it passed
(SO_TIMESTAMPNS), and ``stop`` takes them all. Loopback shows each frame twice,
going out and coming in; as libpcap does, only the incoming copy is kept.

``write_pcap`` saves what was captured in the format tcpdump writes on ``lo``
(Ethernet link type), for Wireshark, ``tui-tutor open`` or the recorders in ``tests/``.
"""

from __future__ import annotations

import ctypes
import socket
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from ..captures import decode

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SO_ATTACH_FILTER = 26
SO_TIMESTAMPNS = 35
SNAPLEN = 65535 + 14

# classic BPF
_LDH_ABS, _LDB_ABS, _LDXB_MSH, _LDH_IND = 0x28, 0x30, 0xB1, 0x48
_JEQ, _JSET, _RET = 0x15, 0x45, 0x06


@dataclass(frozen=True)
class Frame:
    time: float  # seconds since the epoch, as the kernel stamped it
    data: bytes  # the frame with its (all-zero) Ethernet header


def port_filter(ports: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """BPF: IPv4 or IPv6 TCP (no fragments, no IPv6 extension headers) between ``ports``."""
    a, b = ports
    # (opcode, k, label if true, label if false); labels resolve to relative jumps below
    program: list[tuple[str, int, int, str, str]] = [
        ("", _LDH_ABS, 12, "", ""),  # EtherType
        ("", _JEQ, 0x0800, "v4", "is6"),
        ("is6", _JEQ, 0x86DD, "v6", "no"),
        ("v4", _LDB_ABS, 23, "", ""),  # IPv4 protocol
        ("", _JEQ, 6, "", "no"),
        ("", _LDH_ABS, 20, "", ""),  # flags and fragment offset
        ("", _JSET, 0x1FFF, "no", ""),
        ("", _LDXB_MSH, 14, "", ""),  # X = IPv4 header length
        ("", _LDH_IND, 14, "", ""),  # source port
        ("", _JEQ, a, "d4", ""),
        ("", _JEQ, b, "d4", "no"),
        ("d4", _LDH_IND, 16, "", ""),  # destination port
        ("", _JEQ, a, "yes", ""),
        ("", _JEQ, b, "yes", "no"),
        ("v6", _LDB_ABS, 20, "", ""),  # IPv6 next header
        ("", _JEQ, 6, "", "no"),
        ("", _LDH_ABS, 54, "", ""),
        ("", _JEQ, a, "d6", ""),
        ("", _JEQ, b, "d6", "no"),
        ("d6", _LDH_ABS, 56, "", ""),
        ("", _JEQ, a, "yes", ""),
        ("", _JEQ, b, "yes", "no"),
        ("yes", _RET, SNAPLEN, "", ""),
        ("no", _RET, 0, "", ""),
    ]
    where = {label: i for i, (label, *_) in enumerate(program) if label}
    out = []
    for i, (_label, op, k, yes, no) in enumerate(program):
        jt = where[yes] - i - 1 if yes else 0
        jf = where[no] - i - 1 if no else 0
        out.append((op, jt, jf, k))
    return out


class Capture:
    """Frames between ``ports`` on ``lo`` from ``start`` to ``stop``."""

    def __init__(self, ports: tuple[int, int], interface: str = "lo") -> None:
        self.ports = ports
        self.interface = interface
        self.sock: socket.socket | None = None
        self.frames: list[Frame] = []

    def start(self) -> None:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
            program = port_filter(self.ports)
            raw = b"".join(struct.pack("HBBI", *ins) for ins in program)
            buf = ctypes.create_string_buffer(raw)
            fprog = struct.pack("HL", len(program), ctypes.addressof(buf))
            sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            sock.bind((self.interface, 0))
            sock.setblocking(False)
            self._drain(sock, keep=False)  # what came before the filter was attached
        except OSError:
            sock.close()
            raise
        self.sock = sock

    def stop(self) -> list[Frame]:
        """Everything captured since ``start``, in the order it passed."""
        if self.sock is not None:
            time.sleep(0.01)  # the last frame of a step may still be on its way up
            self._drain(self.sock, keep=True)
            self.sock.close()
            self.sock = None
        return self.frames

    def _drain(self, sock: socket.socket, keep: bool) -> None:
        space = socket.CMSG_SPACE(16)
        while True:
            try:
                data, ancillary, _flags, address = sock.recvmsg(SNAPLEN, space)
            except BlockingIOError:
                return
            if not keep or address[2] == PACKET_OUTGOING:
                continue
            stamp = time.time()
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                    seconds, nanoseconds = struct.unpack("qq", value[:16])
                    stamp = seconds + nanoseconds / 1e9
            self.frames.append(Frame(stamp, data))


def segments(frames: list[Frame]) -> list[tuple[float, decode.Decoded]]:
    """The decoded TCP segments of the frames (key, flags, seq, ack, window, length)."""
    ethernet = decode.DECODERS[1]
    found = []
    for frame in frames:
        decoded = ethernet(frame.data, 0, len(frame.data))
        if decoded is not None:
            found.append((frame.time, decoded))
    return found


def write_pcap(frames: list[Frame], path: Path) -> None:
    """A pcap file with microsecond stamps and the Ethernet link type, as tcpdump -i lo writes."""
    with path.open("wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, 1))
        for frame in frames:
            seconds = int(frame.time)
            micros = round((frame.time - seconds) * 1e6)
            if micros == 1_000_000:
                seconds, micros = seconds + 1, 0
            size = len(frame.data)
            f.write(struct.pack("<IIII", seconds, micros, size, size) + frame.data)
