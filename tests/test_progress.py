"""Progress: per learner, in one SQLite file, safe against a kill; the trainer's report."""

from __future__ import annotations

import contextlib
import csv
import html
import io
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tui_tutor import cli
from tui_tutor import progress as progress_module
from tui_tutor.app import make_app
from tui_tutor.lessons import default_dir
from tui_tutor.lessons.catalog import read_catalog
from tui_tutor.progress import ProgressError, ProgressStore

LESSON = "three-way-handshake"


def test_scores_count_first_tries_solved_and_revealed_apart(tmp_path):
    store = ProgressStore(tmp_path, "ada")
    store.open_lesson(LESSON, 4, (1000, 5000))
    assert store.record(LESSON, "q1", "answer", True) == "first_try"
    assert store.record(LESSON, "q2", "answer", False) == "open"
    assert store.record(LESSON, "q2", "hint") == "open"
    assert store.record(LESSON, "q2", "answer", True) == "solved"
    assert store.record(LESSON, "q3", "reveal") == "revealed"
    assert store.record(LESSON, "q3", "answer", True) == "revealed", "a reveal stays a reveal"
    store.save_position(LESSON, 9, finished=True)
    progress = store.lesson(LESSON)
    assert (progress.score, progress.total, progress.hints, progress.reveals) == (1.5, 4, 1, 1)
    assert progress.status == "finished", "a lesson with a revealed answer is not solved"


def test_two_learners_progress_stays_apart_in_one_file(tmp_path):
    ada, bob = ProgressStore(tmp_path, "ada"), ProgressStore(tmp_path, "bob")
    ada.open_lesson(LESSON, 4, (1, 2))
    ada.record(LESSON, "q1", "answer", True)
    assert bob.lesson(LESSON).status == "not started"
    assert bob.outcomes(LESSON) == {}
    assert ada.outcomes(LESSON) == {"q1": "first_try"}


def test_resuming_keeps_the_isns_and_the_place(tmp_path):
    store = ProgressStore(tmp_path, "ada")
    store.open_lesson(LESSON, 4, (4294967290, 17))
    store.save_position(LESSON, 5)
    again = ProgressStore(tmp_path, "ada").lesson(LESSON)
    assert (again.moment, again.isns) == (5, (4294967290, 17))


WRITER = """
import sys
from pathlib import Path
from tui_tutor.progress import ProgressStore
store = ProgressStore(Path(sys.argv[1]), "ada")
store.open_lesson("l", 1000000, (1, 2))
i = 0
while True:
    store.record("l", f"q{i}", "answer", True, "x+1")
    i += 1
    if i == 50:
        print("ready", flush=True)
"""


