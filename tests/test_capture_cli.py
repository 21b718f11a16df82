"""``tui-tutor capture FILE``: what a user sees in the terminal, in JSON, and on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from captures import synth

from tui_tutor.cli import main

TESTS = Path(__file__).parent
OURS = TESTS / "captures"
KERNEL = TESTS / "kernel"
# tcpdump's own test captures: the workplace's shared copy, else the one vendored here
SHARED = TESTS.parent.parent / "shared" / "captures"
if not SHARED.is_dir():
    SHARED = TESTS / "captures" / "tcpdump"
ROW_KEYS = [
    "from",
    "flags",
    "seq",
    "ack",
    "len",
    "time",
    "retransmission",
    "lost",
    "client_state",
    "server_state",
]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main(["capture", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_ladder_labels_both_ends_with_ip_and_port_and_shows_the_states(capsys):
    status, out, err = run(capsys, KERNEL / "three_segment_close.pcap")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "connection 1: 127.0.0.1:46710 -> 127.0.0.1:47803"
    assert "127.0.0.1:46710" in lines[1] and "127.0.0.1:47803" in lines[1]
    assert "SYN_SENT" in lines[2] and "SYN seq=0" in lines[2] and "SYN_RECEIVED" in lines[2]
    assert "TIME_WAIT" in lines[6] and "FIN,ACK seq=1 ack=2" in lines[6] and "LAST_ACK" in lines[6]
    assert lines[-1] == "end: client TIME_WAIT, server CLOSED"


def test_the_ladder_says_what_the_engine_would_not_have_done(capsys):
    status, out, _ = run(capsys, OURS / "keepalive.pcap")
    assert status == 0
    assert sum("keep-alive" in line for line in out.splitlines()) == 2
    status, out, _ = run(capsys, KERNEL / "lost_last_ack.pcap")
    assert "never arrived" in out.splitlines()[8]


def test_json_has_the_shape_of_simulate_json_with_partial_and_ip_port_ends(capsys, tmp_path):
    status, out, err = run(capsys, "--json", KERNEL / "half_close.pcap")
    assert status == 0 and err == ""
    data = json.loads(out)
    (conn,) = data["connections"]
    assert list(conn) == ["client", "server", "partial", "segments"]
    assert conn["client"] == "127.0.0.1:50450" and conn["server"] == "127.0.0.1:47802"
    assert conn["partial"] is False
    assert all(list(row) == ROW_KEYS for row in conn["segments"])
    assert conn["segments"][0]["ack"] is None and conn["segments"][0]["time"] == 0.0
    assert all(row["lost"] is False for row in conn["segments"])
    # the same row keys as the engine's own JSON
    scenario = tmp_path / "s.toml"
    scenario.write_text('[[steps]]\ndo = "connect"\n')
    assert main(["simulate", "--json", str(scenario)]) == 0
    simulated = json.loads(capsys.readouterr().out)["connections"][0]["segments"][0]
    assert list(simulated) == ROW_KEYS


def test_flags_come_in_the_engines_order_with_urg_ece_cwr_after_ack(capsys, tmp_path):
    c, s = "10.0.0.1:40000", "10.0.0.2:80"
    segs = [synth.Seg(c, s, 0xFF, 1, 1)]
    status, out, _ = run(capsys, "--json", synth.write(tmp_path / "x.pcap", segs))
    assert status == 0
    flags = json.loads(out)["connections"][0]["segments"][0]["flags"]
    assert flags == ["SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]


def test_absolute_prints_the_raw_sequence_numbers(capsys):
    _, out, _ = run(capsys, "--json", "--absolute", KERNEL / "connection_refused.pcap")
    rows = json.loads(out)["connections"][0]["segments"]
    assert [(r["seq"], r["ack"]) for r in rows] == [(2242169554, None), (0, 2242169555)]
    _, out, _ = run(capsys, "--absolute", KERNEL / "connection_refused.pcap")
    assert "SYN seq=2242169554" in out


def test_connection_n_picks_one_connection_numbered_as_the_full_output(capsys):
    _, everything, _ = run(capsys, "--json", OURS / "two_connections_same_port.pcap")
    status, second, _ = run(
        capsys, "--json", "--connection", "2", OURS / "two_connections_same_port.pcap"
    )
    assert status == 0
    assert json.loads(second)["connections"] == json.loads(everything)["connections"][1:]
    _, ladder, _ = run(capsys, "--connection", "2", OURS / "two_connections_same_port.pcap")
    assert ladder.startswith("connection 2: ")


# --------------------------------------------------------------------- bad input


def bad(capsys, *args: str | Path) -> str:
    status, out, err = run(capsys, *args)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err.strip()


def test_a_missing_file(capsys, tmp_path):
    assert bad(capsys, tmp_path / "nope.pcap") == f"{tmp_path / 'nope.pcap'}: no such file"


def test_an_empty_file(capsys, tmp_path):
    (tmp_path / "e.pcap").write_bytes(b"")
    assert bad(capsys, tmp_path / "e.pcap").endswith("e.pcap: empty file, not a capture")


def test_wrong_magic(capsys):
    path = KERNEL / "half_close.toml"
    assert bad(capsys, path) == f"{path}: not a pcap or pcapng file"


def test_a_text_file_is_refused_without_showing_any_of_its_bytes(capsys, tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret:19000:0:99999:7:::\n")
    err = bad(capsys, secret)
    assert err == f"{secret}: not a pcap or pcapng file"
    assert "0x" not in err and "726f6f74" not in err


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/dev/zero", "a device"), ("/dev/urandom", "a device"), ("/dev/null", "a device")],
)
def test_a_device_is_refused_before_it_is_read(capsys, path, kind):
    assert bad(capsys, path) == f"{path}: {kind}, not a regular file"


def test_a_folder_is_refused(capsys, tmp_path):
    assert bad(capsys, tmp_path) == f"{tmp_path}: a folder, not a regular file"


def test_a_fifo_is_refused_without_waiting_for_a_writer(capsys, tmp_path):
    fifo = tmp_path / "pipe.pcap"
    os.mkfifo(fifo)
    assert bad(capsys, fifo) == f"{fifo}: a named pipe (FIFO), not a regular file"


def test_a_truncated_record_says_at_which_byte(capsys, tmp_path):
    data = (KERNEL / "half_close.pcap").read_bytes()
    (tmp_path / "cut.pcap").write_bytes(data[:-7])
    err = bad(capsys, "--json", tmp_path / "cut.pcap")
    offset = 24
    while True:
        length = 16 + int.from_bytes(data[offset + 8 : offset + 12], "little")
        if offset + length >= len(data):
            break
        offset += length
    where = f"truncated record at byte {offset}: the file ends inside packet 13"
    assert err == f"{tmp_path / 'cut.pcap'}: {where}"


def test_an_unsupported_link_type(capsys, tmp_path):
    synth.write_pcap(tmp_path / "w.pcap", [(1.0, b"\0" * 60)], 105)
    assert "unsupported link type 105 (IEEE802_11)" in bad(capsys, tmp_path / "w.pcap")


def test_no_tcp_in_the_file(capsys, tmp_path):
    synth.write_pcap(
        tmp_path / "udp.pcap", [(1.0, b"\x45" + b"\0" * 8 + b"\x11" + b"\0" * 30)], 101
    )
    assert bad(capsys, tmp_path / "udp.pcap") == f"no TCP connections in {tmp_path / 'udp.pcap'}"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/captures is not there")
def test_a_valid_pcapng_without_packets_has_no_tcp(capsys):
    assert (
        bad(capsys, SHARED / "empty.pcapng") == f"no TCP connections in {SHARED / 'empty.pcapng'}"
    )


@pytest.mark.parametrize("n", ["0", "3", "-1"])
def test_a_connection_number_out_of_range(capsys, n):
    err = bad(capsys, "--connection", n, OURS / "two_connections_same_port.pcap")
    assert n in err


def test_the_installed_command_exits_2_with_one_line_and_no_traceback(tmp_path):
    (tmp_path / "junk.pcap").write_bytes(b"\xd4\xc3\xb2\xa1" + b"\x01" * 30)
    proc = subprocess.run(
        [sys.executable, "-m", "tui_tutor", "capture", str(tmp_path / "junk.pcap")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr
