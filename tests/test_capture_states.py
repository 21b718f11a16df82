"""The states, transitions and quirks the capture reader infers, case by case.

Each test names what a learner would see in the ladder or the app: who is in which
state after which segment, which engine transition explains the change, and which
segments the app should describe rather than grade.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from captures import synth
from captures.synth import ACK, FIN, PSH, RST, SYN, Seg

from tui_tutor.captures import CapturedConnection, QuirkKind, read_capture
from tui_tutor.engine import TRANSITION_LIST, Event, Role, State

TESTS = Path(__file__).parent
OURS = TESTS / "captures"
# tcpdump's own test captures: the workplace's shared copy, else the one vendored here
SHARED = TESTS.parent.parent / "shared" / "captures"
if not SHARED.is_dir():
    SHARED = TESTS / "captures" / "tcpdump"
KERNEL = TESTS / "kernel"
S = State


def states(conn: CapturedConnection) -> list[tuple[str, str]]:
    return [(r.client_state.value, r.server_state.value) for r in conn.segments]


def only(path: Path) -> CapturedConnection:
    (conn,) = read_capture(path)
    return conn


def all_recordings() -> list[Path]:
    found = [*OURS.glob("*.pcap*"), *KERNEL.glob("*.pcap")]
    if SHARED.is_dir():
        found += [p for p in SHARED.glob("*.pcap*") if p.name != "empty.pcapng"]
    return sorted(found)


def opened(client: str, server: str) -> list[Seg]:
    """A handshake, client ISN 100 and server ISN 900, at times 0.000 to 0.002."""
    return synth.handshake_and_close(client, server, 100, 900, start=0.0)[:3]


def write(tmp_path: Path, segs: list[Seg], name: str = "t.pcap") -> Path:
    return synth.write(tmp_path / name, segs)


def test_a_refused_connection_never_had_a_listening_server():
    conn = only(KERNEL / "connection_refused.pcap")
    assert conn.initial == {Role.CLIENT: S.CLOSED, Role.SERVER: S.CLOSED}
    assert states(conn) == [("SYN_SENT", "CLOSED"), ("CLOSED", "CLOSED")]
    rst = conn.steps[1]
    assert [(c.peer, c.event, c.new) for c in rst.changes] == [
        (Role.CLIENT, Event.RCV_RST, S.CLOSED)
    ]
    assert conn.to_json()["segments"][1]["seq"] == 0  # the RST's own seq, as RFC 9293 sets it


def test_a_refused_ipv6_connection_reads_the_same():
    conn = only(OURS / "refused_ipv6.pcap")
    assert conn.client.startswith("[::1]:")
    assert states(conn) == [("SYN_SENT", "CLOSED"), ("CLOSED", "CLOSED")]


def test_a_server_that_answers_the_syn_was_listening():
    conn = only(KERNEL / "client_closes_first.pcap")
    assert conn.initial == {Role.CLIENT: S.CLOSED, Role.SERVER: S.LISTEN}
    syn = conn.steps[0]
    assert [(c.peer, c.old, c.event, c.new) for c in syn.changes] == [
        (Role.CLIENT, S.CLOSED, Event.CONNECT, S.SYN_SENT),
        (Role.SERVER, S.LISTEN, Event.RCV_SYN, S.SYN_RECEIVED),
    ]


def test_three_segment_close_puts_the_client_in_time_wait_on_the_fin_ack():
    conn = only(KERNEL / "three_segment_close.pcap")
    assert states(conn)[-3:] == [
        ("FIN_WAIT_1", "CLOSE_WAIT"),
        ("TIME_WAIT", "LAST_ACK"),
        ("TIME_WAIT", "CLOSED"),
    ]
    fin_ack = conn.steps[4]
    assert fin_ack.record.flags == ["FIN", "ACK"]
    assert [(c.peer, c.event) for c in fin_ack.changes] == [
        (Role.SERVER, Event.CLOSE),
        (Role.CLIENT, Event.RCV_FIN_ACK),
    ]


def test_the_server_closing_first_leaves_it_in_time_wait():
    conn = (
        only(SHARED / "whois.pcap")
        if SHARED.is_dir()
        else only(KERNEL / "server_closes_first.pcap")
    )
    assert [s for s in states(conn) if "CLOSE_WAIT" in s[0] or "LAST_ACK" in s[0]]
    assert conn.final_states == {Role.CLIENT: S.CLOSED, Role.SERVER: S.TIME_WAIT}


def test_fins_that_cross_make_a_simultaneous_close_through_closing():
    conn = only(OURS / "simultaneous_close.pcap")
    assert ("FIN_WAIT_1", "FIN_WAIT_1") in states(conn)
    assert ("FIN_WAIT_1", "CLOSING") in states(conn)
    assert conn.final_states == {Role.CLIENT: S.TIME_WAIT, Role.SERVER: S.TIME_WAIT}
    # both first FINs were dropped by iptables: the answers show they never arrived
    fins = [step for step in conn.steps if "FIN" in step.record.flags]
    assert [step.received for step in fins] == [False, False, True, True]


def test_fins_that_cross_in_flight_are_a_simultaneous_close_on_both_sides(tmp_path: Path):
    c, s = "10.0.0.1:40000", "10.0.0.2:80"
    segs = [
        *opened(c, s),
        Seg(c, s, FIN | ACK, 101, 901, time=10.0),
        Seg(s, c, FIN | ACK, 901, 101, time=10.1),  # sent before the client's FIN arrived
        Seg(c, s, ACK, 102, 902, time=10.2),
        Seg(s, c, ACK, 902, 102, time=10.3),
    ]
    conn = only(write(tmp_path, segs))
    assert states(conn)[3:] == [
        ("FIN_WAIT_1", "ESTABLISHED"),
        ("CLOSING", "CLOSING"),
        ("CLOSING", "TIME_WAIT"),
        ("TIME_WAIT", "TIME_WAIT"),
    ]


def test_syns_that_cross_make_a_simultaneous_open_through_syn_received():
    conn = only(OURS / "simultaneous_open.pcap")
    rows = states(conn)
    assert ("SYN_RECEIVED", "SYN_RECEIVED") in rows
    assert rows.index(("SYN_RECEIVED", "SYN_RECEIVED")) < rows.index(("ESTABLISHED", "ESTABLISHED"))
    assert conn.initial == {Role.CLIENT: S.CLOSED, Role.SERVER: S.CLOSED}
    assert all(not step.quirks for step in conn.steps)


@pytest.mark.parametrize(
    "pcap, state",
    [
        (KERNEL / "abort_with_rst.pcap", "ESTABLISHED"),
        (OURS / "reset_in_fin_wait_2.ns.pcap", "FIN_WAIT_2"),
        (OURS / "two_connections_same_port.pcap", "ESTABLISHED"),
    ],
    ids=lambda v: getattr(v, "name", v),
)
def test_a_rst_closes_both_sides_from_any_state(pcap: Path, state: str):
    conn = read_capture(pcap)[0]
    rows = states(conn)
    rst = next(i for i, r in enumerate(conn.segments) if "RST" in r.flags)
    assert state in rows[rst - 1]
    assert rows[rst] == ("CLOSED", "CLOSED")


def test_rst_answering_a_closing_peer_is_the_engines_abort_row(tmp_path: Path):
    c, s = "10.0.0.1:40000", "10.0.0.2:80"
    segs = [
        *opened(c, s),
        Seg(c, s, FIN | ACK, 101, 901, time=10.0),
        Seg(s, c, RST | ACK, 901, 102, time=10.1),
    ]
    conn = only(write(tmp_path, segs))
    assert states(conn)[-1] == ("CLOSED", "CLOSED")
    changes = conn.steps[-1].changes
    assert [(c.peer, c.old, c.event) for c in changes] == [
        (Role.SERVER, S.CLOSE_WAIT, Event.ABORT),
        (Role.CLIENT, S.FIN_WAIT_1, Event.RCV_RST),
    ]


def test_a_lost_last_ack_keeps_the_server_in_last_ack_until_its_fin_is_acked_again():
    conn = only(KERNEL / "lost_last_ack.pcap")
    rows = states(conn)
    assert rows[6:] == [
        ("TIME_WAIT", "LAST_ACK"),
        ("TIME_WAIT", "LAST_ACK"),
        ("TIME_WAIT", "CLOSED"),
    ]
    assert not conn.steps[6].received
    assert conn.steps[7].record.retransmission
    again = conn.steps[7].changes
    assert [(c.peer, c.old, c.new, c.event) for c in again] == [
        (Role.CLIENT, S.TIME_WAIT, S.TIME_WAIT, Event.RCV_FIN)
    ]


def test_a_lost_syn_leaves_the_server_listening_until_the_retransmission():
    conn = only(KERNEL / "lost_syn.pcap")
    assert states(conn)[:2] == [("SYN_SENT", "LISTEN"), ("SYN_SENT", "SYN_RECEIVED")]
    assert [r.retransmission for r in conn.segments[:2]] == [False, True]


def test_a_connection_seen_mid_stream_is_partial_and_starts_established():
    conn = only(SHARED / "bgp-role.pcapng") if SHARED.is_dir() else None
    if conn is None:
        pytest.skip("../shared/captures is not there")
    assert conn.partial
    assert conn.initial == {Role.CLIENT: S.ESTABLISHED, Role.SERVER: S.ESTABLISHED}
    assert conn.server.endswith(":179")  # the lower port is the server's
    first = conn.to_json()["segments"][0]
    assert (first["from"], first["seq"], first["ack"]) == ("server", 1, 1)  # as Wireshark
    assert all(s == ("ESTABLISHED", "ESTABLISHED") for s in states(conn))


def test_a_connection_first_seen_at_its_syn_ack_starts_in_the_handshake(tmp_path: Path):
    c, s = "10.0.0.1:40000", "10.0.0.2:80"
    conn = only(write(tmp_path, synth.handshake_and_close(c, s)[1:]))
    assert conn.partial
    assert (conn.client, conn.server) == (c, s)
    assert conn.initial == {Role.CLIENT: S.SYN_SENT, Role.SERVER: S.SYN_RECEIVED}
    assert states(conn)[:2] == [("ESTABLISHED", "SYN_RECEIVED"), ("ESTABLISHED", "ESTABLISHED")]
    assert conn.to_json()["segments"][0]["ack"] == 1  # the client's ISN is the SYN,ACK's ack - 1


def test_a_partial_connection_with_equal_ports_takes_its_first_sender_as_client(tmp_path: Path):
    segs = [Seg("10.0.0.9:7000", "10.0.0.1:7000", ACK, 50, 60, 3, time=1.0)]
    conn = only(write(tmp_path, segs))
    assert (conn.client, conn.server) == ("10.0.0.9:7000", "10.0.0.1:7000")


def test_a_second_syn_on_a_closed_pair_starts_a_second_connection():
    first, second = read_capture(OURS / "two_connections_same_port.pcap")
    assert first.client == second.client and first.server == second.server
    assert not first.partial and not second.partial
    assert second.segments[0].flags == ["SYN"]
    assert first.isns != second.isns


def test_the_syn_of_an_unanswered_connection_leaves_the_server_closed(tmp_path: Path):
    c, s = "10.0.0.1:40000", "10.0.0.2:81"
    segs = [Seg(c, s, SYN, 7, time=0.0), Seg(c, s, SYN, 7, time=1.0), Seg(c, s, SYN, 7, time=3.0)]
    conn = only(write(tmp_path, segs))
    assert states(conn) == [("SYN_SENT", "CLOSED")] * 3
    assert [r.retransmission for r in conn.segments] == [False, True, True]
    assert conn.notes == ["the server never answered: no SYN,ACK, no RST"]


# ------------------------------------------------------------------------ quirks


def quirk_kinds(conn: CapturedConnection) -> list[list[QuirkKind]]:
    return [[q.kind for q in step.quirks] for step in conn.steps]


def test_keep_alives_are_marked_as_quirks_not_retransmissions():
    conn = only(OURS / "keepalive.pcap")
    kinds = quirk_kinds(conn)
    probes = [i for i, k in enumerate(kinds) if QuirkKind.KEEP_ALIVE in k]
    assert len(probes) == 2
    for i in probes:
        step = conn.steps[i]
        assert not step.record.retransmission
        assert "keep-alive" in step.note
        assert step.record.length == 0 and step.record.flags == ["ACK"]


def test_a_resent_data_segment_is_a_retransmission():
    conn = only(OURS / "data_retransmission.pcapng")
    data = [r for r in conn.segments if r.length]
    assert [r.retransmission for r in data] == [False, True]
    assert data[0].seq == data[1].seq


def test_data_on_a_syn_and_data_on_a_rst_are_quirks(tmp_path: Path):
    c, s = "10.0.0.1:40000", "10.0.0.2:80"
    segs = [Seg(c, s, SYN, 10, payload=4), Seg(s, c, RST | ACK, 0, 15, payload=9, time=0.1)]
    conn = only(write(tmp_path, segs))
    assert quirk_kinds(conn) == [[QuirkKind.SYN_WITH_DATA], [QuirkKind.RST_WITH_DATA]]


def test_a_zero_window_probe_and_a_window_update_are_quirks(tmp_path: Path):
    c, s = "10.0.0.1:40000", "10.0.0.2:80"
    segs = [
        *opened(c, s),
        Seg(c, s, PSH | ACK, 101, 901, payload=10, time=1.0),
        Seg(s, c, ACK, 901, 111, time=1.1, window=0),  # the server's buffer is full
        Seg(c, s, ACK, 111, 901, payload=1, time=1.5),  # one byte to probe the window
        Seg(s, c, ACK, 901, 111, time=1.6, window=0),
        Seg(s, c, ACK, 901, 111, time=2.0, window=4096),  # room again: a window update
    ]
    conn = only(write(tmp_path, segs))
    kinds = quirk_kinds(conn)
    assert kinds[5] == [QuirkKind.ZERO_WINDOW_PROBE]
    assert kinds[7] == [QuirkKind.WINDOW_UPDATE]
    assert not conn.segments[5].retransmission


def test_segments_after_a_reset_are_said_to_be_late(tmp_path: Path):
    c, s = "10.0.0.1:40000", "10.0.0.2:80"
    segs = [
        *opened(c, s),
        Seg(c, s, RST | ACK, 101, 901, time=1.0),
        Seg(s, c, PSH | ACK, 901, 101, payload=20, time=1.001),  # already in flight
        Seg(c, s, RST, 101, 0, time=1.002),
    ]
    conn = only(write(tmp_path, segs))
    assert quirk_kinds(conn)[4:] == [[QuirkKind.AFTER_RESET], []]
    assert states(conn)[4:] == [("CLOSED", "CLOSED")] * 2


def test_a_gap_in_the_sequence_numbers_says_the_capture_missed_a_segment():
    if not SHARED.is_dir():
        pytest.skip("../shared/captures is not there")
    conn = only(SHARED / "bgp-role.pcapng")
    assert QuirkKind.NOT_CAPTURED in quirk_kinds(conn)[1]


def test_a_fin_from_syn_sent_is_unexpected_and_changes_nothing():
    if not SHARED.is_dir():
        pytest.skip("../shared/captures is not there")
    conn = read_capture(SHARED / "tfo-5c1fa7f9ae91.pcap")[2]
    assert quirk_kinds(conn) == [[QuirkKind.SYN_WITH_DATA], [QuirkKind.UNEXPECTED]]
    assert "SYN_SENT" in conn.steps[1].note
    assert states(conn) == [("SYN_SENT", "CLOSED"), ("SYN_SENT", "CLOSED")]


# ---------------------------------------------------- transitions, everywhere


@pytest.mark.parametrize("pcap", all_recordings(), ids=lambda p: p.name)
def test_every_state_change_is_an_engine_transition_and_explains_the_ladder(pcap: Path):
    rows = set(TRANSITION_LIST)
    for conn in read_capture(pcap):
        now = dict(conn.initial)
        for step in conn.steps:
            for change in step.changes:
                assert change.transition in rows
                assert (change.transition.state, change.transition.next_state) == (
                    change.old,
                    change.new,
                )
                assert now[change.peer] is change.old, f"{pcap.name}: {change} from {now}"
                assert change.reason
                now[change.peer] = change.new
            record = step.record
            assert (record.client_state, record.server_state) == (
                now[Role.CLIENT],
                now[Role.SERVER],
            ), f"{pcap.name}: the changes of segment {record.index + 1} do not lead to its states"
