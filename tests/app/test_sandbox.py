"""The sandbox: the learner drives both peers and watches TCP answer."""

from __future__ import annotations

from tui_tutor.app.screens.sandbox import SandboxScreen

from .driver import ladder, new_app, pane, text_of


async def open_sandbox(pilot):
    await pilot.pause()
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SandboxScreen)


async def test_connect_send_and_close_show_every_segment_and_state(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sandbox(pilot)
        await pilot.click("#client-connect")
        await pilot.pause()
        assert "SYN seq=x" in ladder(pilot)
        assert "SYN,ACK seq=y ack=x+1" in ladder(pilot)
        assert "▶ ESTABLISHED" in pane(pilot, "client")
        await pilot.click("#client-send")
        await pilot.click("#client-close")
        await pilot.pause()
        assert "PSH,ACK seq=x+1 ack=y+1 len=100" in ladder(pilot)
        assert "FIN,ACK seq=x+101" in ladder(pilot)
        assert "▶ FIN_WAIT_2" in pane(pilot, "client")
        assert "▶ CLOSE_WAIT" in pane(pilot, "server")


async def test_an_impossible_action_says_why_and_b_undoes_the_last_one(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sandbox(pilot)
        await pilot.click("#client-send")
        await pilot.pause()
        assert "Not possible: not possible in CLOSED" in text_of(pilot, "#what")
        await pilot.click("#client-connect")
        await pilot.click("#server-lose")
        await pilot.click("#client-send")
        await pilot.pause()
        assert "✗" in ladder(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert "len=100" not in ladder(pilot)
        assert len(app.screen.steps) == 2
