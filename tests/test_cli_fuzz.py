"""hypothesis against `lessons check` and `simulate`: mutated files never crash or hang them.

Real lessons and scenarios are mutated as an author's slip or an attacker would: cut
anywhere, lines dropped or doubled, numbers swapped for extreme ones (0, -1, 2**32,
1e308, nan, a string), risky lines added (mss = 1, a megabyte sent, deep nesting, long
waits, many losses). Each answer must be the normal output or one line per problem
naming the file, with exit status 0 or 1 (`lessons check`), 0 or 2 (`simulate`), in
bounded time: an alarm stops an example after TIME_LIMIT seconds and fails it. One test
runs the real command on a batch of mutated files, where a traceback would show.
(`capture` has its own fuzz tests in test_capture_fuzz.py.)
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_tutor import cli

REPO = Path(__file__).resolve().parent.parent
LESSON_FILES = sorted((REPO / "lessons").glob("*.toml"))
SCENARIO_FILES = sorted((REPO / "tests" / "kernel").glob("*.toml"))
TIME_LIMIT = 10.0  # seconds for one command on one file; the slowest legal lesson takes ~1 s

EXTREME = [
    "0",
    "-1",
    "1",
    "65495",
    "1000000",
    "4294967295",
    "4294967296",
    "1e308",
    "nan",
    "-inf",
    "0.0001",
    "9" * 40,
    '"x"',
    "[]",
    "{}",
    "true",
]
RISKY_LINES = [
    "mss = 1",
    "msl = 3600",
    '[[steps]]\ndo = "send"\npeer = "client"\nbytes = 1000000',
    '[[scenario.steps]]\ndo = "send"\npeer = "server"\nbytes = 1000000',
    '[[steps]]\ndo = "wait"\nseconds = 100000',
    '[[scenario.steps]]\ndo = "lose"\npeer = "client"\ncount = 100',
    '[[steps]]\ndo = "connect"\nhold = true',
    "[client]\nisn = 4294967295",
    'prerequisites = ["three-way-handshake", "nope"]',
]
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


class TookTooLong(BaseException):
    """Not an Exception: no `except Exception` or `except OSError` in the code swallows it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def stop(signum, frame):
        raise TookTooLong(f"more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@st.composite
def mutated(draw, sources: list[Path]) -> str:
    """A source file with one to four mutations."""
    text = draw(st.sampled_from(sources)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        where = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["cut", "number", "risky", "deep", "drop", "double", "char"]))
        if kind == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == "number":
            numbers = list(NUMBER.finditer(text))
            if numbers:
                m = draw(st.sampled_from(numbers))
                text = text[: m.start()] + draw(st.sampled_from(EXTREME)) + text[m.end() :]
        elif kind == "risky":
            lines.insert(where, draw(st.sampled_from(RISKY_LINES)))
            text = "\n".join(lines)
        elif kind == "deep":
            depth = draw(st.integers(1, 3000))
            lines.insert(where, "deep = " + "[" * depth + "]" * depth)
            text = "\n".join(lines)
        elif kind == "drop":
            del lines[where]
            text = "\n".join(lines)
        elif kind == "double":
            lines.insert(where, lines[where])
            text = "\n".join(lines)
        else:
            at = draw(st.integers(0, max(0, len(text) - 1)))
            text = text[:at] + draw(st.characters(codec="utf-8")) + text[at + 1 :]
    return text


def answer(capsys, argv: list[str], path: Path, failure: int) -> None:
    """Run in-process under the alarm; the output must be normal or one line per problem."""
    started = time.perf_counter()
    with time_limit(TIME_LIMIT):
        status = cli.main([*argv, str(path)])
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert elapsed < TIME_LIMIT
    if status == 0:
        assert err == ""
        return
    assert (status, out) == (failure, "")
    assert err, "a failure says why"
    for line in err.splitlines():
        assert line.startswith(f"{path}: "), f"a problem line that does not name the file: {line}"


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(text=mutated(LESSON_FILES))
def test_lessons_check_on_a_mutated_lesson_answers_in_lines_and_in_time(capsys, tmp_path, text):
    path = tmp_path / "mutated.toml"
    path.write_text(text, encoding="utf-8")
    answer(capsys, ["lessons", "check"], path, failure=1)


@FUZZ
@given(text=mutated(SCENARIO_FILES), as_json=st.booleans())
def test_simulate_on_a_mutated_scenario_answers_in_lines_and_in_time(
    capsys, tmp_path, text, as_json
):
    path = tmp_path / "mutated.toml"
    path.write_text(text, encoding="utf-8")
    answer(capsys, ["simulate", *(["--json"] if as_json else []), "--seed", "1"], path, 2)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(mutated(LESSON_FILES + SCENARIO_FILES), min_size=30, max_size=30))
def test_the_real_command_on_a_batch_of_mutated_files_prints_no_traceback(texts):
    with tempfile.TemporaryDirectory(prefix="tui-tutor-fuzz-") as folder:
        paths = []
        for i, text in enumerate(texts):
            path = Path(folder) / f"{i:02d}.toml"
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        result = subprocess.run(
            [sys.executable, "-m", "tui_tutor", "lessons", "check", *paths],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1)
    assert all(line.split(": ", 1)[0] in paths for line in result.stderr.splitlines())


@pytest.fixture(autouse=True, scope="module")
def _no_alarm_left() -> Iterator[None]:
    yield
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
