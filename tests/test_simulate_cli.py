"""``tui-tutor simulate FILE``: the ladder, the ``--json`` shape, and the error lines.

Most tests call ``tui_tutor.cli.main(argv)`` and read what it printed; one runs the real
command in a subprocess, where a traceback would show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui_tutor import cli

HANDSHAKE_AND_CLOSE = """\
[client]
isn = 1000
[server]
isn = 5000

[[steps]]
do = "connect"
[[steps]]
do = "send"
peer = "client"
bytes = 5
[[steps]]
do = "close"
peer = "client"
[[steps]]
do = "close"
peer = "server"
"""

LOST_SYN_AFTER_A_PAUSE = """\
[client]
isn = 1000
[server]
isn = 5000

[[steps]]
do = "wait"           # nothing happens for 5 s: time still counts from the first segment
seconds = 5
[[steps]]
do = "lose"
peer = "client"
[[steps]]
do = "connect"
[[steps]]
do = "wait"
seconds = 1.5
"""

SEGMENT_KEYS = {
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
}
STATES = {
    "CLOSED",
    "LISTEN",
    "SYN_SENT",
    "SYN_RECEIVED",
    "ESTABLISHED",
    "FIN_WAIT_1",
    "FIN_WAIT_2",
    "CLOSE_WAIT",
    "CLOSING",
    "LAST_ACK",
    "TIME_WAIT",
}


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Run in an empty directory, so files are named as a user types them: ``x.toml``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def simulate(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["simulate", *args])
    out, err = capsys.readouterr()
    return status, out, err


def simulate_json(capsys, text: str, *flags: str) -> list[dict]:
    Path("x.toml").write_text(text)
    status, out, err = simulate(capsys, "x.toml", "--json", *flags)
    assert (status, err) == (0, ""), err
    return json.loads(out)["connections"][0]["segments"]


def short(segments: list[dict]) -> list[tuple]:
    return [(s["from"], ",".join(s["flags"]), s["seq"], s["ack"], s["len"]) for s in segments]


# ---------------------------------------------------------------- --json


def test_json_is_the_shape_the_issue_gives(in_tmp, capsys):
    Path("x.toml").write_text(HANDSHAKE_AND_CLOSE)
    status, out, err = simulate(capsys, "x.toml", "--json")
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert list(document) == ["connections"]
    (connection,) = document["connections"]
    assert connection.keys() == {"client", "server", "segments"}
    assert (connection["client"], connection["server"]) == ("client", "server")
    assert connection["segments"][0] == {
        "from": "client",
        "flags": ["SYN"],
        "seq": 0,
        "ack": None,
        "len": 0,
        "time": 0.0,
        "retransmission": False,
        "lost": False,
        "client_state": "SYN_SENT",
        "server_state": "SYN_RECEIVED",
    }
    for n, segment in enumerate(connection["segments"], 1):
        where = f"segment {n}: {segment}"
        assert segment.keys() == SEGMENT_KEYS, where
        assert segment["from"] in ("client", "server"), where
        assert segment["flags"] and set(segment["flags"]) <= {"SYN", "ACK", "FIN", "RST", "PSH"}
        assert all(type(segment[k]) is int for k in ("seq", "len")), where
        assert type(segment["time"]) is float, where
        assert all(type(segment[k]) is bool for k in ("retransmission", "lost")), where
        assert {segment["client_state"], segment["server_state"]} <= STATES, where
        if "ACK" in segment["flags"]:
            assert type(segment["ack"]) is int, where
        else:
            assert segment["ack"] is None, f"{where}: ack must be null without the ACK flag"


def test_json_numbers_are_relative_to_each_isn_as_tcpdump_prints_them(in_tmp, capsys):
    assert short(simulate_json(capsys, HANDSHAKE_AND_CLOSE)) == [
        ("client", "SYN", 0, None, 0),
        ("server", "SYN,ACK", 0, 1, 0),
        ("client", "ACK", 1, 1, 0),
        ("client", "PSH,ACK", 1, 1, 5),
        ("server", "ACK", 1, 6, 0),
        ("client", "FIN,ACK", 6, 1, 0),
        ("server", "ACK", 1, 7, 0),
        ("server", "FIN,ACK", 1, 7, 0),
        ("client", "ACK", 7, 2, 0),
    ]


def test_json_states_are_both_peers_states_after_each_segment(in_tmp, capsys):
    segments = simulate_json(capsys, HANDSHAKE_AND_CLOSE)
    assert [(s["client_state"], s["server_state"]) for s in segments] == [
        ("SYN_SENT", "SYN_RECEIVED"),
        ("ESTABLISHED", "SYN_RECEIVED"),
        ("ESTABLISHED", "ESTABLISHED"),
        ("ESTABLISHED", "ESTABLISHED"),
        ("ESTABLISHED", "ESTABLISHED"),
        ("FIN_WAIT_1", "CLOSE_WAIT"),
        ("FIN_WAIT_2", "CLOSE_WAIT"),
        ("TIME_WAIT", "LAST_ACK"),
        ("TIME_WAIT", "CLOSED"),
    ]


def test_absolute_prints_the_raw_numbers_starting_at_the_isns_of_the_file(in_tmp, capsys):
    assert short(simulate_json(capsys, HANDSHAKE_AND_CLOSE, "--absolute"))[:5] == [
        ("client", "SYN", 1000, None, 0),
        ("server", "SYN,ACK", 5000, 1001, 0),
        ("client", "ACK", 1001, 5001, 0),
        ("client", "PSH,ACK", 1001, 5001, 5),
        ("server", "ACK", 5001, 1006, 0),
    ]


def test_a_lost_segment_is_listed_with_lost_true_and_its_resend_as_a_retransmission(in_tmp, capsys):
    segments = simulate_json(capsys, LOST_SYN_AFTER_A_PAUSE)
    assert [(s["flags"], s["lost"], s["retransmission"], s["time"]) for s in segments] == [
        (["SYN"], True, False, 0.0),
        (["SYN"], False, True, 1.0),
        (["SYN", "ACK"], False, False, 1.0),
        (["ACK"], False, False, 1.0),
    ]
    assert (segments[0]["client_state"], segments[0]["server_state"]) == ("SYN_SENT", "LISTEN"), (
        "a lost segment changes nothing at the receiver"
    )


def test_the_same_seed_gives_the_same_random_isns_and_another_seed_others(in_tmp, capsys):
    no_isns = HANDSHAKE_AND_CLOSE.replace("isn = 1000", "").replace("isn = 5000", "")
    first = simulate_json(capsys, no_isns, "--absolute", "--seed", "7")
    again = simulate_json(capsys, no_isns, "--absolute", "--seed", "7")
    other = simulate_json(capsys, no_isns, "--absolute", "--seed", "8")
    assert first == again
    assert first[0]["seq"] != other[0]["seq"]
    assert short(simulate_json(capsys, no_isns, "--seed", "8"))[:2] == [
        ("client", "SYN", 0, None, 0),
        ("server", "SYN,ACK", 0, 1, 0),
    ]


# ---------------------------------------------------------------- the ladder


def test_the_ladder_has_one_line_per_segment_with_both_states(in_tmp, capsys):
    Path("x.toml").write_text(LOST_SYN_AFTER_A_PAUSE)
    status, out, err = simulate(capsys, "x.toml")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    segments = simulate_json(capsys, LOST_SYN_AFTER_A_PAUSE)
    assert len(lines) == 1 + len(segments) + 1, "a header, one line a segment, the end states"
    rows = lines[1:-1]
    assert "SYN seq=0" in rows[0] and rows[0].rstrip().endswith("lost") and "✗" in rows[0]
    assert "SYN seq=0 (retransmission)" in rows[1] and "▶" in rows[1]
    assert "SYN,ACK seq=0 ack=1" in rows[2] and "◀" in rows[2]
    assert "ACK seq=1 ack=1" in rows[3]
    for row, segment in zip(rows, segments, strict=True):
        assert segment["client_state"] in row and segment["server_state"] in row, row
    assert lines[-1] == "end: client ESTABLISHED, server ESTABLISHED"


def test_the_ladder_with_absolute_shows_the_raw_numbers(in_tmp, capsys):
    Path("x.toml").write_text(HANDSHAKE_AND_CLOSE)
    status, out, _ = simulate(capsys, "x.toml", "--absolute")
    assert status == 0
    assert "SYN,ACK seq=5000 ack=1001" in out.splitlines()[2]


# ---------------------------------------------------------------- bad files


def fails(capsys, text: str | None, name: str = "x.toml") -> list[str]:
    """Run on a file holding ``text`` (None: no file); the error lines, after checking that
    the exit status is 2 and nothing went to stdout."""
    if text is not None:
        Path(name).write_text(text)
    status, out, err = simulate(capsys, name, "--json")
    assert (status, out) == (2, ""), f"exit status {status}, stdout {out!r}"
    assert "Traceback" not in err
    return err.splitlines()


STEPS_0_TO_2 = """\
[[steps]]
do = "connect"
[[steps]]
do = "send"
peer = "client"
bytes = 5
[[steps]]
do = "close"
peer = "client"
"""


def test_a_bad_peer_gets_one_line_naming_the_file_and_the_field(in_tmp, capsys):
    text = STEPS_0_TO_2 + '[[steps]]\ndo = "close"\npeer = "bob"\n'
    assert fails(capsys, text) == ['x.toml: steps[3].peer: must be "client" or "server"']


def test_every_problem_of_a_file_gets_its_own_line(in_tmp, capsys):
    text = """\