def test_killing_the_app_mid_answer_never_corrupts_the_file(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    db = sqlite3.connect(tmp_path / "progress.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    questions = db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    assert events >= 50
    assert events == questions, "each answer is one transaction: its event and its outcome"
    assert ProgressStore(tmp_path, "ada").lesson("l").score == events


def test_progress_prints_a_table_for_the_learner(tmp_path, capsys):
    store = ProgressStore(tmp_path, "ada")
    store.open_lesson(LESSON, 4, (1, 2))
    store.record(LESSON, "q0", "answer", True)
    assert cli.main(["progress", "--data-dir", str(tmp_path), "--learner", "ada"]) == 0
    out = capsys.readouterr().out
    assert "ada's progress" in out
    line = next(row for row in out.splitlines() if "three-way handshake" in row)
    info = next(i for i in read_catalog(default_dir()) if i.id == LESSON)
    assert "in progress" in line and f"1/{info.questions}" in line
    assert f"0 of {len(read_catalog(default_dir()))} lessons solved" in out


def test_report_gives_every_learner_and_lesson_as_csv(tmp_path, capsys):
    for learner, right in (("ada", True), ("bob", False)):
        store = ProgressStore(tmp_path, learner)
        store.open_lesson(LESSON, 4, (1, 2))
        store.record(LESSON, "q0", "answer", right)
        store.record(LESSON, "q1", "hint")
    assert cli.main(["report", "--data-dir", str(tmp_path), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["learner"] for r in rows} == {"ada", "bob"}
    assert len(rows) == 2 * len(read_catalog(default_dir()))
    ada = next(r for r in rows if r["learner"] == "ada" and r["lesson"] == LESSON)
    bob = next(r for r in rows if r["learner"] == "bob" and r["lesson"] == LESSON)
    assert (ada["score"], ada["hints"], ada["status"]) == ("1.0", "1", "in progress")
    assert (bob["score"], bob["hints"]) == ("0.0", "1")


def test_report_on_a_folder_without_progress_is_one_clear_line(tmp_path, capsys):
    assert cli.main(["report", "--data-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert (
        err.strip() == f"{tmp_path / 'none' / 'progress.sqlite3'}: no progress recorded yet "
        "(no such file)"
    )


# ---------------------------------------------------------------- when the file cannot be written

LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def locked(path):
    """Another process holds the progress file's write lock until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def saved_outcomes(data_dir, learner="ada"):
    db = sqlite3.connect(data_dir / "progress.sqlite3")
    rows = db.execute(
        "SELECT question, outcome FROM questions WHERE learner = ?", (learner,)
    ).fetchall()
    db.close()
    return dict(rows)


def test_a_locked_file_keeps_the_answers_waiting_and_saves_them_once_free(tmp_path, monkeypatch):
    store = ProgressStore(tmp_path, "ada")
    told = []
    store.on_trouble = told.append
    store.open_lesson(LESSON, 4, (1000, 5000))
    assert store.record(LESSON, "q0", "answer", True) == "first_try"
    with locked(store.path):
        # the learner goes on: no exception, the outcome as if saved
        assert store.record(LESSON, "q1", "answer", False) == "open"
        assert store.record(LESSON, "q1", "answer", True) == "solved"
        store.save_position(LESSON, 3, isns=(1000, 5000))
        assert told == ["locked"], "told once, not on every answer"
        progress = store.lesson(LESSON)
        assert (progress.score, progress.moment) == (1.5, 3), "the screen's score stays right"
        assert saved_outcomes(tmp_path) == {"q0": "first_try"}, "what was saved is untouched"
        assert "locked by another program" in store.unsaved_line()
    monkeypatch.setattr(progress_module, "RETRY_AFTER", 0.0)
    assert store.record(LESSON, "q2", "hint") == "open"
    assert told == ["locked", None], "told when saving works again"
    assert saved_outcomes(tmp_path) == {"q0": "first_try", "q1": "solved", "q2": "open"}
    assert ProgressStore(tmp_path, "ada").lesson(LESSON).moment == 3
    assert store.unsaved_line() is None


def test_what_is_still_locked_at_the_end_is_one_line_and_exit_status_3(tmp_path):
    store = ProgressStore(tmp_path, "ada")
    store.open_lesson(LESSON, 4, (1, 2))
    with locked(store.path):
        store.record(LESSON, "q0", "answer", True)
        store.close()
    line = store.unsaved_line()
    assert line.startswith(f"{store.path}: progress since ")
    assert line.endswith(
        "could not be saved (locked by another program); what was saved before is kept"
    )
    assert progress_module.UNSAVED_EXIT == 3


@contextlib.contextmanager
def small_disk(tmp_path, size="400k"):
    """A folder on a tmpfs of ``size``: a real full disk (needs root to mount)."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder):
    """Write a file until the disk is full; returns it (delete it to free the disk)."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 4096)
    return filler


def test_a_full_disk_is_told_and_nothing_saved_before_is_lost(tmp_path, monkeypatch):
    with small_disk(tmp_path) as disk:
        store = ProgressStore(disk, "ada")
        told = []
        store.on_trouble = told.append
        store.open_lesson(LESSON, 4, (1, 2))
        store.record(LESSON, "q0", "answer", True)
        filler = fill(disk)
        for n in range(1, 40):  # enough answers that the WAL needs a new page
            store.record(LESSON, f"q{n}", "answer", True, "x" * 200)
        assert told == ["disk_full"]
        assert store.lesson(LESSON).score == 40, "the score on the screen counts every answer"
        filler.unlink()
        monkeypatch.setattr(progress_module, "RETRY_AFTER", 0.0)
        store.record(LESSON, "q40", "hint")
        assert told == ["disk_full", None]
        store.close()
        saved = saved_outcomes(disk)
        assert len(saved) == 41 and saved["q0"] == "first_try"
        db = sqlite3.connect(disk / "progress.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()


def damage(path, at=0.5, size=8192):
    with open(path, "r+b") as f:
        f.seek(int(os.path.getsize(path) * at) // 4096 * 4096)
        f.write(os.urandom(size))


def bulky_file(data_dir, lessons=150):
    store = ProgressStore(data_dir, "ada")
    for i in range(lessons):
        store.open_lesson(f"lesson-{i}", 4, (1, 2))
        for q in range(4):
            store.record(f"lesson-{i}", f"q{q}", "answer", True, "x" * 50)
    store.close()
    return data_dir / "progress.sqlite3"


def test_a_file_damaged_under_a_running_tutor_is_told_and_the_learner_goes_on(tmp_path):
    path = bulky_file(tmp_path)
    store = ProgressStore(tmp_path, "ada")
    told = []
    store.on_trouble = told.append
    damage(path)
    for i in range(150):
        store.record(f"lesson-{i}", "q9", "answer", True)
        store.lesson(f"lesson-{i}")
    assert told == ["damaged"], "told once, whether reads or writes met the damage"
    store.close()


def test_a_damaged_file_is_refused_by_check(tmp_path):
    path = bulky_file(tmp_path)
    damage(path)
    with pytest.raises(ProgressError, match=r"the progress file is damaged \(.+\); restore it"):
        ProgressStore(tmp_path, "-").check()


def test_isns_and_place_are_saved_as_one_unit_by_two_sessions_of_one_learner(tmp_path):
    first, second = ProgressStore(tmp_path, "ada"), ProgressStore(tmp_path, "ada")
    first.open_lesson(LESSON, 4, (1000, 5000))
    first.save_position(LESSON, 5, isns=(1000, 5000))
    second.restart_lesson(LESSON, (7777, 8888))  # the second session restarts: new ISNs
    first.save_position(LESSON, 6, isns=(1000, 5000))  # the first goes on with its own run
    resumed = ProgressStore(tmp_path, "ada").lesson(LESSON)
    assert (resumed.isns, resumed.moment) == ((1000, 5000), 6), "the place is the first's run's"
    second.save_position(LESSON, 1, isns=(7777, 8888))
    resumed = ProgressStore(tmp_path, "ada").lesson(LESSON)
    assert (resumed.isns, resumed.moment) == ((7777, 8888), 1)


def test_a_new_progress_file_is_private(tmp_path):
    store = ProgressStore(tmp_path / "data", "ada")
    store.open_lesson(LESSON, 4, (1, 2))
    for name in ("progress.sqlite3", "progress.sqlite3-wal", "progress.sqlite3-shm"):
        assert stat.S_IMODE((tmp_path / "data" / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


# ---------------------------------------------------------------- the app says it, in one line


def screen_text(app) -> str:
    """The screen as the learner sees it, row by row, from the app's own screenshot."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(
        r'<text class="[^"]*-r\d+"[^>]*?x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>',
        app.export_screenshot(),
        re.S,
    ):
        text = html.unescape(m.group(3)).replace("\xa0", " ")
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), text))
    return "\n".join("".join(t for _x, t in sorted(row)) for _y, row in sorted(rows.items()))


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "Your progress could not be saved: locked by another program."),
        ("zh", "你的进度无法保存：被另一个程序锁住。"),
    ],
)
async def test_the_app_tells_the_learner_and_the_lesson_goes_on(tmp_path, lang, line):
    store = ProgressStore(tmp_path, "ada")
    app = make_app(store=store, lang=lang, open_lesson=LESSON, seed=3)
    with locked(store.path):
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await pilot.pause(0.5)
            shown = re.sub(r"[\s│▌]+", "", screen_text(app))
            assert re.sub(r"\s+", "", line) in shown
            step = app.screen.play.index
            await pilot.press("n")
            await pilot.pause()
            assert app.screen.play.index == step + 1, "the learner keeps playing"
        assert "could not be saved" in store.unsaved_line()


