"""Link layers besides Ethernet and Linux cooked capture: where their IP packet starts.

Each parser takes a frame ``buf[start:end]`` and returns ``(what, offset)``:
what follows the link header, as an EtherType (``ETH_IPV4``, ``ETH_IPV6``,
VLAN tags ...), ``ETHERNET`` for a whole Ethernet frame or ``BY_VERSION`` for an
IP packet whose first four bits say which version, and where it starts; None
when the frame carries no IP. ``decode.py`` goes on from there.

The header layouts are those of tcpdump's printers (named at each parser) and of
the link-type list at tcpdump.org. The protocol numbers are dpkt's (a test checks
them against ``dpkt.ethernet`` and ``dpkt.ppp``), written out so that listing a
capture does not import dpkt (a twentieth of a second at start-up).
"""

from __future__ import annotations

ETH_IPV4 = 0x0800  # dpkt.ethernet.ETH_TYPE_IP
ETH_IPV6 = 0x86DD  # ETH_TYPE_IP6
ETH_MPLS = 0x8847  # ETH_TYPE_MPLS
ETH_MPLS_MULTICAST = 0x8848  # ETH_TYPE_MPLS_MCAST
ETH_PPPOE_SESSION = 0x8864  # ETH_TYPE_PPPoE
ETHERNET = -1  # a whole Ethernet frame follows
BY_VERSION = -2  # an IPv4 or IPv6 packet follows, the version nibble says which

Found = tuple[int, int] | None

PPP_IPV4 = 0x21  # dpkt.ppp.PPP_IP
PPP_IPV6 = 0x57  # dpkt.ppp.PPP_IP6
PPP_PFC_BIT = 0x01  # dpkt.ppp.PFC_BIT: a one-byte (compressed) protocol field

# PPP protocol numbers (RFC 1661; dpkt.ppp names the IP ones), MPLS's from RFC 3032
_PPP = {
    PPP_IPV4: ETH_IPV4,
    PPP_IPV6: ETH_IPV6,
    0x0281: ETH_MPLS,
    0x0283: ETH_MPLS_MULTICAST,
}


def ppp(buf: bytes, start: int, end: int) -> Found:
    """PPP (link type 9; print-ppp.c): the HDLC address and control bytes (0xff 0x03)
    when they were kept, then a protocol number of two bytes, or of one when
    protocol-field compression left out its zero first byte (RFC 1661, 6.5)."""
    p = start + 2 if buf[start : start + 2] == b"\xff\x03" else start
    if p >= end:
        return None
    if buf[p] & PPP_PFC_BIT:
        protocol, p = buf[p], p + 1
    elif p + 2 <= end:
        protocol, p = buf[p] << 8 | buf[p + 1], p + 2
    else:
        return None
    what = _PPP.get(protocol)
    return None if what is None else (what, p)


def ppp_hdlc(buf: bytes, start: int, end: int) -> Found:
    """PPP in HDLC-like framing (link type 50; print-ppp.c, ppp_hdlc_if_print): PPP,
    or Cisco HDLC when the first byte is Cisco's unicast or multicast address."""
    if start < end and buf[start] in (0x0F, 0x8F):
        return cisco_hdlc(buf, start, end)
    return ppp(buf, start, end)


def cisco_hdlc(buf: bytes, start: int, end: int) -> Found:
    """Cisco HDLC (link type 104; print-chdlc.c): address, control, then an EtherType."""
    if end - start < 4:
        return None
    return buf[start + 2] << 8 | buf[start + 3], start + 4


# Frame Relay's network-layer protocol IDs (RFC 2427): IP, IPv6, SNAP
_NLPID_IP, _NLPID_IP6, _NLPID_SNAP = 0xCC, 0x8E, 0x80


def frame_relay(buf: bytes, start: int, end: int) -> Found:
    """Frame Relay (link type 107; print-fr.c, fr_print): a Q.922 address of 2 to 4
    bytes (the last has its low bit set), then either an EtherType (Cisco's
    encapsulation) or the UI control byte 0x03, maybe a pad byte, and an NLPID."""
    p = start
    if p >= end or buf[p] & 1:
        return None  # an address must be at least two bytes
    for length in (2, 3, 4):
        if start + length > end:
            return None
        if buf[start + length - 1] & 1:
            p = start + length
            break
    else:
        return None
    if p + 2 > end:
        return None
    if buf[p] != 0x03:  # not UI: Cisco's encapsulation, an EtherType follows
        return buf[p] << 8 | buf[p + 1], p + 2
    p += 1
    if buf[p] == 0:  # padding before the NLPID
        p += 1
    if p >= end:
        return None
    nlpid = buf[p]
    if nlpid == _NLPID_IP:
        return ETH_IPV4, p + 1
    if nlpid == _NLPID_IP6:
        return ETH_IPV6, p + 1
    if nlpid == _NLPID_SNAP and p + 6 <= end:  # OUI (3 bytes), then an EtherType
        return buf[p + 4] << 8 | buf[p + 5], p + 6
    return None


