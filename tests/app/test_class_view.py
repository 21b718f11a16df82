"""``tui-tutor class``: the trainer's live view, read on the drawn screen.

The class is written through the progress store at fixed times (``class_data.py``) and
the app is given that time as its clock, so every "minutes ago" is what it would be.
"""

from __future__ import annotations

import time

import pg_server
import pytest

from tui_tutor.app.class_app import ClassApp
from tui_tutor.classroom import ClassReader
from tui_tutor.db import open_reader
from tui_tutor.progress import ProgressStore

from .class_data import NOW, lessons, make_class
from .driver import screen_lines

SIZES = {"small": (80, 24), "large": (120, 36)}


@pytest.fixture
def utc(monkeypatch):
    """The top line's clock times in UTC, whatever this machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def class_url(tmp_path, monkeypatch):
    url = f"sqlite://{tmp_path / 'class.sqlite3'}"
    make_class(monkeypatch, url)
    monkeypatch.undo()
    return url


def class_app(url: str, lang: str = "en", clock=lambda: NOW, every: float = 3.0) -> ClassApp:
    reader = ClassReader(open_reader(url, None), list(lessons().values()))
    return ClassApp(reader, clock=clock, lang=lang, every=every)


async def settle(pilot) -> None:
    """Until the read in the background has been drawn."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def row_of(lines: list[str], learner: str) -> str:
    return next(line for line in lines if f" {learner} " in line)


NAMES = ["ada", "bob", "cleo", "dan", "Zhang-San-张三"]


def names_in_order(lines: list[str]) -> list[str]:
    return [name for line in lines[2:] for name in NAMES if f" {name} " in line]


class TestClassSnapshots:
    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_class(self, snap_compare, utc, class_url, size, lang):
        assert snap_compare(
            class_app(class_url, lang), terminal_size=SIZES[size], run_before=settle
        )

    @staticmethod
    async def open_ada(pilot):
        await settle(pilot)
        await pilot.press("enter")  # ada: stuck, so first
        await settle(pilot)

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_answers(self, snap_compare, utc, class_url, size, lang):
        app = class_app(class_url, lang)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=self.open_ada)


async def test_each_learner_shows_lesson_step_score_hints_reveals_and_last_answer(class_url):
    app = class_app(class_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        lines = screen_lines(pilot)
    assert "5 learners · 2 stuck" in lines[0]
    ada = row_of(lines, "ada")
    assert "⚑ 3 wrong" in ada and "The three-way handshake" in ada
    assert ada.split()[-5:] == ["1/6", "0", "0", "1", "min"], "1 right of 6; last answer 1 min ago"
    bob = row_of(lines, "bob")
    assert "⚑ idle" in bob and "0.5/8" in bob, "right after a hint: half a point"
    cleo = row_of(lines, "cleo")
    assert "⚑" not in cleo and "5.5/8" in cleo
    # the lesson's end, 2 hints, 1 reveal; her last answer 780 s before the trainer looks
    assert cleo.split()[-6:] == ["19/19", "5.5/8", "2", "1", "13", "min"]
    dan = row_of(lines, "dan")
    assert "Exam, 10 min left: Opening and closing a connection" in dan
    assert "1/7" in dan, "right so far, of the exam's questions"
    assert "<1 min" in row_of(lines, "Zhang-San-张三")
    assert names_in_order(lines)[:2] == ["ada", "bob"], "the stuck come first"


async def test_s_sorts_by_the_next_column_and_shift_s_reverses(class_url):
    app = class_app(class_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # by learner
        await pilot.pause()
        assert names_in_order(screen_lines(pilot)) == NAMES
        assert "sorted: learner" in screen_lines(pilot)[0]
        await pilot.press("S")
        await pilot.pause()
        assert names_in_order(screen_lines(pilot)) == NAMES[::-1]


async def test_enter_opens_the_learners_answers_and_escape_goes_back(class_url):
    app = class_app(class_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        lines = screen_lines(pilot)
        assert "ada's answers, newest first" in lines[0]
        answers = [line for line in lines if "three-way-handshake" in line]
        assert [line.split()[-1] for line in answers] == ["✘", "✘", "✘", "✔"]
        assert "flags=SYN,ACK; ack=x+1" in answers[0], "newest first, as typed"
        await pilot.press("escape")
        await pilot.pause()
        assert "5 learners" in screen_lines(pilot)[0]


async def test_the_view_follows_the_class_every_few_seconds(tmp_path, class_url):
    clock = [NOW]
    app = class_app(class_url, clock=lambda: clock[0], every=0.2)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "⚑ 3 wrong" in row_of(screen_lines(pilot), "ada")
        ada = ProgressStore(None, "ada", class_url)
        ada.record("three-way-handshake", "q2", "answer", True, "flags=SYN,ACK")
        ada.close()
        clock[0] = time.time()
        for _ in range(50):
            await pilot.pause(0.1)
            if "⚑" not in row_of(screen_lines(pilot), "ada"):
                break
        ada_row = row_of(screen_lines(pilot), "ada")
        assert "⚑" not in ada_row and "1.5/6" in ada_row and "<1 min" in ada_row


async def test_names_and_answers_are_shown_as_text_not_obeyed(tmp_path):
    url = f"sqlite://{tmp_path / 'class.sqlite3'}"
    store = ProgressStore(None, "[b]eve[/b]", url)
    store.open_lesson("three-way-handshake", 6, (1, 2))
    store.record("three-way-handshake", "q1", "answer", False, "[red]x\x1b[2J[/red]")
    store.close()
    app = class_app(url, clock=time.time)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert " [b]eve[/b] " in "\n".join(screen_lines(pilot))
        await pilot.press("enter")
        await settle(pilot)
        shown = "\n".join(screen_lines(pilot))
    assert "[red]x [2J[/red]" in shown and "\x1b" not in shown


async def test_a_database_that_goes_away_keeps_the_rows_and_says_so(monkeypatch):
    if pg_server.binaries() is None:
        pytest.skip("PostgreSQL is not installed: initdb and pg_ctl not found")
    monkeypatch.setattr("tui_tutor.db.postgres.RECONNECT_AFTER", 0.0)
    with pg_server.running() as server:
        url = server.fresh_database()
        store = ProgressStore(None, "ada", url)
        store.open_lesson("three-way-handshake", 6, (1, 2))
        store.close()
        app = class_app(url, clock=time.time, every=0.3)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert "1 learners" in screen_lines(pilot)[0]
            server.stop()
            for _ in range(50):
                await pilot.pause(0.1)
                if "Cannot read" in screen_lines(pilot)[0]:
                    break
            lines = screen_lines(pilot)
            assert "Cannot read the database (the database cannot be reached)" in lines[0]
            assert any(" ada " in line for line in lines), "the last rows stay"
            server.start()
            for _ in range(50):
                await pilot.pause(0.1)
                if "Cannot read" not in screen_lines(pilot)[0]:
                    break
            assert "updated" in screen_lines(pilot)[0]
