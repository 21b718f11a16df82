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
COMMANDS = ["app", "simulate", "lessons", "progress", "capture", "serve"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tui-tutor",
        description="Learn how TCP opens and closes connections by predicting every segment.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"tui_tutor.commands.{name}").register(sub, parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
