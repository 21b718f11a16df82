"""The ``tui-tutor`` command line: a dispatcher over ``tui_tutor.commands``.

Each subcommand lives in its own module with ``register(subparsers)``; heavy
imports stay inside the command functions so that starting the app stays fast.
A command reports bad input by raising ``CommandError``: one line per problem on
stderr and a non-zero exit status, never a traceback. A mistyped command or option
is one line too (with a "did you mean"), not argparse's usage block.

The tutor's options (``--data-dir``, ``--learner``, ``--lessons``, ``--lang``) may come
before a subcommand as well as after it: ``tui-tutor --data-dir X progress`` is
``tui-tutor progress --data-dir X``. Given before a command that has no use for one,
it is refused in one line rather than silently ignored.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .commands import GLOBAL_OPTIONS, CommandError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing slows every start
if TYPE_CHECKING:
    from typing import NoReturn

# modules under tui_tutor.commands, in the order --help lists them
COMMANDS = ["app", "simulate", "lessons", "progress", "class_view", "capture", "live", "serve"]


# each subcommand's name -> its module: `tui-tutor` alone (the tutor) needs none of the
# other modules, `tui-tutor open` only the tutor's own (imported to register it: 8 ms for all)
SUBCOMMAND_MODULES = {
    "open": "app",
    "simulate": "simulate",
    "lessons": "lessons",
    "progress": "progress",
    "report": "progress",
    "class": "class_view",
    "capture": "capture",
    "live": "live",
    "serve-ssh": "serve",
    "serve-web": "serve",
}
SUBCOMMANDS = frozenset(SUBCOMMAND_MODULES)


class _Refused(Exception):
    """What argparse would have printed with its usage block; ``main`` prints one line."""


class Parser(argparse.ArgumentParser):
    """argparse, with one line per mistake and a "did you mean" for a mistyped name."""

    def error(self, message: str) -> NoReturn:
        raise _Refused(f"{self.prog}: {message} (see {self.prog} --help)")

    def _check_value(self, action: argparse.Action, value: object) -> None:
        if isinstance(action, argparse._SubParsersAction) and value not in action.choices:
            import difflib

            names = list(action.choices)
            close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.5)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            what = "command" if self.prog == "tui-tutor" else "action"
            raise _Refused(
                f'{self.prog}: unknown {what} "{value}".{hint} The {what}s: {", ".join(names)}'
            )
        super()._check_value(action, value)


def build_parser(full: bool = True, commands: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; ``full=False`` only the tutor's own options and the subcommands named in
    ``commands`` (a faster start)."""
    parser = Parser(
        prog="tui-tutor",
        description="Learn how TCP opens and closes connections by predicting every segment.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = {COMMANDS[0], *(SUBCOMMAND_MODULES[name] for name in commands or [])}
    for name in COMMANDS if full else [m for m in COMMANDS if m in wanted]:
        importlib.import_module(f"tui_tutor.commands.{name}").register(sub, parser)
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """The arguments, or ``CommandError`` with one line."""
    full = any(arg in ("-h", "--help") for arg in argv)
    named = [arg for arg in argv if arg in SUBCOMMANDS]  # an option's value may be one too
    try:
        try:
            parser = build_parser(full, named)
            args = parser.parse_args(argv)
        except _Refused:
            if full:
                raise
            # the fast parser knows only the commands named: a mistyped one (and the list
            # of them all) is said by the full parser
            parser = build_parser(full=True)
            args = parser.parse_args(argv)
    except _Refused as err:
        raise CommandError(str(err)) from None
    _place_global_options(parser, args)
    return args


def _place_global_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Options given before the command go to it, if it takes them; defaults for the rest."""
    given_first: list[str] = getattr(args, "given_before_command", [])
    command = getattr(args, "command", None)
    if command is not None:
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        takes = sub.choices[command]._option_string_actions
        for option in given_first:
            if option not in takes:
                raise CommandError(
                    f"tui-tutor: {option} does not apply to `tui-tutor {command}` "
                    f"(see tui-tutor {command} --help)"
                )
    for dest, default in GLOBAL_OPTIONS.items():
        if not hasattr(args, dest):
            setattr(args, dest, default)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parse(argv)
        return int(args.handler(args) or 0)
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
