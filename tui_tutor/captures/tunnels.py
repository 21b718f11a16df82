"""Tunnels: a packet wrapped in another, as overlay networks and redirectors send them.

``inside(protocol, buf, p, end)`` looks at the payload of an IP packet of that
protocol and, when it is a tunnel, returns ``(what, offset, kind, number)``: what
the tunnel carries (as ``links`` says it: an EtherType, ``ETHERNET`` or
``BY_VERSION``), where that starts, the tunnel's name and its network number
(VXLAN's or Geneve's VNI, GRE's key; None when it has none). Known tunnels:

- VXLAN (RFC 7348): UDP to or from port 4789, an 8-byte header, an Ethernet frame.
- Geneve (RFC 8926): UDP port 6081, 8 bytes and options, then what its protocol
  type says (Ethernet, IPv4, IPv6).
- GRE (RFC 2784, 2890; IP protocol 47): 4 bytes, then a checksum, key and
  sequence number when its flags say so; it carries IP, Ethernet (transparent
  bridging) or, for WCCP, a 4-byte redirect header before the IPv4 packet.
- IP in IP (IP protocols 4 and 41): the inner packet follows at once.

A ``Tunnel`` as a connection keeps it is ``(kind, outer source, outer destination,
number)``, the addresses as packed bytes; ``describe`` words it.
"""

from __future__ import annotations

import socket

from .links import ETH_IPV4, ETH_IPV6, ETHERNET

Tunnel = tuple[str, bytes, bytes, int | None]
Found = tuple[int, int, str, int | None] | None

UDP, GRE, IPV4_IN_IP, IPV6_IN_IP = 17, 47, 4, 41
VXLAN_PORT, GENEVE_PORT = 4789, 6081
_TEB = 0x6558  # transparent Ethernet bridging: an Ethernet frame
_WCCP = 0x883E
_GRE_CHECKSUM, _GRE_ROUTING, _GRE_KEY, _GRE_SEQUENCE, _GRE_ACK = (
    0x8000,
    0x4000,
    0x2000,
    0x1000,
    0x0080,
)
_GENEVE_CARRIES = {_TEB: ETHERNET, ETH_IPV4: ETH_IPV4, ETH_IPV6: ETH_IPV6}


def inside(protocol: int, buf: bytes, p: int, end: int) -> Found:
    """The tunnel in the payload ``buf[p:end]`` of an IP packet of ``protocol``, if any."""
    if protocol == UDP:
        return _udp(buf, p, end)
    if protocol == GRE:
        return _gre(buf, p, end)
    if protocol == IPV4_IN_IP:
        return ETH_IPV4, p, "IP in IP", None
    if protocol == IPV6_IN_IP:
        return ETH_IPV6, p, "IP in IP", None
    return None


def _udp(buf: bytes, p: int, end: int) -> Found:
    if p + 16 > end:
        return None
    ports = (buf[p] << 8 | buf[p + 1], buf[p + 2] << 8 | buf[p + 3])
    h = p + 8  # after the UDP header
    if VXLAN_PORT in ports and buf[h] & 0x08:  # the I flag: the VNI is valid
        return ETHERNET, h + 8, "VXLAN", int.from_bytes(buf[h + 4 : h + 7], "big")
    if GENEVE_PORT in ports and buf[h] >> 6 == 0:  # version 0
        carries = _GENEVE_CARRIES.get(buf[h + 2] << 8 | buf[h + 3])
        if carries is None:
            return None
        options = (buf[h] & 0x3F) * 4
        return carries, h + 8 + options, "Geneve", int.from_bytes(buf[h + 4 : h + 7], "big")
    return None


def _gre(buf: bytes, p: int, end: int) -> Found:
    if p + 4 > end:
        return None
    flags = buf[p] << 8 | buf[p + 1]
    protocol = buf[p + 2] << 8 | buf[p + 3]
    version = flags & 0x7
    h = p + 4
    if flags & (_GRE_CHECKSUM | _GRE_ROUTING):
        h += 4  # checksum and offset
    key = None
    if flags & _GRE_KEY:
        if h + 4 > end:
            return None
        key = int.from_bytes(buf[h : h + 4], "big")
        h += 4
    if flags & _GRE_SEQUENCE:
        h += 4
    if version == 1 and flags & _GRE_ACK:  # PPTP's enhanced GRE (RFC 2637)
        h += 4
    if flags & _GRE_ROUTING:  # source route entries until an empty one
        while True:
            if h + 4 > end:
                return None
            length = buf[h + 3]
            h += 4
            if buf[h - 4] == buf[h - 3] == 0 and length == 0:
                break
            h += length
    if h >= end:
        return None
    if protocol == _WCCP:
        # an IPv4 header, or a 4-byte WCCP redirect header before it (print-gre.c)
        if buf[h] >> 4 != 4:
            h += 4
        return ETH_IPV4, h, "GRE (WCCP redirect)", None
    if protocol == _TEB:
        return ETHERNET, h, "GRE", key
    if protocol in (ETH_IPV4, ETH_IPV6):
        return protocol, h, "GRE", key
    return None


def _address(packed: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(packed) == 4 else socket.AF_INET6, packed)


def describe(tunnel: Tunnel) -> str:
    """``VXLAN 10.0.0.1 → 10.0.0.2, VNI 42``; ``GRE 192.0.2.1 → 192.0.2.2, key 7``."""
    kind, src, dst, number = tunnel
    text = f"{kind} {_address(src)} → {_address(dst)}"
    if number is not None:
        text += f", {'key' if kind == 'GRE' else 'VNI'} {number}"
    return text


def reverse(tunnel: Tunnel) -> Tunnel:
    """The same tunnel seen from its other end."""
    kind, src, dst, number = tunnel
    return kind, dst, src, number
