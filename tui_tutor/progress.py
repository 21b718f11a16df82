"""Each learner's progress, in one SQLite file: answers, hints, reveals, time, where they are.

The file lives in the platformdirs user data folder (``--data-dir`` overrides it)
and holds every learner, so a trainer's report reads one file. It is opened in
WAL mode and every answer is one transaction, so a crash or a kill loses at most
the answer being written and never corrupts what is there. Several processes
(one per SSH session) may write at once; SQLite serialises them.

Scoring: a question answered right at the first try without a hint is worth 1,
right later (or after a hint) 0.5, revealed 0. A lesson is *solved* when its end
was reached and no question was revealed.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    learner TEXT NOT NULL,
    lesson TEXT NOT NULL,
    question TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('answer', 'hint', 'reveal')),
    correct INTEGER,
    answer TEXT,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS questions (
    learner TEXT NOT NULL,
    lesson TEXT NOT NULL,
    question TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('open', 'first_try', 'solved', 'revealed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    hints INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (learner, lesson, question)
);
CREATE TABLE IF NOT EXISTS lessons (
    learner TEXT NOT NULL,
    lesson TEXT NOT NULL,
    moment INTEGER NOT NULL DEFAULT 0,
    isn_client INTEGER,
    isn_server INTEGER,
    seconds REAL NOT NULL DEFAULT 0,
    questions INTEGER NOT NULL DEFAULT 0,
    finished INTEGER NOT NULL DEFAULT 0,
    started REAL NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (learner, lesson)
);
"""

POINTS = {"first_try": 1.0, "solved": 0.5, "revealed": 0.0, "open": 0.0}


def default_learner() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return os.environ.get("USER", "learner")


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tui-tutor", appauthor=False))


@dataclass(frozen=True)
class LessonProgress:
    lesson: str
    status: str  # "not started", "in progress", "solved", "finished"
    score: float  # points earned
    total: int  # questions in the lesson
    hints: int
    reveals: int
    seconds: float
    moment: int
    isns: tuple[int | None, int | None]

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.total) if self.total else 100


class ProgressError(Exception):
    """The progress file cannot be opened or written; the message names it."""


class ProgressStore:
    """One learner's view of the shared progress file."""

    def __init__(self, data_dir: Path | None, learner: str | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self.learner = learner or default_learner()
        self.path = self.data_dir / "progress.sqlite3"
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as err:
            raise ProgressError(f"{self.path}: cannot open the progress file: {err}") from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.Error as err:
            raise ProgressError(f"{self.path}: cannot save progress: {err}") from None

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ writing

    def open_lesson(
        self, lesson: str, questions: int, isns: tuple[int | None, int | None]
    ) -> LessonProgress:
        """Start or resume a lesson; a new one keeps the ISNs it was first played with."""
        now = time.time()
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO lessons (learner, lesson, isn_client, isn_server, "
                "questions, started, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.learner, lesson, isns[0], isns[1], questions, now, now),
            )
            db.execute(
                "UPDATE lessons SET questions = ? WHERE learner = ? AND lesson = ?",
                (questions, self.learner, lesson),
            )
        return self.lesson(lesson)

    def restart_lesson(self, lesson: str, isns: tuple[int | None, int | None]) -> None:
        """New ISNs and back to the start; answers given so far stay in the history."""
        with self._transaction() as db:
            db.execute(
                "UPDATE lessons SET moment = 0, isn_client = ?, isn_server = ?, finished = 0, "
                "updated = ? WHERE learner = ? AND lesson = ?",
                (isns[0], isns[1], time.time(), self.learner, lesson),
            )
            db.execute(
                "DELETE FROM questions WHERE learner = ? AND lesson = ?", (self.learner, lesson)
            )

    def record(
        self,
        lesson: str,
        question: str,
        kind: str,
        correct: bool | None = None,
        answer: str = "",
        seconds: float = 0.0,
    ) -> str:
        """One answer, hint or reveal, in one transaction. Returns the question's outcome."""
        now = time.time()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO events (learner, lesson, question, kind, correct, answer, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self.learner,
                    lesson,
                    question,
                    kind,
                    None if correct is None else int(correct),
                    answer,
                    now,
                ),
            )
            row = db.execute(
                "SELECT outcome, attempts, hints FROM questions "
                "WHERE learner = ? AND lesson = ? AND question = ?",
                (self.learner, lesson, question),
            ).fetchone()
            outcome, attempts, hints = row if row else ("open", 0, 0)
            if kind == "hint":
                hints += 1
            elif kind == "reveal" and outcome == "open":
                outcome = "revealed"
            elif kind == "answer":
                attempts += 1
                if correct and outcome == "open":
                    outcome = "first_try" if attempts == 1 and hints == 0 else "solved"
            db.execute(
                "INSERT OR REPLACE INTO questions (learner, lesson, question, outcome, "
                "attempts, hints) VALUES (?, ?, ?, ?, ?, ?)",
                (self.learner, lesson, question, outcome, attempts, hints),
            )
            self._touch(db, lesson, seconds, now)
        return outcome

    def save_position(
        self, lesson: str, moment: int, finished: bool = False, seconds: float = 0.0
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE lessons SET moment = ?, finished = MAX(finished, ?) "
                "WHERE learner = ? AND lesson = ?",
                (moment, int(finished), self.learner, lesson),
            )
            self._touch(db, lesson, seconds, time.time())

    def _touch(self, db: sqlite3.Connection, lesson: str, seconds: float, now: float) -> None:
        db.execute(
            "UPDATE lessons SET seconds = seconds + ?, updated = ? WHERE learner = ? AND "
            "lesson = ?",
            (max(0.0, seconds), now, self.learner, lesson),
        )

    # ------------------------------------------------------------ reading

    def outcomes(self, lesson: str) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT question, outcome FROM questions WHERE learner = ? AND lesson = ?",
            (self.learner, lesson),
        ).fetchall()
        return dict(rows)

    def lesson(self, lesson: str, total: int | None = None) -> LessonProgress:
        return lesson_progress(self.db, self.learner, lesson, total)

    def all_lessons(self) -> dict[str, LessonProgress]:
        rows = self.db.execute(
            "SELECT lesson FROM lessons WHERE learner = ?", (self.learner,)
        ).fetchall()
        return {r[0]: self.lesson(r[0]) for r in rows}


def lesson_progress(
    db: sqlite3.Connection, learner: str, lesson: str, total: int | None = None
) -> LessonProgress:
    row = db.execute(
        "SELECT moment, isn_client, isn_server, seconds, questions, finished FROM lessons "
        "WHERE learner = ? AND lesson = ?",
        (learner, lesson),
    ).fetchone()
    if row is None:
        return LessonProgress(lesson, "not started", 0.0, total or 0, 0, 0, 0.0, 0, (None, None))
    moment, isn_c, isn_s, seconds, questions, finished = row
    total = total if total is not None else questions
    rows = db.execute(
        "SELECT outcome, hints FROM questions WHERE learner = ? AND lesson = ?",
        (learner, lesson),
    ).fetchall()
    score = sum(POINTS[o] for o, _ in rows)
    hints = sum(h for _, h in rows)
    reveals = sum(1 for o, _ in rows if o == "revealed")
    if finished:
        status = "finished" if reveals else "solved"
    else:
        status = "in progress"
    return LessonProgress(
        lesson, status, score, total, hints, reveals, seconds, moment, (isn_c, isn_s)
    )


def all_learners(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT learner FROM lessons ORDER BY learner")]
