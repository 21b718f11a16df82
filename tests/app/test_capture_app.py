"""A real capture played as a quiz: every segment predicted, graded from the capture."""

from __future__ import annotations

from pathlib import Path

from tui_tutor import cli
from tui_tutor.app.screens.capture import CaptureScreen
from tui_tutor.app.screens.lesson import LessonScreen

from .driver import answer_segment, feedback, ladder, new_app, quiz_text, right_answer

CAPTURES = Path(__file__).resolve().parent.parent / "captures" / "tcpdump"
KERNEL = Path(__file__).resolve().parent.parent / "kernel"


async def open_capture(pilot, path: Path, choose: int | None = None) -> None:
    await pilot.pause()
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CaptureScreen)
    field = pilot.app.screen.query_one("#capture-path")
    field.value = str(path)
    await pilot.press("enter")
    for _ in range(50):
        await pilot.pause(0.05)
        if isinstance(pilot.app.screen, LessonScreen) or pilot.app.screen.connections:
            break
    if choose is not None:
        await pilot.press(*["down"] * (choose - 1), "enter")
        await pilot.pause()


async def test_a_capture_opened_from_the_picker_asks_for_every_segment(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_capture(pilot, KERNEL / "client_closes_first.pcap")
        assert isinstance(app.screen, LessonScreen)
        assert "client_closes_first.pcap #1" in str(app.screen.query_one("#header").render())
        assert "Predict the next segment" in quiz_text(pilot)
        assert "the client's application calls connect()" in quiz_text(pilot)
        await answer_segment(pilot, right_answer(pilot, 1))
        assert "Right!" in feedback(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert "SYN seq=0" in ladder(pilot), "captures count seq from each side's ISN"
        await pilot.press("n")
        await pilot.pause()
        wrong = right_answer(pilot, 2) | {"ack": "0"}
        await answer_segment(pilot, wrong)
        assert "One short: a SYN takes one sequence number" in feedback(pilot)


async def test_a_capture_with_several_connections_lets_the_learner_pick_one(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_capture(pilot, CAPTURES / "tfo-5c1fa7f9ae91.pcap", choose=2)
        assert isinstance(app.screen, LessonScreen)
        assert "#2" in str(app.screen.query_one("#header").render())


async def test_what_the_engine_would_not_do_is_said_plainly_and_not_graded(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_capture(pilot, CAPTURES / "bgp-role.pcapng")
        screen = app.screen
        quirky = sorted(screen.play.run.notes)
        assert quirky, "this mid-stream BGP capture has segments the engine would not send"
        asked = {m.segment for m in screen.play.run.moments if m.kind == "step"}
        assert not asked & set(quirky), "no prediction is asked for an unusual segment"
        for _ in range(40):
            moment = screen.moment
            if moment.kind == "segment" and moment.segment == quirky[0]:
                break
            await pilot.press("v", "n")
            await pilot.pause()
        assert quiz_text(pilot).startswith("Unusual here, not graded:")


async def test_a_bad_file_in_the_open_box_is_one_line_and_the_app_goes_on(tmp_path):
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"this is not a capture at all")
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_capture(pilot, bad)
        await pilot.pause(0.3)
        assert isinstance(app.screen, CaptureScreen)
        message = str(app.screen.query_one("#capture-message").render())
        assert message.startswith(str(bad)) and "\n" not in message.strip()


def test_open_with_a_bad_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli.main(["open", str(tmp_path / "missing.pcap")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "missing.pcap" in err
    assert cli.main(["open", str(CAPTURES / "tfo-5c1fa7f9ae91.pcap"), "--connection", "9"]) == 2
    assert "no connection 9" in capsys.readouterr().err
