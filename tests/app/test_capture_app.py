"""A real capture played as a quiz: every segment predicted, graded from the capture."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Input

from tui_tutor import cli
from tui_tutor.app.screens.capture import CaptureScreen
from tui_tutor.app.screens.lesson import LessonScreen
from tui_tutor.app.screens.results import ResultsScreen
from tui_tutor.engine import Role

from .driver import (
    answer_segment,
    feedback,
    header,
    ladder,
    new_app,
    quiz_text,
    region_lines,
    region_words,
    right_answer,
    screen_text,
    wait_for,
)

CAPTURES = Path(__file__).resolve().parent.parent / "captures" / "tcpdump"
KERNEL = Path(__file__).resolve().parent.parent / "kernel"


async def open_capture(pilot, path: Path, choose: int | None = None) -> None:
    await pilot.pause()
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CaptureScreen)
    pilot.app.screen.query_one("#capture-path", Input).value = str(path)
    await pilot.press("enter")
    await wait_loaded(pilot)
    if choose is not None:
        await pilot.press(*["down"] * (choose - 1), "enter")
        await pilot.pause()


async def wait_loaded(pilot) -> None:
    def done() -> bool:
        screen = pilot.app.screen
        return (
            isinstance(screen, LessonScreen)
            or bool(getattr(screen, "connections", None))
            or ("Reading" not in region_words(pilot, "#capture-message"))
        )

    await wait_for(pilot, done)
    await pilot.pause()


async def test_a_capture_opened_from_the_picker_asks_for_every_segment(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_capture(pilot, KERNEL / "client_closes_first.pcap")
        assert isinstance(app.screen, LessonScreen)
        assert "client_closes_first.pcap #1" in header(pilot)
        assert "Predict the next segment" in quiz_text(pilot)
        assert "the client's application calls connect()" in quiz_text(pilot)
        await answer_segment(pilot, right_answer(pilot, 1))
        assert "Right!" in feedback(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert "SYN seq=0" in ladder(pilot), "captures count seq from each side's ISN"
        await pilot.press("n")
        await pilot.pause()
        await answer_segment(pilot, right_answer(pilot, 2) | {"ack": "0"})
        assert "One short: a SYN takes one sequence number" in feedback(pilot)


async def test_the_connections_of_a_capture_are_told_apart(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_capture(pilot, CAPTURES / "tfo-5c1fa7f9ae91.pcap")
        assert isinstance(app.screen, CaptureScreen)
        rows = [line for line in region_lines(pilot, "#capture-list") if "→" in line]
        connections = app.screen.connections
        assert len(rows) == len(connections) == 3
        assert len(set(rows)) == 3, "no two rows alike"
        listing = region_words(pilot, "#capture-list")
        for conn in connections:
            port = conn.client.rpartition(":")[2]
            assert port in listing
            assert f"{len(conn)} segments" in listing
        assert "closed by both (FIN)" in listing and "closed by one side (FIN)" in listing
        assert "at +0.118 s" in listing, "when each connection starts in the capture"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert "#2" in header(pilot)


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
        assert quiz_text(pilot).startswith("Question Unusual here, not graded:")


async def test_a_capture_caught_midway_shows_no_isn_it_never_saw(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_capture(pilot, CAPTURES / "bgp-role.pcapng")
        screen = app.screen
        assert screen.source.bases, "relative numbers still count from the first seen"
        assert screen.play.run.isns.get(Role.CLIENT) is None
        shown = screen_text(pilot)
        for base in screen.source.bases.values():
            assert str(base) not in shown, "a first sequence number is not shown as an ISN"
        assert "x=?" in shown


async def test_the_end_of_a_capture_is_not_a_lesson_and_offers_no_new_isns(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_capture(pilot, KERNEL / "connection_refused.pcap")
        screen = app.screen
        for _ in range(30):
            if screen.play.index == len(screen.play.run.moments) - 1:
                break
            await pilot.press("v", "n")
            await pilot.pause()
        shown = feedback(pilot)
        assert "End of the capture" in shown and "End of the lesson" not in shown
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        results = region_words(pilot, "#results-text") + region_words(pilot, "#results-keys")
        assert "new ISNs" not in results and "play the capture again" in results
        assert "revealed" in results, "a capture's answers are counted for its results"


class TestOpenDialog:
    async def test_a_file_that_is_no_capture_is_one_line_without_its_bytes(self, tmp_path):
        bad = tmp_path / "bad.pcap"
        bad.write_bytes(b"this is not a capture at all")
        app = new_app(tmp_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_capture(pilot, bad)
            assert isinstance(app.screen, CaptureScreen)
            message = region_words(pilot, "#capture-message")
            assert message == f"{bad}: not a pcap or pcapng file"
            assert "0x" not in screen_text(pilot) and "7468" not in screen_text(pilot)

    async def test_a_folder_is_not_read(self, tmp_path):
        app = new_app(tmp_path, lang="zh")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_capture(pilot, tmp_path)
            assert "这是文件夹，不是抓包文件" in region_words(pilot, "#capture-message")

    async def test_served_the_dialog_lists_the_captures_by_name_and_takes_no_path(self, tmp_path):
        folder = tmp_path / "captures"
        folder.mkdir()
        for name in ("handshake.pcap", "close.pcapng"):
            (folder / name).write_bytes((KERNEL / "client_closes_first.pcap").read_bytes())
        (folder / "notes.txt").write_text("not a capture")
        (folder / "sub.pcap").mkdir()
        os.symlink("/etc/passwd", folder / "passwd.pcap")
        app = new_app(tmp_path, served=True, captures_dir=folder)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("o")
            await pilot.pause()
            assert not app.screen.query(Input), "nothing to type a path into"
            files = [line.strip("│▊▎ ") for line in region_lines(pilot, "#capture-files")]
            names = [name for name in files if name and "▔" not in name and "▁" not in name]
            assert names == ["close.pcapng", "handshake.pcap"], "regular capture files only"
            assert str(folder) not in screen_text(pilot)
            await pilot.press("down", "enter")
            await wait_loaded(pilot)
            assert isinstance(app.screen, LessonScreen)
            assert "handshake.pcap #1" in header(pilot)

    async def test_served_without_a_captures_folder_says_so(self, tmp_path):
        app = new_app(tmp_path, served=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("o")
            await pilot.pause()
            assert not app.screen.query(Input)
            assert "This server offers no captures" in region_words(pilot, "#capture-message")


def test_open_with_a_bad_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli.main(["open", str(tmp_path / "missing.pcap")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "missing.pcap" in err
    assert cli.main(["open", str(CAPTURES / "tfo-5c1fa7f9ae91.pcap"), "--connection", "9"]) == 2
    assert "no connection 9" in capsys.readouterr().err
