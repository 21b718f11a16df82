"""Progress in SQLite or PostgreSQL (``--database URL``): one store, two backends, one schema.

The PostgreSQL tests run against a real server the suite starts itself (``pg_server.py``).
"""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
import threading

import pg_server
import psycopg
import pytest

from tui_tutor import cli
from tui_tutor import progress as progress_module
from tui_tutor.db import open_database, redact
from tui_tutor.db.postgres import LOCK_SPACE
from tui_tutor.db.schema import VERSION, version_of
from tui_tutor.progress import ProgressError, ProgressStore

LESSON = "three-way-handshake"


# ---------------------------------------------------------------- one store, either backend


def test_progress_written_through_one_connection_is_read_through_another(database):
    store = ProgressStore(None, "ada", database)
    store.open_lesson(LESSON, 4, (4294967290, 3000000000))  # ISNs past 2**31
    assert store.record(LESSON, "q1", "answer", False, "ack=x") == "open"
    assert store.record(LESSON, "q1", "hint") == "open"
    assert store.record(LESSON, "q1", "answer", True, "ack=x+1") == "solved"
    assert store.record(LESSON, "q2", "answer", True) == "first_try"
    assert store.record(LESSON, "q3", "reveal") == "revealed"
    store.save_position(LESSON, 7, finished=True, seconds=12.5, isns=(4294967290, 3000000000))
    store.close()
    again = ProgressStore(None, "ada", database).lesson(LESSON)
    assert (again.score, again.hints, again.reveals) == (1.5, 1, 1)
    assert (again.moment, again.isns, again.status) == (7, (4294967290, 3000000000), "finished")
    assert again.seconds == pytest.approx(12.5)
    assert ProgressStore(None, "bob", database).lesson(LESSON).status == "not started"


def test_finishing_a_lesson_stays_finished_when_the_learner_goes_back(database):
    store = ProgressStore(None, "ada", database)
    store.open_lesson(LESSON, 4, (1, 2))
    store.save_position(LESSON, 9, finished=True)
    store.save_position(LESSON, 3)
    assert (store.lesson(LESSON).status, store.lesson(LESSON).moment) == ("solved", 3)


WRITER = """
import sys
from tui_tutor.progress import ProgressStore
store = ProgressStore(None, "ada", sys.argv[1])
store.open_lesson("l", 4, (1, 2))
for _ in range(40):
    store.record("l", "q1", "answer", False, "seq=x")
store.close()
assert store.unsaved_line() is None, store.unsaved_line()
"""


def test_two_sessions_of_one_learner_answering_at_once_lose_no_try(database):
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, database], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read().decode()
    db = open_database(database, None)
    attempts = db.execute("SELECT attempts FROM questions WHERE learner = 'ada'").fetchone()[0]
    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    db.close()
    assert (attempts, events) == (80, 80), "each try is counted once, none overwritten"


