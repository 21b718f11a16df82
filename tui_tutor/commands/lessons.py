"""``tui-tutor lessons list|check|schema``: the curriculum from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import CommandError


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

    sc = lsub.add_parser("schema", help="print the JSON Schema of lesson files")
    sc.set_defaults(handler=run_schema)

    cov = lsub.add_parser(
        "coverage", help="which rows of the engine's state table the lessons ask or play"
    )
    cov.add_argument("--json", action="store_true", help="print JSON")
    cov.add_argument("--dir", type=Path, help="lesson folder (default: the bundled lessons)")
    cov.set_defaults(handler=run_coverage)


def lesson_schema() -> dict:
    from ..lessons.model import Lesson

    schema = Lesson.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tui-tutor lesson"
    return schema


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(lesson_schema(), indent=2, ensure_ascii=False))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ..lessons import default_dir
    from ..lessons.checker import check_paths

    paths = args.paths or [default_dir()]
    loaded, problems = check_paths(paths)
    if problems:
        raise CommandError(problems, status=1)
    print(f"{len(loaded)} lesson{'s' if len(loaded) != 1 else ''} OK")
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
    table.add_column("title", ratio=1)
    table.add_column("标题", ratio=1)
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
    table.add_column("event", no_wrap=True)
    table.add_column("next state", no_wrap=True)
    table.add_column("fig. 5", no_wrap=True)
    table.add_column("asked in lessons", ratio=1)
    table.add_column("only played in", ratio=1)
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
