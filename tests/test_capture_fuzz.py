"""hypothesis against the capture reader: damaged files and arbitrary TCP never crash it.

- Real captures cut at any byte or with bytes flipped anywhere read as connections or
  fail with one ``CaptureError`` line, never another exception; the command line
  answers 0 or 2, and on 2 prints exactly one line and nothing on stdout.
- A pcap cut inside a record names the byte where that record starts.
- Any list of TCP segments between two ends, in any container and link layer, reads
  back segment for segment, and every state change it infers is an engine transition
  that leads to the states of its row.
"""

from __future__ import annotations

import json
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from captures import synth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_tutor.captures import CaptureError, read_capture
from tui_tutor.cli import main
from tui_tutor.engine import TRANSITION_LIST, Role

TESTS = Path(__file__).parent
SAMPLES = sorted(
    [
        *(TESTS / "captures").glob("*.pcap*"),
        TESTS / "kernel" / "half_close.pcap",
        TESTS / "kernel" / "lost_last_ack.pcap",
        # tunnels and uncommon link layers, so that flipped bytes reach their decoders
        *(
            TESTS / "captures" / "tcpdump" / name
            for name in (
                "geneve.pcap",
                "gso-ipv6-vxlan-ipv4.pcap",
                "wccp_redirect_gre.pcap",
                "lspping-fec-ldp.pcap",
                "arcnet-rfc1201-arp-icmp-http.pcap",
                "ipoib.pcap",
                "bgp-aigp.pcap",
            )
        ),
    ]
)
MASK = 0xFFFFFFFF
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def read_or_refuse(path: Path) -> list | None:
    """The connections, or None when the reader refused the file with a proper error."""
    try:
        return read_capture(path)
    except CaptureError as err:
        message = str(err)
        assert "\n" not in message and message
        assert str(path) in message
        return None


samples = st.sampled_from(SAMPLES)


@FUZZ
@given(sample=samples, data=st.data())
def test_a_capture_cut_anywhere_reads_or_fails_in_one_line(scratch: Path, sample: Path, data):
    raw = sample.read_bytes()
    cut = data.draw(st.integers(0, len(raw) - 1), label="cut")
    path = scratch / f"cut{sample.suffix}"
    path.write_bytes(raw[:cut])
    connections = read_or_refuse(path)
    if connections is not None:
        for conn in connections:
            json.dumps(conn.to_json())


@FUZZ
@given(
    sample=samples,
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_a_capture_with_bytes_flipped_reads_or_fails_in_one_line(
    scratch: Path, sample: Path, flips: list[tuple[int, int]]
):
    raw = bytearray(sample.read_bytes())
    for where, value in flips:
        raw[where % len(raw)] = value
    path = scratch / f"flipped{sample.suffix}"
    path.write_bytes(bytes(raw))
    connections = read_or_refuse(path)
    for conn in connections or ():
        for step in conn.steps:
            assert step.record.client_state and step.record.server_state


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sample=samples, cut=st.floats(0.0, 1.0), flip=st.integers(0, 10**6), as_json=st.booleans())
def test_the_command_answers_0_or_2_with_one_line(
    scratch: Path, capsys, sample: Path, cut: float, flip: int, as_json: bool
):
    raw = bytearray(sample.read_bytes())
    raw[flip % len(raw)] ^= 0xFF
    path = scratch / f"cmd{sample.suffix}"
    path.write_bytes(bytes(raw[: max(1, int(len(raw) * cut))]))
    status = main(["capture", *(["--json"] if as_json else []), str(path)])
    out, err = capsys.readouterr()
    if status == 0:
        assert err == ""
        if as_json:
            assert json.loads(out)["connections"]
    else:
        assert status == 2
        assert out == ""
        assert len(err.splitlines()) == 1


def record_starts(raw: bytes) -> list[int]:
    starts, offset = [], 24
    while offset < len(raw):
        starts.append(offset)
        offset += 16 + struct.unpack_from("<I", raw, offset + 8)[0]
    return starts


@FUZZ
@given(data=st.data())
def test_a_pcap_cut_inside_a_record_names_where_that_record_starts(scratch: Path, data):
    raw = (TESTS / "kernel" / "half_close.pcap").read_bytes()
    starts = record_starts(raw)
    cut = data.draw(st.integers(25, len(raw)), label="cut")  # 24: the header alone
    path = scratch / "cut.pcap"
    path.write_bytes(raw[:cut])
    if cut in starts or cut == len(raw):
        assert read_capture(path)
        return
    record = max(s for s in starts if s < cut)
    with pytest.raises(CaptureError, match=rf"truncated record at byte {record}: "):
        read_capture(path)


# -------------------------------------------------- arbitrary TCP, read back


ENDS = [("10.1.1.1:3000", "10.2.2.2:80"), ("[fd00::1]:3000", "[fd00::2]:8080")]
segment = st.tuples(
    st.booleans(),  # sent by the first end?
    st.integers(0, 255),  # any flags at all
    st.one_of(st.integers(0, MASK), st.integers(MASK - 5, MASK), st.integers(0, 5)),
    st.one_of(st.integers(0, MASK), st.integers(MASK - 5, MASK), st.integers(0, 5)),
    st.integers(0, 300),
    st.sampled_from([0, 512, 65535]),
)
formats = st.tuples(
    st.sampled_from(sorted(set(synth.LINKTYPES) - {"ipv4", "ipv6"})),
    st.sampled_from(["pcap", "pcapng"]),
    st.booleans(),
    st.booleans(),
)


