"""The sandbox: the learner drives both peers and watches TCP answer."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from tui_tutor.app.screens.sandbox import SandboxScreen

from .driver import footer, ladder, new_app, pane, region_words, screen_lines


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
        assert "ESTABLISHED" in pane(pilot, "client")
        await pilot.click("#client-send")
        await pilot.click("#client-close")
        await pilot.pause()
        assert "PSH,ACK seq=x+1 ack=y+1 len=100" in ladder(pilot)
        assert "FIN,ACK seq=x+101" in ladder(pilot)
        assert "FIN_WAIT_2" in pane(pilot, "client")
        assert "CLOSE_WAIT" in pane(pilot, "server")


async def test_an_impossible_action_says_why_and_b_undoes_the_last_one(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sandbox(pilot)
        await pilot.click("#client-send")
        await pilot.pause()
        assert "Not possible: the client cannot send 100 B in CLOSED." in region_words(
            pilot, "#what"
        )
        await pilot.click("#client-connect")
        await pilot.click("#server-lose")
        await pilot.click("#client-send")
        await pilot.pause()
        assert "✗" in ladder(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert "len=100" not in ladder(pilot)
        assert len(app.screen.steps) == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_at_80x24_every_action_is_on_screen_and_the_keyboard_reaches_it(tmp_path, lang):
    app = new_app(tmp_path, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sandbox(pilot)
        width, height = app.size
        buttons = list(app.screen.query(Button))
        assert len(buttons) == 15
        for button in buttons:
            region = button.region
            assert region.right <= width - 2 and region.bottom <= height, button.id
            label = str(button.label)
            assert label in "\n".join(screen_lines(pilot)), f"{label} is not drawn"
        seen = set()
        for _ in range(len(buttons)):
            focused = app.focused
            assert focused is not None and focused.region.right <= width, "focus off screen"
            seen.add(focused.id)
            await pilot.press("tab")
        assert len(seen) == len(buttons), "Tab reaches every action"
        keys = footer(pilot)
        assert "esc" in keys and "q" in keys and "?" in keys


async def test_in_chinese_buttons_and_errors_are_chinese(tmp_path):
    app = new_app(tmp_path, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sandbox(pilot)
        await pilot.click("#client-send")
        await pilot.pause()
        assert "无法执行：客户端处于 CLOSED 状态，不能发送 100 字节。" in region_words(
            pilot, "#what"
        )
        shown = "\n".join(screen_lines(pilot)[-6:])
        for word in ("connect", "listen", "send", "close", "abort", "lose", "wait"):
            assert word not in shown, f"{word} left in English"
        assert "连接" in shown and "丢弃下一个" in shown
