"""Exams without the screen: the file and its checks, the attempt and its clock, the report."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from tui_tutor import cli
from tui_tutor.db import open_database
from tui_tutor.exams.attempt import GRACE, MAX_ANSWER, ExamDesk
from tui_tutor.exams.load import load_exam
from tui_tutor.exams.model import exam_schema
from tui_tutor.lessons import default_dir
from tui_tutor.lessons.loader import load_all
from tui_tutor.progress import ProgressStore
from tui_tutor.validation import FileProblem

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "lessons" / "exams" / "example.toml"
START = 1_760_000_000.0  # a fixed "now" for the clocks below

EXAM = """\
format_version = 1
kind = "exam"
name = "quiz-1"
title = {{ en = "Quiz 1", zh = "测验 1" }}
time_limit = 10
show_score = true
{extra}
[[parts]]
lesson = "three-way-handshake"
questions = ["q1", "q4"]

[[parts]]
lesson = "sequence-wrap"
questions = ["q1"]
"""


def exam_file(tmp_path: Path, extra: str = "", text: str | None = None) -> Path:
    path = tmp_path / "exam.toml"
    path.write_text(text if text is not None else EXAM.format(extra=extra), encoding="utf-8")
    return path


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- the file


def test_the_example_exam_checks(capsys):
    assert cli.main(["lessons", "check", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.strip() == "1 exam OK"


def test_the_committed_exam_schema_is_the_models(capsys):
    assert cli.main(["lessons", "schema", "--exam"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == exam_schema()
    committed = json.loads((REPO / "lessons" / "exams" / "schema.json").read_text(encoding="utf-8"))
    assert committed == printed, "run `tui-tutor lessons schema --exam > lessons/exams/schema.json`"


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (("time_limit = 10", "time_limt = 10"), 'time_limt: unknown key "time_limt"; did you mean '
         '"time_limit"?'),
        (("time_limit = 10", "time_limit = 0"), "time_limit: must be greater than 0, not 0"),
        (('kind = "exam"\n', 'kind = "exma"\n'), 'kind: must be "exam"; did you mean "exam"?'),
        (('"three-way-handshake"', '"three-way-handshak"'), 'parts[0].lesson: no lesson has id '
         '"three-way-handshak"; did you mean "three-way-handshake"?'),
        (('["q1", "q4"]', '["q1", "q2", "q99"]'), 'parts[0].questions[2]: lesson '
         '"three-way-handshake" has no question "q99" (its questions: q1, q2, q3, q4, q5, q6)'),
        (('["q1", "q4"]', '["q1", "q1"]'), 'parts[0].questions[1]: "q1" is listed twice'),
        (('"sequence-wrap"', '"three-way-handshake"'), 'parts[1].lesson: "three-way-handshake" '
         "is already parts[0]: list all its questions there"),
        (("show_score = true", "show_score = true\nopens = 2025-03-01T10:00:00Z\n"
          "closes = 2025-03-01T09:00:00Z"), "closes: must be later than opens"),
    ],
)  # fmt: skip
def test_a_wrong_exam_file_is_one_line_naming_the_file_and_the_field(
    tmp_path, capsys, change, line
):
    path = exam_file(tmp_path, text=EXAM.format(extra="").replace(*change))
    assert cli.main(["lessons", "check", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(e.startswith(f"{path}: {line}") for e in err), err
    assert all(e.startswith(f"{path}: ") for e in err), err


def test_an_exam_beside_the_lessons_is_checked_as_an_exam_and_is_no_lesson(tmp_path, capsys):
    folder = tmp_path / "lessons"
    shutil.copytree(default_dir(), folder)
    exam_file(folder)
    assert cli.main(["lessons", "check", str(folder)]) == 0
    assert capsys.readouterr().out.strip() == "17 lessons OK; 1 exam OK"
    loaded, problems = load_all([folder])
    assert (len(loaded), problems) == (17, []), "the lessons are the lessons, the exam is none"


def test_an_exam_asks_its_questions_in_the_lessons_order(tmp_path):
    path = exam_file(tmp_path, text=EXAM.format(extra="").replace('["q1", "q4"]', '["q4", "q1"]'))
    loaded = load_exam(path, default_dir())
    assert [q.key for q in loaded.questions] == [
        "three-way-handshake/q1",
        "three-way-handshake/q4",
        "sequence-wrap/q1",
    ]
    assert [q.number for q in loaded.questions] == [1, 2, 3]


# ---------------------------------------------------------------- the attempt


@pytest.fixture
def exam(tmp_path):
    return load_exam(exam_file(tmp_path), default_dir())


def desk(exam, database, learner="ada", clock=None):
    return ExamDesk(ProgressStore(None, learner, database), exam, clock or Clock())


def test_an_exam_opens_and_closes_at_its_times(tmp_path):
    times = "opens = 2025-10-09T09:00:00Z\ncloses = 2025-10-09T10:00:00Z"
    loaded = load_exam(exam_file(tmp_path, times), default_dir())
    store = ProgressStore(tmp_path / "data", "ada")
    opens = loaded.exam.opens_at
    assert ExamDesk(store, loaded, Clock(opens - 1)).status() == "not_open"
    assert ExamDesk(store, loaded, Clock(opens)).status() == "ready"
    assert ExamDesk(store, loaded, Clock(opens + 3600)).status() == "closed"
    late = Clock(opens + 3600 - 120)  # starts two minutes before it closes
    attempt = ExamDesk(store, loaded, late).start()
    assert attempt.deadline == opens + 3600, "the closing time cuts the time limit short"


def test_the_clock_keeps_running_across_a_reconnect_and_a_host(exam, database):
    clock = Clock()
    first = desk(exam, database, clock=clock)
    assert first.status() == "ready"
    attempt = first.start()
    assert attempt.deadline == START + 10 * 60
    assert first.answer(exam.questions[0], "flags=SYN", True, 42.0)
    clock.now += 4 * 60
    second = desk(exam, database, clock=clock)  # another session, maybe another host
    assert second.status() == "running"
    again = second.start()
    assert (again.started, again.deadline) == (START, START + 600), "no new clock"
    assert again.isns == attempt.isns, "the same ISNs: the same runs"
    assert second.left() == pytest.approx(6 * 60)
    assert set(again.answers) == {"three-way-handshake/q1"}
    clock.now += 6 * 60
    assert second.status() == "done", "time out ends it, connected or not"


def test_each_question_takes_one_answer(exam, database):
    first = desk(exam, database)
    first.start()
    question = exam.questions[0]
    assert first.answer(question, "flags=SYN", False, 10.0)
    assert not first.answer(question, "flags=SYN,ACK", True, 20.0), "one attempt"
    other = desk(exam, database)  # a second session of the same learner tries too
    other.start()
    assert not other.answer(question, "flags=SYN,ACK", True, 20.0)
    given = desk(exam, database).attempt().answers[question.key]
    assert (given.answer, given.correct) == ("flags=SYN", False)


def test_no_answer_counts_once_the_time_is_up(exam, database):
    clock = Clock()
    learner = desk(exam, database, clock=clock)
    learner.start()
    clock.now += 600 + GRACE + 1
    assert not learner.answer(exam.questions[0], "flags=SYN", True, 1.0)
    assert desk(exam, database, clock=clock).attempt().answers == {}


def test_each_learner_gets_isns_of_their_own_a_fixed_one_stays(exam, database):
    ada, bob = desk(exam, database, "ada").start(), desk(exam, database, "bob").start()
    assert ada.isns["three-way-handshake"] != bob.isns["three-way-handshake"]
    wrap = next(i.lesson for i in load_all([default_dir()])[0] if i.lesson.id == "sequence-wrap")
    fixed = (wrap.scenario.client.isn, wrap.scenario.server.isn)
    assert None not in fixed, "the wrap lesson fixes its ISNs"
    assert ada.isns["sequence-wrap"] == bob.isns["sequence-wrap"] == fixed


def test_a_learners_answer_is_kept_as_text_without_control_characters(exam, database):
    learner = desk(exam, database)
    learner.start()
    hostile = "\x1b[2J\x1b]0;owned\x07[bold]x[/]\u202e" + "9" * 1000
    assert learner.answer(exam.questions[0], hostile, False, 1.0)
    kept = desk(exam, database).attempt().answers[exam.questions[0].key].answer
    assert "\x1b" not in kept and "\x07" not in kept and "\u202e" not in kept
    assert kept.startswith(" [2J ]0;owned [bold]x[/]") and len(kept) == MAX_ANSWER


# ---------------------------------------------------------------- the report


def sit(exam, database, learner: str, answers: list[tuple[bool, float]], finish=True):
    one = desk(exam, database, learner)
    one.start()
    for question, (correct, seconds) in zip(exam.questions, answers, strict=False):
        one.answer(question, f"answer of {learner}", correct, seconds)
    if finish:
        one.finish()
    one.store.close()


def test_the_report_gives_each_answer_and_how_many_got_each_question(exam, database, capsys):
    sit(exam, database, "ada", [(True, 30), (True, 20), (False, 50)])
    sit(exam, database, "bob", [(True, 40), (False, 10)], finish=False)
    assert cli.main(["report", "--database", database, "--exam", "quiz-1", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 2 * 3, "every learner, every question, answered or not"
    got = {(r["learner"], r["question"], r["lesson"]): r for r in rows}
    first = got[("ada", "q1", "three-way-handshake")]
    assert (first["answer"], first["correct"], first["seconds"]) == ("answer of ada", "yes", "30.0")
    unanswered = got[("bob", "q1", "sequence-wrap")]
    assert (unanswered["answer"], unanswered["correct"], unanswered["seconds"]) == ("", "", "")
    per_question = {
        (r["lesson"], r["question"]): (r["class_right"], r["class_answered"]) for r in rows
    }
    assert per_question == {
        ("three-way-handshake", "q1"): ("2", "2"),
        ("three-way-handshake", "q4"): ("1", "2"),
        ("sequence-wrap", "q1"): ("0", "1"),
    }


def test_the_report_as_a_table_shows_answers_as_plain_text(exam, database, capsys):
    one = desk(exam, database, "ada")
    one.start()
    one.answer(exam.questions[0], "[bold red]seq=x[/] \x1b[31m", True, 5)
    assert cli.main(["report", "--database", database, "--exam", "quiz-1"]) == 0
    out = capsys.readouterr().out
    assert "Exam quiz-1: Quiz 1 (1 learners;" in out
    assert "[bold red]seq=x[/]" in out, "markup in an answer is shown, not obeyed"
    assert "\x1b" not in out
    assert "Per question" in out and "1/1" in out


def test_an_exam_nobody_started_is_one_line_naming_those_there_are(exam, database, capsys):
    sit(exam, database, "ada", [(True, 1)])
    assert cli.main(["report", "--database", database, "--exam", "quiz-2"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].endswith(
        'no exam "quiz-2". Did you mean "quiz-1"? (exams: quiz-1)'
    )


def test_the_exam_is_known_to_the_database_once_started(exam, database):
    desk(exam, database).start()
    db = open_database(database, None)
    row = db.execute("SELECT title_zh, questions FROM exams WHERE name = 'quiz-1'").fetchone()
    db.close()
    assert row[0] == "测验 1"
    assert json.loads(row[1]) == [q.key for q in exam.questions]


def test_a_bad_exam_file_given_to_the_server_is_one_line(tmp_path, capsys):
    with pytest.raises(FileProblem):
        load_exam(exam_file(tmp_path, text="kind = 'exam'\n"), default_dir())