def story(rows, ends) -> list[synth.Seg]:
    a, b = ends
    return [
        synth.Seg(
            a if first else b, b if first else a, flags, seq, ack, payload, 5.0 + i * 0.01, win
        )
        for i, (first, flags, seq, ack, payload, win) in enumerate(rows)
    ]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(segment, min_size=1, max_size=25),
    ends=st.sampled_from(ENDS),
    fmt=formats,
)
def test_any_tcp_reads_back_segment_for_segment_with_states_the_engine_explains(
    scratch: Path, rows, ends, fmt
):
    link, container, nano, big_endian = fmt
    segs = story(rows, ends)
    path = synth.write(scratch / f"any.{container}", segs, link, container, nano, big_endian)
    connections = read_capture(path)
    got = []
    for conn in connections:
        label = {Role.CLIENT: conn.client, Role.SERVER: conn.server}
        now = dict(conn.initial)
        for step in conn.steps:
            r = step.record
            got.append((conn.start + r.time, label[r.sender], r.seq, r.ack, r.length, r.flags))
            for change in step.changes:
                assert change.transition in TRANSITION_LIST
                assert now[change.peer] is change.old
                now[change.peer] = change.new
            assert (r.client_state, r.server_state) == (now[Role.CLIENT], now[Role.SERVER])
        for absolute in (False, True):
            rows_json = conn.to_json(absolute)["segments"]
            assert rows_json == [r.to_json(conn.isns, absolute) for r in conn.segments]
    got.sort(key=lambda row: row[0])
    want = [(s.src, s.seq, s.ack if s.flags & 0x10 else None, s.payload, s.flags) for s in segs]
    assert [(src, seq, ack, n) for _, src, seq, ack, n, _ in got] == [w[:4] for w in want]
    names = ["SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]
    bits = [0x02, 0x01, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80]
    assert [flags for *_, flags in got] == [
        [name for name, bit in zip(names, bits, strict=True) if w[4] & bit] for w in want
    ]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    isn_c=st.integers(0, MASK),
    isn_s=st.integers(0, MASK),
    data=st.integers(0, 2000),
    ends=st.sampled_from(ENDS),
)
def test_relative_numbers_and_states_do_not_depend_on_the_isns(scratch, isn_c, isn_s, data, ends):
    base = synth.handshake_and_close(*ends, isn_c=1, isn_s=1, data=data)
    moved = synth.handshake_and_close(*ends, isn_c=isn_c, isn_s=isn_s, data=data)
    a = read_capture(synth.write(scratch / "a.pcap", base))[0].to_json()
    b = read_capture(synth.write(scratch / "b.pcap", moved))[0].to_json()
    assert a == b
    assert [row["seq"] for row in a["segments"]][:4] == [0, 0, 1, 1]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.lists(segment, min_size=1, max_size=15),
    second=st.lists(segment, min_size=1, max_size=15),
    sizes=st.lists(st.integers(1, 1400), min_size=2, max_size=2),
)
def test_an_analysis_shared_through_the_caches_is_the_one_made_afresh(
    scratch: Path, first, second, sizes
):
    from tui_tutor.captures import analysis

    stories = [
        story(first, ENDS[0]),
        story(second, ENDS[0]),
        synth.handshake_and_close(*ENDS[1], data=sizes[0]),
        synth.handshake_and_close(*ENDS[1], isn_c=9, isn_s=2**32 - 1, data=sizes[1]),
    ]
    paths = [synth.write(scratch / f"s{i}.pcap", segs) for i, segs in enumerate(stories)]
    warm = [[c.to_json() for c in read_capture(p)] for p in paths]
    fresh = []
    for path in paths:
        analysis._inferences.clear()
        fresh.append([c.to_json() for c in read_capture(path)])
    assert warm == fresh


@FUZZ
@given(
    sample=samples,
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
    lang=st.sampled_from(["en", "zh"]),
)
def test_the_apps_list_of_a_damaged_capture_agrees_with_the_reader_or_fails_in_one_line(
    scratch: Path, sample: Path, cut: float, flips: list[tuple[int, int]], lang: str
):
    """What the open dialog lists (summaries) is what the reader reads, numbered alike; a
    file neither can read is one line in the learner's language naming the file, no bytes."""
    from tui_tutor.app.screens.capture import error_text
    from tui_tutor.captures import read_summaries

    raw = bytearray(sample.read_bytes())
    for where, value in flips:
        raw[where % len(raw)] = value
    path = scratch / f"listed{sample.suffix}"
    path.write_bytes(bytes(raw[: max(1, int(len(raw) * cut))]))
    connections = read_or_refuse(path)
    try:
        listed = read_summaries(path, path.name)
    except CaptureError as err:
        assert connections is None, "the list refuses only what the reader refuses"
        shown = error_text(str(err), path.name, lang)
        assert "\n" not in shown and path.name in shown and "0x" not in shown
        return
    assert connections is not None
    assert [(s.number, s.client, s.server, s.segments) for s in listed] == [
        (c.number, c.client, c.server, len(c)) for c in connections
    ]
