"""Read an exam file and find its questions in the lessons.

The schema (``model.py``) checks the file alone; ``resolve`` checks it against the
lessons it names: every lesson exists, every question id is one of that lesson's.
Every problem is one line, ``FILE: parts[1].questions[0]: ...``, all reported at once.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..inputs import TOML_LIMIT, InputError, read_limited
from ..lessons.loader import is_exam
from ..lessons.model import Lesson, Question
from ..validation import FileProblem, read_toml, validate
from .model import Exam


@dataclass(frozen=True)
class ExamQuestion:
    """One question of an exam: which lesson, which question in it, its number (from 1)."""

    number: int
    lesson: str
    question: str
    step_index: int
    step: Question

    @property
    def key(self) -> str:
        """How the report names it: "three-way-handshake/q1"."""
        return f"{self.lesson}/{self.question}"


@dataclass(frozen=True)
class LoadedExam:
    exam: Exam
    path: Path
    label: str
    questions: list[ExamQuestion]
    lessons: dict[str, Lesson]  # the lessons of its parts, in the exam's order

    @property
    def name(self) -> str:
        return self.exam.name

    def of_lesson(self, lesson: str) -> list[ExamQuestion]:
        return [q for q in self.questions if q.lesson == lesson]


def is_exam_file(path: Path) -> bool:
    """Is this TOML file an exam? (Anything unreadable is not.)"""
    try:
        data = tomllib.loads(read_limited(path, TOML_LIMIT).decode("utf-8"))
    except (OSError, InputError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False
    return is_exam(data)


def read_exam(path: Path, label: str | None = None) -> Exam:
    """The exam file, checked against the schema, or FileProblem with every problem."""
    label = label or str(path)
    return validate(Exam, read_toml(path, label), label)


def resolve(
    exam: Exam, label: str, lessons: dict[str, Lesson]
) -> tuple[list[ExamQuestion], list[str]]:
    """The exam's questions in the order they are asked, and a line for each part or
    question id that names nothing."""
    found: list[ExamQuestion] = []
    problems: list[str] = []
    for p, part in enumerate(exam.parts):
        lesson = lessons.get(part.lesson)
        if lesson is None:
            problems.append(
                f'{label}: parts[{p}].lesson: no lesson has id "{part.lesson}"'
                f"{_close(part.lesson, list(lessons))} (tui-tutor lessons list)"
            )
            continue
        ids = lesson.question_ids
        if not ids:
            problems.append(f'{label}: parts[{p}].lesson: "{part.lesson}" asks no question')
            continue
        wanted = part.questions if part.questions is not None else list(ids)
        for k, question in enumerate(wanted):
            if question not in ids:
                problems.append(
                    f'{label}: parts[{p}].questions[{k}]: lesson "{part.lesson}" has no question '
                    f'"{question}" (its questions: {", ".join(ids)})'
                )
        for question, (index, step) in ids.items():  # the lesson's order
            if question in wanted:
                found.append(ExamQuestion(len(found) + 1, part.lesson, question, index, step))
    return found, problems


def _close(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def load_exam(path: Path, lessons_dir: Path, label: str | None = None) -> LoadedExam:
    """The exam with its questions found in the lessons of ``lessons_dir``, or FileProblem."""
    from ..lessons.loader import load_all

    label = label or str(path)
    exam = read_exam(path, label)
    loaded, _problems = load_all([lessons_dir])  # a broken lesson is the lessons' problem
    lessons = {item.lesson.id: item.lesson for item in loaded}
    return loaded_exam(exam, path, label, lessons)


def loaded_exam(exam: Exam, path: Path, label: str, lessons: dict[str, Lesson]) -> LoadedExam:
    questions, problems = resolve(exam, label, lessons)
    if problems:
        raise FileProblem(problems)
    used = {part.lesson: lessons[part.lesson] for part in exam.parts}
    return LoadedExam(exam, path, label, questions, used)


def exam_files(paths: list[Path]) -> list[Path]:
    """The exam files among ``paths`` (files, or the ``*.toml`` of folders)."""
    files = [f for p in paths for f in (sorted(p.glob("*.toml")) if p.is_dir() else [p])]
    return [f for f in files if f.is_file() and is_exam_file(f)]


def check_exams(files: list[Path], lessons: dict[str, Lesson]) -> tuple[int, list[str]]:
    """How many exam files are right, and a line for every problem of the others."""
    right, problems = 0, []
    for path in files:
        try:
            loaded_exam(read_exam(path), path, str(path), lessons)
        except FileProblem as err:
            problems.extend(err.lines)
        else:
            right += 1
    return right, problems
