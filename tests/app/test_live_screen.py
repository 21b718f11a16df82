"""Live mode in the app: k on a lesson's results (and in the sandbox) shows the kernel's run.

The snapshots and most tests use a fixed kernel run (``tests/live/fake.py``: the
engine's own story, the kernel resending after 200 ms), injected as the app's
``live_runner``; one test plays on the real kernel and checks only what the
screen is made of, since ports, ISNs and microseconds change from run to run.
"""

from __future__ import annotations

import io
import sys

import pytest
from live.fake import fake_result  # tests/live, beside this folder
from rich.console import Console

from tui_tutor.app import make_app
from tui_tutor.app.screens.live import LiveScreen
from tui_tutor.app.screens.results import ResultsScreen
from tui_tutor.app.screens.sandbox import SandboxScreen
from tui_tutor.progress import ProgressStore

SIZES = {"small": (80, 24), "large": (120, 36)}
LESSON = "lost-last-ack"


def fake_runner(scenario, settings):
    return fake_result(scenario, settings.isns, rto=0.2)


def app_for(tmp_path, lang: str = "en", runner=fake_runner, allow_live: bool = True):
    return make_app(
        store=ProgressStore(tmp_path / "data", "ada"),
        lang=lang,
        open_lesson=LESSON,
        seed=2026,
        live_runner=runner,
        allow_live=allow_live,
    )


def screen_text(app) -> str:
    """The screen as the learner reads it (the text of what export_screenshot draws)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, color_system=None
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def to_results(pilot) -> None:
    for _ in range(80):
        if isinstance(pilot.app.screen, ResultsScreen):
            return
        await pilot.press("v", "n")
        await pilot.pause()
    assert isinstance(pilot.app.screen, ResultsScreen)


async def kernel_after_results(pilot) -> None:
    await to_results(pilot)
    await pilot.press("k")
    await until_played(pilot)


async def until_played(pilot, seconds: float = 30.0) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, LiveScreen)
    for _ in range(int(seconds / 0.05)):
        if screen.at_step is None:
            break
        await pilot.pause(0.05)
    await pilot.pause()
    assert screen.at_step is None, "the kernel did not finish"


class TestLiveScreen:
    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_live_screen(self, snap_compare, tmp_path, size, lang):
        assert snap_compare(
            app_for(tmp_path, lang), terminal_size=SIZES[size], run_before=kernel_after_results
        )


async def test_k_on_the_results_shows_the_kernels_ladder_states_and_differences(tmp_path):
    app = app_for(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await kernel_after_results(pilot)
        text = screen_text(app)
        assert text.startswith(" From your kernel   7 The last ACK is lost")
        assert "segments from your kernel" in text
        assert "Client · kernel" in text and "Server · kernel" in text
        assert "FIN,ACK seq=y+1 ack=x+2 ↻" in text  # the resent FIN, in the kernel's ladder
        assert "▶ TIME_WAIT" in text and "▶ CLOSED" in text
        assert "segment 8: resent after 0.200 s by the kernel, after 1.000 s by the engine" in text
        assert "known: RTT is not measured" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen), "escape goes back to the results"


async def test_in_chinese_the_kernels_screen_says_it_all_in_chinese(tmp_path):
    app = app_for(tmp_path, "zh")
    async with app.run_test(size=(120, 36)) as pilot:
        await kernel_after_results(pilot)
        text = screen_text(app)
        assert "来自你的内核" in text
        assert "报文段 8：内核在 0.200 s 后重传，引擎在 1.000 s 后重传" in text
        await pilot.press("l")
        await pilot.pause()
        assert "From your kernel" in screen_text(app)


async def test_k_in_the_sandbox_plays_the_steps_so_far(tmp_path):
    app = app_for(tmp_path)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SandboxScreen)
        await pilot.press("k")
        await pilot.pause(0.3)  # the notice appears
        assert "Nothing to play yet" in screen_text(app)
        await pilot.click("#client-connect")
        await pilot.click("#client-close")
        await pilot.pause()
        await pilot.press("k")
        await until_played(pilot)
        text = screen_text(app)
        assert "From your kernel" in text and "Sandbox" in text
        assert "FIN,ACK seq=x+1 ack=y+1" in text
        assert "Your kernel did exactly what the engine says." in text


async def test_when_the_trainer_did_not_allow_it_k_says_so_and_stays(tmp_path):
    app = app_for(tmp_path, allow_live=False)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await to_results(pilot)
        await pilot.press("k")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ResultsScreen)
        assert "Live mode is off on this server" in screen_text(app)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="live mode is Linux only")
@pytest.mark.parametrize("privileged", [True, False], ids=["as-is", "as-a-normal-user"])
async def test_the_real_kernel_in_the_app(tmp_path, privileged):
    from dataclasses import replace

    from tui_tutor.live import run_live

    def runner(scenario, settings):
        return run_live(scenario, replace(settings, use_privileges=privileged))

    app = make_app(
        store=ProgressStore(tmp_path / "data", "ada"),
        open_lesson="three-way-handshake",
        seed=1,
        live_runner=runner,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await kernel_after_results(pilot)
        screen = app.screen
        assert isinstance(screen, LiveScreen) and screen.result is not None
        text = screen_text(app)
        assert "From your kernel" in text
        assert text.count("▶ ESTABLISHED") == 2  # both peers' kernel states, in their panes
        if screen.result.run.mode == "wire":  # root: the kernel's own three segments
            for label in ("SYN seq=x", "SYN,ACK seq=y ack=x+1", "ACK seq=x+1 ack=y+1"):
                assert label in text
            assert "Your kernel did exactly what the engine says." in text
        else:
            assert "segments are not captured" in text
            assert "SYN seq=x" not in text
