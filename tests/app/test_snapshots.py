"""SVG snapshots of every screen, at 80x24 and 120x36, in English and in Chinese.

One class per feature; each test's ``run_before`` presses the keys a learner would.
Update after an intended change with ``pytest tests/app/test_snapshots.py --snapshot-update``
and look at the report (and the pictures) before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tui_tutor.app import make_app
from tui_tutor.app.screens.results import ResultsScreen
from tui_tutor.progress import ProgressStore

from .driver import answer_segment, moment_kind, next_until, right_answer, wait_for
from .test_capture_app import mixed_capture

SIZES = {"small": (80, 24), "large": (120, 36)}
LANGS = ["en", "zh"]
TESTS = Path(__file__).resolve().parent.parent
CAPTURES = TESTS / "captures" / "tcpdump"
KERNEL = TESTS / "kernel"


def sizes_and_languages(test):
    return pytest.mark.parametrize("size", SIZES)(pytest.mark.parametrize("lang", LANGS)(test))


def app_for(tmp_path, lang: str, lesson: str | None = None, **kwargs):
    store = ProgressStore(tmp_path / "data", "ada")
    return make_app(store=store, lang=lang, open_lesson=lesson, seed=2026, **kwargs)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


class TestPicker:
    @sizes_and_languages
    def test_picker(self, snap_compare, tmp_path, size, lang):
        assert snap_compare(app_for(tmp_path, lang), terminal_size=SIZES[size])


class TestLesson:
    LESSON = "three-way-handshake"

    @staticmethod
    async def at_segment_question(pilot):
        await next_until(pilot, "PredictSegment")
        await settle(pilot)

    @staticmethod
    async def after_a_wrong_try(pilot):
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))
        await pilot.press("n", "n")
        await answer_segment(pilot, right_answer(pilot, 2) | {"ack": "x"})
        await settle(pilot)

    @staticmethod
    async def after_reveal(pilot):
        await TestLesson.after_a_wrong_try(pilot)
        await pilot.press("v")
        await settle(pilot)

    @staticmethod
    async def at_choice(pilot):
        for _ in range(20):
            if moment_kind(pilot) == "Choice":
                break
            await pilot.press("v", "n")
        await pilot.press("1")
        await settle(pilot)

    @sizes_and_languages
    def test_narration(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, self.LESSON)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)

    @sizes_and_languages
    def test_segment_question(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, self.LESSON)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.at_segment_question)

    @sizes_and_languages
    def test_after_a_wrong_try(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, self.LESSON)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.after_a_wrong_try)

    @sizes_and_languages
    def test_after_reveal(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, self.LESSON)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.after_reveal)

    @sizes_and_languages
    def test_choice(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, self.LESSON)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.at_choice)

    @staticmethod
    async def at_state_question(pilot):
        for _ in range(40):
            if moment_kind(pilot) == "PredictState":
                break
            await pilot.press("v", "n")
        await pilot.press("t", "i")  # type-ahead: TIME_WAIT
        await settle(pilot)

    @sizes_and_languages
    def test_state_question(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "lost-last-ack")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.at_state_question)

    def test_no_color(self, snap_compare, tmp_path, monkeypatch):
        monkeypatch.setenv("NO_COLOR", "1")
        app = app_for(tmp_path, "en", self.LESSON)

        async def focus_in_seq(pilot):
            await self.after_a_wrong_try(pilot)
            await pilot.press("tab")
            await settle(pilot)

        assert snap_compare(app, terminal_size=(80, 24), run_before=focus_in_seq)


class TestConfirm:
    """R in a lesson asks before the score is wiped."""

    @staticmethod
    async def restart_asked(pilot):
        await next_until(pilot, "PredictSegment")
        await answer_segment(pilot, right_answer(pilot, 1))
        await pilot.press("R")
        await settle(pilot)

    @sizes_and_languages
    def test_restart_asks_first(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "three-way-handshake")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.restart_asked)


class TestHelp:
    @staticmethod
    async def open_help(pilot):
        await pilot.pause()
        await pilot.press("question_mark")
        await settle(pilot)

    @sizes_and_languages
    def test_help(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "three-way-handshake")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.open_help)


class TestResults:
    @staticmethod
    async def at_results(pilot):
        for _ in range(30):
            if isinstance(pilot.app.screen, ResultsScreen):
                break
            kind = moment_kind(pilot)
            if kind == "PredictSegment" and pilot.app.screen.moment.segment == 1:
                await answer_segment(pilot, right_answer(pilot, 1))
            else:
                await pilot.press("v")
            await pilot.press("n")
        await settle(pilot)

    @sizes_and_languages
    def test_results(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "three-way-handshake")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.at_results)


class TestSandbox:
    @staticmethod
    async def after_connect_and_send(pilot):
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter", "tab", "tab", "enter")  # client: connect, then send
        await settle(pilot)

    @sizes_and_languages
    def test_sandbox(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.after_connect_and_send)


class TestCaptures:
    @staticmethod
    async def open_dialog(pilot):
        await pilot.pause()
        await pilot.press("o")
        await settle(pilot)

    @sizes_and_languages
    def test_capture_dialog(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.open_dialog)

    @staticmethod
    async def pick_a_connection(pilot):
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        files = pilot.app.screen.files
        index = [p.name for p in files].index("tfo-5c1fa7f9ae91.pcap")
        await pilot.press(*["down"] * index, "enter")
        await wait_for(pilot, lambda: bool(pilot.app.screen.connections))
        await settle(pilot)

    @sizes_and_languages
    def test_served_connection_picker(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, served=True, captures_dir=CAPTURES)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.pick_a_connection)

    @staticmethod
    async def filter_connections(pilot):
        """The served dialog's one capture, its list filtered to 10.0.0.2 and resets."""
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(pilot.app.screen.connections))
        await settle(pilot)
        await pilot.press("slash", *"10", "full_stop", "0", "full_stop", "0", "full_stop", "2")
        await pilot.press("tab", "tab", "space")
        await settle(pilot)

    @sizes_and_languages
    def test_connection_filter(self, snap_compare, tmp_path, size, lang):
        folder = tmp_path / "captures"
        folder.mkdir()
        mixed_capture(folder)
        app = app_for(tmp_path, lang, served=True, captures_dir=folder)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.filter_connections)

    @staticmethod
    async def playing(pilot):
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        pilot.app.screen.query_one(Input).value = str(KERNEL / "lost_last_ack.pcap")
        await pilot.press("enter")
        await wait_for(pilot, lambda: hasattr(pilot.app.screen, "play"))
        for _ in range(6):
            await pilot.press("v", "n")
        await settle(pilot)

    @sizes_and_languages
    def test_capture_playing(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.playing)


class TestSmallTerminal:
    @pytest.mark.parametrize("lang", LANGS)
    def test_too_small_notice(self, snap_compare, tmp_path, lang):
        assert snap_compare(app_for(tmp_path, lang), terminal_size=(60, 20))


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

    @sizes_and_languages
    def test_panes_after_the_answer(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "three-way-handshake")
        assert snap_compare(
            app, terminal_size=SIZES[size], run_before=self.after_revealing_the_server_answer
        )

    @staticmethod
    async def after_the_backoff(pilot):
        for _ in range(11):
            await pilot.press("v", "n")
            await pilot.pause()

    @sizes_and_languages
    def test_ladder_with_retransmissions(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "lost-syn-backoff")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.after_the_backoff)


class TestCrossingSegments:
    """Lesson 14: while the client's SYN is predicted, the server has sent its own and is
    in SYN_SENT, as the question says; its busy SYN_RECEIVED later shows every exit."""

    @staticmethod
    async def at_first_question(pilot):
        await next_until(pilot, "PredictSegment")
        await settle(pilot)

    @sizes_and_languages
    def test_simultaneous_open(self, snap_compare, tmp_path, size, lang):
        app = app_for(tmp_path, lang, "simultaneous-open")
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.at_first_question)


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
