"""``tui-tutor`` with no command: the tutor itself, on the bundled lessons."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from . import CommandError

if TYPE_CHECKING:
    from ..app.app import TutorApp


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
    # set by serve-ssh and serve-web for each learner's app: no path of the server is
    # typed or shown; captures only from --captures
    p.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--captures", type=Path, metavar="DIR", help=argparse.SUPPRESS)


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    add_learner_options(parent)
    parent.add_argument("--lesson", metavar="ID", help="open this lesson at once")
    parent.add_argument(
        "--no-live",
        action="store_true",
        help="turn live mode (k: your kernel) off; servers do this unless --allow-live",
    )
    parent.set_defaults(handler=run)
    p = sub.add_parser("open", help="step through a real capture (pcap, pcapng) as a quiz")
    p.add_argument("file", type=Path, help="a .pcap or .pcapng file")
    p.add_argument(
        "--connection",
        type=int,
        metavar="N",
        help="which TCP connection (1-based, as `tui-tutor capture` lists them)",
    )
    add_learner_options(p)
    p.set_defaults(handler=run_open)


def run(args: argparse.Namespace) -> int:
    from ..app import make_app
    from ..progress import ProgressError

    if args.lessons is not None and not args.lessons.is_dir():
        raise CommandError(f"{args.lessons}: no such lesson folder")
    try:
        app = make_app(
            args.lessons,
            args.data_dir,
            args.learner,
            args.lang,
            open_lesson=args.lesson,
            allow_live=not args.no_live,
            served=args.served,
            captures_dir=args.captures,
        )
    except ProgressError as err:
        raise CommandError(str(err)) from None
    app.run()
    return finished(app)


def finished(app: TutorApp) -> int:
    """The exit status: progress that could not be saved is one line and UNSAVED_EXIT."""
    from ..progress import UNSAVED_EXIT

    if app.store is not None:
        app.store.close()
        line = app.store.unsaved_line()
        if line is not None:
            raise CommandError(f"tui-tutor: {line}", status=UNSAVED_EXIT)
    return app.return_code or 0


def run_open(args: argparse.Namespace) -> int:
    """Check the file before the screen takes over, so a bad one is one line and exit 2."""
    from ..captures import CaptureError, read_capture

    try:
        connections = read_capture(args.file, str(args.file))
    except CaptureError as err:
        raise CommandError(str(err)) from None
    if args.connection is not None and not 1 <= args.connection <= len(connections):
        raise CommandError(
            f"{args.file}: no connection {args.connection} (it has "
            f"{len(connections)}: 1 to {len(connections)})"
        )
    from ..app import make_app
    from ..progress import ProgressError

    try:
        app = make_app(args.lessons, args.data_dir, args.learner, args.lang, open_capture=args.file)
    except ProgressError as err:
        raise CommandError(str(err)) from None
    app.capture_connection = args.connection
    app.run()
    return finished(app)
