"""The command line: its fast path, one line per mistake, options before the command."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from tui_tutor import cli
from tui_tutor.progress import ProgressStore

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def test_the_fast_path_knows_every_subcommand_the_full_parser_has():
    parser = cli.build_parser(full=True)
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == cli.SUBCOMMANDS, (
        "a subcommand missing from cli.SUBCOMMANDS would be read as the tutor's own options"
    )


def test_the_fast_parser_of_each_subcommand_knows_it():
    for name in cli.SUBCOMMANDS:
        parser = cli.build_parser(full=False, commands=[name])
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        assert name in sub.choices, f"cli.SUBCOMMAND_MODULES names the wrong module for {name}"


def test_a_subcommand_anywhere_in_the_arguments_is_parsed_as_that_command():
    assert cli.parse(["report", "--csv"]).command == "report"
    args = cli.parse(["--lang", "zh", "open", "x.pcap"])
    assert (args.command, args.lang, str(args.file)) == ("open", "zh", "x.pcap")
    # an option's value that is a command's name too: the command is the one after it
    args = cli.parse(["--learner", "live", "progress"])
    assert (args.command, args.learner) == ("progress", "live")
    assert cli.parse(["--lang", "zh", "--lesson", "review"]).command is None


def test_the_tutor_and_open_import_no_other_command():
    script = (
        "import sys\n"
        "from tui_tutor import cli\n"
        "cli.parse(sys.argv[1:])\n"
        "print(sorted(m for m in sys.modules if m.startswith('tui_tutor.commands.')))\n"
    )
    for argv in ([], ["--lang", "zh"], ["open", "x.pcap", "--connection", "2"]):
        out = subprocess.run(
            [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True
        ).stdout
        assert out.strip() == "['tui_tutor.commands.app']", argv


# ------------------------------------------------------------------ mistakes, said in one line


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def commands() -> list[str]:
    parser = cli.build_parser(full=True)
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


def test_a_mistyped_command_names_every_command_in_one_line(capsys):
    status, out, err = run(capsys, "lve")
    assert (status, out) == (2, "")
    names = commands()
    assert len(names) == 10
    assert err.splitlines() == [
        f'tui-tutor: unknown command "lve". Did you mean "live"? The commands: {", ".join(names)}'
    ]


def test_a_word_like_no_command_gets_no_guess(capsys):
    status, _, err = run(capsys, "xyzzy")
    assert status == 2
    assert err.splitlines() == [
        f'tui-tutor: unknown command "xyzzy". The commands: {", ".join(commands())}'
    ]


def test_a_mistyped_command_gets_a_did_you_mean(capsys):
    status, _, err = run(capsys, "--lang", "zh", "simulat", "x.toml")
    assert status == 2
    assert err.startswith('tui-tutor: unknown command "simulat". Did you mean "simulate"? ')
    assert len(err.splitlines()) == 1


def test_a_mistyped_lessons_action_gets_a_did_you_mean(capsys):
    status, _, err = run(capsys, "lessons", "chek")
    assert status == 2
    (line,) = err.splitlines()
    head = 'tui-tutor lessons: unknown action "chek". Did you mean "check"? The actions: '
    assert line.startswith(head)
    # every action the parser has is named, and nothing else
    parser = cli.build_parser()
    lessons = parser._subparsers._group_actions[0].choices["lessons"]
    actions = list(lessons._subparsers._group_actions[0].choices)
    assert line.removeprefix(head).split(", ") == actions


def test_an_unknown_option_is_one_line_without_the_usage_block(capsys):
    status, out, err = run(capsys, "--frob")
    assert (status, out) == (2, "")
    assert err.splitlines() == ["tui-tutor: unrecognized arguments: --frob (see tui-tutor --help)"]


# ------------------------------------------------------------------ options before the command


@pytest.fixture
def progress_dir(tmp_path: Path) -> Path:
    """A progress file where learner "bo" has started lesson 2."""
    store = ProgressStore(tmp_path, "bo")
    store.open_lesson("three-way-handshake", 1000, (1, 2))
    store.close()
    return tmp_path


@pytest.mark.parametrize("before", [True, False])
def test_data_dir_and_learner_work_before_or_after_the_command(capsys, progress_dir, before):
    options = ["--data-dir", str(progress_dir), "--learner", "bo"]
    argv = [*options, "progress"] if before else ["progress", *options]
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    title = f"bo's progress ({progress_dir / 'progress.sqlite3'})"
    assert "".join(title.split()) in "".join(out.split())  # rich wraps the title anywhere


def test_data_dir_before_report_is_used(capsys, progress_dir):
    status, out, err = run(capsys, "--data-dir", str(progress_dir), "report", "--csv")
    assert (status, err) == (0, "")
    assert "bo,three-way-handshake," in out


def test_the_option_after_the_command_wins_over_the_one_before(capsys, progress_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    argv = ["--data-dir", str(elsewhere), "progress", "--data-dir", str(progress_dir)]
    status, _, err = run(capsys, *argv, "--learner", "bo")
    assert (status, err) == (0, "")


@pytest.mark.parametrize(
    ("argv", "option", "command"),
    [
        (["--learner", "bo", "simulate", "x.toml"], "--learner", "simulate"),
        (["--lang", "zh", "report"], "--lang", "report"),
        (["--lesson", "review", "progress"], "--lesson", "progress"),
        (["--data-dir", "d", "lessons", "list"], "--data-dir", "lessons"),
    ],
)
def test_an_option_before_a_command_that_has_no_use_for_it_is_refused(
    capsys, argv, option, command
):
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"tui-tutor: {option} does not apply to `tui-tutor {command}` "
        f"(see tui-tutor {command} --help)"
    ]


# ------------------------------------------------------------------ the tutor's lessons


def tutor(*argv: str) -> subprocess.CompletedProcess:
    """The real command (a regression would start the app: not inside the test process)."""
    return subprocess.run(
        [sys.executable, "-m", "tui_tutor", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_lesson_bogus_is_refused_with_a_did_you_mean():
    result = tutor("--lesson", "simultanous-open")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "--lesson simultanous-open: no lesson has this id or number. "
        'Did you mean "simultaneous-open"? (tui-tutor lessons list shows them)'
    ]


@pytest.mark.parametrize("name", ["2", "02", "three-way-handshake"])
def test_lesson_is_opened_by_the_number_lessons_list_shows_or_by_its_id(
    capsys, monkeypatch, tmp_path, name
):
    import tui_tutor.app

    opened: list[str | None] = []

    class Stopped(Exception):
        pass

    def make_app(*args, open_lesson=None, **kwargs):
        opened.append(open_lesson)
        raise Stopped  # no screen in a test process

    monkeypatch.setattr(tui_tutor.app, "make_app", make_app)
    with pytest.raises(Stopped):
        cli.main(["--data-dir", str(tmp_path), "--lesson", name])
    assert opened == ["three-way-handshake"]


@pytest.fixture
def lessons_with_a_copy(tmp_path: Path) -> Path:
    """The bundled lessons and a copy of lesson 02, as the README suggests starting one."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    for path in LESSONS.glob("*.toml"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "02-my-copy.toml").write_bytes((LESSONS / "02-three-way-handshake.toml").read_bytes())
    return folder


