"""``tui-tutor`` with no command: the tutor itself, on the bundled lessons."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import CommandError


def add_learner_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lessons", type=Path, metavar="DIR", help="lesson folder (default: the bundled lessons)"
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="where progress is kept (default: your user data folder)",
    )
    p.add_argument("--learner", metavar="NAME", help="whose progress (default: your login name)")
    p.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="language at start: en or zh (l switches)",
    )


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    add_learner_options(parent)
    parent.add_argument("--lesson", metavar="ID", help="open this lesson at once")
    parent.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..app import make_app
    from ..progress import ProgressError

    if args.lessons is not None and not args.lessons.is_dir():
        raise CommandError(f"{args.lessons}: no such lesson folder")
    try:
        app = make_app(
            args.lessons, args.data_dir, args.learner, args.lang, open_lesson=args.lesson
        )
    except ProgressError as err:
        raise CommandError(str(err)) from None
    app.run()
    return 0
