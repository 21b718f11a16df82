"""``tui-tutor lessons list|check|schema|questions|grade``: the curriculum from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import CommandError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: every command parser imports this module
if TYPE_CHECKING:
    from typing import Any


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("lessons", help="list, check or describe lesson files")
    lsub = p.add_subparsers(dest="lessons_command", metavar="ACTION", required=True)

    ls = lsub.add_parser("list", help="the lessons, in curriculum order")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.add_argument("--dir", type=Path, help="lesson folder (default: the bundled lessons)")
    ls.set_defaults(handler=run_list)

    ck = lsub.add_parser("check", help="validate lessons and check them against the engine")
    ck.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="lesson files or folders (default: the bundled lessons)",
    )
    ck.set_defaults(handler=run_check)

    sc = lsub.add_parser("schema", help="print the JSON Schema of lesson files (or exam files)")
    sc.add_argument("--exam", action="store_true", help="the schema of exam files")
    sc.set_defaults(handler=run_schema)

    cov = lsub.add_parser(
        "coverage", help="which rows of the engine's state table the lessons ask or play"
    )
    cov.add_argument("--json", action="store_true", help="print JSON")
    cov.add_argument("--dir", type=Path, help="lesson folder (default: the bundled lessons)")
    cov.set_defaults(handler=run_coverage)

    _register_grading(lsub)


def lesson_schema() -> dict:
    from ..lessons.model import Lesson

    schema = Lesson.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tui-tutor lesson"
    return schema


def run_schema(args: argparse.Namespace) -> int:
    if args.exam:
        from ..exams.model import exam_schema

        print(json.dumps(exam_schema(), indent=2, ensure_ascii=False))
        return 0
    print(json.dumps(lesson_schema(), indent=2, ensure_ascii=False))
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Lessons, and exams (files with ``kind = "exam"``) against the lessons checked with
    them, else against the bundled ones."""
    from ..exams.load import check_exams, exam_files
    from ..lessons import default_dir
    from ..lessons.checker import check_paths
    from ..lessons.loader import load_all

    paths = args.paths or [default_dir()]
    exams = exam_files(paths)
    lesson_paths = [p for p in paths if p not in exams]
    loaded, problems = check_paths(lesson_paths) if lesson_paths else ([], [])
    lessons = {item.lesson.id: item.lesson for item in loaded or load_all([default_dir()])[0]}
    exams_right, exam_problems = check_exams(exams, lessons)
    problems += exam_problems
    if problems:
        raise CommandError(problems, status=1)
    said = []
    if lesson_paths:
        said.append(f"{len(loaded)} lesson{'s' if len(loaded) != 1 else ''} OK")
    if exams:
        said.append(f"{exams_right} exam{'s' if exams_right != 1 else ''} OK")
    print("; ".join(said))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from ..lessons import default_dir
    from ..lessons.loader import load_all

    folder = args.dir or default_dir()
    loaded, problems = load_all([folder])
    if problems:
        raise CommandError(problems, status=1)
    if args.json:
        rows = [
            {
                "id": item.lesson.id,
                "title": {"en": item.lesson.title.en, "zh": item.lesson.title.zh},
                "level": item.lesson.level,
                "file": str(item.path),
            }
            for item in loaded
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Lessons in {folder}")
    table.add_column("#", justify="right")
    table.add_column("id", no_wrap=True)  # authors copy ids into prerequisites: never cut
    table.add_column("level", no_wrap=True)
    # a word longer than the column (Chinese has no spaces to wrap at) folds, never cut
    table.add_column("title", ratio=1, overflow="fold")
    table.add_column("标题", ratio=1, overflow="fold")
    for item in loaded:
        lesson = item.lesson
        table.add_row(str(lesson.number), lesson.id, lesson.level, lesson.title.en, lesson.title.zh)
    Console().print(table)
    return 0


def run_coverage(args: argparse.Namespace) -> int:
    from ..lessons import default_dir
    from ..lessons.checker import check_paths
    from ..lessons.coverage import coverage, summarize

    folder = args.dir or default_dir()
    loaded, problems = check_paths([folder])  # coverage of lessons that pass check only
    if problems:
        raise CommandError(problems, status=1)
    rows = coverage(loaded)
    if args.json:
        print(json.dumps({"transitions": [r.to_json() for r in rows]}, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="The engine's state table: the lessons (by number) that ask each row in a"
        " question, and those that only play it"
    )
    table.add_column("state", no_wrap=True)
    # on 80 columns (make test's log) the event wraps, so that the lessons keep their room
    table.add_column("event", min_width=10)
    table.add_column("next state", no_wrap=True)
    table.add_column("fig. 5", no_wrap=True)
    table.add_column("asked in lessons", ratio=1, min_width=9)
    table.add_column("only played in", ratio=1, min_width=9)
    number = {item.lesson.id: str(item.lesson.number) for item in loaded}
    for row in rows:
        t = row.transition
        asking = list(dict.fromkeys(a.split("#")[0] for a in row.asked_in))
        played = [name for name in row.played_in if name not in asking]
        table.add_row(
            str(t.state),
            f"{t.event} ({t.when})" if t.when else str(t.event),
            str(t.next_state),
            "yes" if t.figure5 else "",
            " ".join(number[n] for n in asking) or ("[red]none[/]" if t.figure5 else "-"),
            " ".join(number[n] for n in played) or "-",
        )
    console = Console()
    console.print(table)
    s = summarize(rows)
    console.print(f"RFC 9293 figure 5 arrows asked: {s.figure5_asked} of {s.figure5_total}")
    console.print(
        f"reset, abort and give-up rows asked or played: {s.endings_reached} of {s.endings_total}"
    )
    console.print(f"rows played by some lesson: {s.rows_played} of {s.rows_total}")
    return 0


# ------------------------------------------------------------------ questions and grade
# For authors (try a wrong answer without the app) and tests: grading goes through
# tui_tutor.lessons.quiz.grade_question, exactly as the lesson screen does.

# ISNs for a lesson whose scenario leaves them to chance; answers in the x/y form do not
# depend on them, absolute numbers do (the output names them).
GRADE_ISNS = (1000, 5000)


def _register_grading(lsub: argparse._SubParsersAction) -> None:
    qs = lsub.add_parser("questions", help="every question of a lesson, with its id")
    qs.add_argument("lesson", metavar="LESSON", help="lesson id or file")
    qs.add_argument("--json", action="store_true", help="print JSON")
    qs.set_defaults(handler=run_questions)

    gr = lsub.add_parser(
        "grade", help="grade one answer to a question as the app would, and print the feedback"
    )
    gr.add_argument("lesson", metavar="LESSON", help="lesson id or file")
    gr.add_argument("question", metavar="QUESTION", help="question id (see `lessons questions`)")
    gr.add_argument("--flags", default="", help='e.g. "SYN,ACK" (none: no flag set)')
    gr.add_argument("--seq", default="", help="e.g. x+1, or a number as the screen shows them")
    gr.add_argument("--ack", default="", help="e.g. y+1; empty when ACK is not set")
    gr.add_argument("--len", default="", help="payload bytes")
    gr.add_argument("--client", metavar="STATE", default="", help="the client's state")
    gr.add_argument("--server", metavar="STATE", default="", help="the server's state")
    gr.add_argument(
        "--choice", action="append", default=[], metavar="N", help="option number, from 1"
    )
    gr.add_argument(
        "--absolute", action="store_true", help="numbers are absolute (as after pressing t)"
    )
    gr.add_argument("--lang", choices=("en", "zh"), default="en", help="feedback language")
    gr.add_argument("--json", action="store_true", help="print JSON")
    gr.set_defaults(handler=run_grade)


def _find_lesson(name: str):
    """A lesson by file or by id: the loaded lesson, or CommandError naming what is wrong."""
    import difflib

    from ..lessons import default_dir
    from ..lessons.catalog import find, read_catalog
    from ..lessons.loader import load_lesson
    from ..validation import FileProblem

    path = Path(name)
    if not path.is_file():
        infos = read_catalog(default_dir())
        match = find(infos, name)
        if match is None:
            close = difflib.get_close_matches(name, [info.id for info in infos], n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise CommandError(f'no lesson "{name}" (an id, a number or a .toml file){hint}')
        path = match.path
    try:
        return load_lesson(path).lesson
    except FileProblem as err:
        raise CommandError(err.lines) from None


def _question_rows(lesson) -> list[dict]:
    from ..lessons.model import Choice, PredictSegment, PredictState

    rows = []
    for index, step in lesson.questions:
        row: dict = {"id": step.id or f"q{index}"}
        if isinstance(step, PredictSegment):
            row |= {"kind": "segment", "segment": step.segment, "ask": list(step.ask)}
        elif isinstance(step, PredictState):
            row |= {"kind": "state", "segment": step.segment, "ask": ["state"]}
            row |= {"peer": step.peer, "when": step.when}
        elif isinstance(step, Choice):
            row |= {"kind": "choice", "segment": None, "ask": ["choice"]}
            row |= {"options": len(step.options)}
        rows.append(row)
    return rows


def run_questions(args: argparse.Namespace) -> int:
    lesson = _find_lesson(args.lesson)
    rows = _question_rows(lesson)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    width = max(len(row["id"]) for row in rows) if rows else 2
    print(f"{'id':{width}}  kind     segment  asks")
    for row in rows:
        segment = "-" if row["segment"] is None else str(row["segment"])
        asks = ", ".join(row["ask"])
        if row["kind"] == "state":
            asks = f"{row['peer']}'s state" + (" at the end" if row["when"] == "end" else "")
        elif row["kind"] == "choice":
            asks = f"choice of {row['options']}"
        print(f"{row['id']:{width}}  {row['kind']:7}  {segment:7}  {asks}")
    return 0


def _answer(args: argparse.Namespace, step) -> dict[str, object]:
    """What the learner entered, in the form the grader takes; bad input is a CommandError."""
    from ..lessons.model import Choice, PredictState
    from ..lessons.quiz import normalize_state, read_state

    for flag in ("client", "server"):
        text = getattr(args, flag)
        if text and read_state(text) is None:
            close = difflib_state(normalize_state(text))
            raise CommandError(f'--{flag}: unknown state "{text}"{close}')
    if isinstance(step, PredictState):
        other = "server" if step.peer == "client" else "client"
        if getattr(args, other) and not getattr(args, step.peer):
            raise CommandError(f"this question asks for the {step.peer}'s state: use --{step.peer}")
        return {"state": getattr(args, step.peer)}
    if isinstance(step, Choice):
        picked = set()
        for item in ",".join(args.choice).split(","):
            if not item.strip():
                continue
            if not item.strip().isdigit() or not 1 <= int(item) <= len(step.options):
                raise CommandError(
                    f'--choice: "{item.strip()}" is not an option number (1 to {len(step.options)})'
                )
            picked.add(int(item) - 1)
        return {"choice": picked}
    return {
        "flags": args.flags,
        "seq": args.seq,
        "ack": args.ack,
        "len": args.len,
        "client_state": args.client,
        "server_state": args.server,
    }


def difflib_state(name: str) -> str:
    import difflib

    from ..engine import State
    from ..lessons.quiz import MISSPELLINGS

    meant = MISSPELLINGS.get(name)
    if meant is not None:
        return f'; RFC 9293 spells it "{meant.value}"'
    close = difflib.get_close_matches(name, list(State.__members__), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


def run_grade(args: argparse.Namespace) -> int:
    from ..engine import Role
    from ..lessons import explain
    from ..lessons.quiz import Numbers, grade_question
    from ..lessons.timeline import play

    lesson = _find_lesson(args.lesson)
    ids = {(step.id or f"q{index}"): step for index, step in lesson.questions}
    step = ids.get(args.question)
    if step is None:
        listed = ", ".join(ids) or "none"
        raise CommandError(f'{lesson.id}: no question "{args.question}" (questions: {listed})')
    values = _answer(args, step)
    table = lesson.scenario
    isns = {
        Role.CLIENT: table.client.isn if table.client.isn is not None else GRADE_ISNS[0],
        Role.SERVER: table.server.isn if table.server.isn is not None else GRADE_ISNS[1],
    }
    run = play(lesson, isns=isns)
    numbers = Numbers(
        run.x,
        run.y,
        symbolic=lesson.numbers == "symbolic",
        absolute=args.absolute or lesson.numbers == "absolute",
    )
    lang = args.lang
    grade = grade_question(run, step, values, numbers, lang)
    fields: dict[str, dict[str, Any]] = {
        f.field: {
            "ok": f.correct,
            "expected": f.expected,
            # what the app shows: on a wrong try, advice on the wrong fields; once right, why
            "feedback": f.lines if grade.correct else ([] if f.correct else f.advice),
        }
        for f in grade.fields
    }
    feedback = [step.explain.get(lang)] if grade.correct else []
    if args.json:
        out = {"question": args.question, "correct": grade.correct, "fields": fields}
        print(json.dumps(out | {"feedback": feedback}, indent=2, ensure_ascii=False))
        return 0
    where = f"segment {step.segment}" if getattr(step, "segment", None) else step.kind
    print(f"{lesson.id} {args.question} ({where}; x={run.x}, y={run.y})")
    for f in grade.fields:
        name = explain.field_name(f.field, lang)
        mark = "✔" if f.correct else "✘"
        given = f.given if f.given not in ("", "-") else "-"
        expected = "" if f.correct else explain.phrase("cli_expected", lang, v=f.expected)
        colon, gap = ("：", "") if lang == "zh" else (": ", "  ")
        print(f"{mark} {name}{colon}{given}{gap if expected else ''}{expected}")
        for line in fields[f.field]["feedback"]:
            print(f"    {line}")
    for line in feedback:
        print(line)
    print(explain.phrase("cli_right" if grade.correct else "cli_wrong", lang))
    return 0