# ARCNET protocol IDs (print-arcnet.c): IP as RFC 1201 numbers it, as RFC 1051 did, IPv6
_ARC_IP, _ARC_IP_OLD, _ARC_IP6, _ARC_DIAGNOSE, _ARC_ARP_OLD = 212, 240, 0xC4, 0x80, 241
_ARC_TYPES = {_ARC_IP: ETH_IPV4, _ARC_IP_OLD: ETH_IPV4, _ARC_IP6: ETH_IPV6}


def arcnet_linux(buf: bytes, start: int, end: int) -> Found:
    """ARCNET as Linux captures it (link type 129; print-arcnet.c, arcnet_linux_if_print):
    source, destination, a 2-byte offset and the protocol ID, then for RFC 1201
    protocols a split flag and a sequence number. A frame whose split flag says it
    continues a packet split over several frames holds no IP header."""
    if end - start < 5:
        return None
    protocol = buf[start + 4]
    if protocol in (_ARC_IP_OLD, _ARC_ARP_OLD, _ARC_DIAGNOSE):
        header = 5  # RFC 1051: no split flag
    else:
        header = 8
        if end - start < 8:
            return None
        split = buf[start + 5]
        if split and not split & 1:
            return None  # an even, non-zero split flag: a later fragment
    what = _ARC_TYPES.get(protocol)
    return None if what is None else (what, start + header)


_JUNIPER_MAGIC = b"MGC"
_JUNIPER_NO_L2, _JUNIPER_EXT = 0x02, 0x80


def juniper_ether(buf: bytes, start: int, end: int) -> Found:
    """Juniper's Ethernet capture (link type 178; print-juniper.c, juniper_parse_header):
    "MGC", a flags byte, extensions when the flags say so (a 2-byte length and
    that many bytes), then the Ethernet frame; or, with no link-layer header, 4
    more bytes and the IP packet."""
    if end - start < 4 or buf[start : start + 3] != _JUNIPER_MAGIC:
        return None
    flags = buf[start + 3]
    p = start + 4
    if flags & _JUNIPER_EXT:
        if p + 2 > end:
            return None
        p += 2 + (buf[p] << 8 | buf[p + 1])
    if flags & _JUNIPER_NO_L2:
        return BY_VERSION, p + 4
    return ETHERNET, p


_IPOIB_HEADER = 44  # print-ipoib.c: a 20-byte destination and 20-byte source address ...


def ipoib(buf: bytes, start: int, end: int) -> Found:
    """IP over InfiniBand (link type 242; print-ipoib.c): a 44-byte header whose bytes
    40 and 41 are the EtherType."""
    if end - start < _IPOIB_HEADER:
        return None
    return buf[start + 40] << 8 | buf[start + 41], start + _IPOIB_HEADER


def mpls(buf: bytes, start: int, end: int) -> Found:
    """An MPLS label stack (RFC 3032; print-mpls.c): 4 bytes a label until the one marked
    bottom of stack; an IP packet follows (the first nibble says which version)."""
    p = start
    while p + 4 <= end:
        bottom = buf[p + 2] & 1
        p += 4
        if bottom:
            return BY_VERSION, p
    return None


def pppoe_session(buf: bytes, start: int, end: int) -> Found:
    """A PPPoE session frame (RFC 2516; print-pppoe.c): 6 bytes, then a PPP protocol number."""
    if end - start < 8:
        return None
    what = _PPP.get(buf[start + 6] << 8 | buf[start + 7])
    return None if what is None else (what, start + 8)


# what some EtherTypes carry, found by these parsers (IP and VLAN tags are decode.py's)
BY_ETHERTYPE = {
    ETH_MPLS: mpls,
    ETH_MPLS_MULTICAST: mpls,
    ETH_PPPOE_SESSION: pppoe_session,
}

PARSERS = {
    9: ppp,  # PPP
    50: ppp_hdlc,  # PPP_HDLC
    104: cisco_hdlc,  # C_HDLC
    107: frame_relay,  # FRELAY
    129: arcnet_linux,  # ARCNET_LINUX
    178: juniper_ether,  # JUNIPER_ETHER
    242: ipoib,  # IPOIB
}
