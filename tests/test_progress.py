"""Progress: per learner, in one SQLite file, safe against a kill; the trainer's report."""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time

from tui_tutor import cli
from tui_tutor.lessons import default_dir
from tui_tutor.lessons.catalog import read_catalog
from tui_tutor.progress import ProgressStore

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
    assert "0 of 17 lessons solved" in out


def test_report_gives_every_learner_and_lesson_as_csv(tmp_path, capsys):
    for learner, right in (("ada", True), ("bob", False)):
        store = ProgressStore(tmp_path, learner)
        store.open_lesson(LESSON, 4, (1, 2))
        store.record(LESSON, "q0", "answer", right)
        store.record(LESSON, "q1", "hint")
    assert cli.main(["report", "--data-dir", str(tmp_path), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["learner"] for r in rows} == {"ada", "bob"}
    assert len(rows) == 2 * 17
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
