"""In Chinese, every step of every lesson is Chinese on the screen as drawn.

Not only the feedback (``test_diagnosis`` checks every wrong answer's words): the panes
(path, exits), the ladder, the question and its form, the cause line, the marks after a
wrong try, the reveal with its explanations, the header and the results. English is
allowed only where Chinese textbooks keep it (``chinese.english_words``: names in
capitals such as states, flags, RFC, ISN, MSL, SND.NXT; code such as connect() inside a
Chinese sentence; seq=/ack= notation); the footer's keys keep their names (tab, esc)
and the language key says "English".
"""

from __future__ import annotations

import pytest
from chinese import english_words

from tui_tutor.app.screens.lesson import LessonScreen
from tui_tutor.engine import State
from tui_tutor.lessons import default_dir
from tui_tutor.lessons.catalog import read_catalog
from tui_tutor.lessons.model import Choice, PredictSegment, PredictState
from tui_tutor.lessons.quiz import expected_state

from .driver import answer_segment, exported_lines, new_app, right_answer, typing

LESSONS = [info.id for info in read_catalog(default_dir())]
KEY_NAMES = {"a-z", "tab", "esc", "Enter", "English"}


def english_on_screen(pilot) -> list[tuple[str, list[str]]]:
    """(line, its English words) for each line of the screen that has some; a key's name is
    not English (the keys are printed so), and code wrapped over two lines is still code."""
    found = []
    in_code = False
    for line in exported_lines(pilot):
        text = line
        if text.count("`") % 2:  # `netstat -tan` cut by the end of a line
            text = text[text.index("`") + 1 :] if in_code else text[: text.rindex("`")]
            in_code = not in_code
        words = [w for w in english_words(text) if w not in KEY_NAMES]
        if words:
            found.append((line.strip(), words))
    return found


async def try_wrong(pilot, screen: LessonScreen) -> None:
    """One wrong answer, typed, so that the marks and the advice are on the screen."""
    step = screen.moment.step
    if isinstance(step, Choice):
        wrong = next((i for i, o in enumerate(step.options) if not o.correct), None)
        if wrong is not None:
            await pilot.press(str(wrong + 1), "enter")
    elif isinstance(step, PredictState):
        want = expected_state(screen.play.run, step)
        other = next(s for s in State if s is not want)
        screen.query_one("#field-state").focus()
        await pilot.press(*typing(other.value.lower()), "enter")
    elif isinstance(step, PredictSegment) or step is None:
        answer = right_answer(pilot, screen.moment.segment)
        flags = answer["flags"]
        answer["flags"] = {"RST"} if flags != {"RST"} else {"SYN"}
        await answer_segment(pilot, answer)
    await pilot.pause()


@pytest.mark.parametrize("lesson", LESSONS)
async def test_every_step_of_the_lesson_is_chinese_on_screen(tmp_path, lesson):
    app = new_app(tmp_path, lesson, lang="zh")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        await pilot.pause()
        bad = []
        for _ in range(80):
            if not isinstance(app.screen, LessonScreen):
                break
            step = screen.play.index + 1
            bad += [(step, "shown", *found) for found in english_on_screen(pilot)]
            if screen._is_question(screen.moment) and not screen._done(screen.play.index):
                await try_wrong(pilot, screen)
                bad += [(step, "wrong", *found) for found in english_on_screen(pilot)]
                await pilot.press("v")
                await pilot.pause()
                bad += [(step, "revealed", *found) for found in english_on_screen(pilot)]
            await pilot.press("n")
            await pilot.pause()
        bad += [("results", "", *found) for found in english_on_screen(pilot)]
        assert bad == [], "\n".join(map(str, bad))
