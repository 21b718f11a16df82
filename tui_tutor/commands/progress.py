"""``tui-tutor progress`` (one learner) and ``tui-tutor report`` (every learner, for trainers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import CommandError, add_global_options

if TYPE_CHECKING:
    import sqlite3

COLUMNS = [
    "learner",
    "lesson",
    "title",
    "status",
    "score",
    "questions",
    "hints",
    "reveals",
    "minutes",
]


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("progress", help="your progress, lesson by lesson")
    add_global_options(p, "data_dir", "learner", "lessons")
    p.set_defaults(handler=run_progress)

    r = sub.add_parser("report", help="every learner's progress, for the trainer")
    add_global_options(r, "data_dir", "lessons")
    r.add_argument("--csv", action="store_true", help="CSV for a spreadsheet")
    r.set_defaults(handler=run_report)


def _lessons(folder: Path | None) -> list:
    from ..lessons import default_dir
    from ..lessons.loader import load_all

    loaded, _problems = load_all([folder or default_dir()])
    return [item.lesson for item in loaded]


def _open(data_dir: Path | None) -> tuple[sqlite3.Connection, Path]:
    """The progress file, read-only; when it cannot be read, the line says why."""
    import os
    import sqlite3

    from ..progress import default_data_dir

    path = (data_dir or default_data_dir()) / "progress.sqlite3"
    if not path.exists():
        raise CommandError(f"{path}: no progress recorded yet (no such file)", status=1)
    if not os.access(path, os.R_OK):
        raise CommandError(
            f"{path}: cannot read the progress file: permission denied (it is {_owner(path)}'s;"
            " run this as that user)",
            status=1,
        )
    try:
        return _connect(path, "mode=ro"), path
    except sqlite3.Error as err:
        if os.access(path.parent, os.W_OK):
            raise CommandError(_why_not(path, err), status=1) from None
    # a folder (or disk) we may not write: SQLite wants to make the -shm file beside the
    # file even to read it; with no tutor running (no -wal file) it can be read as it is
    if Path(f"{path}-wal").exists():
        raise CommandError(
            f"{path}: cannot read the progress file while a tutor is writing it: SQLite needs "
            f"to write {path.name}-shm, and {path.parent} is read-only to this user "
            f"(run this as {_owner(path)})",
            status=1,
        )
    try:
        return _connect(path, "immutable=1"), path
    except sqlite3.Error as err:
        raise CommandError(_why_not(path, err), status=1) from None


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    import sqlite3
    from urllib.parse import quote

    db = sqlite3.connect(f"file:{quote(str(path))}?{mode}", uri=True, timeout=10)
    try:
        db.execute("SELECT 1 FROM lessons LIMIT 1")
    except BaseException:
        db.close()
        raise
    return db


def _why_not(path: Path, err: sqlite3.Error) -> str:
    name = err.sqlite_errorname or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "no such table" in str(err):
        return f"{path}: not a tui-tutor progress file ({err})"
    return f"{path}: cannot read the progress file: {err}"


def _owner(path: Path) -> str:
    try:
        return path.owner()
    except (KeyError, OSError):
        return f"user {path.stat().st_uid}"


def rows(db: sqlite3.Connection, learners: list[str], lessons: list) -> list[dict]:
    from ..progress import lesson_progress

    out = []
    for learner in learners:
        for lesson in lessons:
            p = lesson_progress(db, learner, lesson.id, len(lesson.questions))
            out.append(
                {
                    "learner": learner,
                    "number": lesson.number,
                    "lesson": lesson.id,
                    "title": lesson.title.en,
                    "status": p.status,
                    "score": p.score,
                    "questions": p.total,
                    "hints": p.hints,
                    "reveals": p.reveals,
                    "minutes": round(p.seconds / 60, 1),
                }
            )
    return out


def _table(title: str, data: list[dict], with_learner: bool) -> None:
    """A table that fits the terminal: the lesson title is the only column that shrinks."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    heads = (["learner"] if with_learner else []) + [
        "#",
        "lesson",
        "status",
        "score",
        "hints",
        "shown",
        "min",
    ]
    rows = []
    for row in data:
        rows.append(
            [
                *([row["learner"]] if with_learner else []),
                str(row["number"]),
                row["title"],
                row["status"],
                f"{row['score']:g}/{row['questions']}",
                str(row["hints"]),
                str(row["reveals"]),
                f"{row['minutes']:g}",
            ]
        )
    widths = [max([len(h), *(len(r[k]) for r in rows)]) for k, h in enumerate(heads)]
    console = Console()
    lesson = heads.index("lesson")
    widths = [w + 2 for w in widths]  # a column's width counts its padding
    fixed = sum(w for k, w in enumerate(widths) if k != lesson)
    room = console.width - fixed - (len(heads) - 1)  # one cell between columns
    widths[lesson] = max(14, min(widths[lesson], room))
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for k, head in enumerate(heads):
        table.add_column(
            head,
            width=widths[k],
            no_wrap=True,
            overflow="ellipsis",
            justify="left" if head in ("learner", "lesson", "status") else "right",
        )
    for cells in rows:
        table.add_row(*cells)
    console.print(table)
    print(
        "score: 1 per question right at the first try, 0.5 after a hint or a retry; "
        "shown: answers revealed"
    )


def run_progress(args: argparse.Namespace) -> int:
    from ..progress import default_learner

    learner = args.learner or default_learner()
    db, path = _open(args.data_dir)
    data = rows(db, [learner], _lessons(args.lessons))
    _table(f"{learner}'s progress ({path})", data, with_learner=False)
    done = sum(1 for r in data if r["status"] == "solved")
    print(f"{done} of {len(data)} lessons solved")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from ..progress import all_learners

    db, path = _open(args.data_dir)
    learners = all_learners(db)
    data = [r for r in rows(db, learners, _lessons(args.lessons))]
    if args.csv:
        import csv

        writer = csv.DictWriter(
            sys.stdout, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(data)
        return 0
    if not learners:
        print(f"{path}: no learner has started a lesson yet")
        return 0
    _table(f"Report: {len(learners)} learners ({path})", data, with_learner=True)
    return 0
