"""The ``tui-tutor`` command line: a dispatcher over ``tui_tutor.commands``.

Each subcommand lives in its own module with ``register(subparsers)``; heavy
imports stay inside the command functions so that starting the app stays fast.
A command reports bad input by raising ``CommandError``: one line per problem on
stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .commands import CommandError

# modules under tui_tutor.commands, in the order --help lists them
COMMANDS = ["app", "simulate", "lessons", "progress", "capture", "live", "serve"]


# every subcommand's name; `tui-tutor` alone (the tutor) needs none of their modules
SUBCOMMANDS = frozenset(
    {
        "open",
        "simulate",
        "lessons",
        "progress",
        "report",
        "capture",
        "live",
        "serve-ssh",
        "serve-web",
    }
)


def build_parser(full: bool = True) -> argparse.ArgumentParser:
    """The parser; ``full=False`` only the tutor's own options (a faster start)."""
    parser = argparse.ArgumentParser(
        prog="tui-tutor",
        description="Learn how TCP opens and closes connections by predicting every segment.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if full else COMMANDS[:1]:
        importlib.import_module(f"tui_tutor.commands.{name}").register(sub, parser)
    return parser


def _needs_full_parser(argv: list[str]) -> bool:
    return any(arg in SUBCOMMANDS or arg in ("-h", "--help") for arg in argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(full=_needs_full_parser(argv))
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        handler = parser.get_default("handler")
    try:
        return int(handler(args) or 0)
    except CommandError as err:
        for line in err.lines:
            print(line, file=sys.stderr)
        return err.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
