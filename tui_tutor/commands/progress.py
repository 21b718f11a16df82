"""``tui-tutor progress`` (one learner) and ``tui-tutor report`` (every learner, for trainers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import CommandError, add_global_options, database_url

if TYPE_CHECKING:
    from ..db import Database

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
    add_global_options(p, "data_dir", "database", "learner", "lessons")
    p.set_defaults(handler=run_progress)

    r = sub.add_parser("report", help="every learner's progress, for the trainer")
    add_global_options(r, "data_dir", "database", "lessons")
    r.add_argument("--csv", action="store_true", help="CSV for a spreadsheet")
    r.add_argument(
        "--exam",
        metavar="NAME",
        help="an exam's results: each learner's answers, and how many got each question right",
    )
    r.set_defaults(handler=run_report)


def _lessons(folder: Path | None) -> list:
    from ..lessons import default_dir
    from ..lessons.loader import load_all

    loaded, _problems = load_all([folder or default_dir()])
    return [item.lesson for item in loaded]


def _open(args: argparse.Namespace) -> Database:
    """The progress database, read-only; when it cannot be read, the line says why."""
    from ..db import DatabaseError, open_reader

    try:
        return open_reader(database_url(args), args.data_dir)
    except DatabaseError as err:
        raise CommandError(str(err), status=1) from None


def rows(db: Database, learners: list[str], lessons: list) -> list[dict]:
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
    db = _open(args)
    data = rows(db, [learner], _lessons(args.lessons))
    _table(f"{learner}'s progress ({db.label})", data, with_learner=False)
    done = sum(1 for r in data if r["status"] == "solved")
    print(f"{done} of {len(data)} lessons solved")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from ..progress import all_learners

    db = _open(args)
    if args.exam is not None:
        from . import exam_report

        return exam_report.run(args, db)
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
        print(f"{db.label}: no learner has started a lesson yet")
        return 0
    count = f"{len(learners)} learner{'s' if len(learners) != 1 else ''}"
    _table(f"Report: {count} ({db.label})", data, with_learner=True)
    return 0
