"""Exams in the app: the door, the questions under the exam's rules, the clock, the end.

Played by keys on the drawn screen; the clock is the app's own seam (``clock=``), the
attempt is read back from the database as the report reads it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tui_tutor.app import make_app
from tui_tutor.app.i18n import t
from tui_tutor.exams.attempt import ExamDesk
from tui_tutor.exams.load import load_exam
from tui_tutor.lessons import default_dir
from tui_tutor.progress import ProgressStore

from .driver import answer_segment, right_answer, screen_lines

EXAM = Path(__file__).resolve().parent.parent.parent / "lessons" / "exams" / "example.toml"
SIZES = {"small": (80, 24), "large": (120, 36)}
START = 1_760_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def exam_app(tmp_path, clock, lang="en", learner="ada", path=EXAM, seed=None):
    store = ProgressStore(tmp_path / "data", learner)
    exam = load_exam(path, default_dir())
    return make_app(store=store, lang=lang, exam=exam, clock=clock, seed=seed)


def shown(pilot) -> str:
    return "\n".join(screen_lines(pilot))


async def start(pilot) -> None:
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


def attempt_of(tmp_path, learner="ada"):
    store = ProgressStore(tmp_path / "data", learner)
    return ExamDesk(store, load_exam(EXAM, default_dir()), time.time).attempt()


async def test_learners_get_the_exam_not_the_picker_and_enter_starts_the_clock(tmp_path):
    clock = Clock()
    app = exam_app(tmp_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "7 questions · 15 minutes" in shown(pilot)
        assert attempt_of(tmp_path) is None, "no clock runs before Enter"
        await start(pilot)
        header = screen_lines(pilot)[0]
        assert "15:00 left · answered 0/7" in header
        clock.now += 65
        await pilot.pause(1.2)
        assert "13:55 left" in screen_lines(pilot)[0]
    assert attempt_of(tmp_path).deadline == START + 15 * 60


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES.values())
async def test_the_exam_never_cuts_the_clock_or_the_lesson_title(tmp_path, lang, size):
    app = exam_app(tmp_path, Clock(), lang=lang)
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        screen = app.screen
        lines = screen_lines(pilot)
        quiz_top = lines[screen.query_one("#quiz").region.y]
        lesson = screen.source.lesson
        assert t("exam_left", lang, time="15:00") in lines[0]
        assert lesson.title.get(lang) in lines[0] + quiz_top, (lines[0], quiz_top)
        assert "…" not in lines[0] + quiz_top


async def test_one_answer_per_question_no_mark_no_hint_no_reveal(tmp_path):
    app = exam_app(tmp_path, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        right = right_answer(pilot, 1)
        await answer_segment(pilot, right | {"seq": "x+1"})  # wrong
        text = shown(pilot)
        assert t("exam_saved", "en") in text
        assert t("wrong", "en")[:6] not in text and "✘" not in text, "no mark in an exam"
        await answer_segment(pilot, right)  # a second try changes nothing
        await pilot.press("h", "v")
        await pilot.pause()
        assert "answered 1/7" in screen_lines(pilot)[0]
    attempt = attempt_of(tmp_path)
    (given,) = attempt.answers.values()
    assert not given.correct and "seq=x+1" in given.answer, "the first answer is the one kept"
    db = ProgressStore(tmp_path / "data", "ada").db
    assert db.execute("SELECT COUNT(*) FROM events").fetchone() == (0,), "no hint, no reveal"


async def test_time_out_ends_the_exam_wherever_the_learner_is(tmp_path):
    clock = Clock()
    app = exam_app(tmp_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        await answer_segment(pilot, right_answer(pilot, 1))
        await pilot.press("question_mark")  # the help open when the time runs out
        clock.now += 15 * 60
        await pilot.pause(1.5)
        text = shown(pilot)
        assert t("exam_time_up", "en") in text
        assert "Your score: 1 of 7 right." in text
    assert attempt_of(tmp_path).finished == START + 15 * 60


async def test_a_learner_who_comes_back_goes_on_with_the_time_left(tmp_path):
    clock = Clock()
    app = exam_app(tmp_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        first_isns = dict(pilot.app.screen.play.run.isns)
        await answer_segment(pilot, right_answer(pilot, 1))
    clock.now += 300
    again = exam_app(tmp_path, clock)
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause(0.3)
        header = screen_lines(pilot)[0]
        assert "10:00 left · answered 1/7" in header, header
        screen = pilot.app.screen
        assert dict(screen.play.run.isns) == first_isns, "the same run: the learner's ISNs"
        moment = screen.moment
        assert moment.kind == "step" and moment.segment == 2, "at the next question to answer"


@pytest.mark.parametrize(
    ("times", "line"),
    [
        ("opens = 2025-10-09T10:00:00Z", "The exam opens at"),
        ("closes = 2025-10-09T08:00:00Z", "The exam closed at"),
    ],
)
async def test_before_it_opens_and_after_it_closes_the_door_says_so(tmp_path, times, line):
    path = tmp_path / "exam.toml"
    path.write_text(EXAM.read_text(encoding="utf-8").replace("# opens", f"{times}\n# opens"))
    app = exam_app(tmp_path, Clock(), path=path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert line in shown(pilot)
        assert "answered" not in shown(pilot), "Enter starts nothing"


class TestExamSnapshots:
    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_door(self, snap_compare, tmp_path, size, lang):
        app = exam_app(tmp_path, Clock(), lang)
        assert snap_compare(app, terminal_size=SIZES[size])

    @staticmethod
    async def after_one_answer(pilot):
        await start(pilot)
        await answer_segment(pilot, right_answer(pilot, 1))
        pilot.app.set_focus(None)
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_question(self, snap_compare, tmp_path, size, lang):
        app = exam_app(tmp_path, Clock(), lang, seed=2026)  # the ISNs the snapshot shows
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.after_one_answer)

    @staticmethod
    async def at_the_end(pilot):
        await TestExamSnapshots.after_one_answer(pilot)
        await pilot.press("F", "y")
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_end(self, snap_compare, tmp_path, size, lang):
        app = exam_app(tmp_path, Clock(), lang)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.at_the_end)
