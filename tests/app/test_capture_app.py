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
    await pilot.pause()  # the list grows to its rows


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
            assert f"{conn.segments} segments" in listing
        assert listing.count("· closed") == 2, "both FINs acknowledged"
        assert "handshake incomplete · no answer" in listing, "a SYN (with data) never answered"
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
            assert not app.screen.query("#capture-path"), "nothing to type a path into"
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
            assert not app.screen.query("#capture-path")
            assert "This server offers no captures" in region_words(pilot, "#capture-message")


def test_open_with_a_bad_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli.main(["open", str(tmp_path / "missing.pcap")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "missing.pcap" in err
    assert cli.main(["open", str(CAPTURES / "tfo-5c1fa7f9ae91.pcap"), "--connection", "9"]) == 2
    assert "no connection 9" in capsys.readouterr().err


# ------------------------------------------------------------------ the connection filter


def mixed_capture(folder: Path) -> Path:
    """Five connections: closed, unanswered, refused, reset after its handshake, closed."""
    from captures import synth

    closed = synth.handshake_and_close("10.0.0.1:40000", "10.0.0.2:80", start=1.0)
    unanswered = [synth.Seg("10.0.0.1:40001", "10.0.0.3:22", synth.SYN, 7, time=2.0)]
    refused = [
        synth.Seg("10.0.0.4:40002", "10.0.0.2:80", synth.SYN, 70, time=3.0),
        synth.Seg("10.0.0.2:80", "10.0.0.4:40002", synth.RST | synth.ACK, 0, 71, time=3.001),
    ]
    opened = synth.handshake_and_close("[::2]:40003", "[::1]:443", start=4.0)[:3]
    reset = [synth.Seg("[::1]:443", "[::2]:40003", synth.RST, 5001, time=4.01)]
    later = synth.handshake_and_close("10.0.0.5:40004", "10.0.0.2:8080", start=5.0)
    segs = closed + unanswered + refused + opened + reset + later
    return synth.write(folder / "mixed.pcap", segs)


def listed_numbers(pilot) -> list[int]:
    """The connection numbers the list shows, as the learner reads them."""
    rows = [line.strip("▊▎│ ") for line in region_lines(pilot, "#capture-list") if "→" in line]
    return [int(row.split(".", 1)[0]) for row in rows]


async def type_text(pilot, text: str) -> None:
    keys = {".": "full_stop", ":": "colon", "/": "slash", "_": "underscore", "-": "minus"}
    await pilot.press(*[keys.get(ch, ch) for ch in text])
    await pilot.pause()


class TestConnectionFilter:
    async def test_the_filter_narrows_by_address_port_handshake_and_reset(self, tmp_path):
        from tui_tutor.captures import select, summaries

        path = mixed_capture(tmp_path)
        every = list(summaries(path))
        number = {s.client: s.number for s in every}  # numbered as each connection ends
        refused, reset = number["10.0.0.4:40002"], number["[::2]:40003"]
        app = new_app(tmp_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_capture(pilot, path)
            assert listed_numbers(pilot) == [s.number for s in every] == [1, 2, 3, 4, 5]
            assert "5 TCP connections in mixed.pcap" in region_words(pilot, "#capture-message")
            await pilot.press("slash")
            await type_text(pilot, "10.0.0.2")
            to_10_0_0_2 = [
                number[c] for c in ("10.0.0.1:40000", "10.0.0.4:40002", "10.0.0.5:40004")
            ]
            assert listed_numbers(pilot) == sorted(to_10_0_0_2)
            assert listed_numbers(pilot) == [s.number for s in select(every, "10.0.0.2")]
            assert "3 of the 5 TCP connections" in region_words(pilot, "#capture-message")
            await pilot.press("tab", "tab", "space")  # only resets
            await pilot.pause()
            assert listed_numbers(pilot) == [refused], "refused: answered by a RST"
            await pilot.press("shift+tab", "shift+tab")
            await pilot.press(*["backspace"] * len("10.0.0.2"))
            await pilot.pause()
            assert listed_numbers(pilot) == sorted([refused, reset]), "and the reset over IPv6"
            await pilot.press("tab", "space")  # only incomplete handshakes too
            await pilot.pause()
            assert listed_numbers(pilot) == [refused]
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
            assert f"mixed.pcap #{refused}" in header(pilot)

    async def test_a_port_typed_in_the_filter_and_nothing_matching(self, tmp_path):
        path = mixed_capture(tmp_path)
        app = new_app(tmp_path, lang="zh")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_capture(pilot, path)
            await pilot.press("slash")
            await type_text(pilot, ":22")
            assert listed_numbers(pilot) == [5], "the unanswered SYN, over when the file ends"
            assert "握手未完成 · 无应答" in region_words(pilot, "#capture-list")
            await type_text(pilot, "9")  # :229 is no port here
            assert listed_numbers(pilot) == []
            assert "5 个 TCP 连接中有 0 个符合" in region_words(pilot, "#capture-message")

    async def test_open_file_lists_at_once_and_only_the_picked_connection_is_read(
        self, tmp_path, monkeypatch
    ):
        from tui_tutor.captures import reader

        path = mixed_capture(tmp_path)
        read = []
        real = reader.from_flow
        monkeypatch.setattr(reader, "from_flow", lambda flow, n: read.append(n) or real(flow, n))
        app = new_app(tmp_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_capture(pilot, path)
            assert len(listed_numbers(pilot)) == 5 and read == [], "listing infers no states"
            await pilot.press("down", "down", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
            assert read == [3] and "mixed.pcap #3" in header(pilot), "the third row, alone"

    async def test_a_path_typed_with_slashes_is_not_taken_for_the_filter_key(self, tmp_path):
        path = mixed_capture(tmp_path)
        app = new_app(tmp_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("o")
            await pilot.pause()
            await type_text(pilot, str(path))  # every / typed into the path, not the filter
            await pilot.press("enter")
            await wait_loaded(pilot)
            assert len(listed_numbers(pilot)) == 5


def test_open_a_file_that_is_no_capture_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "notes.pcap"
    bad.write_bytes(b"these are my notes, not a capture")
    assert cli.main(["open", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"{bad}: not a pcap or pcapng file"


async def test_open_file_paints_the_dialog_and_lists_the_connections_as_it_reads(tmp_path):
    path = mixed_capture(tmp_path)
    app = new_app(tmp_path, open_capture=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        assert isinstance(app.screen, CaptureScreen)
        assert len(listed_numbers(pilot)) == 5
        await pilot.press("escape")
        await pilot.pause()
        assert "how TCP opens" in screen_text(pilot), "Escape leads to the lessons"


async def test_open_file_shows_the_dialog_alone_and_the_lessons_after_its_connection(tmp_path):
    """`open FILE` composes the dialog only (a faster start); the lessons are there once the
    learner leaves the connection it opened, as after a capture opened from the picker."""
    app = new_app(tmp_path, open_capture=KERNEL / "client_closes_first.pcap")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert "how TCP opens" in screen_text(pilot), "Escape leads to the lessons"
        await pilot.press("escape")  # the lessons are the last screen: nothing under them
        await pilot.pause()
        assert "how TCP opens" in screen_text(pilot)
