"""An exam's results as the database holds them: per learner and question, per question.

The report reads no exam file: the exam's title and questions were written to the
database when the first learner started it (``attempt.register_exam``).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .attempt import GivenAnswer

if TYPE_CHECKING:
    from ..db import Database


class UnknownExam(LookupError):
    """No exam of that name; ``known`` are the ones there are."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name, self.known = name, known
        super().__init__(name)


@dataclass(frozen=True)
class LearnerResult:
    learner: str
    started: float
    ended: float  # when they finished, or when the time ran out
    over: bool  # finished, or out of time
    answers: dict[str, GivenAnswer]  # by question key

    @property
    def right(self) -> int:
        return sum(1 for a in self.answers.values() if a.correct)


@dataclass(frozen=True)
class QuestionResult:
    number: int
    key: str  # "lesson/question"
    right: int
    answered: int
    median_seconds: float | None


@dataclass(frozen=True)
class ExamResults:
    name: str
    titles: dict[str, str]
    questions: list[str]  # keys, in the exam's order
    learners: list[LearnerResult]

    def by_question(self) -> list[QuestionResult]:
        out = []
        for number, key in enumerate(self.questions, 1):
            given = [r.answers[key] for r in self.learners if key in r.answers]
            times = [a.seconds for a in given]
            out.append(
                QuestionResult(
                    number,
                    key,
                    sum(1 for a in given if a.correct),
                    len(given),
                    statistics.median(times) if times else None,
                )
            )
        return out


def exam_names(db: Database) -> list[str]:
    if not db.has_table("exams"):
        return []
    return [r[0] for r in db.execute("SELECT name FROM exams ORDER BY name").fetchall()]


def read_results(db: Database, name: str, now: float) -> ExamResults:
    """The exam's results, or UnknownExam."""
    row = None
    if db.has_table("exams"):
        row = db.execute(
            "SELECT title_en, title_zh, questions FROM exams WHERE name = ?", (name,)
        ).fetchone()
    if row is None:
        raise UnknownExam(name, exam_names(db))
    title_en, title_zh, questions = row
    try:
        keys = [str(k) for k in json.loads(questions)]
    except (TypeError, ValueError):
        keys = []
    answers: dict[str, dict[str, GivenAnswer]] = {}
    for learner, lesson, question, answer, correct, seconds, at in db.execute(
        "SELECT learner, lesson, question, answer, correct, seconds, at FROM exam_answers "
        "WHERE exam = ?",
        (name,),
    ).fetchall():
        given = GivenAnswer(lesson, question, answer, bool(correct), seconds, at)
        answers.setdefault(learner, {})[given.key] = given
    learners = []
    for learner, started, deadline, finished in db.execute(
        "SELECT learner, started, deadline, finished FROM exam_attempts WHERE exam = ? "
        "ORDER BY learner",
        (name,),
    ).fetchall():
        ended = finished if finished is not None else min(deadline, now)
        over = finished is not None or now >= deadline
        learners.append(LearnerResult(learner, started, ended, over, answers.get(learner, {})))
    return ExamResults(name, {"en": title_en, "zh": title_zh}, keys, learners)
