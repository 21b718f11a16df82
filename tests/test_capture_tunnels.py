"""TCP inside tunnels and behind uncommon link layers reads as the same TCP sent plainly.

A learner capturing on a container node or a cloud VM sees connections wrapped in
VXLAN, Geneve or GRE; on a router, behind PPP, Frame Relay or Cisco HDLC. Whatever
the wrapping, the connection must be numbered, split and graded exactly as the
same segments sent over Ethernet, and its header must say which tunnel carried it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from captures import synth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_capture_fuzz import ENDS, segment, story

from tui_tutor.captures import CaptureError, read_capture
from tui_tutor.cli import main

OUTER = {"v4": ("192.0.2.1", "192.0.2.2"), "v6": ("2001:db8::a", "2001:db8::b")}
NAMES = {
    "vxlan": "VXLAN {} → {}, VNI 42",
    "geneve": "Geneve {} → {}, VNI 42",
    "geneve_ip": "Geneve {} → {}, VNI 42",
    "gre": "GRE {} → {}",
    "gre_key": "GRE {} → {}, key 42",
    "gre_bridge": "GRE {} → {}",
    "wccp": "GRE (WCCP redirect) {} → {}",
    "ipip": "IP in IP {} → {}",
}


def tunneled(segs: list[synth.Seg], chain: list[tuple[str, str]]) -> list[tuple[float, bytes]]:
    """Each segment as an Ethernet frame, wrapped in ``chain`` (innermost first); the
    outer addresses turn around with the direction, as a tunnel's two ends do."""
    frames = []
    client = segs[0].src
    for seg in segs:
        packet = synth.tcp_packet(seg)
        for kind, family in chain:
            src, dst = OUTER[family]
            if seg.src != client:
                src, dst = dst, src
            packet = synth.wrap(packet, kind, src, dst)
        frames.append((seg.time, synth.frame(packet, "ethernet")))
    return frames


def plain_json(tmp_path: Path, segs: list[synth.Seg]) -> list[dict]:
    return [c.to_json() for c in read_capture(synth.write(tmp_path / "plain.pcap", segs))]


def without_via(connections: list[dict]) -> list[dict]:
    return [{k: v for k, v in c.items() if k != "via"} for c in connections]


@pytest.mark.parametrize("kind", synth.TUNNELS)
@pytest.mark.parametrize("outer", ["v4", "v6"])
@pytest.mark.parametrize("inner", ["v4", "v6"])
def test_a_connection_in_a_tunnel_reads_as_the_same_connection_sent_plainly(
    tmp_path: Path, kind: str, outer: str, inner: str
):
    if kind == "wccp" and inner == "v6":
        pytest.skip("WCCP redirects IPv4 only")
    ends = ("10.0.0.1:40000", "10.0.0.2:80") if inner == "v4" else ENDS[1]
    segs = synth.handshake_and_close(*ends)
    synth.write_pcap(tmp_path / "t.pcap", tunneled(segs, [(kind, outer)]), 1)
    (conn,) = read_capture(tmp_path / "t.pcap")
    assert without_via([conn.to_json()]) == plain_json(tmp_path, segs)
    assert conn.via == NAMES[kind].format(*OUTER[outer])
    assert conn.to_json()["via"] == conn.via


