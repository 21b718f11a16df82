"""Terminal sizes, help, colour and the picker: what a learner meets before any lesson."""

from __future__ import annotations

import gc
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from rich.cells import cell_len

from tui_tutor.app.app import TooSmallScreen
from tui_tutor.app.screens.help import SECTIONS, HelpScreen
from tui_tutor.app.screens.lesson import LessonScreen
from tui_tutor.app.screens.picker import STATUS_MARKS, PickerScreen
from tui_tutor.app.screens.sandbox import SandboxScreen
from tui_tutor.app.view import segment_label
from tui_tutor.lessons import default_dir
from tui_tutor.lessons.loader import load_all
from tui_tutor.lessons.quiz import Numbers
from tui_tutor.lessons.timeline import play

from .driver import (
    answer_segment,
    footer,
    new_app,
    next_until,
    pane,
    region_lines,
    region_words,
    right_answer,
    screen_text,
)

LESSON = "three-way-handshake"


async def test_a_tiny_terminal_shows_a_notice_and_nothing_crashes(tmp_path):
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "40x10" in screen_text(pilot) and "80x24" in screen_text(pilot)
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
        assert "20x5" in region_words(pilot, "#too-small-text")


@pytest.mark.parametrize("lesson", [None, LESSON])
async def test_the_notice_of_a_small_terminal_is_drawn_in_a_colour_that_shows(tmp_path, lesson):
    """The notice put up as the app starts was drawn in no colour (an invisible text) when
    the picker was the first screen: it came before the app had its styles."""
    app = new_app(tmp_path, lesson)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        svg = app.export_screenshot()
    (style,) = set(re.findall(r'class="([^"]+)"[^>]*>The&#160;terminal', svg))
    fills = dict(re.findall(r"\.([\w-]+) \{ fill: (#\w+)", svg))
    # the background: the fill of most cells
    (background, _), *_ = Counter(re.findall(r'<rect fill="(#\w+)"', svg)).most_common(1)
    assert fills[style.split()[-1]] != background, "the text is the background's colour"


