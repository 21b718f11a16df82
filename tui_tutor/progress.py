"""Each learner's progress: answers, hints, reveals, time, where they are.

Kept in one database for every learner, so a trainer's report reads one place:
by default an SQLite file in the platformdirs user data folder (``--data-dir``
overrides it), or any database ``--database URL`` names (``tui_tutor.db``: SQLite
or PostgreSQL, which several hosts share). Every answer is one transaction, so a
crash or a kill loses at most the answer being written. Several processes (one per
SSH session, on one host or several) may write at once; each learner's writes are
serialised.

A write that fails (another program holds the lock, the disk is full, the file
is damaged) does not stop the learner: it waits in memory, ``on_trouble`` is told
the reason once, and it is tried again with the next write a few seconds later
and at ``close``; what is still unsaved then is ``unsaved_line()``, and the
command exits ``UNSAVED_EXIT``. Until then the store answers reads as if the
waiting writes had been made, so the score on the screen stays right. A failed
write never touches what the file already holds.

Scoring: a question answered right at the first try without a hint is worth 1,
right later (or after a hint) 0.5, revealed 0. A lesson is *solved* when its end
was reached and no question was revealed.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .db import CLOSE_WAIT, REASONS, TRANSIENT, DatabaseError, open_database

if TYPE_CHECKING:
    from .db import Database

UNSAVED_EXIT = 3  # the tutor ran, but some progress could not be saved
RETRY_AFTER = 5.0  # seconds after a failed write before writes are tried again

POINTS = {"first_try": 1.0, "solved": 0.5, "revealed": 0.0, "open": 0.0}


def default_learner() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return os.environ.get("USER", "learner")


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tui-tutor", appauthor=False))


def next_outcome(
    row: tuple[str, int, int], kind: str, correct: bool | None
) -> tuple[str, int, int]:
    """A question's (outcome, attempts, hints) after one more answer, hint or reveal."""
    outcome, attempts, hints = row
    if kind == "hint":
        hints += 1
    elif kind == "reveal" and outcome == "open":
        outcome = "revealed"
    elif kind == "answer":
        attempts += 1
        if correct and outcome == "open":
            outcome = "first_try" if attempts == 1 and hints == 0 else "solved"
    return outcome, attempts, hints


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


# the progress database cannot be opened or read; the message is one line naming it
ProgressError = DatabaseError

Write = Callable[["Database"], object]
Isns = tuple[int | None, int | None]
Question = tuple[str, int, int]  # outcome, attempts, hints
T = TypeVar("T")


@dataclass(frozen=True)
class LessonRow:
    """What the ``lessons`` table holds for one learner's lesson."""

    moment: int = 0
    isns: Isns = (None, None)
    seconds: float = 0.0
    questions: int = 0
    finished: bool = False


@dataclass
class _Waiting:
    """One lesson's writes that wait to be saved, as the reads must see them."""

    row: LessonRow | None = None  # the lesson's row as it will be once saved
    reset: bool = False  # restarted: the questions the file holds no longer count
    questions: dict[str, Question] = field(default_factory=dict)


