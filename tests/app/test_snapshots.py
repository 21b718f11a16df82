"""SVG snapshots of the key screens, at 80x24 and 120x36, in English and in Chinese.

Update after an intended change with ``pytest tests/app/test_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

import pytest

from tui_tutor.app import make_app
from tui_tutor.progress import ProgressStore

from .driver import answer_segment, next_until, right_answer

SIZES = {"small": (80, 24), "large": (120, 36)}


def app_for(tmp_path, lang: str, lesson: str | None = None):
    return make_app(
        store=ProgressStore(tmp_path / "data", "ada"), lang=lang, open_lesson=lesson, seed=2026
    )


class TestPicker:
    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_picker(self, snap_compare, tmp_path, size, lang):
        assert snap_compare(app_for(tmp_path, lang), terminal_size=SIZES[size])


class TestLesson:
    @staticmethod
    async def at_second_question_after_a_wrong_try(pilot):
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))
        await pilot.press("n", "n")
        await pilot.pause()
        await answer_segment(pilot, right_answer(pilot, 2) | {"ack": "x"})
        pilot.app.set_focus(None)
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_lesson_question(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "three-way-handshake")
        assert snap_compare(
            app, terminal_size=SIZES[size], run_before=self.at_second_question_after_a_wrong_try
        )

    @staticmethod
    async def after_the_resent_fin(pilot):
        for _ in range(40):
            moment = pilot.app.screen.moment
            if moment.kind == "segment" and moment.segment == 8:
                break
            await pilot.press("v", "n")
            await pilot.pause()
        assert pilot.app.screen.moment.segment == 8

    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_lesson_late_in_a_close(self, snap_compare, tmp_path, lang):
        app = app_for(tmp_path, lang, "lost-last-ack")
        assert snap_compare(app, terminal_size=(120, 36), run_before=self.after_the_resent_fin)


class TestSmallTerminal:
    def test_too_small_notice(self, snap_compare, tmp_path):
        assert snap_compare(app_for(tmp_path, "en"), terminal_size=(60, 20))


class TestPanes:
    """The state-machine panes while the server's SYN,ACK is predicted (held back), and
    after a reveal (the exits taken marked); a late ladder with retransmissions."""

    @staticmethod
    async def at_the_server_answer(pilot):
        await next_until(pilot, "PredictSegment")
        await pilot.press("v", "n", "n")
        await pilot.pause()

    @staticmethod
    async def after_revealing_the_server_answer(pilot):
        await TestPanes.at_the_server_answer(pilot)
        await pilot.press("v")
        pilot.app.set_focus(None)
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_panes_while_asked(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "three-way-handshake")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.at_the_server_answer)

    @pytest.mark.parametrize("size", SIZES)
    def test_panes_after_the_answer(self, snap_compare, tmp_path, size):
        app = app_for(tmp_path, "en", "three-way-handshake")
        assert snap_compare(
            app, terminal_size=SIZES[size], run_before=self.after_revealing_the_server_answer
        )

    @staticmethod
    async def after_the_backoff(pilot):
        for _ in range(11):
            await pilot.press("v", "n")
            await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    def test_ladder_with_retransmissions(self, snap_compare, tmp_path, size):
        app = app_for(tmp_path, "en", "lost-syn-backoff")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.after_the_backoff)


class TestDiagram:
    """The diagram view (d) late in lesson 7: the client in TIME_WAIT, the server in LAST_ACK."""

    @staticmethod
    async def open_late(pilot):
        for _ in range(9):
            await pilot.press("v", "n")
            await pilot.pause()
        await pilot.press("d")
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_diagram(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "lost-last-ack")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.open_late)
