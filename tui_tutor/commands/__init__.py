"""Subcommands of ``tui-tutor``, one module each, and what they share.

``CommandError`` is the error they all raise. The tutor's own options (``GLOBAL_OPTIONS``)
are given to the top-level parser and to every command that uses them; the command line
(``cli.py``) lets them come before the command's name as well as after it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DATABASE_ENV = "TUI_TUTOR_DATABASE"  # --database's default: keeps a password out of `ps`


class CommandError(Exception):
    """Bad input: each line is printed to stderr as is; the process exits with ``status``."""

    def __init__(self, lines: list[str] | str, status: int = 2) -> None:
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        self.status = status
        super().__init__("\n".join(self.lines))


# dest -> (option, what argparse needs, default once parsing is over)
_OPTIONS: dict[str, tuple[str, dict, object]] = {
    "lessons": (
        "--lessons",
        {"type": Path, "metavar": "DIR", "help": "lesson folder (default: the bundled lessons)"},
        None,
    ),
    "data_dir": (
        "--data-dir",
        {
            "type": Path,
            "metavar": "DIR",
            "help": "where progress is kept (default: your user data folder)",
        },
        None,
    ),
    "database": (
        "--database",
        {
            "metavar": "URL",
            "help": "where progress is kept: sqlite:///PATH or postgresql://USER@HOST/NAME "
            f"(default: ${DATABASE_ENV}, else progress.sqlite3 in the data folder)",
        },
        None,
    ),
    "learner": (
        "--learner",
        {"metavar": "NAME", "help": "whose progress (default: your login name)"},
        None,
    ),
    "lang": (
        "--lang",
        {"choices": ["en", "zh"], "help": "language at start: en or zh (l switches)"},
        "en",
    ),
    "lesson": ("--lesson", {"metavar": "ID", "help": "open this lesson at once"}, None),
    "exam": (
        "--exam",
        {"type": Path, "metavar": "FILE", "help": "take this exam (a .toml exam file)"},
        None,
    ),
    "no_live": (
        "--no-live",
        {
            "action": "store_true",
            "help": "turn live mode (k: your kernel) off; servers do this unless --allow-live",
        },
        False,
    ),
    # set by serve-ssh and serve-web for each learner's app: no path of the server is typed
    # or shown; captures only from --captures
    "served": ("--served", {"action": "store_true", "help": argparse.SUPPRESS}, False),
    "captures": ("--captures", {"type": Path, "metavar": "DIR", "help": argparse.SUPPRESS}, None),
}
GLOBAL_OPTIONS = {dest: default for dest, (_, _, default) in _OPTIONS.items()}


class _BeforeCommand(argparse.Action):
    """Store the value and note that it came before any command's name."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, self.const if self.nargs == 0 else values)
        given = getattr(namespace, "given_before_command", [])
        namespace.given_before_command = [*given, self.option_strings[0]]


def add_global_options(
    p: argparse.ArgumentParser, *dests: str, top: bool = False, help: str | None = None
) -> None:
    """Add the tutor's options ``dests`` to ``p``; ``top``: the top-level parser.

    No default is set here (``cli`` sets them after parsing): a command's default
    would overwrite the value given before the command's name. ``help`` replaces the
    options' own help text, for a command that uses them in its own way.
    """
    for dest in dests:
        option, kwargs, _default = _OPTIONS[dest]
        kwargs = {**kwargs, **({"help": help} if help else {})}
        if top:
            flag = kwargs.pop("action", None) == "store_true"
            kwargs.update(action=_BeforeCommand, **({"nargs": 0, "const": True} if flag else {}))
        p.add_argument(option, dest=dest, default=argparse.SUPPRESS, **kwargs)


def database_url(args: argparse.Namespace) -> str | None:
    """``--database``, else ``$TUI_TUTOR_DATABASE``: a URL, or None for the data folder's file.
    A URL that names no database is refused in one line."""
    url = getattr(args, "database", None) or os.environ.get(DATABASE_ENV) or None
    if url is not None:
        from ..db import DatabaseError, sqlite_path

        try:
            sqlite_path(url, None)
        except DatabaseError as err:
            raise CommandError(str(err)) from None
    return url
