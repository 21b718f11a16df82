"""Tunnels, uncommon link layers and damaged packets, against what tcpdump prints for them.

The captures come from tcpdump's own test suite with the output its tests expect
(``tests/captures/tcpdump/NAME.out``, printed by tcpdump 4.99.6-dev with the
options its TESTLIST gives, often ``-v``). For each: the reader finds one
connection per pair of ends tcpdump shows TCP between, and every TCP segment
tcpdump prints (ends, flags, seq, ack, length) is the reader's, in order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_capture_reference import assert_same_segments, reader_segments

from tui_tutor.captures import QuirkKind, read_capture

FOLDER = Path(__file__).parent / "captures" / "tcpdump"
MASK = 0xFFFFFFFF
# tcpdump's flag letters; "e" is AE (accurate ECN, the old NS bit), outside the flag byte
FLAGS = {"S": "SYN", "F": "FIN", "R": "RST", "P": "PSH", ".": "ACK", "U": "URG", "E": "ECE"}
FLAGS |= {"W": "CWR", "e": None}
# a TCP line of any of tcpdump's layouts: after "IP ", after "IP6 (...)", or on a -v
# continuation line; a checksum may come between the flags and the numbers
TCP_LINE = re.compile(
    r"(?:^|\s)(?P<src>[0-9a-fA-F:.]+)\.(?P<sport>\d+) > (?P<dst>[0-9a-fA-F:.]+)\.(?P<dport>\d+): "
    r"Flags \[(?P<flags>[^\]]*)\](?:, cksum 0x[0-9a-f]+ \([^)]*\))?"
    r"(?:, seq (?P<seq>\d+)(?::\d+)?)?(?:, ack (?P<ack>\d+))?.*?, length (?P<len>\d+)"
)

# capture -> (tcpdump's output for it, what the test looks at)
CASES = {
    "geneve.pcap": "geneve-tcp.out",  # Geneve over IPv4, ssh inside; one side VNI 0xb, other 0xa
    "geneve-gcp.pcap": "geneve-gcp.out",  # Geneve with Google's options
    "gso-ipv4-geneve-ipv4.pcap": "gso-ipv4-geneve-ipv4.out",
    "gso-ipv4-geneve-ipv6.pcap": "gso-ipv4-geneve-ipv6.out",
    "gso-ipv6-geneve-ipv4.pcap": "gso-ipv6-geneve-ipv4.out",
    "gso-ipv6-geneve-ipv6.pcap": "gso-ipv6-geneve-ipv6.out",
    "gso-ipv4-vxlan-ipv4.pcap": "gso-ipv4-vxlan-ipv4.out",
    "gso-ipv4-vxlan-ipv6.pcap": "gso-ipv4-vxlan-ipv6.out",
    "gso-ipv6-vxlan-ipv4.pcap": "gso-ipv6-vxlan-ipv4.out",
    "gso-ipv6-vxlan-ipv6.pcap": "gso-ipv6-vxlan-ipv6.out",
    "wccp_redirect_gre.pcap": "wccp_redirect_gre.out",  # GRE, WCCP redirect header, SMB
    "arcnet-rfc1051-arp-icmp-http.pcap": "arcnet-rfc1051-arp-icmp-http-e.out",
    "arcnet-rfc1201-arp-icmp-http.pcap": "arcnet-rfc1201-arp-icmp-http-e.out",
    "bgp-aigp.pcap": "bgp-aigp.out",  # Juniper Ethernet
    "bgp_vpn_attrset.pcap": "bgp_vpn_attrset.out",  # PPP
    "lspping-fec-ldp.pcap": "lspping-fec-ldp.out",  # MPLS over PPP
    "ipoib.pcap": "ipoib.out",  # IP over InfiniBand
    "rpki-rtr-oobr.pcap": "rpki-rtr-oobr.out",  # damaged: first IP fragments
    "bgp_pmsi_tunnel-oobr.pcap": "bgp_pmsi_tunnel-oobr.out",
    "bgp-bgp_capabilities_print-oobr-1.pcap": "bgp-bgp_capabilities_print-oobr-1.out",
    "bgp-bgp_capabilities_print-oobr-2.pcap": "bgp-bgp_capabilities_print-oobr-2.out",
}
# the IP header says 62 bytes, the frame holds 50 of them: tcpdump 4.99.6 counts the
# data the frame holds (10 bytes), the reader and tcpdump 4.99.3 the IP length (22)
LENGTH_FROM_IP = {"rpki-rtr-oobr.pcap"}
# the tunnel as the connection's header gives it: the client's end first
TUNNELS = {
    "geneve.pcap": "Geneve 20.0.0.2 → 20.0.0.1, VNI 11",
    # one segment, no SYN: the client is the end with the higher port, 8080, so the
    # tunnel reads from the receiving end of that segment
    "geneve-gcp.pcap": "Geneve 192.168.100.3 → 192.168.100.254, VNI 0",
    "gso-ipv4-vxlan-ipv6.pcap": "VXLAN 10.25.132.11 → 10.25.132.13, VNI 5001",
    "gso-ipv6-geneve-ipv6.pcap": (
        "Geneve 2604:1380:4091:ce00::d → 2604:1380:4091:ce00::b, VNI 5001"
    ),
    "wccp_redirect_gre.pcap": "GRE (WCCP redirect) 10.254.127.194 → 10.254.214.82",
}


def tcpdump_segments(text: str) -> list[dict]:
    """Every TCP segment tcpdump printed, with seq and ack made absolute again.

    tcpdump (print-tcp.c) prints a segment without ACK as it is. The first segment
    with ACK between two ends is printed as it is too, and sets the numbers later
    ones are printed relative to: its own seq (when it prints none, a handshake's
    ACK: its side's SYN + 1) and its ack - 1.
    """
    bases: dict[tuple, dict[tuple, int]] = {}
    syns: dict[tuple, int] = {}
    rows = []
    for line in text.splitlines():
        m = TCP_LINE.search(line)
        if m is None:
            assert ": Flags [" not in line, f"cannot read this tcpdump line: {line}"
            continue
        src, dst = (m["src"], int(m["sport"])), (m["dst"], int(m["dport"]))
        flags = set() if m["flags"] == "none" else {FLAGS[c] for c in m["flags"]} - {None}
        seq = int(m["seq"]) if m["seq"] else None
        ack = int(m["ack"]) if m["ack"] else None
        if "SYN" in flags and seq is not None:
            syns[src] = seq
        pair = tuple(sorted([src, dst]))
        if "ACK" in flags:
            known = bases.get(pair)
            if known is None or "SYN" in flags:
                own = seq if seq is not None else (syns[src] + 1) & MASK
                bases[pair] = {src: own, dst: (ack - 1) & MASK}
            else:
                if seq is not None:
                    seq = (seq + known[src]) & MASK
                ack = (ack + known[dst]) & MASK
        rows.append({"src": src, "dst": dst, "flags": flags, "seq": seq, "ack": ack})
        rows[-1]["len"] = int(m["len"])
    return rows


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_connection_and_segment_is_the_one_tcpdump_prints(name: str):
    want = tcpdump_segments((FOLDER / CASES[name]).read_text())
    got = reader_segments(FOLDER / name)
    pairs = {tuple(sorted([w["src"], w["dst"]])) for w in want}
    connections = read_capture(FOLDER / name)
    assert len(connections) == len(pairs), f"{name}: {len(connections)} connections"
    assert_same_segments(name, got, want, lengths=name not in LENGTH_FROM_IP)


@pytest.mark.parametrize("name", sorted(TUNNELS))
def test_a_tunneled_connection_names_its_tunnel(name: str):
    (conn,) = read_capture(FOLDER / name)
    assert conn.via == TUNNELS[name]
    assert conn.to_json()["via"] == TUNNELS[name]


@pytest.mark.parametrize("name", sorted(n for n in CASES if "oobr" in n))
def test_a_damaged_first_fragment_says_the_rest_of_the_segment_is_missing(name: str):
    (conn,) = read_capture(FOLDER / name)
    (step,) = conn.steps
    assert step.quirks[0].kind is QuirkKind.FRAGMENT
    assert "first fragment of an IP packet" in step.note