def test_the_report_reads_every_learner_from_the_database(database, capsys):
    for learner, right in (("ada", True), ("bob", False)):
        store = ProgressStore(None, learner, database)
        store.open_lesson(LESSON, 4, (1, 2))
        store.record(LESSON, "q0", "answer", right)
        store.close()
    assert cli.main(["report", "--database", database, "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    scores = {r["learner"]: r["score"] for r in rows if r["lesson"] == LESSON}
    assert scores == {"ada": "1.0", "bob": "0.0"}


def test_the_database_may_come_from_the_environment(database, monkeypatch, capsys):
    store = ProgressStore(None, "ada", database)
    store.open_lesson(LESSON, 4, (1, 2))
    store.close()
    monkeypatch.setenv("TUI_TUTOR_DATABASE", database)
    assert cli.main(["progress", "--learner", "ada"]) == 0
    out = capsys.readouterr().out
    assert "ada's progress" in out and "in progress" in out


# ---------------------------------------------------------------- the schema and its version

V1_SCHEMA = """
CREATE TABLE events (id INTEGER PRIMARY KEY, learner TEXT NOT NULL, lesson TEXT NOT NULL,
    question TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('answer', 'hint', 'reveal')),
    correct INTEGER, answer TEXT, at REAL NOT NULL);
CREATE TABLE questions (learner TEXT NOT NULL, lesson TEXT NOT NULL, question TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('open', 'first_try', 'solved', 'revealed')),
    attempts INTEGER NOT NULL DEFAULT 0, hints INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (learner, lesson, question));
CREATE TABLE lessons (learner TEXT NOT NULL, lesson TEXT NOT NULL,
    moment INTEGER NOT NULL DEFAULT 0, isn_client INTEGER, isn_server INTEGER,
    seconds REAL NOT NULL DEFAULT 0, questions INTEGER NOT NULL DEFAULT 0,
    finished INTEGER NOT NULL DEFAULT 0, started REAL NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (learner, lesson));
INSERT INTO lessons VALUES ('ada', 'three-way-handshake', 4, 1000, 5000, 60, 4, 0, 1, 2);
INSERT INTO questions VALUES ('ada', 'three-way-handshake', 'q1', 'first_try', 1, 0);
INSERT INTO events VALUES (1, 'ada', 'three-way-handshake', 'q1', 'answer', 1, 'x', 2);
"""


def v1_file(folder):
    """A progress file as tui-tutor wrote it before the schema had a version."""
    folder.mkdir(exist_ok=True)
    db = sqlite3.connect(folder / "progress.sqlite3")
    db.executescript(V1_SCHEMA)
    db.close()
    return folder


def test_a_file_from_before_versions_is_migrated_and_keeps_its_progress(tmp_path):
    folder = v1_file(tmp_path / "old")
    store = ProgressStore(folder, "ada")
    progress = store.lesson(LESSON)
    assert (progress.score, progress.moment, progress.isns) == (1.0, 4, (1000, 5000))
    assert store.record(LESSON, "q2", "answer", True) == "first_try"
    assert version_of(store.db) == VERSION
    assert store.db.has_table("exam_answers")
    store.close()


def test_a_report_reads_a_file_from_before_versions_without_changing_it(tmp_path, capsys):
    folder = v1_file(tmp_path / "old")
    assert cli.main(["report", "--data-dir", str(folder), "--csv"]) == 0
    assert "ada,three-way-handshake" in capsys.readouterr().out
    db = sqlite3.connect(folder / "progress.sqlite3")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert "schema_version" not in tables, "a reader never migrates"


def test_a_database_from_a_newer_tutor_is_refused_in_one_line(database):
    ProgressStore(None, "ada", database).close()
    db = open_database(database, None)
    db.execute("UPDATE schema_version SET version = 99")
    db.close()
    with pytest.raises(ProgressError) as refused:
        ProgressStore(None, "ada", database)
    assert "written by a newer tui-tutor (schema version 99; this one knows 2)" in str(
        refused.value
    )


def test_hosts_starting_at_once_migrate_a_new_database_once(pg_url):
    problems: list[BaseException] = []
    ready = threading.Barrier(4)

    def start() -> None:
        try:
            ready.wait()
            ProgressStore(None, "-", pg_url).close()
        except BaseException as err:  # a failed start is the test's failure
            problems.append(err)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert problems == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(VERSION,)]


# ---------------------------------------------------------------- PostgreSQL's own troubles


def test_one_learners_lock_held_elsewhere_keeps_their_answers_waiting_not_others(
    pg_url, monkeypatch
):
    ada, bob = ProgressStore(None, "ada", pg_url), ProgressStore(None, "bob", pg_url)
    told: list[str | None] = []
    ada.on_trouble = told.append
    ada.open_lesson(LESSON, 4, (1, 2))
    bob.open_lesson(LESSON, 4, (3, 4))
    with psycopg.connect(pg_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, hashtext('ada'))", (LOCK_SPACE,))
        assert ada.record(LESSON, "q1", "answer", True) == "first_try"
        assert told == ["locked"]
        assert ada.lesson(LESSON).score == 1, "the screen's score counts the waiting answer"
        assert bob.record(LESSON, "q1", "answer", True) == "first_try"
        assert ProgressStore(None, "bob", pg_url).lesson(LESSON).score == 1, "bob is not held"
        assert "locked by another program" in ada.unsaved_line()
        other.execute("SELECT pg_advisory_unlock_all()")
    monkeypatch.setattr(progress_module, "RETRY_AFTER", 0.0)
    assert ada.record(LESSON, "q2", "answer", False) == "open"
    assert told == ["locked", None]
    assert ProgressStore(None, "ada", pg_url).outcomes(LESSON) == {"q1": "first_try", "q2": "open"}


def test_a_database_server_that_goes_away_and_comes_back_loses_nothing(monkeypatch):
    if pg_server.binaries() is None:
        pytest.skip("PostgreSQL is not installed: initdb and pg_ctl not found")
    monkeypatch.setattr(progress_module, "RETRY_AFTER", 0.0)
    monkeypatch.setattr("tui_tutor.db.postgres.RECONNECT_AFTER", 0.0)
    with pg_server.running() as server:
        url = server.fresh_database()
        store = ProgressStore(None, "ada", url)
        told: list[str | None] = []
        store.on_trouble = told.append
        store.open_lesson(LESSON, 4, (1, 2))
        store.record(LESSON, "q0", "answer", True)
        server.stop()
        assert store.record(LESSON, "q1", "answer", True) == "first_try"
        store.save_position(LESSON, 5, isns=(1, 2))
        assert told == ["unreachable"]
        assert store.lesson(LESSON).score == 2
        assert "the database cannot be reached" in store.unsaved_line()
        server.start()
        store.record(LESSON, "q2", "hint")
        assert told[-1] is None
        store.close()
        again = ProgressStore(None, "ada", url)
        assert again.outcomes(LESSON) == {"q0": "first_try", "q1": "first_try", "q2": "open"}
        assert again.lesson(LESSON).moment == 5
        again.close()


UNREACHABLE = "postgresql://tutor:s3cret@127.0.0.1:1/class"


def test_a_server_that_cannot_be_reached_is_one_line_without_the_password(capsys):
    with pytest.raises(ProgressError) as refused:
        ProgressStore(None, "ada", UNREACHABLE)
    line = str(refused.value)
    assert line.startswith("postgresql://tutor:***@127.0.0.1:1/class: cannot reach the database: ")
    assert "s3cret" not in line and "\n" not in line
    assert cli.main(["report", "--database", UNREACHABLE]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the database" in err and "s3cret" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["progress", "--database", "mysql://x/y"],
        ["report", "--database", "sqlite:"],
        ["--database", "http://example.org/db", "--lesson", "x"],
    ],
)
def test_an_address_that_names_no_database_is_one_line_and_exit_2(argv, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "not a database address" in err[0], err


def test_a_password_never_shows():
    assert (
        redact("postgresql://u:pw@h:5/d?sslmode=require")
        == "postgresql://u:***@h:5/d?sslmode=require"
    )
    assert redact("postgresql://u@h/d") == "postgresql://u@h/d"


def test_the_progress_exams_and_class_data_never_import_textual():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, tui_tutor.progress, tui_tutor.db.sqlite, tui_tutor.db.postgres, "
            "tui_tutor.exams.attempt, tui_tutor.exams.load, tui_tutor.exams.results, "
            "tui_tutor.classroom; print(sorted(m for m in sys.modules if m.startswith('textual')))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