msl = "long"
[client]
isn = -1
[[steps]]
do = "connect"
[[steps]]
do = "send"
peer = "client"
"""
    lines = fails(capsys, text)
    assert len(lines) == 3, lines
    assert lines[0].startswith("x.toml: msl: ")
    assert lines[1].startswith("x.toml: client.isn: ")
    assert lines[2] == "x.toml: steps[1].bytes: required key is missing"


def test_a_misspelt_step_suggests_the_right_one(in_tmp, capsys):
    (line,) = fails(capsys, '[[steps]]\ndo = "conect"\n')
    assert line.startswith('x.toml: steps[0].do: unknown value "conect"; did you mean "connect"?')


def test_an_impossible_step_names_the_step_the_peer_and_the_state(in_tmp, capsys):
    text = """\
[server]
listening = false     # the SYN is refused: the client is CLOSED again

[[steps]]
do = "connect"
[[steps]]
do = "wait"
seconds = 1
[[steps]]
do = "send"
peer = "client"
bytes = 5
"""
    assert fails(capsys, text) == ["x.toml: steps[2] (send by client): not possible in CLOSED"]


def test_a_missing_file_gets_one_line(in_tmp, capsys):
    assert fails(capsys, None, "missing.toml") == ["missing.toml: no such file"]


def test_invalid_toml_gets_one_line_naming_the_file(in_tmp, capsys):
    (line,) = fails(capsys, '[[steps]]\ndo = "connect\n')
    assert line.startswith("x.toml: invalid TOML")


# ---------------------------------------------------------------- the real command


@pytest.mark.parametrize(
    ("text", "first_line"),
    [
        (None, "x.toml: no such file"),
        ("[[steps]\n", "x.toml: invalid TOML"),
        ('[[steps]]\ndo = "close"\npeer = "bob"\n', 'x.toml: steps[0].peer: must be "client"'),
        ('[[steps]]\ndo = "close"\npeer = "client"\n', "x.toml: steps[0] (close by client)"),
    ],
    ids=["missing", "invalid-toml", "bad-field", "impossible-step"],
)
def test_the_command_reports_a_bad_file_in_one_line_exit_2_and_no_traceback(
    tmp_path, text, first_line
):
    if text is not None:
        (tmp_path / "x.toml").write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "tui_tutor", "simulate", "x.toml", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(first_line)