def test_a_copied_lesson_stops_the_tutor_with_one_line_naming_both_files(lessons_with_a_copy):
    """The real command: before, the app crashed with a 600-line traceback and exit 0."""
    result = tutor("--lessons", str(lessons_with_a_copy))
    first, second = (
        lessons_with_a_copy / "02-my-copy.toml",
        lessons_with_a_copy / "02-three-way-handshake.toml",
    )
    assert result.stderr.splitlines() == [
        f'{second}: id: "three-way-handshake" is also the id of {first}; give one a new id'
    ]
    assert result.returncode == 1


def test_a_copied_lesson_stops_serve_ssh_at_start(capsys, lessons_with_a_copy, tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("")
    argv = ["serve-ssh", "--authorized-keys", str(keys), "--data-dir", str(tmp_path / "d")]
    status, _, err = run(capsys, *argv, "--lessons", str(lessons_with_a_copy))
    assert status == 1
    assert len(err.splitlines()) == 1 and "is also the id of" in err


def test_lessons_list_reports_a_copied_lesson_once(capsys, lessons_with_a_copy):
    status, _, err = run(capsys, "lessons", "list", "--dir", str(lessons_with_a_copy))
    assert status == 1
    assert len(err.splitlines()) == 1 and "02-my-copy.toml; give one a new id" in err


def test_lessons_list_at_80_columns_cuts_no_title_in_either_language(capsys, monkeypatch):
    from tui_tutor.lessons.loader import load_all

    monkeypatch.setenv("COLUMNS", "80")
    status, out, _ = run(capsys, "lessons", "list", "--dir", str(LESSONS))
    assert status == 0 and "…" not in out
    # each column's wrapped pieces, read top to bottom, give the titles back whole
    columns = [line.split("│")[4:6] for line in out.splitlines() if line.count("│") == 6]
    english, chinese = ("".join(col[i] for col in columns).replace(" ", "") for i in (0, 1))
    loaded, _ = load_all(sorted(LESSONS.glob("*.toml")))
    for lesson in loaded:
        assert lesson.lesson.title.en.replace(" ", "") in english
        assert lesson.lesson.title.zh.replace(" ", "") in chinese
