"""The command line's fast path: `tui-tutor` alone must not miss a subcommand."""

from __future__ import annotations

import argparse

from tui_tutor import cli


def test_the_fast_path_knows_every_subcommand_the_full_parser_has():
    parser = cli.build_parser(full=True)
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == cli.SUBCOMMANDS, (
        "a subcommand missing from cli.SUBCOMMANDS would be read as the tutor's own options"
    )


def test_a_subcommand_anywhere_in_the_arguments_gets_the_full_parser():
    assert cli._needs_full_parser(["report", "--csv"])
    assert cli._needs_full_parser(["--lang", "zh", "open", "x.pcap"])
    assert cli._needs_full_parser(["--help"])
    assert not cli._needs_full_parser([])
    assert not cli._needs_full_parser(["--lang", "zh", "--lesson", "review"])
