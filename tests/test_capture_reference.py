"""The capture reader against independent references: tcpdump's output and the engine.

- ``../shared/captures`` (tcpdump's own test captures) and ``tests/captures`` (recorded
  on loopback by ``tests/captures/record.py``) come with ``NAME.txt``, what
  ``tcpdump -nn -r`` printed: every segment's flags, seq, ack and length must agree.
- ``tests/kernel/*.pcap`` are stories the engine also plays (``NAME.toml``): the states
  the reader infers from what Linux sent must be the states the engine went through.
- ``tests/captures/NAME.expected.json`` is the reader's output, checked by hand when
  the case was recorded (see record.py).
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
from pathlib import Path

import pytest
from capture_limits import (  # tests/capture_limits.py, shared with test_diagnosis
    CAPTURE_CANNOT_TELL,
    CAPTURE_SPLITS,
    INVISIBLE,
    TWO_CONNECTIONS,
)
from loopback import comparable  # tests/loopback.py: PSH left out, as record.py writes them

from tui_tutor import engine
from tui_tutor.captures import read_capture
from tui_tutor.scenarios import load_scenario

TESTS = Path(__file__).parent
OURS = TESTS / "captures"
# tcpdump's own test captures: the workplace's shared copy, else the one vendored here
SHARED = TESTS.parent.parent / "shared" / "captures"
if not SHARED.is_dir():
    SHARED = TESTS / "captures" / "tcpdump"
KERNEL = TESTS / "kernel"

MASK = 0xFFFFFFFF
TCPDUMP_FLAGS = {
    "S": "SYN",
    "F": "FIN",
    "R": "RST",
    "P": "PSH",
    ".": "ACK",
    "U": "URG",
    "E": "ECE",
    "W": "CWR",
}
LINE = re.compile(
    r" IP6? (?P<src>\S+)\.(?P<sport>\d+) > (?P<dst>\S+)\.(?P<dport>\d+): "
    r"Flags \[(?P<flags>[^\]]*)\]"
    r"(?:, seq (?P<seq>\d+)(?::\d+)?)?(?:, ack (?P<ack>\d+))?.*?, length (?P<len>\d+)"
)


def end(host: str, port: int | str) -> tuple[str, int]:
    return str(ipaddress.ip_address(host.strip("[]"))), int(port)


def tcpdump_segments(text: str) -> list[dict]:
    """What tcpdump printed, with seq and ack made absolute again.

    tcpdump (print-tcp.c) prints a segment without ACK as it is. For one with ACK it
    keeps, per address/port pair, the numbers seen in the first such segment (or in
    any SYN): that segment is printed as it is, later ones relative to those.
    """
    bases: dict[tuple, dict[tuple, int]] = {}
    rows = []
    for line in text.splitlines():
        m = LINE.search(line)
        assert m, f"cannot read this tcpdump line: {line}"
        src, dst = end(m["src"], m["sport"]), end(m["dst"], m["dport"])
        flags = {TCPDUMP_FLAGS[c] for c in m["flags"]}
        seq = int(m["seq"]) if m["seq"] else None
        ack = int(m["ack"]) if m["ack"] else None
        pair = tuple(sorted([src, dst]))
        if "ACK" in flags:
            known = bases.get(pair)
            if known is None or "SYN" in flags:
                # printed as they are; remember them (tcpdump keeps ack - 1 for the peer)
                bases[pair] = {src: seq if seq is not None else 0, dst: (ack - 1) & MASK}
            else:
                if seq is not None:
                    seq = (seq + known[src]) & MASK
                ack = (ack + known[dst]) & MASK
        rows.append(
            {"src": src, "dst": dst, "flags": flags, "seq": seq, "ack": ack, "len": int(m["len"])}
        )
    return rows


def reader_segments(path: Path) -> list[dict]:
    """The reader's segments with absolute numbers, in capture order."""
    rows = []
    for conn in read_capture(path):
        client, server = end(*conn.client.rsplit(":", 1)), end(*conn.server.rsplit(":", 1))
        for record in conn.segments:
            src, dst = (client, server) if record.sender is engine.Role.CLIENT else (server, client)
            rows.append(
                {
                    "time": conn.start + record.time,
                    "src": src,
                    "dst": dst,
                    "flags": set(record.flags),
                    "seq": record.seq,
                    "ack": record.ack,
                    "len": record.length,
                }
            )
    rows.sort(key=lambda row: row["time"])  # stable: same-time segments keep their order
    return rows


def cases(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.glob("*.pcap*") if (folder / f"{p.name.split('.')[0]}.txt").exists()
    )


SHARED_CASES = cases(SHARED) if SHARED.is_dir() else []
OUR_CASES = cases(OURS)


@pytest.mark.skipif(not SHARED_CASES, reason="../shared/captures is not there")
@pytest.mark.parametrize("pcap", SHARED_CASES, ids=lambda p: p.name)
def test_every_segment_of_tcpdumps_own_captures_reads_as_tcpdump_prints_it(pcap: Path):
    check_against_tcpdump(pcap)


