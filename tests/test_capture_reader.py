"""Reading capture files: every container and link layer, and every way a file can be bad.

The same connections written as pcap (microseconds or nanoseconds, either byte order)
or pcapng, behind any supported link layer, over IPv4 or IPv6, read the same.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from captures import synth
from captures.synth import ACK, PSH, SYN, Seg

from tui_tutor.captures import (
    CaptureError,
    QuirkKind,
    check,
    iter_connections,
    pcapfile,
    read_capture,
)
from tui_tutor.captures.pcapfile import tcp_segments
from tui_tutor.captures.split import flows

V4 = ("10.0.0.1:40000", "10.0.0.2:80")
V6 = ("[2001:db8::1]:40000", "[2001:db8::2]:443")
CONTAINERS = [
    ("pcap", False, False),
    ("pcap", False, True),
    ("pcap", True, False),
    ("pcap", True, True),
    ("pcapng", False, False),
    ("pcapng", False, True),
    ("pcapng", True, False),
]


def two_connections() -> list[Seg]:
    first = synth.handshake_and_close(*V4, isn_c=2**32 - 3, isn_s=77, start=100.0)
    second = synth.handshake_and_close(*V6, isn_c=5, isn_s=2**31, start=100.5)
    return first + second


def as_json(path: Path) -> list[dict]:
    return [conn.to_json() for conn in read_capture(path)]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    path = tmp_path_factory.mktemp("base") / "base.pcap"
    return as_json(synth.write(path, two_connections()))


def test_the_baseline_holds_both_connections_with_wrapping_sequence_numbers(baseline):
    assert [(c["client"], c["server"]) for c in baseline] == [V4, V6]
    first = baseline[0]["segments"]
    # the client's ISN is 3 below 2**32: relative numbers still count 0, 1, 6 ...
    assert [s["seq"] for s in first if s["from"] == "client"] == [0, 1, 1, 6, 7]
    assert first[-1]["client_state"] == "TIME_WAIT"


@pytest.mark.parametrize("link", sorted(synth.LINKTYPES))
@pytest.mark.parametrize("container, nano, big_endian", CONTAINERS)
def test_every_container_and_link_layer_reads_the_same(
    tmp_path: Path, baseline, link: str, container: str, nano: bool, big_endian: bool
):
    segs = two_connections()
    if link == "ipv4":
        segs = [s for s in segs if ":" not in s.src.rsplit(":", 1)[0]]
    elif link == "ipv6":
        segs = [s for s in segs if ":" in s.src.rsplit(":", 1)[0]]
    want = [c for c in baseline if any(c["client"] == s.src for s in segs)]
    path = synth.write(tmp_path / f"t.{container}", segs, link, container, nano, big_endian)
    assert as_json(path) == want


def test_nanosecond_timestamps_keep_their_precision(tmp_path: Path):
    c, s = V4
    segs = [
        Seg(c, s, SYN, 1, time=1_700_000_000.000000001),
        Seg(s, c, SYN | ACK, 9, 2, time=1_700_000_000.000001999),
    ]
    path = synth.write(tmp_path / "ns.pcap", segs, nano=True)
    times = [row["time"] for row in as_json(path)[0]["segments"]]
    assert times == [0.0, 0.000002]


def test_ipv4_options_ipv6_extension_headers_and_vlan_tags_are_stepped_over(tmp_path: Path):
    c, s = V4
    ip = synth.tcp_packet(Seg(c, s, SYN, 1))
    # the same SYN with a 4-byte IPv4 option (NOP NOP NOP EOL): IHL 6
    with_option = bytes([0x46]) + ip[1:2] + struct.pack("!H", len(ip) + 4) + ip[4:20]
    with_option += b"\x01\x01\x01\x00" + ip[20:]
    c6, s6 = V6
    ip6 = synth.tcp_packet(Seg(c6, s6, SYN, 1))
    # a hop-by-hop header (8 bytes of padding) between IPv6 and TCP
    hop = bytes([6, 0]) + b"\x01\x04\x00\x00\x00\x00"
    with_hop = (
        ip6[:4] + struct.pack("!H", len(ip6) - 40 + 8) + bytes([0]) + ip6[7:40] + hop + ip6[40:]
    )
    frames_ = [(1.0, synth.frame(with_option, "qinq")), (2.0, synth.frame(with_hop, "vlan"))]
    synth.write_pcap(tmp_path / "x.pcap", frames_, 1)
    got = read_capture(tmp_path / "x.pcap")
    assert [(conn.client, conn.server) for conn in got] == [V4, V6]


def test_later_fragments_and_other_protocols_are_not_tcp(tmp_path: Path):
    c, s = V4
    later = bytearray(synth.tcp_packet(Seg(c, s, SYN, 1)))
    later[6:8] = b"\x00\x10"  # fragment offset 16 (128 bytes): no TCP header in it
    udp = bytearray(synth.tcp_packet(Seg(c, s, SYN, 1)))
    udp[9] = 17
    synth.write_pcap(
        tmp_path / "x.pcap", [(1.0, synth.frame(bytes(p), "raw")) for p in (later, udp)], 101
    )
    with pytest.raises(CaptureError, match=r"^no TCP connections in .*x\.pcap$"):
        read_capture(tmp_path / "x.pcap")


def test_a_first_ip_fragment_is_read_as_tcp_and_says_the_rest_was_not(tmp_path: Path):
    # tcpdump and tshark both show the TCP header of a first fragment
    c, s = V4
    first = bytearray(synth.tcp_packet(Seg(c, s, PSH | ACK, 1, 1, payload=100)))
    first[6] = 0x20  # more fragments
    c6, s6 = V6
    v6 = synth.tcp_packet(Seg(c6, s6, PSH | ACK, 1, 1, payload=100))
    # a fragment header, offset 0 and more to come, between IPv6 and TCP
    fragment = bytes([6, 0, 0, 1]) + b"\x00\x00\x00\x07"
    v6_first = (
        v6[:4] + struct.pack("!H", len(v6) - 40 + 8) + bytes([44]) + v6[7:40] + fragment + v6[40:]
    )
    frames_ = [(1.0, synth.frame(bytes(p), "raw")) for p in (first, v6_first)]
    synth.write_pcap(tmp_path / "x.pcap", frames_, 101)
    got = read_capture(tmp_path / "x.pcap")
    assert [(conn.client, conn.server) for conn in got] == [V4, V6]
    for conn in got:
        (step,) = conn.steps
        assert step.record.flags == ["PSH", "ACK"] and step.record.length == 100
        assert step.quirks[0].kind is QuirkKind.FRAGMENT
        assert "other fragments" in step.note


def test_a_tcp_header_cut_by_the_snapshot_length_keeps_its_ports_and_flags(tmp_path: Path):
    c, s = V4
    ip = synth.tcp_packet(Seg(c, s, SYN, 1000, window=4096))
    frame_ = synth.frame(ip, "ethernet")
    # 14 + 20 + 15 bytes: the TCP header up to its flags, the window cut off
    synth.write_pcap(tmp_path / "x.pcap", [(1.0, frame_[: 14 + 20 + 15])], 1)
    (conn,) = read_capture(tmp_path / "x.pcap")
    (step,) = conn.steps
    assert (conn.client, conn.server) == V4
    assert step.record.flags == ["SYN"] and step.record.seq == 1000
    assert step.quirks[0].kind is QuirkKind.CUT
    assert step.note.startswith("the capture kept only 15 of the TCP header's 20 bytes")
    assert "window" in step.note
    # cut before the flags: nothing to show
    synth.write_pcap(tmp_path / "y.pcap", [(1.0, frame_[: 14 + 20 + 13])], 1)
    with pytest.raises(CaptureError, match="no TCP connections"):
        read_capture(tmp_path / "y.pcap")


def test_a_payload_cut_by_the_snapshot_length_keeps_its_real_length(tmp_path: Path):
    c, s = V4
    frame_ = synth.frame(synth.tcp_packet(Seg(c, s, PSH | ACK, 1, 1, payload=1000)), "ethernet")
    synth.write_pcap(tmp_path / "x.pcap", [(1.0, frame_[:68])], 1)
    (conn,) = read_capture(tmp_path / "x.pcap")
    assert conn.segments[0].length == 1000


def test_offloaded_segments_with_an_ip_length_of_zero_count_what_was_captured(tmp_path: Path):
    c, s = V4
    ip = bytearray(synth.tcp_packet(Seg(c, s, PSH | ACK, 1, 1, payload=300)))
    ip[2:4] = b"\x00\x00"
    synth.write_pcap(tmp_path / "x.pcap", [(1.0, synth.frame(bytes(ip), "ethernet"))], 1)
    (conn,) = read_capture(tmp_path / "x.pcap")
    assert conn.segments[0].length == 300


def test_pcapng_packets_of_an_unsupported_interface_are_skipped(tmp_path: Path):
    path = synth.write(tmp_path / "x.pcapng", synth.handshake_and_close(*V4), container="pcapng")
    data = path.read_bytes()
    # a second interface, 802.11 (105), and one packet on it, right after the first IDB
    idb = synth._block("<", 1, struct.pack("<HHI", 105, 0, 65535))
    epb = synth._block("<", 6, struct.pack("<IIIII", 1, 0, 0, 4, 4) + b"\xde\xad\xbe\xef")
    first_idb_end = 28 + struct.unpack_from("<I", data, 28 + 4)[0]
    path.write_bytes(data[:first_idb_end] + idb + epb + data[first_idb_end:])
    assert [conn.client for conn in read_capture(path)] == [V4[0]]


# --------------------------------------------------------------------- bad files


def test_a_missing_file_names_the_file(tmp_path: Path):
    with pytest.raises(CaptureError, match=r"nothere\.pcap: no such file$"):
        read_capture(tmp_path / "nothere.pcap")


def test_an_empty_file_is_not_a_capture(tmp_path: Path):
    (tmp_path / "e.pcap").write_bytes(b"")
    with pytest.raises(CaptureError, match=r"e\.pcap: empty file, not a capture$"):
        read_capture(tmp_path / "e.pcap")


def test_wrong_magic_says_so_without_showing_any_byte(tmp_path: Path):
    (tmp_path / "w.pcap").write_bytes(b"GIF89a" + b"\0" * 40)
    with pytest.raises(CaptureError, match=r"w\.pcap: not a pcap or pcapng file$"):
        read_capture(tmp_path / "w.pcap")


def test_a_truncated_record_names_the_byte_where_it_starts(tmp_path: Path):
    path = synth.write(tmp_path / "t.pcap", synth.handshake_and_close(*V4))
    data = path.read_bytes()
    # walk to the fourth record
    offset = 24
    for _ in range(3):
        offset += 16 + struct.unpack_from("<I", data, offset + 8)[0]
    for cut in (offset + 5, offset + 16 + 3):  # inside the record header, inside the packet
        path.write_bytes(data[:cut])
        with pytest.raises(CaptureError) as err:
            read_capture(path)
        assert str(err.value) == (
            f"{path}: truncated record at byte {offset}: the file ends inside packet 4"
        )


def test_a_record_claiming_a_huge_length_is_damage_not_a_long_wait(tmp_path: Path):
    path = synth.write(tmp_path / "t.pcap", synth.handshake_and_close(*V4))
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 24 + 8, 0x7FFFFFFF)
    path.write_bytes(bytes(data))
    with pytest.raises(CaptureError, match=r"damaged record at byte 24: it claims 2147483647"):
        read_capture(path)


@pytest.mark.parametrize("container", ["pcap", "pcapng"])
def test_an_unsupported_link_type_is_named(tmp_path: Path, container: str):
    frames_ = [(1.0, b"\x00" * 40)]
    path = tmp_path / f"wifi.{container}"
    if container == "pcap":
        synth.write_pcap(path, frames_, 105)
    else:
        synth.write_pcapng(path, frames_, 105)
    with pytest.raises(CaptureError, match=r"unsupported link type 105 \(IEEE802_11\)"):
        read_capture(path)


def test_a_pcapng_block_cut_short_names_its_offset(tmp_path: Path):
    path = synth.write(tmp_path / "t.pcapng", synth.handshake_and_close(*V4), container="pcapng")
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(CaptureError) as err:
        read_capture(path)
    last = len(data) - struct.unpack_from("<I", data, len(data) - 4)[0]
    assert f"truncated record at byte {last}:" in str(err.value)


def test_a_pcapng_block_whose_two_lengths_differ_is_damaged(tmp_path: Path):
    path = synth.write(tmp_path / "t.pcapng", synth.handshake_and_close(*V4), container="pcapng")
    data = bytearray(path.read_bytes())
    data[-4:] = struct.pack("<I", 8)
    path.write_bytes(bytes(data))
    with pytest.raises(CaptureError, match=r"damaged block at byte \d+: its two lengths differ"):
        read_capture(path)


def test_check_finds_damage_at_the_end_before_anything_is_read(tmp_path: Path):
    path = synth.write(tmp_path / "t.pcap", synth.handshake_and_close(*V4))
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(CaptureError, match="truncated record"):
        check(path)


# ---------------------------------------------------------------------- streaming


def test_a_finished_connection_is_handed_out_before_the_file_is_read_to_its_end(tmp_path: Path):
    segs = []
    for n in range(30):
        segs += synth.handshake_and_close(f"10.0.0.1:{40000 + n}", "10.0.0.2:80", start=10.0 * n)
    path = synth.write(tmp_path / "many.pcap", segs)
    read = 0

    def counted():
        nonlocal read
        for segment in tcp_segments(path):
            read += 1
            yield segment

    stream = flows(counted())
    first = next(stream)
    assert first.segments[0][0] == 0.0
    assert read < len(segs) / 2  # the rest of the file is still unread
    assert len(list(stream)) == 29


def test_connections_come_numbered_in_the_order_they_end(tmp_path: Path):
    long_one = synth.handshake_and_close("10.0.0.1:50000", "10.0.0.2:80", start=0.0)
    short = synth.handshake_and_close("10.0.0.1:50001", "10.0.0.2:80", start=0.0005)
    # the long one closes 20 s later
    long_one = long_one[:5] + [
        Seg(s.src, s.dst, s.flags, s.seq, s.ack, s.payload, 20.0 + s.time) for s in long_one[5:]
    ]
    path = synth.write(tmp_path / "x.pcap", sorted(long_one + short, key=lambda s: s.time))
    got = [(conn.number, conn.client) for conn in iter_connections(path)]
    assert got == [(1, "10.0.0.1:50001"), (2, "10.0.0.1:50000")]
    assert [conn.client for conn in read_capture(path)] == [c for _, c in got]


def test_a_length_that_runs_past_the_end_of_the_file_is_reported_at_once(tmp_path: Path):
    # a snapshot length of 2**32-1 lets records claim up to 16 MiB: this one claims
    # 10 MB in a file of a few hundred bytes, and is truncated, not waited for
    path = synth.write(tmp_path / "t.pcap", synth.handshake_and_close(*V4))
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 16, 0xFFFFFFFF)
    struct.pack_into("<I", data, 24 + 8, 10_000_000)
    path.write_bytes(bytes(data))
    with pytest.raises(CaptureError, match=r"truncated record at byte 24: .* packet 1$"):
        read_capture(path)
    path = synth.write(tmp_path / "t.pcapng", synth.handshake_and_close(*V4), container="pcapng")
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 28 + 4, 8_000_000)  # the interface block's length
    path.write_bytes(bytes(data))
    with pytest.raises(CaptureError, match=r"truncated record at byte 28: .* a block of 8000000"):
        read_capture(path)


@pytest.mark.parametrize("kind", [2, 3], ids=["obsolete packet block", "simple packet block"])
def test_pcapng_packet_blocks_without_an_enhanced_header_read_too(tmp_path: Path, kind: int):
    segs = synth.handshake_and_close(*V4, start=10.0)
    shb = synth._block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    blocks = [shb, synth._block("<", 1, struct.pack("<HHI", 1, 0, 0))]
    for seg in segs:
        data = synth.frame(synth.tcp_packet(seg), "ethernet")
        if kind == 2:
            units = round(seg.time * 1e6)
            head = struct.pack(
                "<HHIIII", 0, 0, units >> 32, units & 0xFFFFFFFF, len(data), len(data)
            )
        else:
            head = struct.pack("<I", len(data))  # no timestamp: every time reads as 0
        blocks.append(synth._block("<", kind, head + data))
    (tmp_path / "old.pcapng").write_bytes(b"".join(blocks))
    (conn,) = read_capture(tmp_path / "old.pcapng")
    assert [r.flags for r in conn.segments] == [
        r["flags"] for r in as_json(synth.write(tmp_path / "new.pcap", segs))[0]["segments"]
    ]
    assert conn.final_states == read_capture(tmp_path / "new.pcap")[0].final_states


@pytest.mark.parametrize("container", ["pcap", "pcapng"])
def test_packets_many_read_chunks_long_read_as_from_one_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, container: str
):
    # the reader reads a chunk at a time; a packet longer than many chunks is gathered
    segs = synth.handshake_and_close(*V4, data=60_000)
    path = synth.write(tmp_path / f"big.{container}", segs, container=container)
    whole = [c.to_json() for c in read_capture(path)]
    monkeypatch.setattr(pcapfile, "CHUNK", 4096)
    assert [c.to_json() for c in read_capture(path)] == whole
    assert whole[0]["segments"][3]["len"] == 60_000
    # cut inside the long packet: damage named at the byte where its record starts
    data = path.read_bytes()
    starts = [i for i in range(len(data)) if data.startswith(b"\x00" * 64, i)]
    cut = starts[0] + 30_000  # inside the payload (zeros) of the long packet
    path.write_bytes(data[:cut])
    with pytest.raises(CaptureError, match=r"truncated record at byte \d+: .*(packet 4|block)"):
        read_capture(path)