class TestHelp:
    async def test_help_is_drawn_at_80x24_and_names_every_lesson_key(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            shown = region_words(pilot, "#help-box")
            assert "In a lesson" in shown and "Tab  Shift+Tab" in shown
            assert "check the answer, from any field" in shown
            box = region_lines(pilot, "#help-box")
            assert len(box) > 10 and cell_len(box[0]) > 60, "a box with the keys in it"
            bound = {k for b in LessonScreen.BINDINGS for k in b.key.split(",")}
            named = " ".join(keys for keys, _ in SECTIONS["lesson"] + SECTIONS["all"])
            names = {"right": "→", "left": "←", "question_mark": "?", "escape": "Esc"}
            names |= {"enter": "Enter", "pageup": "PgUp", "pagedown": "PgDn"}
            names |= {"tab": "Tab", "shift+tab": "Shift+Tab"}
            names |= {"shift+up": "Shift+↑", "shift+down": "Shift+↓"}
            for key in bound:
                if key.isdigit():
                    assert "1-9" in named
                    continue
                assert names.get(key, key) in named.split(), f"the help does not name {key}"

    async def test_help_scrolls_to_the_picker_and_sandbox_keys_and_the_marks(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
            assert "In the sandbox" not in region_words(pilot, "#help-box")
            await pilot.press("end")
            await pilot.pause()
            shown = region_words(pilot, "#help-box")
            assert "Marks" in shown and "a peer's current state" in shown
            assert "Escape or ? closes this help" in shown
            await pilot.press("pageup")
            await pilot.pause()
            shown = region_words(pilot, "#help-box")
            assert "In the sandbox" in shown and "undo the last action" in shown
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen)

    async def test_help_opened_from_the_picker_starts_with_its_keys_in_chinese(self, tmp_path):
        app = new_app(tmp_path, lang="zh")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
            shown = region_words(pilot, "#help-box")
            assert shown.index("课程列表中") < shown.index("课程中")
            assert "沙盒：自己操控双方" in shown and "打开" in shown
            await pilot.press("l")
            await pilot.pause()
            assert "In the list of lessons" in region_words(pilot, "#help-box"), "l switches it"


async def test_with_no_color_the_current_state_still_reads_by_its_marker(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(100, 30)) as pilot:
        await next_until(pilot, "PredictSegment")
        assert app.no_color
        assert "▶ LISTEN" in pane(pilot, "server")


class TestPicker:
    async def test_the_picker_lists_lessons_by_level_and_opens_one_with_enter(self, tmp_path):
        app = new_app(tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            listing = region_words(pilot, "#lesson-list")
            assert listing.startswith("── Basics ──")
            assert "1. Why a connection needs a handshake" in region_words(pilot, "#lesson-detail")
            await pilot.press("down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen)
            assert app.screen.source.key == "three-way-handshake"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            detail = region_words(pilot, "#lesson-detail")
            questions = len(app.lessons[LESSON].questions)
            assert re.search(rf"in progress · score 0/{questions}", detail), detail

    async def test_the_picker_switches_to_chinese(self, tmp_path):
        app = new_app(tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("l")
            await pilot.pause()
            assert "TCP 如何建立和关闭连接" in screen_text(pilot).splitlines()[0]
            assert "为什么" in region_words(pilot, "#lesson-detail")

    @pytest.mark.parametrize("lang", ["en", "zh"])
    async def test_no_title_is_cut(self, tmp_path, lang):
        app = new_app(tmp_path, lang=lang)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            # more lessons than rows: the listing is read page by page, down to the last
            listing = region_words(pilot, "#lesson-list")
            for _ in app.catalog:
                await pilot.press("down")
                await pilot.pause()
                listing += " " + region_words(pilot, "#lesson-list")
            # a title too long for its row wraps under itself, its status mark beside its
            # first line: read without the marks
            marks = "".join(STATUS_MARKS.values())
            listing = " ".join(re.sub(f"[{marks}]", " ", listing).split())
            for item in app.catalog:
                assert item.text(item.title, lang) in listing

    async def test_s_and_o_are_in_the_footer_and_open_sandbox_and_captures(self, tmp_path):
        app = new_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            keys = footer(pilot)
            assert "s" in keys.split() and "sandbox" in keys and "capture" in keys
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, SandboxScreen)


def test_no_lesson_summary_gives_away_a_segment():
    """The picker shows a lesson's summary before any question: it names no segment."""
    loaded, problems = load_all([default_dir()])
    assert not problems
    for item in loaded:
        lesson = item.lesson
        run = play(lesson, rng=random.Random(1))
        numbers = Numbers(run.x, run.y, symbolic=lesson.numbers == "symbolic")
        labels = {segment_label(r, numbers) for r in run.records}
        for lang in ("en", "zh"):
            summary = getattr(lesson.summary, lang)
            assert "seq=" not in summary and "ack=" not in summary, (lesson.id, summary)
            assert not any(label in summary for label in labels), (lesson.id, summary)


@pytest.mark.parametrize("where", ["picker", "lesson", "sandbox"])
async def test_in_chinese_at_80x24_the_footer_keeps_help_escape_and_quit(tmp_path, where):
    app = new_app(tmp_path, LESSON if where == "lesson" else None, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if where == "lesson":
            await next_until(pilot, "PredictSegment")
        if where == "sandbox":
            await pilot.press("s")
            await pilot.pause()
        keys = " ".join(footer(pilot).split())
        assert "? 帮助" in keys and "q 退出" in keys
        if where != "picker":
            assert "esc 课程" in keys
        if where != "lesson":  # at a question its own keys come first; ? lists l
            assert "l English" in keys


async def test_shrinking_the_terminal_fits_the_question_row_again(tmp_path):
    app = new_app(tmp_path, LESSON, lang="zh")
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        row = next(line for line in region_lines(pilot, "#quiz") if "[ ]SYN" in line)
        assert "标志位" not in row, "at 80 columns the row has no room for the word flags"
        assert re.search(r"确认号▏.*▕", row), f"the ack field is cut: {row!r}"
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        await pilot.pause()
        row = next(line for line in region_lines(pilot, "#quiz") if "[ ]SYN" in line)
        assert "标志位" in row, "wide again: the word flags is back"


async def test_at_80x24_in_chinese_the_feedbacks_scrollbar_cuts_no_field(tmp_path):
    app = new_app(tmp_path, LESSON, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))  # long feedback: the panel scrolls
        await pilot.press("pageup", "pageup")
        await pilot.pause()
        row = next(line for line in region_lines(pilot, "#quiz") if "SYN [" in line)
        assert re.search(r"确认号▏.*▕", row), f"the ack field is cut: {row!r}"


async def test_the_picker_rows_follow_the_terminal_width(tmp_path):
    """The rows are made for a width: the status in words where every title leaves room for
    them, else a mark; made again when the width changes (and only then)."""
    app = new_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert "not started" in region_words(pilot, "#lesson-list")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert "not started" not in region_words(pilot, "#lesson-list")
        assert " · " in " ".join(region_lines(pilot, "#lesson-list"))
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        await pilot.pause()
        assert "not started" in region_words(pilot, "#lesson-list")


@pytest.mark.parametrize("capture", [False, True])
async def test_the_garbage_collector_is_on_again_once_the_first_screen_is_painted(
    tmp_path, capture
):
    """The command line starts the app with it off (a faster start); a session left with it
    off would keep every cycle it makes until it ends."""
    from tui_tutor.commands.app import start_without_gc

    kernel = Path(__file__).resolve().parent.parent / "kernel"
    opened = kernel / "client_closes_first.pcap" if capture else None
    with start_without_gc():
        app = new_app(tmp_path, open_capture=opened)
        async with app.run_test(size=(80, 24)) as pilot:
            # the first paint comes when the machine gets to it (a loaded one: later)
            for _ in range(100):
                await pilot.pause(0.05)
                if gc.isenabled():
                    break
            assert gc.isenabled(), "still off 5 s after the start"


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_started_lessons_score_stays_on_its_row_in_the_picker(tmp_path, size, lang):
    """The rows were made 2 cells wider than the list has room for (its scrollbar): a
    started lesson's score fell onto a line of its own (or was cut)."""
    app = new_app(tmp_path, lang=lang)
    store = app.store
    loaded, _ = load_all([default_dir()])
    lesson = next(item.lesson for item in loaded if item.lesson.id == LESSON)
    store.open_lesson(LESSON, len(lesson.questions), (1, 2))
    store.record(LESSON, next(iter(lesson.question_ids)), "answer", correct=True)
    percent = store.lesson(LESSON).percent
    assert percent > 0
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        lines = region_lines(pilot, "#lesson-list")
    row = next(line for line in lines if re.match(rf"│\s+{lesson.number} ", line))
    assert re.search(rf"\b{percent}%\s*│", row), f"the score is not on its row: {row!r}"
    assert not any(re.fullmatch(r"│\s*\d*%?\s*│", line) for line in lines), lines
