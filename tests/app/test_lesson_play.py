"""A learner plays the three-way handshake lesson with the keyboard alone.

The right answers come from the engine (``right_answer`` reads the run the screen
plays), never from this file.
"""

from __future__ import annotations

from tui_tutor.app.screens.results import ResultsScreen
from tui_tutor.progress import ProgressStore

from .driver import (
    answer_segment,
    feedback,
    ladder,
    moment_kind,
    new_app,
    next_until,
    pane,
    quiz_text,
    right_answer,
)

LESSON = "three-way-handshake"


def outcomes(tmp_path, learner: str = "ada") -> dict[str, str]:
    return ProgressStore(tmp_path / "data", learner).outcomes(LESSON)


async def test_a_right_prediction_is_graded_explained_and_recorded(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))
        shown = feedback(pilot)
        assert "Right!" in shown
        assert "✔ seq: seq = x: a SYN carries the sender's initial sequence number" in shown
        assert "RFC 9293 3.10.7.2" in shown, "the explanation names the rule behind it"
    assert list(outcomes(tmp_path).values()) == ["first_try"]


async def test_the_segment_appears_in_the_ladder_and_the_panes_after_n(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        assert "├─ ? " in ladder(pilot), "the predicted segment shows as ? before it is sent"
        assert "▶ CLOSED" in pane(pilot, "client")
        await answer_segment(pilot, right_answer(pilot, 1))
        await pilot.press("n")
        await pilot.pause()
        assert "SYN seq=x" in ladder(pilot)
        assert "▶ SYN_SENT" in pane(pilot, "client")
        assert "connect / snd SYN ★" in pane(pilot, "client"), "the transition just taken"
        assert "▶ SYN_RECEIVED" in pane(pilot, "server")
        assert "rcv SYN / snd SYN,ACK ★" in pane(pilot, "server")


async def test_a_common_wrong_answer_gets_its_own_feedback_then_a_hint(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))
        await pilot.press("n", "n")
        await pilot.pause()
        assert moment_kind(pilot) == "PredictSegment"
        wrong = right_answer(pilot, 2) | {"ack": "x"}
        await answer_segment(pilot, wrong)
        shown = feedback(pilot)
        assert "Not quite" in shown
        assert "✘ ack: ack is the next number the server expects" in shown
        assert "x+1" not in shown.split("✘ ack:")[0], "a wrong try does not give the answer"
        await pilot.press("h")
        await pilot.pause()
        assert "Hint: The server sends its own SYN" in feedback(pilot)
        await answer_segment(pilot, right_answer(pilot, 2))
        assert "Right!" in feedback(pilot)
    assert list(outcomes(tmp_path).values()) == ["first_try", "solved"]


async def test_n_does_not_skip_an_unanswered_question(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await next_until(pilot, "PredictSegment")
        index = app.screen.play.index
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.play.index == index
        assert any("Answer first" in n.message for n in app._notifications)


async def test_reveal_is_recorded_apart_from_solving(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await pilot.press("v")
        await pilot.pause()
        assert "Revealed:" in feedback(pilot)
        assert "seq=x" in feedback(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert moment_kind(pilot) == "segment", "a revealed question lets the learner go on"
    assert list(outcomes(tmp_path).values()) == ["revealed"]


async def test_letters_typed_in_a_number_field_still_reach_the_keys(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        app.screen.query_one("#field-seq").focus()
        await pilot.press("x", "plus", "1", "h")
        await pilot.pause()
        assert app.screen.query_one("#field-seq").value == "x+1"
        assert "Hint:" in feedback(pilot)


async def test_back_restores_everything_exactly(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1) | {"ack": "y"})
        before = (
            ladder(pilot),
            pane(pilot, "client"),
            pane(pilot, "server"),
            quiz_text(pilot),
            feedback(pilot),
            app.screen.query_one("#field-ack").value,
        )
        await pilot.press("v", "n", "n", "b", "b")
        await pilot.pause()
        after = (
            ladder(pilot),
            pane(pilot, "client"),
            pane(pilot, "server"),
            quiz_text(pilot),
            feedback(pilot),
            app.screen.query_one("#field-ack").value,
        )
        assert after[:4] == before[:4]
        assert after[5] == "y", "the learner's typed answer is still there"
        assert "Revealed:" in after[4]


async def test_restart_starts_over_with_new_random_isns(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        first = app.screen.play.run.isns
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.play.index == 0
        assert app.screen.play.run.isns != first
        assert f"ISN x={app.screen.play.run.x}" in pane(pilot, "client")


async def test_t_switches_between_x_plus_n_and_absolute_numbers(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await pilot.press("v", "n")
        await pilot.pause()
        x = app.screen.play.run.x
        assert "SYN seq=x" in ladder(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert f"SYN seq={x}" in ladder(pilot)
        assert "absolute seq" in str(app.screen.query_one("#header").render())
        await pilot.press("t")
        await pilot.pause()
        assert "SYN seq=x" in ladder(pilot)


async def test_l_switches_the_lesson_to_chinese_and_back(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await pilot.press("l")
        await pilot.pause()
        assert "客户端发起连接" in quiz_text(pilot)
        assert "中文" in str(app.screen.query_one("#header").render())
        assert app.screen.query_one("#client-pane").border_title == "客户端"
        await pilot.press("l")
        await pilot.pause()
        assert "The client opens the connection" in quiz_text(pilot)


async def test_reopening_a_lesson_resumes_where_it_was_left_with_the_same_isns(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))
        await pilot.press("n")
        await pilot.pause()
        index, isns = app.screen.play.index, app.screen.play.run.isns
    again = new_app(tmp_path, LESSON, seed=99)
    async with again.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert again.screen.play.index == index
        assert again.screen.play.run.isns == isns
        assert "SYN seq=x" in ladder(pilot)


async def test_the_whole_lesson_ends_on_a_results_screen_with_the_score(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(60):
            kind = moment_kind(pilot)
            if kind == "PredictSegment":
                number = app.screen.moment.segment
                await answer_segment(pilot, right_answer(pilot, number))
            elif kind == "Choice":
                step = app.screen.moment.step
                right = [i for i, o in enumerate(step.options) if o.correct]
                await pilot.press(*(str(i + 1) for i in right))
                await pilot.press("c")
            await pilot.press("n")
            await pilot.pause()
            if isinstance(app.screen, ResultsScreen):
                break
        assert isinstance(app.screen, ResultsScreen)
        text = str(app.screen.query_one("#results-text").render())
        questions = len(app.screen.source.lesson.questions)
        assert f"Score: {questions} of {questions}" in text
        assert f"{questions} × right at the first try" in text
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "PickerScreen"
    progress = ProgressStore(tmp_path / "data", "ada").lesson(LESSON)
    assert progress.status == "solved"
    assert progress.score == questions
