"""Several ``serve-ssh`` hosts share one PostgreSQL database: one class, one report.

Two real servers (subprocesses, as in ``test_serve_ssh.py``) on one database of a real
PostgreSQL server the suite starts; the learners are asyncssh clients reading the screen.
"""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from test_serve_ssh import PICKER, Learner, connect, start_server

from tui_tutor import cli
from tui_tutor.app.i18n import t
from tui_tutor.lessons import default_dir
from tui_tutor.lessons.loader import load_all
from tui_tutor.lessons.model import Choice
from tui_tutor.progress import ProgressStore


def first_lesson():
    loaded, _problems = load_all([default_dir()])
    return loaded[0].lesson


def first_choice() -> tuple[int, int, int]:
    """The first lesson's first question, a choice: its step number on the screen (from 1),
    a right option's key and a wrong option's key."""
    lesson = first_lesson()
    index, step = lesson.questions[0]
    assert isinstance(step, Choice) and index == 1, "the test reads lesson 1's opening choice"
    right = next(k for k, o in enumerate(step.options, 1) if o.correct)
    wrong = next(k for k, o in enumerate(step.options, 1) if not o.correct)
    return index + 1, right, wrong


@pytest.fixture
def two_hosts(tmp_path, pg_url):
    """Two servers on one database, with the same learners' keys."""
    first = start_server(tmp_path / "a", "--database", pg_url)
    second = start_server(
        tmp_path / "b",
        "--database",
        pg_url,
        "--authorized-keys",
        str(tmp_path / "a" / "authorized_keys"),
    )
    second.keys = first.keys  # the same keys file: each learner's key opens both
    yield first, second, pg_url
    assert first.stop() == 0
    assert second.stop() == 0


async def answer_first_choice(learner: Learner, option: int) -> None:
    step, _right, _wrong = first_choice()
    learner.press("\r")  # the first lesson
    await learner.expect("step 1/")
    learner.press("n")
    await learner.expect(f"step {step}/")
    learner.press(str(option))
    learner.press("c")


async def test_two_hosts_one_learner_each_one_report_shows_both(two_hosts, capsys):
    first, second, url = two_hosts
    _step, right, wrong = first_choice()
    ada, bob = await connect(first, "ada"), await connect(second, "bob")
    async with ada.conn, bob.conn:
        await asyncio.gather(ada.open(), bob.open())
        await asyncio.gather(ada.expect(PICKER), bob.expect(PICKER))
        await asyncio.gather(answer_first_choice(ada, right), answer_first_choice(bob, wrong))
        await asyncio.gather(ada.expect(t("correct", "en")), bob.expect(t("wrong", "en")[:8]))
    assert cli.main(["report", "--database", url, "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    lesson = first_lesson().id
    scores = {r["learner"]: (r["score"], r["status"]) for r in rows if r["lesson"] == lesson}
    assert scores == {"ada": ("1.0", "in progress"), "bob": ("0.0", "in progress")}


async def test_a_learner_moving_to_another_host_resumes_where_they_were(two_hosts):
    first, second, url = two_hosts
    step, right, _wrong = first_choice()
    lesson = first_lesson().id
    ada = await connect(first, "ada")
    async with ada.conn:
        await (await ada.open()).expect(PICKER)
        await answer_first_choice(ada, right)
        await ada.expect(t("correct", "en"))
        ada.press("n")
        await ada.expect(f"step {step + 1}/")
        ada.press("\x1b")  # back to the lessons: the place is saved
        await ada.expect(PICKER)
        ada.press("q")
        await ada.closed()
    before = ProgressStore(None, "ada", url).lesson(lesson)
    assert before.moment == step  # 0-based: the step after the choice
    ada = await connect(second, "ada")
    async with ada.conn:
        await (await ada.open()).expect(PICKER)
        ada.press("\r")
        shown = await ada.expect(f"step {step + 1}/")
        assert "step 1/" not in shown, "the other host opens the lesson where it was left"
        ada.press("b")  # the choice answered on the first host is answered here too
        await ada.expect(f"step {step}/", t("answered_before", "en")[:16])
    after = ProgressStore(None, "ada", url).lesson(lesson)
    assert after.isns == before.isns, "the same run: the ISNs drawn on the first host"
    assert after.score == 1.0


EXAM = Path(__file__).resolve().parent.parent / "lessons" / "exams" / "example.toml"


async def test_an_exam_over_two_hosts_keeps_its_clock_when_the_learner_moves(tmp_path, pg_url):
    keys = str(tmp_path / "a" / "authorized_keys")
    first = start_server(tmp_path / "a", "--database", pg_url, "--exam", str(EXAM))
    second = start_server(
        tmp_path / "b", "--database", pg_url, "--exam", str(EXAM), "--authorized-keys", keys
    )
    second.keys = first.keys
    try:
        ada = await connect(first, "ada")
        async with ada.conn:
            shown = await (await ada.open()).expect("7 questions", "Press Enter to start")
            assert PICKER not in shown, "the exam, not the lessons"
            ada.press("\r")
            await ada.expect("left · answered 0/7")
        ada = await connect(second, "ada")
        async with ada.conn:
            shown = await (await ada.open()).expect("left · answered 0/7")
            assert "Press Enter to start" not in shown, "the running exam goes on at once"
        desk_time = (
            ProgressStore(None, "ada", pg_url)
            .db.execute("SELECT deadline - started FROM exam_attempts WHERE learner = 'ada'")
            .fetchall()
        )
        assert desk_time == [(15 * 60,)], "one attempt, one clock, started on the first host"
    finally:
        assert first.stop() == 0
        assert second.stop() == 0


@pytest.mark.parametrize("given", ["--database", "TUI_TUTOR_DATABASE"])
async def test_an_exam_answer_in_a_forked_app_reaches_the_shared_database(
    tmp_path, pg_url, monkeypatch, given
):
    """The apps come from the fork server (one import for the class): each still gets the
    exam and the database, by option or from the server's environment."""
    if given == "--database":
        server = start_server(tmp_path, "--database", pg_url, "--exam", str(EXAM))
    else:
        monkeypatch.setenv(given, pg_url)
        server = start_server(tmp_path, "--exam", str(EXAM))
    try:
        ada = await connect(server, "ada")
        async with ada.conn:
            await (await ada.open()).expect("Press Enter to start")
            app = server.children()["ada"]
            assert b"forkserver" in Path(f"/proc/{app}/cmdline").read_bytes(), "forked"
            ada.press("\r")
            await ada.expect("answered 0/7")
            # SYN, seq 100 (wrong: the client's ISN is x), ack left empty, the client
            # SYN_SENT, the server LISTEN (type-ahead letters); a wrong answer is kept too
            ada.press("s\t100\t\ts\tl\r")
            await ada.expect("answered 1/7", t("exam_saved", "en"))
        db = ProgressStore(None, "-", pg_url).db
        given_answers = db.execute(
            "SELECT learner, lesson, question FROM exam_answers WHERE exam = ?",
            ("handshake-and-close",),
        ).fetchall()
        assert given_answers == [("ada", "three-way-handshake", "q1")]
    finally:
        assert server.stop() == 0
    assert not [line for line in server.log if "fork server" in line], server.log