class ProgressStore:
    """One learner's view of the shared progress database."""

    def __init__(
        self, data_dir: Path | None, learner: str | None = None, database: str | None = None
    ) -> None:
        self.learner = learner or default_learner()
        # told the reason (a key of REASONS) when saving stops, None when it goes on again
        self.on_trouble: Callable[[str | None], None] | None = None
        self.write_trouble: str | None = None  # why writes wait, until one gets through
        self.read_trouble: str | None = None  # a read failed: the file is damaged for good
        self._waiting_writes: list[Write] = []
        self._waiting: dict[str, _Waiting] = {}
        self._last_read: dict[tuple[str, str], object] = {}  # what each read gave last
        self._touched: set[str] = set()  # lessons the waiting writes change
        self._unsaved_since: float | None = None
        self._failed_at = 0.0
        self.db = open_database(database, Path(data_dir) if data_dir else None)
        self.path = getattr(self.db, "path", None)  # the SQLite file, None for a server
        self.label = self.db.label

    def check(self) -> None:
        """Check the whole database once at a server's start (SQLite's ``quick_check``): a
        damaged one is refused now, not by every session that would touch the damaged part."""
        self.db.check()

    def close(self) -> None:
        """A last try at what waits to be saved (see ``unsaved_line``), then close."""
        if self._waiting_writes:
            self.db.set_wait(CLOSE_WAIT)
            self._flush()
        self.db.close()

    def unsaved_line(self) -> str | None:
        """What could not be saved, as one line, or None when everything is saved."""
        if not self._waiting_writes or self._unsaved_since is None:
            return None
        since = time.strftime("%H:%M", time.localtime(self._unsaved_since))
        reason = REASONS.get(self.write_trouble or "error", REASONS["error"])
        return (
            f"{self.label}: progress since {since} could not be saved ({reason}); "
            "what was saved before is kept"
        )

    # ------------------------------------------------------------ writing

    def save(self, write: Write, lesson: str | None = None) -> bool:
        """Save ``write`` (and any that wait) in one transaction; False if it has to wait
        (it is tried again with the next write, and at ``close``). ``lesson``: the lesson
        it changes, read again once saved (what the screen falls back on if reads fail)."""
        if not self._waiting_writes:
            self._unsaved_since = time.time()
        self._waiting_writes.append(write)
        if lesson is not None:
            self._touched.add(lesson)
        if self.write_trouble and time.monotonic() - self._failed_at < RETRY_AFTER:
            return False  # failed a moment ago: no new wait on every key press
        return self._flush()

    def _flush(self) -> bool:
        try:
            with self.db.write(self.learner):
                for write in self._waiting_writes:
                    write(self.db)
        except self.db.errors as err:
            self._failed_at = time.monotonic()
            self._tell(write=self.db.reason(err))
            return False
        self._waiting_writes.clear()
        self._waiting.clear()
        self._unsaved_since = None
        self._tell(write=None)
        touched, self._touched = self._touched, set()
        for lesson in touched:
            self.lesson(lesson)
        return True

    @property
    def trouble(self) -> str | None:
        """Why progress is not being saved (a key of ``REASONS``), or None."""
        return self.write_trouble or self.read_trouble

    def _tell(self, **trouble: str | None) -> None:
        """Change ``write_trouble`` or ``read_trouble``; ``on_trouble`` hears of each change."""
        before = self.trouble
        if "write" in trouble:
            self.write_trouble = trouble["write"]
        if "read" in trouble:
            self.read_trouble = trouble["read"]
        if self.trouble != before and self.on_trouble is not None:
            self.on_trouble(self.trouble)

    def read(self, read: Callable[[], T], fallback: T) -> T:
        """A read that fails (a damaged file, a server gone) is told like a failed write and
        gives ``fallback``: the screen goes on. A passing trouble ends with a read that works."""
        try:
            value = read()
        except self.db.errors as err:
            self._tell(read=self.db.reason(err))
            return fallback
        if self.read_trouble in TRANSIENT:
            self._tell(read=None)
        return value

    def _remembered(self, key: tuple[str, str], read: Callable[[], T], fallback: T) -> T:
        """A read; when it fails, what the same read gave last time (a server that went
        away must not take the learner's score off the screen)."""
        failed = object()
        value = self.read(read, failed)
        if value is failed:
            return self._last_read.get(key, fallback)  # type: ignore[return-value]
        self._last_read[key] = value
        return value  # type: ignore[return-value]

    def _wait(self, lesson: str, **changes: object) -> _Waiting:
        """The lesson's waiting state, its row changed as a write that failed would have."""
        waiting = self._waiting.setdefault(lesson, _Waiting())
        if changes:
            waiting.row = replace(self._row(lesson) or LessonRow(), **changes)  # type: ignore[arg-type]
        return waiting

    def open_lesson(self, lesson: str, questions: int, isns: Isns) -> LessonProgress:
        """Start or resume a lesson; a new one keeps the ISNs it was first played with."""
        now = time.time()
        learner = self.learner

        def write(db: Database) -> None:
            db.execute(
                "INSERT INTO lessons (learner, lesson, isn_client, isn_server, questions, "
                "started, updated) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (learner, lesson) DO NOTHING",
                (learner, lesson, isns[0], isns[1], questions, now, now),
            )
            db.execute(
                "UPDATE lessons SET questions = ? WHERE learner = ? AND lesson = ?",
                (questions, learner, lesson),
            )

        if not self.save(write, lesson):
            if self._row(lesson) is None:
                self._wait(lesson, isns=isns, questions=questions)
            else:
                self._wait(lesson, questions=questions)
        return self.lesson(lesson)

    def restart_lesson(self, lesson: str, isns: Isns) -> None:
        """New ISNs and back to the start; answers given so far stay in the history."""
        now = time.time()
        learner = self.learner

        def write(db: Database) -> None:
            db.execute(
                "UPDATE lessons SET moment = 0, isn_client = ?, isn_server = ?, finished = 0, "
                "updated = ? WHERE learner = ? AND lesson = ?",
                (isns[0], isns[1], now, learner, lesson),
            )
            db.execute("DELETE FROM questions WHERE learner = ? AND lesson = ?", (learner, lesson))

        if not self.save(write, lesson):
            waiting = self._wait(lesson, moment=0, isns=isns, finished=False)
            waiting.reset = True
            waiting.questions.clear()

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
        learner = self.learner
        outcome = ""

        def write(db: Database) -> None:
            nonlocal outcome
            db.execute(
                "INSERT INTO events (learner, lesson, question, kind, correct, answer, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (learner, lesson, question, kind, None if correct is None else int(correct),
                 answer, now),
            )  # fmt: skip
            row = db.execute(
                "SELECT outcome, attempts, hints FROM questions "
                "WHERE learner = ? AND lesson = ? AND question = ?",
                (learner, lesson, question),
            ).fetchone()
            outcome, attempts, hints = next_outcome(row or ("open", 0, 0), kind, correct)
            db.execute(
                "INSERT INTO questions (learner, lesson, question, outcome, attempts, hints) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (learner, lesson, question) DO UPDATE "
                "SET outcome = excluded.outcome, attempts = excluded.attempts, "
                "hints = excluded.hints",
                (learner, lesson, question, outcome, attempts, hints),
            )
            _touch(db, learner, lesson, seconds, now)

        if self.save(write, lesson):
            return outcome
        # not saved yet: the outcome from what the file holds and what waits
        known = self._questions(lesson).get(question, ("open", 0, 0))
        row = next_outcome(known, kind, correct)
        self._wait(lesson).questions[question] = row
        return row[0]

    def save_position(
        self,
        lesson: str,
        moment: int,
        finished: bool = False,
        seconds: float = 0.0,
        *,
        isns: Isns | None = None,
    ) -> None:
        """Where the learner is; with ``isns``, the ISNs of the run that place belongs to,
        in the same statement, so that a resume never pairs one session's ISNs with
        another session's place."""
        now = time.time()
        learner = self.learner

        def write(db: Database) -> None:
            if isns is None:
                db.execute(
                    "UPDATE lessons SET moment = ?, finished = CASE WHEN ? = 1 THEN 1 "
                    "ELSE finished END WHERE learner = ? AND lesson = ?",
                    (moment, int(finished), learner, lesson),
                )
            else:
                db.execute(
                    "UPDATE lessons SET moment = ?, isn_client = ?, isn_server = ?, finished = "
                    "CASE WHEN ? = 1 THEN 1 ELSE finished END WHERE learner = ? AND lesson = ?",
                    (moment, isns[0], isns[1], int(finished), learner, lesson),
                )
            _touch(db, learner, lesson, seconds, now)

        if not self.save(write, lesson):
            before = self._row(lesson)
            if before is not None:  # as the UPDATE: nothing for a lesson never opened
                done = before.finished or finished
                self._wait(lesson, moment=moment, finished=done, isns=isns or before.isns)

    # ------------------------------------------------------------ reading

    def _row(self, lesson: str) -> LessonRow | None:
        """The lesson's row: what waits to be saved, else what the file holds."""
        waiting = self._waiting.get(lesson)
        if waiting is not None and waiting.row is not None:
            return waiting.row
        return self._remembered(
            ("row", lesson), lambda: lesson_row(self.db, self.learner, lesson), None
        )

    def _questions(self, lesson: str) -> dict[str, Question]:
        """Each question's (outcome, attempts, hints): the file's, then what waits."""
        waiting = self._waiting.get(lesson)
        rows: dict[str, Question] = {}
        if waiting is None or not waiting.reset:
            read = lambda: question_rows(self.db, self.learner, lesson)  # noqa: E731
            rows = dict(self._remembered(("questions", lesson), read, dict[str, Question]()))
        if waiting is not None:
            rows.update(waiting.questions)
        return rows

    def outcomes(self, lesson: str) -> dict[str, str]:
        return {q: row[0] for q, row in self._questions(lesson).items()}

    def lesson(self, lesson: str, total: int | None = None) -> LessonProgress:
        row = self._row(lesson)
        if row is None:
            return not_started(lesson, total)
        return summarize(lesson, row, self._questions(lesson).values(), total)

    def all_lessons(self) -> dict[str, LessonProgress]:
        rows: list[tuple[str]] = self.read(
            lambda: self.db.execute(
                "SELECT lesson FROM lessons WHERE learner = ?", (self.learner,)
            ).fetchall(),
            [],
        )
        names = {r[0] for r in rows} | set(self._waiting)
        return {name: self.lesson(name) for name in names}


