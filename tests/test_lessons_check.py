"""`tui-tutor lessons check`: the shipped curriculum passes; each broken lesson gets its line.

``tests/lessons_broken/`` holds copies of one small valid lesson (a handshake, then the
client closes first: 7 segments), each with one fault its name says. Every test here
runs the command as an author would, from the repository root, and compares what it
prints, line for line: ``FILE: dotted.path: message`` on stderr, exit status 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui_tutor import cli

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
BROKEN = "tests/lessons_broken"

# The curriculum of issue 3, by number: every lesson must be there under this id.
CURRICULUM = {
    1: "why-handshake",
    2: "three-way-handshake",
    3: "third-ack-carries-data",
    4: "four-way-close-client-first",
    5: "server-closes-first",
    6: "time-wait-2msl",
    7: "lost-last-ack",
    8: "three-segment-close",
    9: "half-close",
    10: "connection-refused",
    11: "abort-with-rst",
    12: "lost-syn-backoff",
    13: "lost-syn-ack",
    14: "simultaneous-open",
    15: "simultaneous-close",
    16: "sequence-wrap",
    17: "review",
}

STATES = (
    '"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", '
    '"FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK" or "TIME_WAIT"'
)

# file in tests/lessons_broken -> (other paths checked with it, the one line it must print)
EXPECTED: dict[str, tuple[list[str], str]] = {
    "missing-id": ([], "id: required key is missing"),
    "missing-title-zh": ([], "title.zh: required key is missing"),
    "wrong-type-number-is-text": ([], 'number: must be a whole number, not "two"'),
    "unknown-state-lask-ack": (
        [],
        f'steps[2].expect.server_state: must be {STATES}; did you mean "LAST_ACK"?',
    ),
    "misspelt-key-promt": ([], 'steps[1].promt: unknown key "promt"; did you mean "prompt"?'),
    "misspelt-step-kind": (
        [],
        'steps[3].kind: unknown value "predict_sate"; did you mean "predict_state"? '
        "(one of: narrate, predict_segment, predict_state, choice)",
    ),
    "wrong-written-ack-x": (
        [],
        'steps[1].expect.ack: the engine computes x+1 (relative 1), not "x"',
    ),
    "wrong-written-state": (
        [],
        "steps[2].expect.server_state: the engine says LAST_ACK after this segment, not CLOSE_WAIT",
    ),
    "wrong-written-predict-state": (
        [],
        "steps[3].expect: the engine says server is in CLOSED after segment 7, not TIME_WAIT",
    ),
    # checked beside the curriculum, as an author checks a new lesson
    "unknown-prerequisite": (
        ["lessons"],
        'prerequisites[0]: no lesson has id "three-way-handshak"; '
        'did you mean "three-way-handshake"?',
    ),
    "duplicate-id-of-lesson-02": (
        ["lessons/02-three-way-handshake.toml"],
        'id: "three-way-handshake" is also the id of lessons/02-three-way-handshake.toml; '
        "give one a new id",
    ),
    "invalid-toml-unclosed-string": (
        [],
        "invalid TOML: Illegal character '\\n' (at line 42, column 54)",
    ),
    "empty-zh-text": ([], "steps[0].text.zh: must not be empty"),
    "blank-zh-text": ([], "steps[0].text.zh: must not be blank"),
    "zh-text-in-english": ([], "steps[0].text.zh: reads as English; write it in Chinese"),
    "impossible-scenario-send-before-connect": (
        [],
        "scenario.steps[0] (send by client): not possible in CLOSED",
    ),
    "segment-beyond-scenario": (
        [],
        "steps[2].segment: the scenario sends only 7 segments, there is no segment 9",
    ),
    "mistake-is-the-right-answer": (
        [],
        'steps[1].mistakes[0].answer: "x+1" is the right answer, not a mistake',
    ),
    "mistake-misspelt-state": (
        [],
        'steps[3].mistakes[0].answer: "TIME_WAT" is not a state name; did you mean "TIME_WAIT"?',
    ),
    "four-way-handshake-for-closing": (
        [],
        "steps[4].explain.zh: closing a connection is 四次挥手, not 四次握手",
    ),
    "lask-ack-in-text": ([], "steps[2].explain.en: the state is LAST_ACK"),
    "handshake-makes-tcp-secure": (
        [],
        "steps[4].explain.zh: the handshake makes TCP reliable (可靠), not secure (安全)",
    ),
    "simultaneous-open-figure-8": (
        [],
        "steps[0].text.en: RFC 9293 draws the simultaneous open in Figure 7 "
        "(Figure 8 was RFC 793's number)",
    ),
    "random-isn": (
        [],
        "steps[1].explain.en: ISNs are not random: RFC 9293 3.4.1 and RFC 6528 take them from a "
        "clock that keeps rising plus a keyed hash of the addresses and ports",
    ),
    "random-isn-in-chinese": (
        [],
        "steps[1].explain.zh: the ISN is not random (not 随机初始序列号): RFC 9293 3.4.1 and "
        "RFC 6528 take it from a clock plus a keyed hash",
    ),
}

# Broken files with a test of their own further down (their message needs more than one line
# of asserting, or the file is given together with others).
OWN_TESTS = {
    "seq-with-5000-digits",
    "segment-mistake-lask-ack",
    "title-zh-copied-from-english",
    "mistake-field-misspelt-ak",
    "expect-seq-is-a-float",
    "format-version-as-text",
    "id-with-capitals-and-spaces",
    "choice-with-seven-options",
}


def check(monkeypatch, capsys, *paths: str) -> tuple[int, str, str]:
    """``tui-tutor lessons check PATH ...`` from the repository root: status, stdout, stderr."""
    monkeypatch.chdir(REPO)
    status = cli.main(["lessons", "check", *paths])
    out, err = capsys.readouterr()
    return status, out, err


# ------------------------------------------------------------------ the shipped curriculum


def test_every_shipped_lesson_passes_check_with_no_arguments(monkeypatch, capsys):
    count = len(list(LESSONS.glob("*.toml")))
    status, out, err = check(monkeypatch, capsys)
    assert (status, err) == (0, ""), f"shipped lessons fail `tui-tutor lessons check`:\n{err}"
    assert out == f"{count} lessons OK\n"
    assert count >= 16


def test_the_curriculum_has_lessons_1_to_17_of_the_issue_under_their_ids():
    from tui_tutor.lessons.loader import load_all

    loaded, problems = load_all([LESSONS])
    assert problems == []
    by_number = {item.lesson.number: item.lesson.id for item in loaded}
    assert {n: by_number.get(n) for n in CURRICULUM} == CURRICULUM


def test_the_default_folder_follows_TUI_TUTOR_LESSONS(monkeypatch, capsys, tmp_path):
    (tmp_path / "02-three-way-handshake.toml").write_bytes(
        (LESSONS / "02-three-way-handshake.toml").read_bytes()
    )
    (tmp_path / "01-why-handshake.toml").write_bytes(
        (LESSONS / "01-why-handshake.toml").read_bytes()
    )
    monkeypatch.setenv("TUI_TUTOR_LESSONS", str(tmp_path))
    assert check(monkeypatch, capsys) == (0, "2 lessons OK\n", "")


def test_one_lesson_checked_alone_finds_its_prerequisites_beside_it(monkeypatch, capsys):
    status, out, err = check(monkeypatch, capsys, "lessons/04-four-way-close-client-first.toml")
    assert (status, out, err) == (0, "1 lesson OK\n", "")


# ------------------------------------------------------------------ one broken lesson each


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_broken_lesson_prints_its_one_line_and_exits_1(monkeypatch, capsys, name):
    others, message = EXPECTED[name]
    file = f"{BROKEN}/{name}.toml"
    status, out, err = check(monkeypatch, capsys, *others, file)
    assert err.splitlines() == [f"{file}: {message}"]
    assert (status, out) == (1, "")


def test_every_file_in_the_broken_folder_has_its_expected_line_here():
    files = {p.stem for p in (REPO / BROKEN).glob("*.toml")}
    assert files == set(EXPECTED) | OWN_TESTS


def test_no_broken_lesson_lives_where_the_app_loads_lessons():
    shipped = {p.name for p in LESSONS.glob("*.toml")}
    assert not shipped & {p.name for p in (REPO / BROKEN).glob("*.toml")}


def test_an_invalid_toml_message_gives_the_line_and_column_of_the_fault():
    _, message = EXPECTED["invalid-toml-unclosed-string"]
    lines = (REPO / BROKEN / "invalid-toml-unclosed-string.toml").read_text().splitlines()
    line = lines[41]  # line 42
    assert line.startswith('hint.en = "How many') and not line.endswith('"')
    assert len(line) + 1 == 54  # column 54: the end of the line, where the quote is missing
    assert "(at line 42, column 54)" in message


def test_a_missing_file_is_one_line_and_exit_1(monkeypatch, capsys):
    status, out, err = check(monkeypatch, capsys, f"{BROKEN}/no-such-lesson.toml")
    assert err.splitlines() == [f"{BROKEN}/no-such-lesson.toml: no such file or folder"]
    assert (status, out) == (1, "")


def test_a_folder_with_no_lessons_is_one_line_and_exit_1(monkeypatch, capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("not a lesson")
    status, out, err = check(monkeypatch, capsys, str(tmp_path))
    assert err.splitlines() == [f"{tmp_path}: no lessons here (no .toml files)"]
    assert (status, out) == (1, "")


def test_good_and_broken_files_together_report_only_the_broken_one(monkeypatch, capsys):
    file = f"{BROKEN}/wrong-written-ack-x.toml"
    status, out, err = check(monkeypatch, capsys, "lessons", file)
    assert err.splitlines() == [f"{file}: {EXPECTED['wrong-written-ack-x'][1]}"]
    assert (status, out) == (1, "")


def test_checking_all_broken_files_at_once_reports_each_without_a_traceback():
    """The real command, in a fresh interpreter: what an author sees in the terminal."""
    files = sorted(f"{BROKEN}/{p.name}" for p in (REPO / BROKEN).glob("*.toml"))
    result = subprocess.run(
        [sys.executable, "-m", "tui_tutor", "lessons", "check", *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    files = {line.split(": ", 1)[0] for line in lines}
    single = {n for n, (others, _) in EXPECTED.items() if not others}
    assert files >= {f"{BROKEN}/{n}.toml" for n in single}
    for name in single:
        assert f"{BROKEN}/{name}.toml: {EXPECTED[name][1]}" in lines


# ------------------------------------------------------------------ known bugs


def test_a_5000_digit_seq_is_one_line_not_a_traceback(monkeypatch, capsys):
    file = f"{BROKEN}/seq-with-5000-digits.toml"
    status, out, err = check(monkeypatch, capsys, file)
    assert (status, out) == (1, "")
    assert len(err.splitlines()) == 1
    assert err.startswith(f"{file}: steps[1].expect.seq: ")


def test_a_misspelt_state_in_a_segment_mistake_gets_a_did_you_mean(monkeypatch, capsys):
    file = f"{BROKEN}/segment-mistake-lask-ack.toml"
    status, _, err = check(monkeypatch, capsys, file)
    assert err.splitlines() == [
        f'{file}: steps[2].mistakes[0].answer: "LASK_ACK" is not a state name; '
        'did you mean "LAST_ACK"?'
    ]
    assert status == 1


def test_an_english_title_copied_into_zh_is_reported(monkeypatch, capsys):
    file = f"{BROKEN}/title-zh-copied-from-english.toml"
    status, _, err = check(monkeypatch, capsys, file)
    assert err.splitlines() == [f"{file}: title.zh: reads as English; write it in Chinese"]
    assert status == 1


def test_a_file_named_twice_is_checked_once_not_called_a_duplicate_of_itself(monkeypatch, capsys):
    count = len(list(LESSONS.glob("*.toml")))
    status, out, err = check(monkeypatch, capsys, "lessons", "lessons/02-three-way-handshake.toml")
    assert (status, out, err) == (0, f"{count} lessons OK\n", "")


def one_line(monkeypatch, capsys, name: str, path: str) -> str:
    """The message of the one line that checking broken lesson ``name`` must print for ``path``."""
    file = f"{BROKEN}/{name}.toml"
    status, out, err = check(monkeypatch, capsys, file)
    assert (status, out) == (1, "")
    assert len(err.splitlines()) == 1, f"one fault, one line; got:\n{err}"
    assert err.startswith(f"{file}: {path}: "), err
    return err.rstrip("\n").split(f"{path}: ", 1)[1]


def test_a_misspelt_mistake_field_is_one_line_at_its_key_with_a_did_you_mean(monkeypatch, capsys):
    message = one_line(
        monkeypatch, capsys, "mistake-field-misspelt-ak", "steps[1].mistakes[0].field"
    )
    assert message.endswith('did you mean "ack"?')
    assert '"state"' in message  # it lists every value the key may take


def test_a_seq_of_the_wrong_type_is_one_line_at_its_key(monkeypatch, capsys):
    message = one_line(monkeypatch, capsys, "expect-seq-is-a-float", "steps[1].expect.seq")
    assert message.endswith("not 1.5")


def test_format_version_written_as_text_is_told_to_be_the_number_1(monkeypatch, capsys):
    message = one_line(monkeypatch, capsys, "format-version-as-text", "format_version")
    assert "must be 1" in message
    assert "did you mean" not in message


def test_an_id_with_capitals_and_spaces_is_told_what_an_id_may_hold(monkeypatch, capsys):
    message = one_line(monkeypatch, capsys, "id-with-capitals-and-spaces", "id")
    assert "String should match" not in message and "^[a-z0-9]" not in message
    assert '"Open And Close"' in message


def test_a_choice_with_seven_options_is_told_the_limit_in_toml_terms(monkeypatch, capsys):
    message = one_line(monkeypatch, capsys, "choice-with-seven-options", "steps[4].options")
    assert "List should" not in message
    assert "6" in message and "7" in message


@pytest.mark.parametrize(
    ("en", "zh"),
    [
        ("LAST_ACK, not LASK_ACK.", "是 LAST_ACK，不是 LASK_ACK。"),
        ("An article prints LASK_ACK, a typo.", "文章里的 LASK_ACK 是笔误。"),
        ('Many articles say "the ISN is a random number".', "很多文章说“初始序列号是一个随机数”。"),
        (
            "Figure 8 was RFC 793's number; RFC 9293 draws the simultaneous open in Figure 7.",
            "RFC 9293 的同时打开画在图 7。",
        ),
        ("Closing is not a handshake.", "关闭不是握手，误把它叫作四次握手是错的。"),
    ],
)
def test_a_sentence_that_quotes_an_error_to_correct_it_passes(
    monkeypatch, capsys, tmp_path, en, zh
):
    """Lessons meet the seed article's mistakes: quoting one to say it is wrong is allowed."""
    text = (REPO / BROKEN / "lask-ack-in-text.toml").read_text(encoding="utf-8")
    text = text.replace("LASK_ACK for the ACK", "LAST_ACK for the ACK")
    text = text.replace(
        'text.en = "The client connects, then closes; the server closes after it."',
        f"text.en = {json.dumps(en, ensure_ascii=False)}",
    ).replace(
        'text.zh = "客户端发起连接，然后关闭；服务器随后关闭。"',
        f"text.zh = {json.dumps(zh, ensure_ascii=False)}",
    )
    (tmp_path / "quotes.toml").write_text(text, encoding="utf-8")
    assert check(monkeypatch, capsys, str(tmp_path / "quotes.toml")) == (0, "1 lesson OK\n", "")
