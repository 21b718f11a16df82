"""`tui-tutor lessons questions` and `tui-tutor lessons grade`, as an author runs them.

``grade`` must answer as the app does: the same grader (``quiz.grade_question``), the same
numbers (the lesson's mode, x/y), the same lines. The expected values here come from the
engine's run of the lesson, never written down.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wrong_answers import run_of

from tui_tutor import cli
from tui_tutor.engine import State
from tui_tutor.lessons.loader import load_all
from tui_tutor.lessons.model import Choice, PredictSegment, PredictState
from tui_tutor.lessons.quiz import Numbers, grade_question

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["lessons", *args])
    out, err = capsys.readouterr()
    return status, out, err


def lessons() -> dict[str, object]:
    loaded, problems = load_all([LESSONS])
    assert problems == []
    return {item.lesson.id: item.lesson for item in loaded}


LESSONS_BY_ID = lessons()


def engine_run(lesson):
    """The run `lessons grade` uses: the scenario's ISNs, else x=1000, y=5000."""
    from tui_tutor.commands.lessons import GRADE_ISNS

    return run_of(lesson, *GRADE_ISNS)


def numbers_for(lesson, run, absolute: bool = False) -> Numbers:
    return Numbers(
        run.x,
        run.y,
        symbolic=lesson.numbers == "symbolic",
        absolute=absolute or lesson.numbers == "absolute",
    )


# ------------------------------------------------------------------ questions


@pytest.mark.parametrize("lesson_id", sorted(LESSONS_BY_ID))
def test_questions_json_lists_every_question_with_the_apps_id_kind_segment_and_fields(
    capsys, lesson_id
):
    lesson = LESSONS_BY_ID[lesson_id]
    status, out, err = run(capsys, "questions", lesson_id, "--json")
    assert (status, err) == (0, "")
    rows = json.loads(out)
    assert len(rows) == len(lesson.questions)
    for row, (index, step) in zip(rows, lesson.questions, strict=True):
        assert row["id"] == (step.id or f"q{index}")  # the id progress is stored under
        if isinstance(step, PredictSegment):
            assert (row["kind"], row["segment"], row["ask"]) == ("segment", step.segment, step.ask)
        elif isinstance(step, PredictState):
            assert (row["kind"], row["segment"], row["peer"]) == ("state", step.segment, step.peer)
        else:
            assert (row["kind"], row["options"]) == ("choice", len(step.options))


def test_questions_reads_a_lesson_file_as_well_as_an_id(capsys):
    by_file = run(capsys, "questions", str(LESSONS / "02-three-way-handshake.toml"))
    by_id = run(capsys, "questions", "three-way-handshake")
    assert by_file == by_id
    assert by_id[1].splitlines()[0].split() == ["id", "kind", "segment", "asks"]


# ------------------------------------------------------------------ grade: right and wrong


def right_values(lesson, step, run, numbers) -> list[str]:
    """The command-line options that give the engine's own answer to ``step``."""
    if isinstance(step, PredictSegment):
        r = run.record(step.segment)
        opts = {
            "flags": ",".join(f for f in r.flags if f != "PSH"),
            "seq": numbers.show(r.seq, "seq", r.sender),
            "ack": "" if r.ack is None else numbers.show(r.ack, "ack", r.sender),
            "len": str(r.length),
            "client": r.client_state.value,
            "server": r.server_state.value,
        }
        return [f"--{k}={v}" for k, v in opts.items()]
    if isinstance(step, PredictState):
        from tui_tutor.lessons.quiz import expected_state

        return [f"--{step.peer}={expected_state(run, step).value}"]
    return [f"--choice={i + 1}" for i, o in enumerate(step.options) if o.correct]


@pytest.mark.parametrize("lesson_id", sorted(LESSONS_BY_ID))
def test_the_engines_own_answer_to_every_question_grades_right(capsys, lesson_id):
    lesson = LESSONS_BY_ID[lesson_id]
    run_ = engine_run(lesson)
    numbers = numbers_for(lesson, run_)
    for index, step in lesson.questions:
        qid = step.id or f"q{index}"
        args = right_values(lesson, step, run_, numbers)
        status, out, err = run(capsys, "grade", lesson_id, qid, *args, "--json")
        assert (status, err) == (0, "")
        result = json.loads(out)
        assert result["question"] == qid
        assert result["correct"], (qid, result)
        assert all(f["ok"] for f in result["fields"].values())
        assert result["feedback"] == [step.explain.en]


def test_a_wrong_ack_is_marked_with_its_advice_and_the_engines_value(capsys):
    lesson = LESSONS_BY_ID["three-way-handshake"]
    run_ = engine_run(lesson)
    step = next(s for _, s in lesson.questions if isinstance(s, PredictSegment) and s.segment == 2)
    qid = next(f"q{i}" for i, s in lesson.questions if s is step)
    r = run_.record(2)
    one_short = Numbers(run_.x, run_.y).show(r.ack - 1, "ack", r.sender)
    args = [a for a in right_values(lesson, step, run_, Numbers(run_.x, run_.y)) if "ack" not in a]
    status, out, _ = run(capsys, "grade", lesson.id, qid, *args, f"--ack={one_short}", "--json")
    result = json.loads(out)
    assert status == 0 and not result["correct"]
    ack = result["fields"]["ack"]
    expected = Numbers(run_.x, run_.y).show(r.ack, "ack", r.sender)
    assert (ack["ok"], ack["expected"]) == (False, expected)
    mistake = next(m for m in step.mistakes if m.field == "ack")  # the author's own line wins
    assert ack["feedback"] == [mistake.feedback.en]
    assert all(f["feedback"] == [] for name, f in result["fields"].items() if name != "ack")


