"""Read lesson files: one TOML file a lesson, each validated alone so errors name it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..validation import FileProblem, read_toml, validate
from .catalog import duplicate_id
from .model import Lesson


def is_exam(data: dict) -> bool:
    """An exam file (``tui_tutor.exams``: ``kind = "exam"`` and ``[[parts]]``), not a lesson:
    a lesson has neither key, so an exam with a misspelt kind is still told as an exam."""
    return "kind" in data or "parts" in data


@dataclass(frozen=True)
class LoadedLesson:
    lesson: Lesson
    path: Path
    label: str  # how messages name the file


def lesson_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders to their ``*.toml`` files; problems for missing or empty inputs."""
    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                problems.append(f"{path}: no lessons here (no .toml files)")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    unique = list({f.resolve(): f for f in files}.values())  # a file named twice is read once
    return unique, problems


# lessons this process has validated, by the identity of their file (device, inode, size,
# modification time): serve-ssh's fork server loads them once, and every app it forks
# finds them here instead of validating them again (a tenth of a second per login)
_validated: dict[tuple[int, int, int, int], Lesson] = {}


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def load_lesson(path: Path, label: str | None = None) -> LoadedLesson:
    """One lesson, or FileProblem with every schema problem of the file."""
    label = label or str(path)
    before = _identity(path)
    if before is not None and before in _validated:
        return LoadedLesson(_validated[before], path, label)
    data = read_toml(path, label)
    lesson = validate(Lesson, data, label)
    if before is not None and _identity(path) == before:  # not changed while it was read
        _validated[before] = lesson
    return LoadedLesson(lesson, path, label)


def load_all(paths: list[Path]) -> tuple[list[LoadedLesson], list[str]]:
    """Every lesson that loads, in curriculum order, and the problems of the rest.

    Of two lessons with one id only the first is kept (the other is a problem): the
    picker, the progress store and prerequisites all know a lesson by its id.
    """
    files, problems = lesson_files(paths)
    loaded: dict[str, LoadedLesson] = {}
    for file in files:
        try:
            data = read_toml(file, str(file))
            if is_exam(data):
                continue  # an exam beside the lessons (tui_tutor.exams), not a lesson
            item = LoadedLesson(validate(Lesson, data, str(file)), file, str(file))
        except FileProblem as err:
            problems.extend(err.lines)
            continue
        first = loaded.setdefault(item.lesson.id, item)
        if first is not item:
            problems.append(duplicate_id(item.label, item.lesson.id, first.label))
    ordered = sorted(loaded.values(), key=lambda item: (item.lesson.number, item.lesson.id))
    return ordered, problems
