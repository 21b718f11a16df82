"""From a captured frame to the TCP header fields connection tracking needs.

Link layers: Ethernet (with 802.1Q / 802.1ad VLAN tags, MPLS, PPPoE), Linux cooked capture v1
(SLL) and v2 (SLL2), raw IP, BSD loopback (null and OpenBSD loop), and those of
``links.py`` (PPP, Cisco HDLC, Frame Relay, ARCNET, Juniper, IP over InfiniBand).
Network layers: IPv4 and IPv6 (with extension headers), and the tunnels of
``tunnels.py`` (VXLAN, Geneve, GRE, IP in IP), nested or not, down to the TCP
inside. Anything else, or a later IP fragment, is not TCP to us: the decoder
says None.

``DECODERS[linktype](buf, start, end)`` gives a ``Decoded`` tuple
``(key, flags, seq, ack, window, length, extra)``:

- ``key``: source address, destination address, source port, destination port as
  the bytes on the wire (4+4+2+2 for IPv4, 16+16+2+2 for IPv6); a dict key that
  needs no formatting per packet. ``reverse_key`` swaps the ends; ``endpoints``
  turns it into ``ip:port`` labels.
- ``flags``: the TCP flag byte (FIN 0x01 ... CWR 0x80).
- ``length``: payload bytes, from the IP length, so a snapshot length that cut
  the payload off does not change it.
- ``extra``: None for nearly every packet; else ``(tunnels, note)``: the tunnels
  it came through, outermost first (``tunnels.Tunnel``), and what is missing
  from it when the capture cut its TCP header or it is the first fragment of an
  IP packet (the ports and flags are kept; the rest of the segment is not read).

This runs once per packet, so it unpacks with precompiled ``struct`` formats and
builds no objects but the result.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from . import links, tunnels
from .links import BY_VERSION, ETH_IPV4, ETH_IPV6, ETHERNET

Extra = tuple[tuple[tunnels.Tunnel, ...], str | None]
Decoded = tuple[bytes, int, int, int, int, int, Extra | None]
Decoder = Callable[..., Decoded | None]

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80

_ETH_IPV4 = ETH_IPV4
_ETH_IPV6 = ETH_IPV6
_ETH_VLAN = frozenset({0x8100, 0x88A8, 0x9100})  # 802.1Q, 802.1ad, old QinQ
# tunnels inside tunnels: each level takes bytes, but a crafted packet could nest
# thousands; real ones nest two or three
MAX_DEPTH = 8

_u16 = struct.Struct("!H").unpack_from
# IPv4: version+IHL, (tos), total length, (id), flags+fragment offset, (ttl), protocol,
# (checksum), source and destination address
_ipv4_head = struct.Struct("!BxHxxHxBxx8s").unpack_from
# TCP: ports, seq, ack, data offset+flags, window
_tcp_head = struct.Struct("!4sIIHH").unpack_from
_seq_ack = struct.Struct("!II").unpack_from

# IPv6 extension headers that may come before TCP
_HOP_BY_HOP, _ROUTING, _FRAGMENT, _AUTH, _DEST_OPTS = 0, 43, 44, 51, 60
_MORE_FRAGMENTS = 0x2000  # IPv4's MF flag
_FIRST_FRAGMENT = (
    (),
    "the first fragment of an IP packet: the rest of the segment came in other fragments, "
    "which are not put together here, so its length counts only this fragment's data",
)


def ipv4(buf: bytes, off: int, end: int, depth: int = 0) -> Decoded | None:
    if end - off < 20:
        return None
    version_ihl, total, fragment, protocol, addrs = _ipv4_head(buf, off)
    ihl = (version_ihl & 0x0F) << 2
    # a fragment offset: a later fragment, without the TCP header
    if version_ihl >> 4 != 4 or ihl < 20 or fragment & 0x1FFF:
        return None
    if total == 0:
        # segmentation offload: the kernel hands the capture a length it has not filled in
        total = end - off
    if protocol == 6:
        return tcp(buf, off + ihl, end, addrs, total - ihl, fragment & _MORE_FRAGMENTS)
    return _tunneled(buf, protocol, off + ihl, min(end, off + total), addrs, 4, depth)


def ipv6(buf: bytes, off: int, end: int, depth: int = 0) -> Decoded | None:
    if end - off < 40 or buf[off] >> 4 != 6:
        return None
    payload = _u16(buf, off + 4)[0]
    next_header = buf[off + 6]
    p = off + 40
    limit = p + payload if payload else end  # 0: a jumbogram or offload, take what is there
    fragmented = False
    while next_header in _EXTENSIONS:
        if p + 8 > end:
            return None
        if next_header == _FRAGMENT:
            offset_flags = _u16(buf, p + 2)[0]
            if offset_flags & 0xFFF8:  # an offset: a later fragment, no TCP header
                return None
            fragmented = bool(offset_flags & 1)
            next_header, p = buf[p], p + 8
        elif next_header == _AUTH:
            next_header, p = buf[p], p + (buf[p + 1] + 2) * 4
        else:
            next_header, p = buf[p], p + (buf[p + 1] + 1) * 8
    addrs = buf[off + 8 : off + 40]
    if next_header == 6:
        return tcp(buf, p, end, addrs, limit - p, fragmented)
    return _tunneled(buf, next_header, p, min(end, limit), addrs, 16, depth)


_EXTENSIONS = frozenset({_HOP_BY_HOP, _ROUTING, _FRAGMENT, _AUTH, _DEST_OPTS})


def tcp(
    buf: bytes, p: int, end: int, addrs: bytes, payload: int, first_fragment: int | bool
) -> Decoded | None:
    """The TCP header at ``p`` in an IP packet from and to ``addrs`` with ``payload``
    bytes after its IP header(s)."""
    if p + 20 <= end:
        ports, seq, ack, off_flags, window = _tcp_head(buf, p)
        header = (off_flags >> 12) << 2
        length = payload - header
        if header < 20 or length < 0:
            return None
        extra = _FIRST_FRAGMENT if first_fragment else None
        return addrs + ports, off_flags & 0xFF, seq, ack, window, length, extra
    return _cut_tcp(buf, p, end, addrs, payload)


def _cut_tcp(buf: bytes, p: int, end: int, addrs: bytes, payload: int) -> Decoded | None:
    """A TCP header the capture cut short: kept when its ports and flags are there."""
    kept = end - p
    if kept < 14:
        return None
    seq, ack = _seq_ack(buf, p + 4)
    header = (buf[p + 12] >> 4) << 2
    if header < 20:
        return None
    if kept < 16:
        missing = "window, checksum, urgent pointer"
    elif kept < 18:
        missing = "checksum, urgent pointer"
    else:
        missing = "urgent pointer"
    if header > 20:
        missing += ", options"
    note = f"the capture kept only {kept} of the TCP header's {header} bytes; missing: {missing}"
    return addrs + buf[p : p + 4], buf[p + 13], seq, ack, 0, max(0, payload - header), ((), note)


def _tunneled(
    buf: bytes, protocol: int, p: int, end: int, addrs: bytes, width: int, depth: int
) -> Decoded | None:
    """The TCP inside a tunnel that starts at ``p`` (see ``tunnels.py``), if any."""
    if depth >= MAX_DEPTH:
        return None
    found = tunnels.inside(protocol, buf, p, end)
    if found is None:
        return None
    what, inner, kind, number = found
    decoded = _carried(buf, what, inner, end, depth + 1)
    if decoded is None:
        return None
    tunnel = (kind, addrs[:width], addrs[width:], number)
    extra = decoded[6]
    if extra is None:
        return (*decoded[:6], ((tunnel,), None))
    return (*decoded[:6], ((tunnel, *extra[0]), extra[1]))


def _carried(buf: bytes, what: int, off: int, end: int, depth: int) -> Decoded | None:
    """The TCP in what a link layer or a tunnel carries (``links.py`` says ``what``)."""
    if what == ETHERNET:
        return ethernet(buf, off, end, depth)
    if what == BY_VERSION:
        return _by_version(buf, off, end, depth)
    return _by_ethertype(buf, what, off, end, depth)


def _by_ethertype(buf: bytes, ethertype: int, off: int, end: int, depth: int = 0) -> Decoded | None:
    while ethertype in _ETH_VLAN:
        if off + 4 > end:
            return None
        ethertype = _u16(buf, off + 2)[0]
        off += 4
    if ethertype == _ETH_IPV4:
        return ipv4(buf, off, end, depth)
    if ethertype == _ETH_IPV6:
        return ipv6(buf, off, end, depth)
    parse = links.BY_ETHERTYPE.get(ethertype)
    if parse is None or depth >= MAX_DEPTH:
        return None
    found = parse(buf, off, end)
    return None if found is None else _carried(buf, found[0], found[1], end, depth + 1)


def _by_version(buf: bytes, off: int, end: int, depth: int = 0) -> Decoded | None:
    if off >= end:
        return None
    version = buf[off] >> 4
    if version == 4:
        return ipv4(buf, off, end, depth)
    if version == 6:
        return ipv6(buf, off, end, depth)
    return None


def _by_link_header(ethertype_at: int, header: int) -> Decoder:
    """A decoder for a link header of ``header`` bytes with an EtherType at ``ethertype_at``.

    TCP right after an IPv4 header without options, or right after an IPv6 header, is
    nearly every packet, so it is decoded with one ``struct`` call for the link, IP and
    TCP headers together, and the key is one slice (addresses and ports are contiguous
    then); the rest takes the long way.
    """
    # EtherType, version+IHL, total length, flags+fragment offset, protocol, then after
    # the addresses and ports: seq, ack, data offset+flags, window
    fixed4 = struct.Struct(
        f"!{ethertype_at}xH{header - ethertype_at - 2}xBxH2xHxB2x8x4xIIHH"
    ).unpack_from
    # IPv6: version+traffic class, payload length, next header, then after the addresses
    # and ports the same TCP fields
    fixed6 = struct.Struct(f"!{header}xB3xHBx32x4xIIHH").unpack_from
    shortest4 = header + 40  # IPv4 and TCP headers without options
    shortest6 = header + 60
    key4, key4_end = header + 12, header + 24
    key6, key6_end = header + 8, header + 44

    def decode(buf: bytes, start: int, end: int, depth: int = 0) -> Decoded | None:
        if end - start >= shortest4:
            ethertype, version_ihl, total, fragment, protocol, seq, ack, off_flags, window = fixed4(
                buf, start
            )
            if ethertype == _ETH_IPV4:
                if version_ihl == 0x45 and protocol == 6 and not fragment & 0x3FFF:
                    tcp_header = (off_flags >> 12) << 2
                    length = (total or end - start - header) - 20 - tcp_header
                    if tcp_header < 20 or length < 0:
                        return None
                    key = buf[start + key4 : start + key4_end]
                    return key, off_flags & 0xFF, seq, ack, window, length, None
            elif ethertype == _ETH_IPV6 and end - start >= shortest6:
                version, payload, next_header, seq, ack, off_flags, window = fixed6(buf, start)
                if next_header == 6 and version >> 4 == 6:
                    tcp_header = (off_flags >> 12) << 2
                    # a payload length of 0: a jumbogram or offload, take what is there
                    length = (payload or end - start - header - 40) - tcp_header
                    if tcp_header < 20 or length < 0:
                        return None
                    key = buf[start + key6 : start + key6_end]
                    return key, off_flags & 0xFF, seq, ack, window, length, None
        if end - start < header:
            return None
        ethertype = _u16(buf, start + ethertype_at)[0]
        if ethertype == _ETH_IPV6:
            return ipv6(buf, start + header, end, depth)
        return _by_ethertype(buf, ethertype, start + header, end, depth)

    return decode


ethernet = _by_link_header(12, 14)
linux_sll = _by_link_header(14, 16)
linux_sll2 = _by_link_header(0, 20)


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


def _by_link(parse: Callable[[bytes, int, int], links.Found]) -> Decoder:
    """A decoder for a link layer of ``links.py``: its parser finds the packet inside."""

    def decode(buf: bytes, start: int, end: int) -> Decoded | None:
        found = parse(buf, start, end)
        return None if found is None else _carried(buf, found[0], found[1], end, 0)

    return decode


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
    **{linktype: _by_link(parse) for linktype, parse in links.PARSERS.items()},
}
SUPPORTED_LINKTYPES = frozenset(DECODERS)


def reverse_key(key: bytes) -> bytes:
    """The key of the other direction: addresses and ports swapped."""
    n = (len(key) - 4) // 2
    return key[n : 2 * n] + key[:n] + key[2 * n + 2 :] + key[2 * n : 2 * n + 2]


_ADDRESS_TEXT: dict[bytes, str] = {}  # a capture has few addresses and many connections


def _address(packed: bytes) -> str:
    text = _ADDRESS_TEXT.get(packed)
    if text is None:
        if len(_ADDRESS_TEXT) > 65536:
            _ADDRESS_TEXT.clear()
        family = socket.AF_INET if len(packed) == 4 else socket.AF_INET6
        text = _ADDRESS_TEXT[packed] = socket.inet_ntop(family, packed)
    return text


def endpoints(key: bytes) -> tuple[tuple[str, int], tuple[str, int]]:
    """``((source address, source port), (destination address, destination port))``."""
    n = (len(key) - 4) // 2
    sport, dport = struct.unpack("!HH", key[2 * n :])
    return (_address(key[:n]), sport), (_address(key[n : 2 * n]), dport)


def label(address: str, port: int) -> str:
    """``10.0.0.1:80``; IPv6 addresses in brackets, ``[fe80::1]:179``, so the port stays clear."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
