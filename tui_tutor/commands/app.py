"""``tui-tutor`` with no command: the tutor itself, on the bundled lessons."""

from __future__ import annotations

import argparse
import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path

from . import GLOBAL_OPTIONS, CommandError, add_global_options, database_url

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing slows the tutor's start
if TYPE_CHECKING:
    from ..app.app import TutorApp
    from ..exams.load import LoadedExam


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    add_global_options(parent, *GLOBAL_OPTIONS, top=True)
    parent.set_defaults(handler=run)
    p = sub.add_parser("open", help="step through a real capture (pcap, pcapng) as a quiz")
    p.add_argument("file", type=Path, help="a .pcap or .pcapng file")
    p.add_argument(
        "--connection",
        type=int,
        metavar="N",
        help="which TCP connection (1-based, as `tui-tutor capture` lists them)",
    )
    # --served and --captures: set by serve-ssh and serve-web for each learner's app (no
    # path of the server is typed or shown; captures only from --captures)
    add_global_options(
        p, "lessons", "data_dir", "database", "learner", "lang", "served", "captures"
    )
    p.set_defaults(handler=run_open)


def lesson_folder(folder: Path | None) -> tuple[Path, list[str]]:
    """The lesson folder and its lesson ids, checked before any screen is drawn.

    Two lessons with one id are one line each (naming both files) and exit status 1.
    """
    from ..lessons import default_dir
    from ..lessons.catalog import scan_catalog

    if folder is not None and not folder.is_dir():
        raise CommandError(f"{folder}: no such lesson folder")
    folder = folder or default_dir()
    infos, problems = scan_catalog(folder)
    if problems:
        raise CommandError(problems, status=1)
    return folder, [info.id for info in infos]


def run(args: argparse.Namespace) -> int:
    with start_without_gc():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..progress import ProgressError

    database = database_url(args)
    folder, ids = lesson_folder(args.lessons)
    if args.lesson is not None and args.lesson not in ids:
        from ..lessons.catalog import find, read_catalog

        numbered = find(read_catalog(folder), args.lesson)  # the number `lessons list` shows
        if numbered is not None:
            args.lesson = numbered.id
    if args.lesson is not None and args.lesson not in ids:
        import difflib

        close = difflib.get_close_matches(args.lesson, ids, n=1, cutoff=0.5)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        raise CommandError(
            f"--lesson {args.lesson}: no lesson has this id or number.{hint} "
            "(tui-tutor lessons list shows them)"
        )
    exam = load_exam_file(args.exam, folder) if args.exam is not None else None
    from ..app import make_app

    try:
        app = make_app(
            folder,
            args.data_dir,
            args.learner,
            args.lang,
            database=database,
            open_lesson=args.lesson,
            exam=exam,
            allow_live=not args.no_live,
            served=args.served,
            captures_dir=args.captures,
        )
    except ProgressError as err:
        raise CommandError(str(err)) from None
    app.run()
    return finished(app)


def load_exam_file(path: Path, lessons: Path) -> LoadedExam:
    """The exam, its questions found in the lessons; every problem one line, exit 2."""
    from ..exams.load import load_exam
    from ..validation import FileProblem

    try:
        return load_exam(path, lessons)
    except FileProblem as err:
        raise CommandError(err.lines) from None


def finished(app: TutorApp) -> int:
    """The exit status: progress that could not be saved is one line and UNSAVED_EXIT;
    non-zero too if the app stopped on an error."""
    from ..progress import UNSAVED_EXIT

    if app.store is not None:
        app.store.close()
        line = app.store.unsaved_line()
        if line is not None:
            raise CommandError(f"tui-tutor: {line}", status=UNSAVED_EXIT)
    return app.return_code or 0


@contextlib.contextmanager
def start_without_gc() -> Iterator[None]:
    """The garbage collector off until the first screen is painted (the app turns it on
    again then, and so does the end of the command, however it ends): the imports make
    60,000 objects the collector looks at again and again and frees hardly any of (450),
    30 ms of CPU, a tenth of the start."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_open(args: argparse.Namespace) -> int:
    with start_without_gc():
        return _run_open(args)


def _run_open(args: argparse.Namespace) -> int:
    """A file that is no capture is one line and exit 2 before the screen takes over. The
    dialog then lists the connections as it paints (a big capture takes its time there, in
    sight); with --connection the file is listed here, to say when there is no such one."""
    from ..captures import CaptureError
    from ..captures.stream import sniff

    connections = None
    try:
        if args.connection is None:
            sniff(args.file, str(args.file))  # first bytes only: no dpkt, no reading
        else:
            from ..captures import read_summaries

            connections = read_summaries(args.file, str(args.file))
    except CaptureError as err:
        raise CommandError(str(err)) from None
    if connections is not None and not 1 <= args.connection <= len(connections):
        raise CommandError(
            f"{args.file}: no connection {args.connection} (it has "
            f"{len(connections)}: 1 to {len(connections)})"
        )
    from ..app import make_app
    from ..progress import ProgressError

    folder, _ids = lesson_folder(args.lessons)
    try:
        app = make_app(
            folder,
            args.data_dir,
            args.learner,
            args.lang,
            database=database_url(args),
            open_capture=args.file,
        )
    except ProgressError as err:
        raise CommandError(str(err)) from None
    app.capture_connection = args.connection
    app.capture_summaries = connections
    app.run()
    return finished(app)
