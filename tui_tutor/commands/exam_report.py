"""``tui-tutor report --exam NAME``: an exam's results, per learner and question, per question.

Answers are what learners typed: they are shown as plain text (never as markup, control
characters taken out), so no answer can change the trainer's terminal.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from . import CommandError

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from ..db import Database
    from ..exams.results import ExamResults

CSV_COLUMNS = [
    "learner",
    "number",
    "lesson",
    "question",
    "answer",
    "correct",
    "seconds",
    "class_right",
    "class_answered",
]


def exam_rows(results: ExamResults) -> list[dict]:
    """One row per learner and question, answered or not, with how the class did on it."""
    from ..exams.attempt import clean_answer

    by_question = {q.key: q for q in results.by_question()}
    rows = []
    for learner in results.learners:
        for number, key in enumerate(results.questions, 1):
            lesson, _, question = key.partition("/")
            given = learner.answers.get(key)
            rows.append(
                {
                    "learner": clean_answer(learner.learner),
                    "number": number,
                    "lesson": lesson,
                    "question": question,
                    "answer": clean_answer(given.answer) if given else "",
                    "correct": ("yes" if given.correct else "no") if given else "",
                    "seconds": round(given.seconds, 1) if given else "",
                    "class_right": by_question[key].right,
                    "class_answered": by_question[key].answered,
                }
            )
    return rows


def run(args: argparse.Namespace, db: Database) -> int:
    import difflib

    from ..exams.results import UnknownExam, read_results

    try:
        results = read_results(db, args.exam, time.time())
    except UnknownExam as err:
        close = difflib.get_close_matches(err.name, err.known, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        known = f"exams: {', '.join(err.known)}" if err.known else "no exam has been started yet"
        raise CommandError(f'{db.label}: no exam "{err.name}".{hint} ({known})') from None
    rows = exam_rows(results)
    if args.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    _print(results, rows, db.label)
    return 0


def _print(results: ExamResults, rows: list[dict], where: str) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    learners = results.learners
    console.print(
        Text(f"Exam {results.name}: {results.titles['en']} ({len(learners)} learners; {where})"),
        style="bold",
    )
    if not learners:
        print("No learner has started it yet.")
        return
    answers = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    justify: JustifyMethod
    for head, justify in (
        ("learner", "left"),
        ("#", "right"),
        ("question", "left"),
        ("answer", "left"),
        ("right", "left"),
        ("s", "right"),
    ):
        answers.add_column(head, justify=justify, no_wrap=head != "answer", overflow="fold")
    for row in rows:
        mark = {"yes": "✔", "no": "✘", "": "-"}[row["correct"]]
        answers.add_row(
            Text(row["learner"]),
            str(row["number"]),
            Text(f"{row['lesson']}/{row['question']}"),
            Text(row["answer"] or "(no answer)"),
            mark,
            f"{row['seconds']:g}" if row["seconds"] != "" else "",
        )
    console.print(answers)
    totals = Table(title="Per learner", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for head in ("learner", "right", "answered", "minutes", "state"):
        totals.add_column(head, justify="left" if head in ("learner", "state") else "right")
    total = len(results.questions)
    for learner in learners:
        totals.add_row(
            Text(learner.learner),
            f"{learner.right}/{total}",
            str(len(learner.answers)),
            f"{(learner.ended - learner.started) / 60:.1f}",
            "finished" if learner.over else "taking it",
        )
    console.print(totals)
    questions = Table(title="Per question", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for head in ("#", "question", "right", "answered", "median s"):
        questions.add_column(head, justify="left" if head == "question" else "right")
    for q in results.by_question():
        questions.add_row(
            str(q.number),
            Text(q.key),
            f"{q.right}/{len(learners)}",
            str(q.answered),
            f"{q.median_seconds:.0f}" if q.median_seconds is not None else "-",
        )
    console.print(questions)
    print("right: how many learners got it right, of all who started the exam")
