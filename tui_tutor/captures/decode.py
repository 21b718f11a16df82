"""From a captured frame to the TCP header fields connection tracking needs.

Link layers: Ethernet (with 802.1Q / 802.1ad VLAN tags), Linux cooked capture v1
(SLL) and v2 (SLL2), raw IP, BSD loopback (null and OpenBSD loop). Network
layers: IPv4 and IPv6 (with extension headers). Anything else, a fragment, or a
header cut short by the snapshot length is not TCP to us: the decoder says None.

``DECODERS[linktype](buf, start, end)`` gives a ``Decoded`` tuple
``(key, flags, seq, ack, window, length)``:

- ``key``: source address, destination address, source port, destination port as
  the bytes on the wire (4+4+2+2 for IPv4, 16+16+2+2 for IPv6); a dict key that
  needs no formatting per packet. ``reverse_key`` swaps the ends; ``endpoints``
  turns it into ``ip:port`` labels.
- ``flags``: the TCP flag byte (FIN 0x01 ... CWR 0x80).
- ``length``: payload bytes, from the IP length, so a snapshot length that cut
  the payload off does not change it.

This runs once per packet, so it unpacks with precompiled ``struct`` formats and
builds no objects but the result.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Callable

Decoded = tuple[bytes, int, int, int, int, int]
Decoder = Callable[[bytes, int, int], Decoded | None]

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80

_ETH_IPV4 = 0x0800
_ETH_IPV6 = 0x86DD
_ETH_VLAN = frozenset({0x8100, 0x88A8, 0x9100})  # 802.1Q, 802.1ad, old QinQ

_u16 = struct.Struct("!H").unpack_from
# IPv4: version+IHL, (tos), total length, (id), flags+fragment offset, (ttl), protocol
_ipv4_head = struct.Struct("!BxHxxHxB").unpack_from
# TCP: (ports), seq, ack, data offset+flags, window
_tcp_head = struct.Struct("!4xIIHH").unpack_from

# IPv6 extension headers that may come before TCP
_HOP_BY_HOP, _ROUTING, _FRAGMENT, _AUTH, _DEST_OPTS = 0, 43, 44, 51, 60


def _tcp(buf: bytes, addrs: bytes, tcp: int, end: int, ip_payload: int) -> Decoded | None:
    """``ip_payload``: bytes after the IP header(s) as the IP header counts them."""
    if tcp + 20 > end:
        return None
    seq, ack, off_flags, window = _tcp_head(buf, tcp)
    header = (off_flags >> 12) << 2
    length = ip_payload - header
    if header < 20 or length < 0:
        return None
    return addrs + buf[tcp : tcp + 4], off_flags & 0xFF, seq, ack, window, length


def ipv4(buf: bytes, off: int, end: int) -> Decoded | None:
    if end - off < 20:
        return None
    version_ihl, total, fragment, protocol = _ipv4_head(buf, off)
    # 0x3FFF: more-fragments bit or a fragment offset; only whole datagrams carry a whole header
    if protocol != 6 or version_ihl >> 4 != 4 or fragment & 0x3FFF:
        return None
    ihl = (version_ihl & 0x0F) << 2
    if ihl < 20:
        return None
    if total == 0:
        # segmentation offload: the kernel hands the capture a length it has not filled in
        total = end - off
    return _tcp(buf, buf[off + 12 : off + 20], off + ihl, end, total - ihl)


def ipv6(buf: bytes, off: int, end: int) -> Decoded | None:
    if end - off < 40 or buf[off] >> 4 != 6:
        return None
    payload = _u16(buf, off + 4)[0]
    next_header = buf[off + 6]
    p = off + 40
    limit = p + payload if payload else end  # 0: a jumbogram or offload, take what is there
    while next_header != 6:
        if p + 8 > end:
            return None
        if next_header in (_HOP_BY_HOP, _ROUTING, _DEST_OPTS):
            next_header, p = buf[p], p + (buf[p + 1] + 1) * 8
        elif next_header == _FRAGMENT:
            if _u16(buf, p + 2)[0] & 0xFFF9:  # an offset, or more fragments to come
                return None
            next_header, p = buf[p], p + 8
        elif next_header == _AUTH:
            next_header, p = buf[p], p + (buf[p + 1] + 2) * 4
        else:
            return None
    return _tcp(buf, buf[off + 8 : off + 40], p, end, limit - p)


def _by_ethertype(buf: bytes, ethertype: int, off: int, end: int) -> Decoded | None:
    while ethertype in _ETH_VLAN:
        if off + 4 > end:
            return None
        ethertype = _u16(buf, off + 2)[0]
        off += 4
    if ethertype == _ETH_IPV4:
        return ipv4(buf, off, end)
    if ethertype == _ETH_IPV6:
        return ipv6(buf, off, end)
    return None


def _by_version(buf: bytes, off: int, end: int) -> Decoded | None:
    if off >= end:
        return None
    version = buf[off] >> 4
    if version == 4:
        return ipv4(buf, off, end)
    if version == 6:
        return ipv6(buf, off, end)
    return None


def ethernet(buf: bytes, start: int, end: int) -> Decoded | None:
    if end - start < 14:
        return None
    return _by_ethertype(buf, _u16(buf, start + 12)[0], start + 14, end)


def linux_sll(buf: bytes, start: int, end: int) -> Decoded | None:
    if end - start < 16:
        return None
    return _by_ethertype(buf, _u16(buf, start + 14)[0], start + 16, end)


def linux_sll2(buf: bytes, start: int, end: int) -> Decoded | None:
    if end - start < 20:
        return None
    return _by_ethertype(buf, _u16(buf, start)[0], start + 20, end)


def loopback(buf: bytes, start: int, end: int) -> Decoded | None:
    # the 4-byte address family is in the writer's byte order and its number differs
    # between systems (AF_INET6 is 10, 24, 28 or 30); the IP version nibble does not
    return _by_version(buf, start + 4, end)


def raw_ip(buf: bytes, start: int, end: int) -> Decoded | None:
    return _by_version(buf, start, end)


def raw_ipv4(buf: bytes, start: int, end: int) -> Decoded | None:
    return ipv4(buf, start, end)


def raw_ipv6(buf: bytes, start: int, end: int) -> Decoded | None:
    return ipv6(buf, start, end)


DECODERS: dict[int, Decoder] = {
    0: loopback,  # NULL
    1: ethernet,  # EN10MB
    12: raw_ip,  # RAW as most BSDs number it in old files
    14: raw_ip,  # RAW as OpenBSD numbers it
    101: raw_ip,  # RAW
    108: loopback,  # LOOP (OpenBSD)
    113: linux_sll,  # LINUX_SLL
    228: raw_ipv4,  # IPV4
    229: raw_ipv6,  # IPV6
    276: linux_sll2,  # LINUX_SLL2
}
SUPPORTED_LINKTYPES = frozenset(DECODERS)


def reverse_key(key: bytes) -> bytes:
    """The key of the other direction: addresses and ports swapped."""
    n = (len(key) - 4) // 2
    return key[n : 2 * n] + key[:n] + key[2 * n + 2 :] + key[2 * n : 2 * n + 2]


def endpoints(key: bytes) -> tuple[tuple[str, int], tuple[str, int]]:
    """``((source address, source port), (destination address, destination port))``."""
    n = (len(key) - 4) // 2
    src = ipaddress.ip_address(key[:n])
    dst = ipaddress.ip_address(key[n : 2 * n])
    sport, dport = struct.unpack("!HH", key[2 * n :])
    return (str(src), sport), (str(dst), dport)


def label(address: str, port: int) -> str:
    """``10.0.0.1:80``; IPv6 addresses in brackets, ``[fe80::1]:179``, so the port stays clear."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