@pytest.mark.parametrize("pcap", OUR_CASES, ids=lambda p: p.name)
def test_every_segment_of_our_loopback_recordings_reads_as_tcpdump_prints_it(pcap: Path):
    check_against_tcpdump(pcap)


def check_against_tcpdump(pcap: Path) -> None:
    text = (pcap.parent / f"{pcap.name.split('.')[0]}.txt").read_text()
    want = tcpdump_segments(text)
    if not want:
        return  # empty.pcapng: test_capture_cli checks the error it gives
    assert_same_segments(pcap.name, reader_segments(pcap), want)


def assert_same_segments(name: str, got: list, want: list, lengths: bool = True) -> None:
    """Segment by segment, what the reader read is what tcpdump printed (``lengths``: the
    payload lengths too)."""
    assert len(got) == len(want), f"{name}: {len(got)} segments read, tcpdump {len(want)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True), 1):
        where = f"{name} segment {i}"
        assert (g["src"], g["dst"]) == (w["src"], w["dst"]), where
        assert g["flags"] == w["flags"], f"{where}: flags {g['flags']}, tcpdump {w['flags']}"
        if w["seq"] is not None:
            assert g["seq"] == w["seq"], f"{where}: seq {g['seq']}, tcpdump {w['seq']}"
        assert g["ack"] == w["ack"], f"{where}: ack {g['ack']}, tcpdump {w['ack']}"
        if lengths:
            assert g["len"] == w["len"], f"{where}: length {g['len']}, tcpdump {w['len']}"


def test_the_reference_parser_reads_absolute_numbers_back_from_tcpdumps_relative_ones():
    # bgp-role as tshark shows it raw: the second segment from port 179 starts at 3763129348
    text = (
        "20:08:52.541413 IP 192.168.10.17.179 > 192.168.10.124.53580: Flags [P.], "
        "seq 3763129203:3763129310, ack 4158499266, win 128, length 107: BGP\n"
        "20:08:53.642401 IP 192.168.10.17.179 > 192.168.10.124.53580: Flags [P.], "
        "seq 145:168, ack 39, win 128, length 23: BGP\n"
    )
    rows = tcpdump_segments(text)
    assert [r["seq"] for r in rows] == [3763129203, 3763129348]
    assert [r["ack"] for r in rows] == [4158499266, 4158499304]


# ------------------------------------------------------------ the kernel fixtures


KERNEL_CASES = sorted(p.stem for p in KERNEL.glob("*.toml"))


def _cases(skip: dict[str, str], xfail: dict[str, str]) -> list:
    """The kernel cases, those in ``skip`` skipped and those in ``xfail`` expected to fail,
    each with its reason."""
    cases = []
    for name in KERNEL_CASES:
        if name in skip:
            cases.append(pytest.param(name, marks=pytest.mark.skip(reason=skip[name])))
        elif name in xfail:
            reason = xfail[name]
            cases.append(pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason)))
        else:
            cases.append(name)
    return cases


@pytest.mark.parametrize("name", _cases(skip=TWO_CONNECTIONS, xfail=CAPTURE_SPLITS))
def test_kernel_captures_read_as_their_expected_segments(name: str):
    want = json.loads((KERNEL / f"{name}.expected.json").read_text())["segments"]
    (conn,) = read_capture(KERNEL / f"{name}.pcap")
    assert comparable(conn.to_json()["segments"]) == comparable(want)


@pytest.mark.parametrize("name", _cases(skip=INVISIBLE, xfail=CAPTURE_CANNOT_TELL))
def test_states_read_from_what_linux_sent_are_the_states_the_engine_went_through(name: str):
    rows = json.loads((KERNEL / f"{name}.expected.json").read_text())["segments"]
    if any(r.get("dropped") for r in rows):
        pytest.skip(
            "segments were dropped to make the sides cross; the engine cannot replay "
            "that interleaving (test_kernel compares each side's segments instead)"
        )
    trace = engine.run(load_scenario(KERNEL / f"{name}.toml"), rng=random.Random(1))
    want = [(r.client_state, r.server_state) for r in trace.segments()]
    (conn,) = read_capture(KERNEL / f"{name}.pcap")
    got = [(r.client_state, r.server_state) for r in conn.segments]
    for i, (g, w) in enumerate(zip(got, want, strict=True), 1):
        assert g == w, f"{name} segment {i}: the capture says {g}, the engine {w}"


# ------------------------------------------------------ our recordings, by hand


@pytest.mark.parametrize("pcap", OUR_CASES, ids=lambda p: p.name)
def test_our_recordings_read_as_checked_by_hand(pcap: Path):
    expected = json.loads((OURS / f"{pcap.name.split('.')[0]}.expected.json").read_text())
    got = {"connections": [conn.to_json() for conn in read_capture(pcap)]}
    assert got == expected