def _touch(db: Database, learner: str, lesson: str, seconds: float, now: float) -> None:
    db.execute(
        "UPDATE lessons SET seconds = seconds + ?, updated = ? WHERE learner = ? AND lesson = ?",
        (max(0.0, seconds), now, learner, lesson),
    )


def lesson_row(db: Database, learner: str, lesson: str) -> LessonRow | None:
    row = db.execute(
        "SELECT moment, isn_client, isn_server, seconds, questions, finished FROM lessons "
        "WHERE learner = ? AND lesson = ?",
        (learner, lesson),
    ).fetchone()
    if row is None:
        return None
    moment, isn_c, isn_s, seconds, questions, finished = row
    return LessonRow(moment, (isn_c, isn_s), seconds, questions, bool(finished))


def question_rows(db: Database, learner: str, lesson: str) -> dict[str, Question]:
    rows = db.execute(
        "SELECT question, outcome, attempts, hints FROM questions WHERE learner = ? AND lesson = ?",
        (learner, lesson),
    ).fetchall()
    return {q: (o, a, h) for q, o, a, h in rows}


def not_started(lesson: str, total: int | None) -> LessonProgress:
    return LessonProgress(lesson, "not started", 0.0, total or 0, 0, 0, 0.0, 0, (None, None))


def summarize(
    lesson: str, row: LessonRow, questions: Iterable[Question], total: int | None = None
) -> LessonProgress:
    """A lesson's progress from its row and its questions."""
    outcomes = list(questions)
    score = sum(POINTS[o] for o, _a, _h in outcomes)
    hints = sum(h for _o, _a, h in outcomes)
    reveals = sum(1 for o, _a, _h in outcomes if o == "revealed")
    if row.finished:
        status = "finished" if reveals else "solved"
    else:
        status = "in progress"
    return LessonProgress(
        lesson,
        status,
        score,
        total if total is not None else row.questions,
        hints,
        reveals,
        row.seconds,
        row.moment,
        row.isns,
    )


def lesson_progress(
    db: Database, learner: str, lesson: str, total: int | None = None
) -> LessonProgress:
    """A learner's progress in a lesson, as the file holds it (for the trainer's report)."""
    row = lesson_row(db, learner, lesson)
    if row is None:
        return not_started(lesson, total)
    return summarize(lesson, row, question_rows(db, learner, lesson).values(), total)


def all_learners(db: Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT learner FROM lessons ORDER BY learner")]
