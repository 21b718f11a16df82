"""Terminal sizes, help, colour and the picker: what a learner meets before any lesson."""

from __future__ import annotations

import re

from tui_tutor.app.app import TooSmallScreen
from tui_tutor.app.screens.help import HelpScreen
from tui_tutor.app.screens.lesson import LessonScreen
from tui_tutor.app.screens.picker import PickerScreen

from .driver import new_app, next_until, pane, text_of

LESSON = "three-way-handshake"


async def test_a_tiny_terminal_shows_a_notice_and_nothing_crashes(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "40x10" in text_of(pilot, "#too-small-text")
        assert "80x24" in text_of(pilot, "#too-small-text")
        await pilot.press("n", "b", "h", "x", "tab", "enter", "escape")
        await pilot.resize_terminal(79, 30)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen), "enlarging gives the lesson back"
        await pilot.resize_terminal(20, 5)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "20x5" in text_of(pilot, "#too-small-text")


async def test_help_lists_every_key_of_the_lesson_screen(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = text_of(pilot, "#help-text")
        for key in (
            "n or →",
            "b or ←",
            "Enter or c",
            "h:",
            "v:",
            "r:",
            "t:",
            "l:",
            "?:",
            "Escape:",
            "q:",
        ):
            assert key in text, f"help does not mention {key}"
        bound = {k for b in LessonScreen.BINDINGS for k in b.key.split(",")}
        named = {
            "n",
            "right",
            "b",
            "left",
            "h",
            "c",
            "v",
            "r",
            "t",
            "l",
            "question_mark",
            "escape",
            "pageup",
            "pagedown",
            *map(str, range(1, 7)),
        }
        assert bound <= named, f"keys without help: {bound - named}"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_with_no_color_the_current_state_still_reads_by_its_marker(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(100, 30)) as pilot:
        await next_until(pilot, "PredictSegment")
        assert app.no_color
        assert "▶ LISTEN" in pane(pilot, "server")


async def test_the_picker_lists_lessons_by_level_and_opens_one_with_enter(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        listing = app.screen.query_one("#lesson-list")
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert "── Basics ──" in prompts[0]
        assert any("Review" in p for p in prompts)
        assert "1. Why a connection needs a handshake" in text_of(pilot, "#lesson-detail")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.source.key == "three-way-handshake"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        detail = text_of(pilot, "#lesson-detail")
        questions = len(app.lessons[LESSON].questions)
        assert re.search(rf"in progress · score 0/{questions}", detail), detail


async def test_the_picker_switches_to_chinese(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert "TCP 如何建立和关闭连接" in text_of(pilot, "#picker-title")
        assert "为什么" in text_of(pilot, "#lesson-detail")
