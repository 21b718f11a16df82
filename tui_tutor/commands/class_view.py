"""``tui-tutor class``: the trainer's live view of every learner, read from the progress."""

from __future__ import annotations

import argparse

from . import CommandError, add_global_options, database_url


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "class",
        help="the trainer's live view: every learner's lesson, step and score; who is stuck",
        description="A live view of the class for the trainer: each learner's lesson and step, "
        "score, hints and reveals, minutes since their last answer, the stuck flagged. It "
        "reads the progress every few seconds and never writes it.",
    )
    add_global_options(p, "data_dir", "database", "lessons", "lang")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..app.class_app import ClassApp
    from ..classroom import ClassReader
    from ..db import DatabaseError, open_reader
    from .app import lesson_folder

    url = database_url(args)
    folder, _ids = lesson_folder(args.lessons)
    try:
        db = open_reader(url, args.data_dir)
    except DatabaseError as err:
        raise CommandError(str(err), status=1) from None
    from ..lessons.loader import load_all

    loaded, _problems = load_all([folder])
    try:
        ClassApp(ClassReader(db, [item.lesson for item in loaded]), lang=args.lang).run()
    finally:
        db.close()
    return 0
