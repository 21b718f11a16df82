"""`tui-tutor lessons grade` answers as the app does: the same answers played through both.

The app is driven by keys (tests/app/driver.py); its feedback panel must show, for each
field, the mark and every line the command prints for that field, in both languages.
Answers are written as x+1, y+1, so they mean the same whatever ISNs the app drew.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from tui_tutor import cli

from .driver import (
    answer_segment,
    feedback,
    moment_kind,
    new_app,
    next_until,
    right_answer,
    state_keys,
    typing,
)

LESSON = "three-way-handshake"


def grade_cli(lesson: str, question: str, *args: str, lang: str) -> dict:
    """`tui-tutor lessons grade ... --json`, its output read (the app holds sys.stdout)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(["lessons", "grade", lesson, question, *args, f"--lang={lang}", "--json"])
    assert status == 0
    return json.loads(out.getvalue())


def cli_args(answer: dict[str, object]) -> list[str]:
    names = {"client_state": "client", "server_state": "server"}
    args = [f"--flags={','.join(sorted(answer.get('flags', ())))}"]  # type: ignore[arg-type]
    for key in ("seq", "ack", "len", "client_state", "server_state"):
        if key in answer:
            args.append(f"--{names.get(key, key)}={answer[key]}")
    return args


def field_label(field: str, lang: str) -> str:
    from tui_tutor.lessons.explain import field_name

    return field_name(field, lang)


def assert_shown(shown: str, result: dict, lang: str) -> None:
    """Every field's mark and every line the command gives for it are on the app's panel."""
    for field, marks in result["fields"].items():
        mark = "✔" if marks["ok"] else "✘"
        assert f"{mark} {field_label(field, lang)}" in shown, (field, shown)
        for line in marks["feedback"]:
            assert line in shown, (field, line, shown)
    for line in result["feedback"]:
        assert line in shown


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_wrong_then_a_right_segment_answer_gives_the_same_marks_and_lines(
    tmp_path, capsys, lang
):
    app = new_app(tmp_path, LESSON, lang=lang)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))
        await pilot.press("n", "n")
        await pilot.pause()
        assert app.screen.moment.segment == 2
        qid = f"q{app.screen.moment.step_index}"
        right = right_answer(pilot, 2)
        wrong = right | {"ack": "x", "seq": "x+1", "server_state": "ESTABLISHED"}
        for answer in (wrong, right):
            await answer_segment(pilot, answer)
            result = grade_cli(LESSON, qid, *cli_args(answer), lang=lang)
            assert result["correct"] == (answer is right)
            assert_shown(feedback(pilot), result, lang)


async def test_a_choice_and_a_state_question_give_the_same_feedback(tmp_path):
    app = new_app(tmp_path, "why-handshake", lang="zh")
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "Choice")
        step = app.screen.moment.step
        qid = f"q{app.screen.moment.step_index}"
        wrong = next(i for i, o in enumerate(step.options) if not o.correct)
        await pilot.press(str(wrong + 1), "enter")
        await pilot.pause()
        result = grade_cli("why-handshake", qid, f"--choice={wrong + 1}", lang="zh")
        assert not result["correct"]
        for line in result["fields"]["choice"]["feedback"]:
            assert line in feedback(pilot)
        for _ in range(20):  # reveal the questions on the way to the state question
            await pilot.press("v", "n")
            await pilot.pause()
            if moment_kind(pilot) == "PredictState":
                break
        step = app.screen.moment.step
        qid = f"q{app.screen.moment.step_index}"
        app.screen.query_one("#field-state").focus()
        await pilot.pause()
        await pilot.press(*typing(state_keys("ESTABLISHED")), "enter")
        await pilot.pause()
        result = grade_cli("why-handshake", qid, f"--{step.peer}=ESTABLISHED", lang="zh")
        assert_shown(feedback(pilot), result, "zh")
