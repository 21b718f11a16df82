"""Files given on the command line (issue 16): `simulate`, `lessons check` and `capture`.

Only a regular file is opened (a FIFO, a device, /dev/stdin or a folder is refused in
one line before a byte is read), a lesson or scenario file is read up to a size limit,
nesting too deep for the parser is one line, and a scenario past its limits is refused
before the engine runs, naming the field. Whatever would hang or eat memory if it
regressed runs as the real command in a child process, with a time and memory bound.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tui_tutor import cli
from tui_tutor.inputs import TOML_LIMIT
from tui_tutor.scenarios import MAX_BYTES, MAX_LOST, MAX_SECONDS, MAX_SEGMENTS, MAX_STEPS

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def tutor(*argv: str | Path, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    """The real command, at most 60 s and 2 GiB: a regression fails, it does not hang."""
    return subprocess.run(
        [sys.executable, "-m", "tui_tutor", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=stdin,
        preexec_fn=_bounded,
        cwd=REPO,
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.returncode in (1, 2)
    return result.stderr.strip()


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


# ------------------------------------------------------------------ not a regular file


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


@pytest.fixture
def huge(tmp_path: Path) -> Path:
    path = tmp_path / "huge.toml"
    with path.open("wb") as f:
        f.truncate(2 << 30)  # 2 GiB of zeros that take no disk
    return path


def refusals(fifo: Path, huge: Path) -> dict[str, str]:
    """What each file that is not a readable regular file gets: one line."""
    return {
        "/dev/zero": "/dev/zero: a device, not a regular file",
        "/dev/urandom": "/dev/urandom: a device, not a regular file",
        str(fifo): f"{fifo}: a named pipe (FIFO), not a regular file",
        "/dev/stdin": "/dev/stdin: a named pipe (FIFO), not a regular file",
        str(huge): f"{huge}: larger than {TOML_LIMIT >> 10} KiB, the most such a file may have",
    }


@pytest.mark.parametrize("which", ["/dev/zero", "/dev/urandom", "fifo", "/dev/stdin", "huge"])
def test_simulate_reads_only_a_regular_file_of_limited_size(fifo, huge, which):
    """Before: MemoryError on /dev/zero and 2 GiB, for ever on /dev/urandom and a FIFO."""
    path = {"fifo": str(fifo), "huge": str(huge)}.get(which, which)
    result = tutor("simulate", path, stdin=subprocess.PIPE)
    assert one_line(result) == refusals(fifo, huge)[path]


def test_lessons_check_reads_only_regular_files_of_limited_size(fifo, huge):
    paths = list(refusals(fifo, huge))
    result = tutor("lessons", "check", *paths, stdin=subprocess.PIPE)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [refusals(fifo, huge)[p] for p in paths]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_capture_refuses_a_device(capsys, device):
    status, out, err = run(capsys, "capture", device)
    assert (status, out) == (2, "")
    assert err.splitlines() == [f"{device}: a device, not a regular file"]


@pytest.mark.parametrize("which", ["fifo", "/dev/stdin"])
def test_capture_refuses_a_fifo_and_stdin_without_waiting(fifo, which):
    path = str(fifo) if which == "fifo" else which
    result = tutor("capture", path, stdin=subprocess.PIPE)
    assert one_line(result) == f"{path}: a named pipe (FIFO), not a regular file"


@pytest.mark.parametrize("command", [["simulate"], ["capture"]], ids=["simulate", "capture"])
def test_a_folder_is_refused(capsys, command, tmp_path):
    status, out, err = run(capsys, *command, tmp_path)
    assert (status, out) == (2, "")
    assert err.splitlines() == [f"{tmp_path}: a folder, not a regular file"]


def test_a_file_at_the_size_limit_is_read(capsys, tmp_path):
    scenario = '[[steps]]\ndo = "connect"\n'
    path = tmp_path / "padded.toml"
    path.write_text(scenario + "#" * (TOML_LIMIT - len(scenario) - 1) + "\n")
    assert path.stat().st_size == TOML_LIMIT
    status, _, err = run(capsys, "simulate", path)
    assert (status, err) == (0, "")


# ------------------------------------------------------------------ nesting


@pytest.mark.parametrize("depth", [33, 600, 5000])
def test_deep_nesting_is_one_line(capsys, tmp_path, depth):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * depth + "]" * depth + '\n[[steps]]\ndo = "connect"\n')
    for command in (["simulate"], ["lessons", "check"]):
        status, out, err = run(capsys, *command, path)
        assert (status, out) == ((2 if command == ["simulate"] else 1), "")
        assert err.splitlines() == [f"{path}: arrays and tables nested more than 32 deep"]


def test_nesting_within_the_limit_reaches_the_schema(capsys, tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 31 + "]" * 31 + '\n[[steps]]\ndo = "connect"\n')
    status, _, err = run(capsys, "simulate", path)
    assert status == 2
    assert err.splitlines() == [f'{path}: x: unknown key "x"']


# ------------------------------------------------------------------ scenario limits


def scenario(tmp_path: Path, steps: list[str], head: str = "") -> Path:
    path = tmp_path / "scenario.toml"
    body = "".join(f"[[steps]]\n{step}\n" for step in ['do = "connect"', *steps])
    path.write_text(head + body)
    return path


def send(nbytes: int, peer: str = "client") -> str:
    return f'do = "send"\npeer = "{peer}"\nbytes = {nbytes}'


def test_mss_1_with_a_megabyte_is_refused_before_running_naming_the_send(tmp_path):
    """Before, a legal scenario: the engine ran, then raised LivelockError (a traceback)."""
    path = scenario(tmp_path, [send(1_000_000)], head="mss = 1\n")
    assert one_line(tutor("simulate", path)) == (
        f"{path}: steps[1].bytes: at mss = 1 the sends make 1000000 segments here; "
        f"a scenario sends at most {MAX_SEGMENTS} (send fewer bytes or raise mss)"
    )


def test_200_sends_of_a_megabyte_are_refused_at_once(tmp_path):
    """Before: 50 s and 348 MB in simulate; lessons check ran past 150 s."""
    path = scenario(tmp_path, [send(1_000_000)] * 200)
    assert one_line(tutor("simulate", path)) == (
        f"{path}: steps: must have at most {MAX_STEPS} items, not 201"
    )


@pytest.mark.parametrize(
    ("steps", "field", "message"),
    [
        (
            [send(600_000), send(500_000, "server")],
            "steps[2].bytes",
            f"the sends add up to 1100000 bytes here; a scenario sends at most {MAX_BYTES} "
            "bytes in all",
        ),
        (
            [send(MAX_SEGMENTS * 100), send(1)],
            "steps[2].bytes",
            f"at mss = 100 the sends make {MAX_SEGMENTS + 1} segments here; a scenario "
            f"sends at most {MAX_SEGMENTS} (send fewer bytes or raise mss)",
        ),
        (
            ['do = "lose"\npeer = "client"\ncount = 60'] * 2,
            "steps[2].count",
            f"the lose steps add up to 120 segments here; a scenario loses at most {MAX_LOST}",
        ),
        (
            ['do = "wait"\nseconds = 60000'] * 2,
            "steps[2].seconds",
            f"the waits add up to 120000 s here; a scenario waits at most {MAX_SECONDS} s in all",
        ),
    ],
    ids=["bytes", "segments", "lost", "seconds"],
)
def test_each_limit_is_one_line_naming_the_step_that_goes_past_it(
    capsys, tmp_path, steps, field, message
):
    mss = 60000 if "bytes in all" in message else 100  # so that this limit is the first met
    path = scenario(tmp_path, steps, head=f"mss = {mss}\n")
    status, out, err = run(capsys, "simulate", path)
    assert (status, out) == (2, "")
    assert err.splitlines() == [f"{path}: {field}: {message}"]


def test_a_scenario_at_every_limit_runs(capsys, tmp_path):
    steps = [send(MAX_BYTES // 2)] * 2 + ['do = "wait"\nseconds = 100000']
    path = scenario(tmp_path, steps, head=f"mss = {-(-MAX_BYTES // MAX_SEGMENTS)}\n")
    status, out, err = run(capsys, "simulate", path)
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "end: client ESTABLISHED, server ESTABLISHED"


def test_a_lesson_scenario_past_a_limit_is_refused_by_lessons_check(capsys, tmp_path):
    text = (LESSONS / "02-three-way-handshake.toml").read_text()
    path = tmp_path / "02.toml"
    path.write_text(text.replace("[scenario]\n", "[scenario]\nmss = 1\n", 1) + _big_send())
    status, out, err = run(capsys, "lessons", "check", path)
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        f"{path}: scenario.steps[1].bytes: at mss = 1 the sends make 1000000 segments here; "
        f"a scenario sends at most {MAX_SEGMENTS} (send fewer bytes or raise mss)"
    ]


def _big_send() -> str:
    return '\n[[scenario.steps]]\ndo = "send"\npeer = "client"\nbytes = 1000000\n'


# ------------------------------------------------------------------ lessons check FILE


def test_checking_one_file_is_not_upset_by_broken_neighbours(tmp_path):
    """Before, every neighbour was loaded: a FIFO hung it, deep nesting crashed it."""
    for name in ("02-three-way-handshake.toml", "04-four-way-close-client-first.toml"):
        (tmp_path / name).write_bytes((LESSONS / name).read_bytes())
    (tmp_path / "01-why-handshake.toml").write_bytes(
        (LESSONS / "01-why-handshake.toml").read_bytes()
    )
    os.mkfifo(tmp_path / "50-pipe.toml")
    (tmp_path / "51-deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "52-not-toml.toml").write_text("this is [not toml\n")
    (tmp_path / "53-huge-scenario.toml").write_text(
        'id = "huge"\n[scenario]\nmss = 1\n' + _big_send()
    )
    result = tutor("lessons", "check", tmp_path / "04-four-way-close-client-first.toml")
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 lesson OK\n", "")


def test_checking_the_folder_reports_each_broken_file_on_its_own_line(tmp_path):
    for name in ("01-why-handshake.toml", "02-three-way-handshake.toml"):
        (tmp_path / name).write_bytes((LESSONS / name).read_bytes())
    os.mkfifo(tmp_path / "50-pipe.toml")
    (tmp_path / "51-deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    result = tutor("lessons", "check", tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / '50-pipe.toml'}: a named pipe (FIFO), not a regular file",
        f"{tmp_path / '51-deep.toml'}: arrays and tables nested more than 32 deep",
    ]


def test_a_lesson_copied_beside_the_one_checked_is_named(capsys, tmp_path):
    original = LESSONS / "02-three-way-handshake.toml"
    (tmp_path / "01-why-handshake.toml").write_bytes(
        (LESSONS / "01-why-handshake.toml").read_bytes()
    )
    (tmp_path / "02-three-way-handshake.toml").write_bytes(original.read_bytes())
    (tmp_path / "02-my-copy.toml").write_bytes(original.read_bytes())
    copy = tmp_path / "02-my-copy.toml"
    status, _, err = run(capsys, "lessons", "check", copy)
    assert status == 1
    assert err.splitlines() == [
        f'{copy}: id: "three-way-handshake" is also the id of '
        f"{tmp_path / '02-three-way-handshake.toml'}; give one a new id"
    ]
