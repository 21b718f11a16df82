"""A learner plays the three-way handshake lesson with the keyboard alone.

The right answers come from the engine (``right_answer`` reads the run the screen
plays), never from this file; what is asserted is read off the rendered screen.
"""

from __future__ import annotations

import re

import pytest

from tui_tutor.app.screens.confirm import ConfirmScreen
from tui_tutor.app.screens.lesson import LessonScreen
from tui_tutor.app.screens.results import ResultsScreen
from tui_tutor.lessons.explain import field_name
from tui_tutor.lessons.quiz import expected_state
from tui_tutor.progress import ProgressStore

from .driver import (
    answer_segment,
    feedback,
    header,
    ladder,
    moment_kind,
    new_app,
    next_until,
    pane,
    plain_answer,
    quiz_text,
    region_lines,
    region_words,
    right_answer,
    screen_lines,
    screen_text,
    state_keys,
    typing,
    wait_for,
)

LESSON = "three-way-handshake"


def outcomes(tmp_path, learner: str = "ada") -> dict[str, str]:
    return ProgressStore(tmp_path / "data", learner).outcomes(LESSON)


async def at_second_question(pilot) -> None:
    await next_until(pilot, "PredictSegment")
    await answer_segment(pilot, right_answer(pilot, 1))
    await pilot.press("n", "n")
    await pilot.pause()
    assert moment_kind(pilot) == "PredictSegment"


async def test_a_right_prediction_is_graded_explained_and_recorded(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))
        shown = feedback(pilot)
        assert "Right!" in shown
        assert "✔ seq: seq = x: a SYN carries the sender's initial sequence number" in shown
        assert "RFC 9293 3.10.1" in shown, "the explanation names the rule behind it"
    assert list(outcomes(tmp_path).values()) == ["first_try"]


