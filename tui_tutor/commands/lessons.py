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
