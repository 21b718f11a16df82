"""A class in a progress database, written at fixed times, for the trainer's view tests.

The learners are written through the progress store and the exam desk (as the tutor
writes them), with the store's clock fixed: ``NOW`` is when the trainer looks.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from tui_tutor.classroom import STUCK_IDLE, STUCK_TRIES, _shape_of
from tui_tutor.exams.attempt import ExamDesk
from tui_tutor.exams.load import load_exam
from tui_tutor.lessons import default_dir
from tui_tutor.lessons.loader import load_all
from tui_tutor.progress import ProgressStore

NOW = 1_760_000_000.0  # when the trainer looks
EXAM = Path(__file__).resolve().parent.parent.parent / "lessons" / "exams" / "example.toml"


class FixedTime:
    """Stands in for the ``time`` module in ``tui_tutor.progress``: a clock that is set."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return time.monotonic()

    def __getattr__(self, name: str):
        return getattr(time, name)


def lessons():
    return {item.lesson.id: item.lesson for item in load_all([default_dir()])[0]}


def moment_of(lesson, question: str) -> int:
    """Where in the lesson's run ``question`` is asked."""
    return _shape_of(lesson).questions.index(question)


@contextlib.contextmanager
def clock_at(monkeypatch, at: float):
    fixed = FixedTime(at)
    monkeypatch.setattr("tui_tutor.progress.time", fixed)
    yield fixed


def make_class(monkeypatch, url: str) -> None:
    """Five learners: ada stuck after wrong tries, bob idle at a question, cleo done with a
    lesson, dan in an exam, 张三 answering."""
    by_id = lessons()
    with clock_at(monkeypatch, NOW - 3600) as clock:
        ada = ProgressStore(None, "ada", url)
        handshake = by_id["three-way-handshake"]
        ada.open_lesson(handshake.id, len(handshake.questions), (1000, 5000))
        ada.record(handshake.id, "q1", "answer", True, "flags=SYN; seq=x")
        ada.save_position(handshake.id, moment_of(handshake, "q2"), isns=(1000, 5000))
        for minutes in (5, 3, 1):
            clock.now = NOW - minutes * 60 - 20
            ada.record(handshake.id, "q2", "answer", False, f"flags=SYN,ACK; ack=x+{minutes}")
        assert STUCK_TRIES <= 3

        clock.now = NOW - 3600
        bob = ProgressStore(None, "bob", url)
        why = by_id["why-handshake"]
        bob.open_lesson(why.id, len(why.questions), (7, 9))
        bob.record(why.id, "q1", "hint")
        clock.now = NOW - STUCK_IDLE - 120
        bob.record(why.id, "q1", "answer", True, "choice=1")
        bob.save_position(why.id, moment_of(why, "q4"), isns=(7, 9))

        clock.now = NOW - 1800
        cleo = ProgressStore(None, "cleo", url)
        close = by_id["four-way-close-client-first"]
        cleo.open_lesson(close.id, len(close.questions), (1, 2))
        for k, (question, _step) in enumerate(close.question_ids.items()):
            clock.now = NOW - 1200 + 60 * k
            if k == 2:
                cleo.record(close.id, question, "reveal")
                continue
            if k < 2:
                cleo.record(close.id, question, "hint")
            if k == 3:
                cleo.record(close.id, question, "answer", False, "seq=y")
            cleo.record(close.id, question, "answer", True, "seq=y+1")
        last = _shape_of(close).steps - 1
        cleo.save_position(close.id, last, finished=True, isns=(1, 2))

        clock.now = NOW - 30
        zhang = ProgressStore(None, "Zhang-San-张三", url)
        zhang.open_lesson(handshake.id, len(handshake.questions), (3, 4))
        zhang.record(handshake.id, "q1", "answer", True, "flags=SYN")
        zhang.save_position(handshake.id, moment_of(handshake, "q1") + 1, isns=(3, 4))

    dan = ProgressStore(None, "dan", url)
    exam = load_exam(EXAM, default_dir())
    desk = ExamDesk(dan, exam, lambda: NOW - 300)
    desk.start()
    desk.answer(exam.questions[0], "flags=SYN", True, 40)
    desk.clock = lambda: NOW - 200
    desk.answer(exam.questions[1], "flags=SYN; ack=x", False, 100)
    for store in (ada, bob, cleo, zhang, dan):
        store.close()