def test_grade_speaks_chinese_with_lang_zh_and_prints_marks_as_text(capsys):
    status, out, _ = run(
        capsys, "grade", "four-way-close-client-first", "q1", "--flags=FIN", "--lang=zh"
    )
    assert status == 0
    assert "✘ 标志位：FIN（应为 FIN,ACK）" in out and "缺少：ACK。" in out
    assert out.rstrip().endswith("还不对。")


def test_a_choice_is_graded_by_option_number(capsys):
    lesson = LESSONS_BY_ID["three-way-handshake"]
    index, step = next((i, s) for i, s in lesson.questions if isinstance(s, Choice))
    wrong = next(j for j, o in enumerate(step.options) if not o.correct and o.feedback)
    status, out, _ = run(capsys, "grade", lesson.id, f"q{index}", f"--choice={wrong + 1}", "--json")
    result = json.loads(out)
    assert status == 0 and not result["correct"]
    assert result["fields"]["choice"]["feedback"] == [step.options[wrong].feedback.en]


# ------------------------------------------------------------------ grade: bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-lesson", "q1"], 'no lesson "no-such-lesson"'),
        (["three-way-handshak", "q1"], 'did you mean "three-way-handshake"?'),
        (["three-way-handshake", "q99"], 'three-way-handshake: no question "q99"'),
        (["three-way-handshake", "q1", "--client=LASK_ACK"], 'RFC 9293 spells it "LAST_ACK"'),
        (["three-way-handshake", "q1", "--server=SYN_RECEVED"], 'did you mean "SYN_RECEIVED"?'),
        (["three-way-handshake", "q4", "--choice=9"], '--choice: "9" is not an option number'),
        (["time-wait-2msl", "q6", "--client=CLOSED"], "asks for the server's state: use --server"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    status, out, err = run(capsys, "grade", *args)
    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1 and message in err


# ------------------------------------------------------------------ the same grader as the app

QUESTIONS = [(lid, qid) for lid, lesson in LESSONS_BY_ID.items()
             for qid in ((s.id or f"q{i}") for i, s in lesson.questions)]  # fmt: skip
TYPED = st.sampled_from(["", "x", "x+1", "y", "y+1", "y+2", "0", "1", "5", "x+y", "-"])


@SETTINGS
@given(
    question=st.sampled_from(QUESTIONS),
    flags=st.sets(st.sampled_from(["SYN", "ACK", "FIN", "RST"])),
    seq=TYPED,
    ack=TYPED,
    length=st.sampled_from(["", "0", "1", "5"]),
    client=st.sampled_from(["", *(s.value for s in State)]),
    server=st.sampled_from(["", *(s.value for s in State)]),
    picked=st.sets(st.integers(1, 3)),
    lang=st.sampled_from(["en", "zh"]),
)
def test_grade_gives_what_the_grader_gives_the_app_for_any_answer(
    capsys, question, flags, seq, ack, length, client, server, picked, lang
):
    lesson_id, qid = question
    lesson = LESSONS_BY_ID[lesson_id]
    step = dict(((s.id or f"q{i}"), s) for i, s in lesson.questions)[qid]
    if isinstance(step, PredictState):
        client, server = (client, "") if step.peer == "client" else ("", server)
    if isinstance(step, Choice):
        picked = {p for p in picked if p <= len(step.options)}
    args = [f"--flags={','.join(sorted(flags))}", f"--seq={seq}", f"--ack={ack}"]
    args += [f"--len={length}", f"--client={client}", f"--server={server}"]
    args += [f"--choice={p}" for p in sorted(picked)]
    capsys.readouterr()  # examples share the fixture: start clean
    status, out, err = run(capsys, "grade", lesson_id, qid, *args, f"--lang={lang}", "--json")
    assert (status, err) == (0, "")
    result = json.loads(out)
    run_ = engine_run(lesson)
    values = {
        "flags": flags,
        "seq": seq,
        "ack": ack,
        "len": length,
        "client_state": client,
        "server_state": server,
        "state": client or server,
        "choice": {p - 1 for p in picked},
    }
    grade = grade_question(run_, step, values, numbers_for(lesson, run_), lang)
    assert result["correct"] == grade.correct
    assert {k: v["ok"] for k, v in result["fields"].items()} == {
        f.field: f.correct for f in grade.fields
    }
    for f in grade.fields:
        shown = result["fields"][f.field]["feedback"]
        assert shown == (f.lines if grade.correct else [] if f.correct else f.advice)
        if not f.correct:
            assert shown, f"{lesson_id} {qid} {f.field}: wrong with no advice"


def test_a_lesson_is_found_by_the_number_lessons_list_shows(capsys):
    lesson = next(iter(LESSONS_BY_ID.values()))
    status, by_id, _ = run(capsys, "questions", lesson.id, "--json")
    assert status == 0
    for number in (str(lesson.number), f"{lesson.number:02d}"):
        status, by_number, err = run(capsys, "questions", number, "--json")
        assert (status, err) == (0, "")
        assert json.loads(by_number) == json.loads(by_id)
