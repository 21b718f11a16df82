"""Small synthetic captures for the capture reader's tests, written with dpkt.

``Seg`` is one TCP segment between two ``ip:port`` ends; ``tcp_packet`` builds its
IPv4 or IPv6 packet with dpkt; ``frame`` wraps a packet in one of the link layers
the reader knows; ``write_pcap`` and ``write_pcapng`` store frames in any of the
file variants (microseconds or nanoseconds, either byte order). The files are
written by hand, byte by byte, so the tests control exactly what the reader meets.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from pathlib import Path

import dpkt

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

LINKTYPES = {
    "ethernet": 1,
    "vlan": 1,
    "qinq": 1,
    "sll": 113,
    "sll2": 276,
    "raw": 101,
    "null_le": 0,
    "null_be": 0,
    "loop": 108,
    "ipv4": 228,
    "ipv6": 229,
    "ppp": 9,
    "ppp_pfc": 9,
    "ppp_hdlc": 50,
    "chdlc": 104,
    "frelay": 107,
    "frelay_cisco": 107,
    "arcnet": 129,
    "juniper": 178,
    "ipoib": 242,
}


@dataclass(frozen=True)
class Seg:
    src: str  # "10.0.0.1:5000" or "[2001:db8::1]:5000"
    dst: str
    flags: int
    seq: int
    ack: int = 0
    payload: int = 0
    time: float = 0.0
    window: int = 65535


def split_end(end: str) -> tuple[str, int]:
    host, port = end.rsplit(":", 1)
    return host.strip("[]"), int(port)


def tcp_packet(seg: Seg) -> bytes:
    (src, sport), (dst, dport) = split_end(seg.src), split_end(seg.dst)
    tcp = dpkt.tcp.TCP(
        sport=sport,
        dport=dport,
        seq=seg.seq,
        ack=seg.ack,
        flags=seg.flags,
        win=seg.window,
        data=b"\x00" * seg.payload,
    )
    if ":" in src:
        ip6 = dpkt.ip6.IP6(
            src=ipaddress.IPv6Address(src).packed,
            dst=ipaddress.IPv6Address(dst).packed,
            nxt=6,
            hlim=64,
        )
        ip6.data = tcp
        ip6.plen = len(tcp)
        return bytes(ip6)
    ip = dpkt.ip.IP(
        src=ipaddress.IPv4Address(src).packed,
        dst=ipaddress.IPv4Address(dst).packed,
        p=6,
        data=tcp,
    )
    ip.len = len(ip)
    return bytes(ip)


def frame(packet: bytes, link: str) -> bytes:
    """The packet behind the link layer ``link`` (a key of ``LINKTYPES``)."""
    v6 = packet[0] >> 4 == 6
    ethertype = 0x86DD if v6 else 0x0800
    macs = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    if link == "ethernet":
        return macs + struct.pack("!H", ethertype) + packet
    if link == "vlan":
        return macs + struct.pack("!HHH", 0x8100, 42, ethertype) + packet
    if link == "qinq":
        return macs + struct.pack("!HHHHH", 0x88A8, 7, 0x8100, 42, ethertype) + packet
    if link == "sll":
        return struct.pack("!HHH8sH", 0, 772, 6, b"\x00" * 8, ethertype) + packet
    if link == "sll2":
        return struct.pack("!HHIHBB8s", ethertype, 0, 1, 772, 0, 6, b"\x00" * 8) + packet
    if link in ("raw", "ipv4", "ipv6"):
        return packet
    if link == "null_le":
        return struct.pack("<I", 30 if v6 else 2) + packet  # macOS numbers AF_INET6 30
    if link == "null_be":
        return struct.pack(">I", 24 if v6 else 2) + packet  # NetBSD/OpenBSD: 24
    if link == "loop":
        return struct.pack(">I", 24 if v6 else 2) + packet
    if link == "ppp":  # address, control, protocol (0x0021 IPv4, 0x0057 IPv6)
        return b"\xff\x03" + struct.pack("!H", 0x57 if v6 else 0x21) + packet
    if link == "ppp_pfc":  # no address and control, the protocol in one byte
        return bytes([0x57 if v6 else 0x21]) + packet
    if link == "ppp_hdlc":
        return b"\xff\x03" + struct.pack("!H", 0x57 if v6 else 0x21) + packet
    if link == "chdlc":  # unicast address, control, EtherType
        return struct.pack("!BBH", 0x0F, 0, ethertype) + packet
    if link == "frelay":  # a 2-byte Q.922 address (DLCI 100), UI, NLPID
        return b"\x18\x41\x03" + bytes([0x8E if v6 else 0xCC]) + packet
    if link == "frelay_cisco":  # Cisco's: the address, then an EtherType
        return b"\x18\x41" + struct.pack("!H", ethertype) + packet
    if link == "arcnet":  # Linux: source, destination, offset, protocol, split flag, seqid
        return struct.pack("!BBHBBH", 1, 2, 0, 0xC4 if v6 else 212, 0, 7) + packet
    if link == "juniper":  # "MGC", flags (incoming), then an Ethernet frame
        return b"MGC\x01" + frame(packet, "ethernet")
    if link == "ipoib":  # 40 bytes of addresses, the EtherType, 2 reserved bytes
        return b"\x00" * 40 + struct.pack("!HH", ethertype, 0) + packet
    raise ValueError(link)


# ------------------------------------------------------------------ tunnels

TUNNELS = ("vxlan", "geneve", "geneve_ip", "gre", "gre_key", "gre_bridge", "wccp", "ipip")


def ip_packet(src: str, dst: str, protocol: int, payload: bytes) -> bytes:
    """An IPv4 or IPv6 packet (as ``src`` is) of ``protocol`` around ``payload``."""
    if ":" in src:
        ip6 = dpkt.ip6.IP6(
            src=ipaddress.IPv6Address(src).packed,
            dst=ipaddress.IPv6Address(dst).packed,
            nxt=protocol,
            hlim=64,
            plen=len(payload),
        )
        return bytes(ip6.pack_hdr()) + payload
    ip = dpkt.ip.IP(
        src=ipaddress.IPv4Address(src).packed,
        dst=ipaddress.IPv4Address(dst).packed,
        p=protocol,
        len=20 + len(payload),
    )
    return bytes(ip.pack_hdr()) + payload


def wrap(packet: bytes, kind: str, src: str, dst: str, vni: int = 42) -> bytes:
    """``packet`` (an IP packet) sent through a tunnel of ``kind`` from ``src`` to ``dst``."""
    v6 = packet[0] >> 4 == 6
    ethertype = 0x86DD if v6 else 0x0800
    if kind == "vxlan":
        body = struct.pack("!BxxxI", 0x08, vni << 8) + frame(packet, "ethernet")
        return ip_packet(src, dst, 17, _udp(54321, 4789, body))
    if kind in ("geneve", "geneve_ip"):
        carried = frame(packet, "ethernet") if kind == "geneve" else packet
        protocol = 0x6558 if kind == "geneve" else ethertype
        option = struct.pack("!HBB", 0x0132, 1, 1) + b"\x00" * 4  # one 8-byte option
        body = struct.pack("!BBHI", 2, 0, protocol, vni << 8) + option + carried
        return ip_packet(src, dst, 17, _udp(6081, 6081, body))
    if kind == "gre":
        return ip_packet(src, dst, 47, struct.pack("!HH", 0, ethertype) + packet)
    if kind == "gre_key":  # checksum, key and sequence number present
        head = struct.pack("!HHHHII", 0xB000, ethertype, 0, 0, vni, 1)
        return ip_packet(src, dst, 47, head + packet)
    if kind == "gre_bridge":  # transparent Ethernet bridging
        return ip_packet(src, dst, 47, struct.pack("!HH", 0, 0x6558) + frame(packet, "ethernet"))
    if kind == "wccp":  # WCCP's redirect header before the IPv4 packet
        head = struct.pack("!HH", 0, 0x883E) + b"\x00\x59\x00\x48"
        return ip_packet(src, dst, 47, head + packet)
    if kind == "ipip":
        return ip_packet(src, dst, 41 if v6 else 4, packet)
    raise ValueError(kind)


def _udp(sport: int, dport: int, body: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body


def write_pcap(
    path: Path,
    frames: list[tuple[float, bytes]],
    linktype: int,
    nano: bool = False,
    big_endian: bool = False,
) -> None:
    order = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    scale = 10**9 if nano else 10**6
    out = [struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)]
    for t, data in frames:
        units = round(t * scale)
        sec, frac = divmod(units, scale)
        out.append(struct.pack(order + "IIII", sec, frac, len(data), len(data)) + data)
    path.write_bytes(b"".join(out))


def _block(order: str, kind: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    length = len(body) + 12
    return struct.pack(order + "II", kind, length) + body + struct.pack(order + "I", length)


def write_pcapng(
    path: Path,
    frames: list[tuple[float, bytes]] | list[tuple[float, bytes, int]],
    linktype: int | list[int],
    big_endian: bool = False,
    tsresol: int = 6,
) -> None:
    """A pcapng file; with a list of link types, one interface each, and each frame
    ``(time, data, interface number)``."""
    order = ">" if big_endian else "<"
    shb = _block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    option = struct.pack(order + "HHB3x", 9, 1, tsresol) + struct.pack(order + "HH", 0, 0)
    linktypes = linktype if isinstance(linktype, list) else [linktype]
    blocks = [shb]
    for each in linktypes:
        blocks.append(_block(order, 1, struct.pack(order + "HHI", each, 0, 65535) + option))
    scale = 10**tsresol
    for t, data, *interface in frames:
        units = round(t * scale)
        head = struct.pack(
            order + "IIIII",
            interface[0] if interface else 0,
            units >> 32,
            units & 0xFFFFFFFF,
            len(data),
            len(data),
        )
        blocks.append(_block(order, 6, head + data))
    path.write_bytes(b"".join(blocks))


def write(
    path: Path,
    segs: list[Seg],
    link: str = "ethernet",
    container: str = "pcap",
    nano: bool = False,
    big_endian: bool = False,
) -> Path:
    """Write ``segs`` as a capture: ``container`` is "pcap" or "pcapng"."""
    frames = [(s.time, frame(tcp_packet(s), link)) for s in segs]
    if container == "pcapng":
        write_pcapng(path, frames, LINKTYPES[link], big_endian, tsresol=9 if nano else 6)
    else:
        write_pcap(path, frames, LINKTYPES[link], nano, big_endian)
    return path


def handshake_and_close(
    client: str = "10.0.0.1:40000",
    server: str = "10.0.0.2:80",
    isn_c: int = 1000,
    isn_s: int = 5000,
    start: float = 1_700_000_000.0,
    data: int = 5,
) -> list[Seg]:
    """A whole connection: handshake, data from the client, a four-segment close."""
    M = 2**32
    c, s = isn_c, isn_s
    rows = [
        (client, server, SYN, c, 0, 0),
        (server, client, SYN | ACK, s, c + 1, 0),
        (client, server, ACK, c + 1, s + 1, 0),
        (client, server, PSH | ACK, c + 1, s + 1, data),
        (server, client, ACK, s + 1, c + 1 + data, 0),
        (client, server, FIN | ACK, c + 1 + data, s + 1, 0),
        (server, client, ACK, s + 1, c + 2 + data, 0),
        (server, client, FIN | ACK, s + 1, c + 2 + data, 0),
        (client, server, ACK, c + 2 + data, s + 2, 0),
    ]
    return [
        Seg(src, dst, flags, seq % M, ack % M, payload, start + i * 0.001)
        for i, (src, dst, flags, seq, ack, payload) in enumerate(rows)
    ]