def test_the_ladder_header_names_the_tunnel(tmp_path: Path, capsys):
    segs = synth.handshake_and_close()
    synth.write_pcap(tmp_path / "t.pcap", tunneled(segs, [("vxlan", "v4")]), 1)
    assert main(["capture", str(tmp_path / "t.pcap")]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head == (
        "connection 1: 10.0.0.1:40000 -> 10.0.0.2:80 via VXLAN 192.0.2.1 → 192.0.2.2, VNI 42"
    )


def test_nested_tunnels_are_named_outermost_first(tmp_path: Path):
    segs = synth.handshake_and_close()
    chain = [("ipip", "v4"), ("vxlan", "v6"), ("gre_key", "v4")]
    synth.write_pcap(tmp_path / "t.pcap", tunneled(segs, chain), 1)
    (conn,) = read_capture(tmp_path / "t.pcap")
    assert conn.via == "; ".join(
        NAMES[kind].format(*OUTER[family]) for kind, family in reversed(chain)
    )
    assert without_via([conn.to_json()]) == plain_json(tmp_path, segs)


def test_tunnels_nested_deeper_than_any_network_does_are_not_followed(tmp_path: Path):
    segs = synth.handshake_and_close()[:1]
    synth.write_pcap(tmp_path / "t.pcap", tunneled(segs, [("ipip", "v4")] * 200), 1)
    with pytest.raises(CaptureError, match="no TCP connections"):
        read_capture(tmp_path / "t.pcap")


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(
    rows=st.lists(segment, min_size=1, max_size=12),
    ends=st.sampled_from(ENDS),
    chain=st.lists(
        st.tuples(st.sampled_from(synth.TUNNELS), st.sampled_from(sorted(OUTER))),
        min_size=1,
        max_size=3,
    ),
)
def test_any_tcp_in_any_tunnels_reads_as_it_does_plainly(tmp_path: Path, rows, ends, chain):
    if ":" in ends[0] and any(kind == "wccp" for kind, _ in chain[:1]):
        chain = [("gre", chain[0][1]), *chain[1:]]  # WCCP carries IPv4 only
    if any(kind == "wccp" for kind, _ in chain[1:]):
        chain = [(k if k != "wccp" else "gre", f) for k, f in chain]
    segs = story(rows, ends)
    synth.write_pcap(tmp_path / "t.pcap", tunneled(segs, chain), 1)
    got = [c.to_json() for c in read_capture(tmp_path / "t.pcap")]
    assert without_via(got) == plain_json(tmp_path, segs)


LINKS = ["ppp", "ppp_pfc", "ppp_hdlc", "chdlc", "frelay", "frelay_cisco", "arcnet", "juniper"]


@pytest.mark.parametrize("link", [*LINKS, "ipoib"])
@pytest.mark.parametrize("family", ["v4", "v6"])
def test_each_link_layer_reads_as_ethernet_does(tmp_path: Path, link: str, family: str):
    ends = ("10.0.0.1:40000", "10.0.0.2:80") if family == "v4" else ENDS[1]
    segs = synth.handshake_and_close(*ends)
    got = [c.to_json() for c in read_capture(synth.write(tmp_path / "l.pcap", segs, link))]
    assert got == plain_json(tmp_path, segs)


def test_a_pcapng_with_interfaces_of_different_link_types_reads_each_packet_by_its_own(
    tmp_path: Path,
):
    # one connection seen on Ethernet, PPP and Frame Relay interfaces in turn
    segs = synth.handshake_and_close()
    links = ["ethernet", "ppp", "frelay"]
    linktypes = [synth.LINKTYPES[link] for link in links]
    frames = [
        (seg.time, synth.frame(synth.tcp_packet(seg), links[i % 3]), i % 3)
        for i, seg in enumerate(segs)
    ]
    synth.write_pcapng(tmp_path / "m.pcapng", frames, linktypes)
    got = [c.to_json() for c in read_capture(tmp_path / "m.pcapng")]
    assert got == plain_json(tmp_path, segs)


def test_the_link_layers_protocol_numbers_are_dpkts():
    import dpkt

    from tui_tutor.captures import links

    pairs = {
        "ETH_IPV4": dpkt.ethernet.ETH_TYPE_IP,
        "ETH_IPV6": dpkt.ethernet.ETH_TYPE_IP6,
        "ETH_MPLS": dpkt.ethernet.ETH_TYPE_MPLS,
        "ETH_MPLS_MULTICAST": dpkt.ethernet.ETH_TYPE_MPLS_MCAST,
        "ETH_PPPOE_SESSION": dpkt.ethernet.ETH_TYPE_PPPoE,
        "PPP_IPV4": dpkt.ppp.PPP_IP,
        "PPP_IPV6": dpkt.ppp.PPP_IP6,
        "PPP_PFC_BIT": dpkt.ppp.PFC_BIT,
    }
    assert {name: getattr(links, name) for name in pairs} == pairs


def test_listing_a_pcap_file_leaves_dpkt_unloaded():
    """The capture dialog lists a pcap's connections without dpkt's import (start-up time)."""
    import subprocess
    import sys

    pcap = Path(__file__).parent / "captures" / "simultaneous_close.pcap"
    code = (
        "import sys; from tui_tutor.captures import read_summaries; "
        f"n = len(read_summaries({str(pcap)!r})); print(n, 'dpkt' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "False"]