# ---------------------------------------------------------------- reading a file one cannot write

REPO = Path(__file__).resolve().parent.parent
NOBODY = 65534


def class_folder(tmp_path) -> Path:
    """A progress file with one learner's answer, as a finished class leaves it."""
    folder = tmp_path / "class"
    store = ProgressStore(folder, "ada")
    store.open_lesson(LESSON, 4, (1, 2))
    store.record(LESSON, "q0", "answer", True)
    store.close()
    return folder


@contextlib.contextmanager
def read_only_view(tmp_path, folder: Path):
    """``folder`` as this user may read but not write it: made read-only, or (root may
    write anything) seen through a read-only bind mount."""
    if os.geteuid() != 0:
        (folder / "progress.sqlite3").chmod(0o444)
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    view = tmp_path / "read-only"
    view.mkdir()
    for step in (["--bind", str(folder), str(view)], ["-o", "remount,bind,ro", str(view)]):
        done = subprocess.run(["mount", *step], capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["umount", "-l", str(view)], check=False, capture_output=True)
            pytest.skip(f"cannot make a read-only bind mount here: {done.stderr.strip()}")
    try:
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


def test_report_reads_a_valid_file_it_may_not_write(tmp_path, capsys):
    folder = class_folder(tmp_path)
    with read_only_view(tmp_path, folder) as view:
        status = cli.main(["report", "--csv", "--data-dir", str(view)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    rows = csv.DictReader(io.StringIO(captured.out))
    ada = next(row for row in rows if row["lesson"] == LESSON)
    assert (ada["learner"], ada["score"]) == ("ada", "1.0")


def run_as_nobody(argv: list[str]) -> tuple[int, list[str]]:
    """``tui-tutor ARGV`` in a forked child that has dropped root for user nobody; what it
    needs is imported before the fork (nobody may not be able to read this Python's files)."""
    import tui_tutor.commands.progress  # noqa: F401

    cli.build_parser()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 70
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.dup2(write, 2)
            sys.stderr = os.fdopen(2, "w", closefd=False)
            status = cli.main(argv)
            sys.stderr.flush()
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as f:
        err = f.read()
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err.splitlines()


@pytest.fixture
def reachable_tmp():
    """A folder any user may enter (pytest's own are 0700), removed afterwards."""
    where = Path(tempfile.mkdtemp(prefix="tui-tutor-test-"))
    where.chmod(0o755)
    yield where
    shutil.rmtree(where, ignore_errors=True)


def test_progress_on_a_file_it_may_not_read_says_so(reachable_tmp, capsys):
    folder = class_folder(reachable_tmp)
    path = folder / "progress.sqlite3"
    expected = [
        f"{path}: cannot read the progress file: permission denied "
        f"(it is {path.owner()}'s; run this as that user)"
    ]
    argv = ["progress", "--learner", "ada", "--data-dir", str(folder)]
    if os.geteuid() != 0:
        path.chmod(0)
        assert cli.main(argv) == 1
        assert capsys.readouterr().err.splitlines() == expected
        return
    folder.chmod(0o755)  # nobody may reach the file, not read it (it is 0600)
    assert run_as_nobody(argv) == (1, expected)
