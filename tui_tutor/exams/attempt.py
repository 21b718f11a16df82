"""One learner's exam: whether it may start, the attempt, each answer saved once, the clock.

The attempt is kept in the progress database (``exam_attempts``, ``exam_answers``),
so the clock runs on the server's side: the deadline is written when the learner
starts, and a learner who reconnects (to this host or another) finds the time that
is left, not a new hour. Each learner's ISNs are drawn when they start and kept with
the attempt. An answer is saved as it is given, through the progress store (a write
that fails waits and is tried again, as a lesson's answers do); the database keeps
the first answer to a question and no other, whatever a client sends afterwards.
"""

from __future__ import annotations

import json
import random
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..engine import MODULUS

if TYPE_CHECKING:
    from ..db import Database
    from ..progress import ProgressStore
    from .load import ExamQuestion, LoadedExam

GRACE = 3.0  # seconds past the deadline an answer still counts: it left the learner in time
MAX_ANSWER = 300  # characters of an answer kept: a learner's text is theirs to make long

Isns = tuple[int | None, int | None]


@dataclass(frozen=True)
class GivenAnswer:
    lesson: str
    question: str
    answer: str
    correct: bool
    seconds: float  # how long the learner took over it
    at: float

    @property
    def key(self) -> str:
        return f"{self.lesson}/{self.question}"


@dataclass
class Attempt:
    started: float
    deadline: float
    finished: float | None
    isns: dict[str, Isns]  # by lesson
    answers: dict[str, GivenAnswer] = field(default_factory=dict)  # by ExamQuestion.key

    def over(self, now: float) -> bool:
        return self.finished is not None or now >= self.deadline

    def left(self, now: float) -> float:
        return 0.0 if self.finished is not None else max(0.0, self.deadline - now)

    @property
    def right(self) -> int:
        return sum(1 for a in self.answers.values() if a.correct)


def clean_answer(text: str) -> str:
    """What a learner typed, as it may be kept and shown: no control or invisible
    characters (a trainer's terminal must not obey them), at most ``MAX_ANSWER`` long."""
    kept = (
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in text[: MAX_ANSWER * 2]
        if unicodedata.category(c) not in ("Cf", "Cs", "Co", "Cn")
    )
    return "".join(kept)[:MAX_ANSWER]


def register_exam(db: Database, loaded: LoadedExam, now: float) -> None:
    """The exam's title and questions, for the report (which reads no exam file)."""
    exam = loaded.exam
    db.execute(
        "INSERT INTO exams (name, title_en, title_zh, questions, updated) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET title_en = excluded.title_en, "
        "title_zh = excluded.title_zh, questions = excluded.questions, updated = excluded.updated",
        (
            exam.name,
            exam.title.en,
            exam.title.zh,
            json.dumps([q.key for q in loaded.questions]),
            now,
        ),
    )


