"""Sequence numbers modulo 2**32: comparisons, distances and windows across the wrap.

After 4294967295 comes 0. A connection whose ISN sits just below the wrap must number,
acknowledge and print its bytes as one that starts at 1000 does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_tutor import cli
from tui_tutor.engine import MODULUS, SeqNum, relative
from tui_tutor.engine.seq import distance, in_window

HALF = 2**31
numbers = st.integers(0, MODULUS - 1)
ahead = st.integers(1, HALF - 1)  # strictly ahead, by less than half the space
signed = st.integers(-HALF, HALF - 1)  # every distance the arithmetic can tell apart
near_wrap = st.integers(MODULUS - 2000, MODULUS - 1)


def test_the_space_has_2_to_the_32_numbers():
    assert MODULUS == 4_294_967_296


@given(a=numbers | near_wrap, k=ahead)
def test_a_number_ahead_by_less_than_half_the_space_is_later_even_across_the_wrap(a, k):
    x, y = SeqNum(a), SeqNum(a) + k
    assert x < y and y > x and x <= y and y >= x, f"{y} should come after {x}"
    assert not (y < x or x > y or y <= x or x >= y), f"{y} should not come before {x}"
    assert x != y


@given(a=numbers | near_wrap)
def test_a_number_is_neither_before_nor_after_itself(a):
    x = SeqNum(a)
    assert x <= x and x >= x and not x < x and not x > x


@pytest.mark.parametrize(
    ("before", "after"),
    [(4294967295, 0), (4294967290, 3), (4294967295, 2147483646), (0, 1), (2147483647, 2147483648)],
)
def test_the_last_numbers_before_the_wrap_come_before_the_first_after_it(before, after):
    assert SeqNum(before) < SeqNum(after)
    assert SeqNum(after) > SeqNum(before)
    assert SeqNum(after).since(SeqNum(before)) > 0


@given(a=numbers | near_wrap, k=signed)
def test_subtracting_two_numbers_gives_the_signed_steps_between_them(a, k):
    b = (a + k) % MODULUS
    assert distance(a, b) == k
    assert SeqNum(b).since(SeqNum(a)) == k
    assert SeqNum(a).since(SeqNum(b)) == (-k if k != -HALF else -HALF)


@given(a=numbers | near_wrap, n=st.integers(-(10 * MODULUS), 10 * MODULUS))
def test_adding_wraps_and_subtracting_the_same_amount_comes_back(a, n):
    moved = SeqNum(a) + n
    assert 0 <= moved.value < MODULUS
    assert moved.value == (a + n) % MODULUS
    assert moved - n == SeqNum(a)


@given(a=numbers, laps=st.integers(-5, 5))
def test_a_value_outside_the_space_is_taken_modulo_2_to_the_32(a, laps):
    assert SeqNum(a + laps * MODULUS) == SeqNum(a)


def test_adding_past_the_last_number_starts_again_at_0():
    assert SeqNum(4294967290) + 6 == SeqNum(0)
    assert SeqNum(4294967290) + 10 == SeqNum(4)
    assert SeqNum(0) - 1 == SeqNum(4294967295)
    assert SeqNum(4).since(SeqNum(4294967290)) == 10


@given(start=numbers | near_wrap, k=signed, size=st.integers(0, HALF))
def test_a_number_is_in_the_window_when_it_is_0_to_size_minus_1_steps_after_its_start(
    start, k, size
):
    assert in_window(SeqNum(start) + k, SeqNum(start), size) == (0 <= k < size)


def test_a_window_that_straddles_the_wrap_holds_numbers_on_both_sides():
    start = SeqNum(4294967290)
    assert in_window(SeqNum(4294967295), start, 100)
    assert in_window(SeqNum(0), start, 100)
    assert in_window(SeqNum(93), start, 100)
    assert not in_window(SeqNum(94), start, 100)
    assert not in_window(SeqNum(4294967289), start, 100)


@given(base=numbers | near_wrap, k=st.integers(0, 10_000_000))
def test_relative_numbers_count_from_the_isn_as_tcpdump_prints_them(base, k):
    assert relative((base + k) % MODULUS, base) == k
    assert relative(base, base) == 0


def test_without_an_isn_relative_numbers_are_the_raw_ones():
    assert relative(4294967295, None) == 4294967295


# ---------------------------------------------------------------- a whole run across the wrap

ACROSS_THE_WRAP = """\
[client]
isn = 4294967290      # the data crosses 0 after 5 bytes
[server]
isn = 4294967295      # the server's SYN takes the very last number

[[steps]]
do = "connect"
[[steps]]
do = "send"
peer = "client"
bytes = 3000          # three segments: 1460 + 1460 + 80
[[steps]]
do = "send"
peer = "server"
bytes = 3
[[steps]]
do = "close"
peer = "client"
[[steps]]
do = "close"
peer = "server"
"""


def simulate_json(tmp_path: Path, capsys, *flags: str) -> list[tuple]:
    path = tmp_path / "wrap.toml"
    path.write_text(ACROSS_THE_WRAP)
    status = cli.main(["simulate", str(path), "--json", *flags])
    out, err = capsys.readouterr()
    assert (status, err) == (0, ""), f"tui-tutor simulate failed: {err}"
    segments = json.loads(out)["connections"][0]["segments"]
    return [(s["from"], ",".join(s["flags"]), s["seq"], s["ack"], s["len"]) for s in segments]


def test_a_run_across_the_wrap_prints_the_same_relative_numbers_as_one_far_from_it(
    tmp_path, capsys
):
    assert simulate_json(tmp_path, capsys) == [
        ("client", "SYN", 0, None, 0),
        ("server", "SYN,ACK", 0, 1, 0),
        ("client", "ACK", 1, 1, 0),
        ("client", "ACK", 1, 1, 1460),
        ("client", "ACK", 1461, 1, 1460),
        ("client", "PSH,ACK", 2921, 1, 80),
        ("server", "ACK", 1, 1461, 0),
        ("server", "ACK", 1, 2921, 0),
        ("server", "ACK", 1, 3001, 0),
        ("server", "PSH,ACK", 1, 3001, 3),
        ("client", "ACK", 3001, 4, 0),
        ("client", "FIN,ACK", 3001, 4, 0),
        ("server", "ACK", 4, 3002, 0),
        ("server", "FIN,ACK", 4, 3002, 0),
        ("client", "ACK", 3002, 5, 0),
    ]


def test_a_run_across_the_wrap_prints_raw_numbers_that_wrap_with_absolute(tmp_path, capsys):
    rows = simulate_json(tmp_path, capsys, "--absolute")
    assert rows[:4] == [
        ("client", "SYN", 4294967290, None, 0),
        ("server", "SYN,ACK", 4294967295, 4294967291, 0),
        ("client", "ACK", 4294967291, 0, 0),  # the ACK of the server's SYN wraps to 0
        ("client", "ACK", 4294967291, 0, 1460),
    ]
    assert rows[4][2] == (4294967291 + 1460) % MODULUS == 1455
    assert rows[8][3] == (4294967291 + 3000) % MODULUS == 2995, "the ACK of all 3000 bytes"
    assert rows[-1] == ("client", "ACK", 2996, 4, 0)
