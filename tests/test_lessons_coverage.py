"""`tui-tutor lessons coverage`: which rows of the engine's state table the lessons ask.

The curriculum must ask every arrow of RFC 9293 figure 5 in a question: if an edit
removes the last question about one, the first test here fails and names it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tui_tutor import cli
from tui_tutor.engine import TRANSITION_LIST, Event, State
from tui_tutor.lessons.coverage import ENDINGS, coverage, summarize
from tui_tutor.lessons.loader import load_all

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["lessons", "coverage", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def rows():
    loaded, problems = load_all([LESSONS])
    assert problems == []
    return coverage(loaded)


def test_every_arrow_of_figure_5_is_asked_by_some_question(rows):
    missing = [r.transition.key for r in rows if r.figure5 and not r.asked_in]
    assert missing == [], f"no lesson asks these arrows of RFC 9293 figure 5: {missing}"


def test_at_least_20_reset_abort_and_give_up_rows_are_asked_or_played(rows):
    s = summarize(rows)
    assert s.endings_reached >= 20, (
        f"only {s.endings_reached} of {s.endings_total} reset/abort/give-up rows are reached"
    )


def test_figure_5_has_its_20_arrows_and_note_2s_fin_wait_1_to_time_wait():
    arrows = {(t.state, t.event, t.next_state) for t in TRANSITION_LIST if t.figure5}
    assert len(arrows) == 21
    assert (State.FIN_WAIT_1, Event.RCV_FIN_ACK, State.TIME_WAIT) in arrows
    assert (State.SYN_RECEIVED, Event.RCV_RST, State.LISTEN) in arrows  # note 1
    assert (State.LISTEN, Event.SEND, State.SYN_SENT) in arrows


def test_removing_the_only_question_about_an_arrow_shows_it_as_never_asked(tmp_path, capsys):
    """The guard the first test relies on: a lesson without its question no longer asks."""
    lesson = tmp_path / "handshake.toml"
    text = (LESSONS / "02-three-way-handshake.toml").read_text(encoding="utf-8")
    # alone in its folder: without prerequisites, which would name lessons not there
    lesson.write_text(re.sub(r"(?m)^prerequisites = .*$", "", text), encoding="utf-8")
    status, out, _ = run(capsys, "--json", "--dir", str(tmp_path))
    listen_rcv_syn = next(
        r
        for r in json.loads(out)["transitions"]
        if (r["state"], r["event"]) == ("LISTEN", "rcv SYN")
    )
    assert status == 0 and listen_rcv_syn["asked_in"], "lesson 2 asks LISTEN -> SYN_RECEIVED"

    text = lesson.read_text(encoding="utf-8")
    # the same lesson with every question turned into a choice-free narration: nothing asked
    kept = text.split("[[steps]]")[0] + (
        '[[steps]]\nkind = "narrate"\nwhen = "start"\ntext.en = "Watch."\ntext.zh = "请看。"\n'
    )
    lesson.write_text(kept, encoding="utf-8")
    _, out, _ = run(capsys, "--json", "--dir", str(tmp_path))
    after = next(
        r
        for r in json.loads(out)["transitions"]
        if (r["state"], r["event"]) == ("LISTEN", "rcv SYN")
    )
    assert after["asked_in"] == [] and after["played_in"] == ["three-way-handshake"]


def test_json_lists_every_row_of_the_table_with_its_figure_5_mark(capsys):
    status, out, err = run(capsys, "--json")
    assert (status, err) == (0, "")
    listed = json.loads(out)["transitions"]
    assert [(r["state"], r["event"], r["when"]) for r in listed] == [
        (t.state.value, t.event.value, t.when) for t in TRANSITION_LIST
    ]
    for r, t in zip(listed, TRANSITION_LIST, strict=True):
        assert r["next_state"] == t.next_state.value and r["figure5"] == t.figure5
        assert all("#" in a for a in r["asked_in"])


def test_the_table_names_the_lessons_by_number_and_ends_with_the_figures(capsys, rows):
    status, out, _ = run(capsys)
    s = summarize(rows)
    assert status == 0
    assert f"RFC 9293 figure 5 arrows asked: {s.figure5_asked} of 21" in out
    assert (
        f"reset, abort and give-up rows asked or played: {s.endings_reached} of "
        f"{sum(1 for t in TRANSITION_LIST if t.event in ENDINGS)}"
    ) in out


def test_a_broken_lesson_folder_is_reported_not_covered(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text("id = \n", encoding="utf-8")
    status, out, err = run(capsys, "--dir", str(tmp_path))
    assert status == 1 and out == ""
    assert str(tmp_path / "bad.toml") in err


def test_on_80_columns_the_table_still_names_the_lessons_that_ask_each_row(
    capsys, monkeypatch, rows
):
    """make test prints the table into a log 80 columns wide: the lesson numbers must be there."""
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run(capsys)
    loaded, _ = load_all([LESSONS])
    number = {item.lesson.id: str(item.lesson.number) for item in loaded}
    listen = next(
        r for r in rows if (r.transition.state, r.transition.event) == (State.LISTEN, Event.RCV_SYN)
    )
    asking = sorted({number[a.split("#")[0]] for a in listen.asked_in}, key=int)
    line = next(x for x in out.splitlines() if "│ LISTEN" in x and "rcv SYN" in x)
    assert max(len(x) for x in out.splitlines()) <= 80
    assert line.split("│")[5].split() == asking[: len(line.split("│")[5].split())] != []