class ExamDesk:
    """Where one learner sits one exam."""

    def __init__(
        self,
        store: ProgressStore,
        loaded: LoadedExam,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.loaded = loaded
        self.exam = loaded.exam
        self.clock = clock
        self.rng = rng or random.SystemRandom()
        self._attempt: Attempt | None = None  # as this session knows it, waiting writes too

    @property
    def learner(self) -> str:
        return self.store.learner

    # ------------------------------------------------------------ before it starts

    def status(self) -> str:
        """ "not_open", "ready", "running", "done" or "closed" (it closed before this learner
        started)."""
        now = self.clock()
        attempt = self.attempt()
        if attempt is not None:
            return "done" if attempt.over(now) else "running"
        if self.exam.opens_at is not None and now < self.exam.opens_at:
            return "not_open"
        if self.exam.closes_at is not None and now >= self.exam.closes_at:
            return "closed"
        return "ready"

    def attempt(self) -> Attempt | None:
        """The attempt the database holds (with this session's waiting answers), if any."""
        failed = object()
        read = self.store.read(lambda: self._read(self.store.db), failed)
        if read is failed:
            return self._attempt
        if isinstance(read, Attempt) and self._attempt is not None:
            for key, given in self._attempt.answers.items():  # saved or not, given here
                read.answers.setdefault(key, given)
            if read.finished is None:
                read.finished = self._attempt.finished
        self._attempt = read if isinstance(read, Attempt) else self._attempt
        return self._attempt

    def _read(self, db: Database) -> Attempt | None:
        row = db.execute(
            "SELECT started, deadline, finished, isns FROM exam_attempts "
            "WHERE exam = ? AND learner = ?",
            (self.exam.name, self.learner),
        ).fetchone()
        if row is None:
            return None
        started, deadline, finished, isns = row
        attempt = Attempt(started, deadline, finished, _isns_of(isns))
        for lesson, question, answer, correct, seconds, at in db.execute(
            "SELECT lesson, question, answer, correct, seconds, at FROM exam_answers "
            "WHERE exam = ? AND learner = ?",
            (self.exam.name, self.learner),
        ).fetchall():
            given = GivenAnswer(lesson, question, answer, bool(correct), seconds, at)
            attempt.answers[given.key] = given
        return attempt

    def start(self) -> Attempt:
        """Start the clock (or find it running: a reconnect, another host)."""
        found = self.attempt()
        if found is not None:
            return found
        now = self.clock()
        deadline = now + self.exam.time_limit * 60
        if self.exam.closes_at is not None:
            deadline = min(deadline, self.exam.closes_at)
        attempt = Attempt(now, deadline, None, self._draw_isns())
        name, learner, loaded = self.exam.name, self.learner, self.loaded
        isns = json.dumps(attempt.isns, sort_keys=True)

        def write(db: Database) -> None:
            register_exam(db, loaded, now)
            db.execute(
                "INSERT INTO exam_attempts (exam, learner, started, deadline, isns) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (exam, learner) DO NOTHING",
                (name, learner, now, deadline, isns),
            )

        self._attempt = attempt
        if self.store.save(write):
            return self.attempt() or attempt  # another session may have started it first
        return attempt

    def _draw_isns(self) -> dict[str, Isns]:
        """Fresh ISNs for this learner, where the lesson leaves them to chance (a lesson
        about wrapping past 2**32 keeps its own)."""
        isns: dict[str, Isns] = {}
        for lesson_id, lesson in self.loaded.lessons.items():
            table = lesson.scenario
            isns[lesson_id] = (
                table.client.isn if table.client.isn is not None else self.rng.randrange(MODULUS),
                table.server.isn if table.server.isn is not None else self.rng.randrange(MODULUS),
            )
        return isns

    # ------------------------------------------------------------ during it

    def answer(self, question: ExamQuestion, answer: str, correct: bool, seconds: float) -> bool:
        """Keep the first answer to ``question``; False (nothing kept) if it was answered
        already or the time is up."""
        attempt = self._attempt
        now = self.clock()
        if attempt is None or attempt.finished is not None or now > attempt.deadline + GRACE:
            return False
        if question.key in attempt.answers:
            return False
        seconds = min(max(0.0, seconds), self.exam.time_limit * 60)
        given = GivenAnswer(
            question.lesson, question.question, clean_answer(answer), correct, seconds, now
        )
        attempt.answers[question.key] = given
        name, learner = self.exam.name, self.learner

        def write(db: Database) -> None:
            db.execute(
                "INSERT INTO exam_answers (exam, learner, lesson, question, answer, correct, "
                "seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (exam, learner, lesson, question) DO NOTHING",
                (name, learner, given.lesson, given.question, given.answer, int(correct),
                 given.seconds, given.at),
            )  # fmt: skip

        self.store.save(write)
        return True

    def finish(self) -> None:
        """The learner is done, or the time is: no answer is taken after this."""
        attempt = self._attempt
        if attempt is None or attempt.finished is not None:
            return
        attempt.finished = min(self.clock(), attempt.deadline)
        name, learner, finished = self.exam.name, self.learner, attempt.finished

        def write(db: Database) -> None:
            db.execute(
                "UPDATE exam_attempts SET finished = ? "
                "WHERE exam = ? AND learner = ? AND finished IS NULL",
                (finished, name, learner),
            )

        self.store.save(write)

    def has_answer(self, question: ExamQuestion) -> bool:
        """Has this session (or the database, when last read) an answer to ``question``?"""
        return self._attempt is not None and question.key in self._attempt.answers

    def left(self) -> float:
        """Seconds left on the clock."""
        return self._attempt.left(self.clock()) if self._attempt is not None else 0.0


def _isns_of(text: str) -> dict[str, Isns]:
    """The ISNs kept with an attempt; anything that does not read as ISNs is left out."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return {}
    out: dict[str, Isns] = {}
    if isinstance(data, dict):
        for lesson, pair in data.items():
            if isinstance(pair, list) and len(pair) == 2:
                x, y = (v if isinstance(v, int) and 0 <= v < MODULUS else None for v in pair)
                out[str(lesson)] = (x, y)
    return out