async def test_the_segment_appears_in_the_ladder_once_answered(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        assert "├─ ? " in ladder(pilot), "the predicted segment shows as ? before it is sent"
        await answer_segment(pilot, right_answer(pilot, 1))
        assert "SYN seq=x" in ladder(pilot) and "├─ ? " not in ladder(pilot)
        client = pane(pilot, "client")
        assert "▶ SYN_SENT" in client
        assert "connect / snd SYN ★" in client, "the transition just taken"
        # the answer said where the server goes; what it sends there is the next question
        server = pane(pilot, "server")
        assert "▶ SYN_RECEIVED" in server and "SND.NXT ?" in server
        await pilot.press("n")
        await pilot.pause()
        assert "SYN seq=x" in ladder(pilot)
        assert "▶ SYN_SENT" in pane(pilot, "client") and "▶ SYN_RECEIVED" in pane(pilot, "server")
        assert "★" not in pane(pilot, "client"), "nothing new at this step"


async def test_a_common_wrong_answer_gets_its_own_feedback_then_a_hint(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await at_second_question(pilot)
        await answer_segment(pilot, right_answer(pilot, 2) | {"ack": "x"})
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
        app.set_focus(None)
        index = app.screen.play.index
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.play.index == index
        assert any("Answer first" in n.message for n in app._notifications)


class TestNotATry:
    async def test_enter_on_an_empty_form_says_what_is_missing_and_costs_nothing(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("enter")
            await pilot.pause()
            shown = feedback(pilot)
            assert "Fill in first: flags, seq, client state, server state." in shown
            assert "Not counted as a try" in shown
            assert "ack" not in shown.split("Fill in first:")[1].split(".")[0], (
                "an empty ack is an answer (no ACK): it is not asked for"
            )
            assert outcomes(tmp_path) == {}
            await answer_segment(pilot, right_answer(pilot, 1))
            assert "Right!" in feedback(pilot)
        assert list(outcomes(tmp_path).values()) == ["first_try"], "the first try was kept"

    async def test_an_unreadable_number_is_not_a_try(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await next_until(pilot, "PredictSegment")
            await answer_segment(pilot, right_answer(pilot, 1) | {"seq": "x+y"})
            shown = feedback(pilot)
            assert "seq:" in shown and "x+y" in shown
            assert "Not counted as a try" in shown
            assert "Not quite" not in shown
            assert outcomes(tmp_path) == {}

    async def test_in_chinese_the_missing_fields_are_named_in_chinese(self, tmp_path):
        app = new_app(tmp_path, LESSON, lang="zh")
        async with app.run_test(size=(120, 36)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("enter")
            await pilot.pause()
            names = "、".join(
                field_name(f, "zh") for f in ("flags", "seq", "client_state", "server_state")
            )
            assert f"请先填写：{names}。" in feedback(pilot)


class TestReveal:
    async def test_reveal_keeps_the_answer_and_its_marks_beside_the_right_one(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await at_second_question(pilot)
            right = right_answer(pilot, 2)
            await answer_segment(pilot, right | {"ack": "x"})
            await pilot.press("v")
            await pilot.pause()
            shown = feedback(pilot)
            assert "Revealed" in shown
            assert re.search(r"✔ flags\s+SYN,ACK", shown), shown
            assert re.search(r"✔ seq\s+y", shown), "a right field stays right"
            assert re.search(r"✘ ack\s+x → x\+1", shown), "the wrong entry, then the answer"
            assert "✘ flags" not in shown and "✘ seq" not in shown
            assert app.screen.query_one("#field-ack").value == "x", "what was typed stays"
            await pilot.press("n")
            await pilot.pause()
            assert moment_kind(pilot) == "segment", "a revealed question lets the learner go on"
        assert list(outcomes(tmp_path).values()) == ["first_try", "revealed"]

    async def test_reveal_after_a_wrong_pick_explains_the_right_one(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(20):  # to the first choice, revealing the questions before it
                if moment_kind(pilot) == "Choice":
                    break
                await pilot.press("v", "n")
                await pilot.pause()
            options = app.screen.moment.step.options
            right = next(i for i, o in enumerate(options) if o.correct)
            wrong = next(i for i, o in enumerate(options) if not o.correct)
            await pilot.press(str(wrong + 1), "enter", "v")
            await pilot.pause()
            shown = feedback(pilot)
            assert f"✘ you picked {wrong + 1}" in shown, shown
            assert f"{right + 1}. " in shown, "the right option is shown"
            assert "Pick an answer first" not in shown, "an answer was picked"

    async def test_reveal_before_any_answer_shows_the_answer(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("v")
            await pilot.pause()
            shown = feedback(pilot)
            assert re.search(r"· seq\s+x\b", shown), shown
            assert "✘" not in shown, "nothing was entered: nothing is marked wrong"
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
        app.set_focus(None)
        await pilot.press("v")
        await pilot.pause()
        before = screen_text(pilot)
        await pilot.press("n", "n", "b", "b")
        await pilot.pause()
        assert screen_text(pilot) == before
        assert app.screen.query_one("#field-ack").value == "y", "the typed answer is still there"


class TestRestart:
    async def test_restart_asks_first_then_starts_over_with_new_isns(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await next_until(pilot, "PredictSegment")
            await answer_segment(pilot, right_answer(pilot, 1))
            first = app.screen.play.run.isns
            await pilot.press("R")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert "Its score and answers are wiped" in region_words(pilot, "#confirm-text")
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen)
            assert app.screen.play.run.isns == first, "no: nothing changed"
            await pilot.press("R", "y")
            await wait_for(pilot, lambda: app.screen.play.run.isns != first)
            assert app.screen.play.index == 0
            assert f"x={app.screen.play.run.x}" in pane(pilot, "client")
        assert outcomes(tmp_path) == {}, "yes: the score is wiped"

    async def test_r_in_the_flags_ticks_rst_and_does_not_restart(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen)
            assert "[x]RST" in quiz_text(pilot)


class TestNumbers:
    async def test_t_switches_between_x_plus_n_and_absolute_numbers(self, tmp_path):
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
            assert "absolute seq" in header(pilot)
            await pilot.press("t")
            await pilot.pause()
            assert "SYN seq=x" in ladder(pilot)

    async def test_a_plain_number_typed_before_t_keeps_its_meaning(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await at_second_question(pilot)
            answer = plain_answer(pilot, 2)  # ack "1": x+1 counted from the client's ISN
            app.screen.query_one("#field-ack").focus()
            await pilot.press(*typing(str(answer["ack"])))
            await pilot.press("t")
            await pilot.pause()
            x = app.screen.play.run.x
            shown = region_words(pilot, "#quiz")
            assert str((x + 1) % 2**32) in shown, "1 meant x+1: it now reads as x+1 absolute"
            await pilot.press("t")
            await pilot.pause()
            assert "x+1" in region_words(pilot, "#quiz")
            await answer_segment(pilot, answer)
            assert "Right!" in feedback(pilot)


class TestLanguage:
    async def test_l_switches_the_lesson_to_chinese_and_back(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("l")
            await pilot.pause()
            assert "客户端发起连接" in quiz_text(pilot)
            assert "中文" in header(pilot)
            assert "客户端" in screen_text(pilot).splitlines()[1]
            await pilot.press("l")
            await pilot.pause()
            assert "The client opens the connection" in quiz_text(pilot)

    async def test_feedback_marks_and_reveal_are_said_again_in_the_new_language(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await at_second_question(pilot)
            await answer_segment(pilot, right_answer(pilot, 2) | {"ack": "x"})
            app.set_focus(None)
            await pilot.press("l")
            await pilot.pause()
            shown = feedback(pilot)
            assert "✘ 确认号" in shown and "✔ 标志位" in shown
            assert "Not quite" not in shown and "✘ ack" not in shown
            await pilot.press("v")
            await pilot.pause()
            shown = feedback(pilot)
            assert "已揭晓" in shown and "客户端状态" in shown
            assert "client state" not in shown and "Revealed" not in shown
            await pilot.press("l")
            await pilot.pause()
            shown = feedback(pilot)
            assert "Revealed" in shown and "✘ ack" in shown and "确认号" not in shown


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


async def answer_to_the_end(pilot, reveal_segment: int | None = None) -> None:
    """Answer every question right at the first try, by keys, until the results show;
    the question about ``reveal_segment`` is revealed instead."""
    app = pilot.app
    for _ in range(80):
        kind = moment_kind(pilot)
        if kind == "PredictSegment":
            number = app.screen.moment.segment
            if number == reveal_segment:
                await pilot.press("v")
            else:
                await answer_segment(pilot, right_answer(pilot, number))
        elif kind == "Choice":
            step = app.screen.moment.step
            right = [i for i, o in enumerate(step.options) if o.correct]
            await pilot.press(*(str(i + 1) for i in right), "enter")
        elif kind == "PredictState":
            state = expected_state(app.screen.play.run, app.screen.moment.step)
            await pilot.press(*typing(state_keys(state.value)), "enter")
        await pilot.press("n")
        await pilot.pause()
        if isinstance(app.screen, ResultsScreen):
            return
    raise AssertionError("no results screen")


async def test_the_whole_lesson_ends_on_results_that_name_what_was_missed(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await answer_to_the_end(pilot, reveal_segment=3)  # the third segment is revealed
        shown = screen_text(pilot)
        lesson = app.screen.source.lesson
        questions = [step for _, step in lesson.questions]
        missed = next(i for i, q in enumerate(questions, 1) if getattr(q, "segment", None) == 3)
        assert f"Score: {len(questions) - 1} of {len(questions)}" in shown
        title = questions[missed - 1].prompt.en
        assert f"◇ {missed}. {title[:40]}" in shown, "the missed question, named"
        assert questions[0].prompt.en[:30] not in shown, "questions right at once are not listed"
        assert "(asks first)" in shown


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_results_name_a_missed_question_whole_at_80_columns(tmp_path, lang):
    # lost-fin's question on segment 7 has a Chinese run of 44 characters without a space
    app = new_app(tmp_path, "lost-fin", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_to_the_end(pilot, reveal_segment=7)
        await pilot.pause()
        lesson = app.screen.source.lesson
        (prompt,) = [q.prompt for _, q in lesson.questions if getattr(q, "segment", 0) == 7]
        box = region_lines(pilot, "ResultsScreen > Vertical")
        # the prompt wraps over lines of the box: read them as one run of text
        joined = "".join(line.strip().strip("│").strip() for line in box).replace(" ", "")
        assert "…" not in joined, "\n".join(box)
        assert prompt.get(lang).replace(" ", "") in joined, "\n".join(box)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_results_with_every_answer_right_end_without_a_blank_line(tmp_path, lang, size):
    app = new_app(tmp_path, LESSON, lang=lang)
    async with app.run_test(size=size) as pilot:
        await answer_to_the_end(pilot)
        await pilot.pause()
        box = region_lines(pilot, "ResultsScreen > Vertical")
        inner = [line.strip().strip("│").strip() for line in box[1:-1]]
        keys = next(i for i, line in enumerate(inner) if line.startswith(("Enter", "Enter：")))
        counts = [i for i, line in enumerate(inner) if "×" in line]
        assert counts, inner
        # the keys are one margin line below the last count, not two
        assert keys - counts[-1] == 2, "\n".join(box)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
@pytest.mark.parametrize("lesson", ["isn-old-duplicates", "rare-arrows", "three-segment-close"])
async def test_the_header_never_cuts_the_title_or_where_the_learner_is(
    tmp_path, lesson, lang, size
):
    app = new_app(tmp_path, lesson, lang=lang)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        source = screen.source
        lines = screen_lines(pilot)
        top = lines[0]
        assert source.title(lang) in top, top
        total = len(screen.play.run.moments)
        # step and score on the header, or on the question's border under it
        quiz_top = lines[screen.query_one("#quiz").region.y]
        status = top + " " + quiz_top
        step_word, score_word = ("步骤", "得分") if lang == "zh" else ("step", "score")
        assert f"{step_word} 1/{total}" in status, status
        progress = app.store.lesson(source.key)
        assert f"{score_word} 0/{progress.total}" in status, status
        assert "…" not in top
