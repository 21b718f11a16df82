"""What the trainer's live view shows (``tui-tutor class``), read from the progress database.

For each learner: the lesson they touched last and the step they are at, its score,
hints and reveals, how long since their last answer, and whether they look stuck:
several wrong tries at the question they are at, or a long time at it without an
answer. A learner taking an exam shows the exam instead: questions answered, time
left. ``answers`` lists one learner's answers, newest first.

Every value comes from the database, which any host of the class writes; ``now`` is
given by the caller, so that a test (or a snapshot) can fix the clock. Free of Textual.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .progress import LessonRow, Question, summarize

if TYPE_CHECKING:
    from .db import Database
    from .lessons.model import Lesson

STUCK_TRIES = 3  # wrong tries at the question a learner is at
STUCK_IDLE = 5 * 60.0  # seconds at an open question without a key that saves anything
AWAY = 60 * 60.0  # longer than this without anything: gone for the day, not stuck
ANSWERS_SHOWN = 500  # a learner's answers listed at most


@dataclass(frozen=True)
class LearnerNow:
    learner: str
    exam: bool  # taking an exam (``lesson`` is its name)
    lesson: str
    titles: dict[str, str]
    step: int | None  # 1-based; for an exam, questions answered
    steps: int | None
    question: str | None  # the open question they are at
    score: float  # for an exam: answers right
    total: int
    hints: int
    reveals: int
    last_answer: float | None
    last_seen: float
    wrong_tries: int  # at the question they are at
    stuck: str | None  # "tries", "idle" or None
    left: float | None = None  # an exam's seconds left

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("en") or self.lesson


@dataclass(frozen=True)
class AnswerLine:
    at: float
    lesson: str
    question: str
    kind: str  # "answer", "hint", "reveal", or "exam" (an exam's answer)
    answer: str
    correct: bool | None


@dataclass(frozen=True)
class _Shape:
    """What a lesson's run looks like, whatever the ISNs: its steps, and the question
    asked at each (None where nothing is asked)."""

    steps: int
    questions: list[str | None]


class ClassReader:
    """Reads the class from the database; the lessons give titles and step counts."""

    def __init__(self, db: Database, lessons: list[Lesson]) -> None:
        self.db = db
        self.lessons = {lesson.id: lesson for lesson in lessons}
        self._shapes: dict[str, _Shape | None] = {}

    def _shape(self, lesson_id: str) -> _Shape | None:
        if lesson_id not in self._shapes:
            self._shapes[lesson_id] = _shape_of(self.lessons.get(lesson_id))
        return self._shapes[lesson_id]

    def _titles(self, lesson_id: str) -> dict[str, str]:
        lesson = self.lessons.get(lesson_id)
        if lesson is None:
            return {"en": lesson_id}
        return {lang: f"{lesson.number} {lesson.title.get(lang)}" for lang in ("en", "zh")}

    # ------------------------------------------------------------ everyone

    def now(self, now: float) -> list[LearnerNow]:
        """Every learner, as they are at ``now``."""
        out = {row.learner: row for row in self._in_lessons(now)}
        out.update({row.learner: row for row in self._in_exams(now)})
        return sorted(out.values(), key=lambda row: row.learner)

    def _in_lessons(self, now: float) -> list[LearnerNow]:
        db = self.db
        latest = (
            "SELECT learner, lesson FROM lessons l WHERE updated = "
            "(SELECT MAX(updated) FROM lessons m WHERE m.learner = l.learner)"
        )
        current: dict[str, tuple] = {}
        for row in db.execute(
            "SELECT learner, lesson, moment, isn_client, isn_server, seconds, questions, "
            f"finished, updated FROM lessons WHERE (learner, lesson) IN ({latest}) "
            "ORDER BY learner, lesson"
        ).fetchall():
            current.setdefault(row[0], row)  # two lessons touched in the same instant: one
        questions: dict[tuple[str, str], dict[str, Question]] = {}
        for learner, lesson, question, outcome, attempts, hints in db.execute(
            "SELECT learner, lesson, question, outcome, attempts, hints FROM questions "
            f"WHERE (learner, lesson) IN ({latest})"
        ).fetchall():
            questions.setdefault((learner, lesson), {})[question] = (outcome, attempts, hints)
        answered = dict(
            db.execute(
                "SELECT learner, MAX(at) FROM events WHERE kind = 'answer' GROUP BY learner"
            ).fetchall()
        )
        out = []
        for learner, (
            _l,
            lesson,
            moment,
            x,
            y,
            seconds,
            total,
            finished,
            updated,
        ) in current.items():
            row = LessonRow(moment, (x, y), seconds, total, bool(finished))
            asked = questions.get((learner, lesson), {})
            progress = summarize(lesson, row, asked.values())
            shape = self._shape(lesson)
            question = None
            if shape is not None and not finished and 0 <= moment < len(shape.questions):
                question = shape.questions[moment]
            outcome, attempts, _hints = asked.get(question or "", ("open", 0, 0))
            if outcome != "open":
                question = None  # answered: on their way to the next
            tries = attempts if question is not None else 0
            idle = now - updated
            stuck = None
            if question is not None and tries >= STUCK_TRIES:
                stuck = "tries"
            elif question is not None and STUCK_IDLE <= idle < AWAY:
                stuck = "idle"
            out.append(
                LearnerNow(
                    learner=learner,
                    exam=False,
                    lesson=lesson,
                    titles=self._titles(lesson),
                    step=moment + 1,
                    steps=shape.steps if shape is not None else None,
                    question=question,
                    score=progress.score,
                    total=progress.total,
                    hints=progress.hints,
                    reveals=progress.reveals,
                    last_answer=answered.get(learner),
                    last_seen=updated,
                    wrong_tries=tries,
                    stuck=stuck,
                )
            )
        return out

    def _in_exams(self, now: float) -> list[LearnerNow]:
        """Learners whose exam is running at ``now``."""
        if not self.db.has_table("exam_attempts"):
            return []
        counts = {
            (exam, learner): (n, right or 0, last)
            for exam, learner, n, right, last in self.db.execute(
                "SELECT exam, learner, COUNT(*), SUM(correct), MAX(at) FROM exam_answers "
                "GROUP BY exam, learner"
            ).fetchall()
        }
        out = []
        for exam, learner, started, deadline, title_en, title_zh, questions in self.db.execute(
            "SELECT a.exam, a.learner, a.started, a.deadline, e.title_en, e.title_zh, "
            "e.questions FROM exam_attempts a JOIN exams e ON e.name = a.exam "
            "WHERE a.finished IS NULL AND a.deadline > ? ORDER BY a.started",
            (now,),
        ).fetchall():
            answered, right, last = counts.get((exam, learner), (0, 0, None))
            total = _count(questions)
            out.append(
                LearnerNow(
                    learner=learner,
                    exam=True,
                    lesson=exam,
                    titles={"en": title_en, "zh": title_zh},
                    step=answered,
                    steps=total,
                    question=None,
                    score=float(right),
                    total=total,
                    hints=0,
                    reveals=0,
                    last_answer=last,
                    last_seen=last or started,
                    wrong_tries=0,
                    stuck=None,
                    left=deadline - now,
                )
            )
        return out

    # ------------------------------------------------------------ one learner

    def answers(self, learner: str) -> list[AnswerLine]:
        """The learner's answers, hints, reveals and exam answers, newest first."""
        lines = [
            AnswerLine(at, lesson, question, kind, answer or "", None if ok is None else bool(ok))
            for at, lesson, question, kind, answer, ok in self.db.execute(
                "SELECT at, lesson, question, kind, answer, correct FROM events "
                "WHERE learner = ? ORDER BY at DESC LIMIT ?",
                (learner, ANSWERS_SHOWN),
            ).fetchall()
        ]
        if self.db.has_table("exam_answers"):
            lines += [
                AnswerLine(at, f"{exam}: {lesson}", question, "exam", answer, bool(ok))
                for at, exam, lesson, question, answer, ok in self.db.execute(
                    "SELECT at, exam, lesson, question, answer, correct FROM exam_answers "
                    "WHERE learner = ? ORDER BY at DESC LIMIT ?",
                    (learner, ANSWERS_SHOWN),
                ).fetchall()
            ]
        lines.sort(key=lambda line: line.at, reverse=True)
        return lines[:ANSWERS_SHOWN]


def _count(questions: str) -> int:
    try:
        return len(json.loads(questions))
    except (TypeError, ValueError):
        return 0


def _shape_of(lesson: Lesson | None) -> _Shape | None:
    """The lesson's steps and the question at each: one run of the engine (the steps of a
    lesson do not depend on its ISNs)."""
    if lesson is None:
        return None
    from .engine import Role
    from .lessons.model import Narrate, question_id
    from .lessons.timeline import play

    table = lesson.scenario
    isns = {
        Role.CLIENT: table.client.isn if table.client.isn is not None else 1000,
        Role.SERVER: table.server.isn if table.server.isn is not None else 5000,
    }
    run = play(lesson, isns=isns)
    asked: list[str | None] = []
    for moment in run.moments:
        step = moment.step
        if moment.kind == "step" and step is not None and not isinstance(step, Narrate):
            asked.append(question_id(moment.step_index or 0, step))
        else:
            asked.append(None)
    return _Shape(len(run.moments), asked)
