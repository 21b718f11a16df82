"""Issue 11's lessons play to the end in the app, in both languages, small and large.

A learner who reveals every answer steps through each lesson with n: every question is
shown, the screen keeps the terminal's size, and the lesson ends on its results screen.
Each lesson plays once in each language, the sizes taking turns (every lesson in every
combination takes minutes on a shared machine; `tui-tutor --lesson ID` tries one by hand).
"""

from __future__ import annotations

import pytest

from tui_tutor.app.screens.results import ResultsScreen

from .driver import moment_kind, new_app

LESSONS = [
    "lost-third-ack",
    "lost-fin",
    "rare-arrows",
    "rst-instead-of-fin",
    "closing-before-open",
    "rst-while-closing",
    "giving-up-handshake",
    "giving-up-open",
    "half-open-keepalive",
    "listen-backlog",
    "time-wait-busy",
    "isn-old-duplicates",
    "giving-up-while-closing",
    "idle-connection-timers",
]
SIZES = {"small": (80, 24), "large": (120, 36)}


CASES = [
    pytest.param(lesson, lang, SIZES[size], id=f"{lesson}-{lang}-{size}")
    for i, lesson in enumerate(LESSONS)
    for lang, size in (
        (("en", "small"), ("zh", "large")) if i % 2 == 0 else (("en", "large"), ("zh", "small"))
    )
]


@pytest.mark.parametrize(("lesson", "lang", "size"), CASES)
async def test_the_lesson_plays_to_its_results(tmp_path, lesson, lang, size):
    app = new_app(tmp_path, lesson, lang=lang)
    async with app.run_test(size=size) as pilot:
        questions = 0
        for _ in range(400):
            if isinstance(app.screen, ResultsScreen):
                break
            if moment_kind(pilot) in ("PredictSegment", "PredictState", "Choice"):
                questions += 1
                await pilot.press("v")  # reveal: the answer is shown and the lesson goes on
            await pilot.press("n")
            await pilot.pause()
        assert isinstance(app.screen, ResultsScreen), f"{lesson} did not reach its end"
        assert questions >= len(app.screen.source.lesson.questions)
        assert app.screen.size == size
