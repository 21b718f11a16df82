"""What a key repaints: the part of the screen that changed, not the whole screen.

Over SSH every repainted cell is bytes to the learner and CPU on the server, for
each key of each learner (``benchmarks/profile_keys.py`` measures it). A digit
typed into a field repaints that field, without laying the screen out again (270
widgets placed for one digit); Tab repaints the field left and the field entered
(and the footer, whose keys follow the field), not the whole screen.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.segment import ControlType, Segment
from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

from tui_tutor.app.screens.lesson import LessonScreen

from .driver import (
    answer_segment,
    focused_id,
    moment_kind,
    new_app,
    next_until,
    right_answer,
)

LESSON = "three-way-handshake"


class Updates:
    """The screen updates Textual renders (what it writes to the terminal) while watched."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.watching = False
        self.full = 0  # full-screen updates
        self.layouts = 0  # the screen laid out again
        self.regions: list[Region] = []
        partial, full = Compositor.render_partial_update, Compositor.render_full_update
        reflow = Compositor.reflow

        def lay_out(compositor: Compositor, parent, size):
            self.layouts += self.watching
            return reflow(compositor, parent, size)

        def render_partial(compositor: Compositor):
            if self.watching:
                self.regions += compositor._dirty_regions
            return partial(compositor)

        def render_full(compositor: Compositor, simplify: bool = False):
            self.full += self.watching
            return full(compositor, simplify)

        monkeypatch.setattr(Compositor, "render_partial_update", render_partial)
        monkeypatch.setattr(Compositor, "render_full_update", render_full)
        monkeypatch.setattr(Compositor, "reflow", lay_out)

    async def during(self, pilot, *keys: str) -> list[Region]:
        await pilot.pause(0.2)
        self.watching, self.full, self.layouts, self.regions = True, 0, 0, []
        await pilot.press(*keys)
        await pilot.pause(0.2)
        self.watching = False
        return self.regions


def outside(regions: list[Region], *allowed: Region) -> list[Region]:
    return [r for r in regions if not any(a.contains_region(r) for a in allowed)]


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_a_digit_repaints_its_field_only(tmp_path, monkeypatch, size):
    updates = Updates(monkeypatch)
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=size) as pilot:
        await next_until(pilot, "PredictSegment")
        await pilot.press("tab")
        assert focused_id(pilot) == "field-seq"
        for digit in "1234":
            regions = await updates.during(pilot, digit)
            field = app.screen.query_one("#field-seq").region
            assert regions, f"typing {digit} showed nothing"
            assert updates.full == 0, f"typing {digit} repainted the whole screen"
            assert updates.layouts == 0, f"typing {digit} laid the screen out again"
            assert not outside(regions, field), f"typing {digit} repainted {regions}, not {field}"


async def test_tab_repaints_the_two_fields_and_the_footer_only(tmp_path, monkeypatch):
    updates = Updates(monkeypatch)
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        for left, entered in (("flags", "seq"), ("seq", "ack"), ("ack", "client_state")):
            assert focused_id(pilot) == f"field-{left}"
            regions = await updates.during(pilot, "tab")
            assert focused_id(pilot) == f"field-{entered}"
            screen = app.screen
            allowed = [screen.query_one(f"#field-{name}").region for name in (left, entered)]
            allowed.append(screen.query_one("#keys").region)
            assert updates.full == 0, f"Tab from {left} repainted the whole screen"
            assert not outside(regions, *allowed), f"Tab from {left} repainted {regions}"


async def test_served_a_learner_thinking_in_a_field_costs_no_repaint(tmp_path, monkeypatch):
    """Over SSH or the web the cursor does not blink: a blinking one repaints the field
    twice a second for as long as the learner thinks, for every learner of a class."""
    updates = Updates(monkeypatch)
    app = new_app(tmp_path, LESSON)
    app.served = True
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, "PredictSegment")
        await pilot.press("tab", "1")
        assert focused_id(pilot) == "field-seq"
        await pilot.pause(0.3)
        updates.watching = True  # nothing pressed: the learner thinks
        await pilot.pause(1.5)
        updates.watching = False
        assert not updates.regions, f"while the learner thought it repainted {updates.regions}"


def _cells(segments: list[Segment]) -> list[tuple[str, object]]:
    """A line as the terminal holds it: (character, style) per cell, a wide character's
    second cell empty."""
    cells: list[tuple[str, object]] = []
    for segment in segments:
        for char in segment.text:
            cells.append((char, segment.style))
            if cell_len(char) == 2:
                cells.append(("", segment.style))
    return cells


class Written:
    """Checks each partial update as it is written: every cell it writes holds what a full
    repaint of the screen shows there at that moment (a stale or misplaced cell would stay
    on the learner's terminal)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.updates = 0
        self.cells = 0
        self.wrong: list[str] = []
        partial = Compositor.render_partial_update

        def render_partial(compositor: Compositor):
            update = partial(compositor)
            if update is not None:
                self.check(compositor, update)
            return update

        monkeypatch.setattr(Compositor, "render_partial_update", render_partial)

    def check(self, compositor: Compositor, update) -> None:
        self.updates += 1
        full = [_cells(list(strip)) for strip in compositor.render_strips()]
        x = y = 0
        for segment in update.__rich_console__(None, None):  # what goes to the terminal
            if segment.control:
                for control in segment.control:
                    if control[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = control[1], control[2]
                continue
            if segment.text == "\n":
                continue
            for char, style in _cells([segment]):
                self.cells += 1
                if full[y][x] != (char, style) and len(self.wrong) < 5:
                    line = Strip([Segment(c) for c, _ in full[y]]).text
                    shown = f"shows {full[y][x]} in {line!r}"
                    self.wrong.append(f"({x},{y}) wrote {char!r} {style}, {shown}")
                x += 1


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_what_each_key_writes_is_what_the_screen_shows(tmp_path, monkeypatch, size):
    written = Written(monkeypatch)
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=size) as pilot:
        wrong_once = True
        for step in range(20):
            if not isinstance(app.screen, LessonScreen):
                break  # the results
            if step == 3:
                await pilot.press("l")  # Chinese from here: wide characters
            kind = moment_kind(pilot)
            if kind == "PredictSegment":
                number = app.screen.moment.segment
                answer = right_answer(pilot, number)
                if wrong_once:  # wrong, then revealed
                    await answer_segment(pilot, {**answer, "seq": "12345"})
                    await pilot.press("v")
                    wrong_once = False
                else:
                    await answer_segment(pilot, answer)
            elif kind == "Choice":
                await pilot.press("1", "enter", "v")
            await pilot.press("n", "b", "n", "shift+up", "pagedown")
            await pilot.pause()
    assert written.updates > 20 and written.cells > 1000, "the keys wrote next to nothing"
    assert not written.wrong, "a key left cells the screen does not show:\n" + "\n".join(
        written.wrong
    )


def test_the_one_layout_fixes_are_in_effect_with_the_pinned_textual():
    # they replace private Textual methods; a Textual that changed them keeps its own
    # (slower) behaviour silently, so say it here: re-read app/one_layout.py against it
    from textual._compositor import Compositor
    from textual.widget import Widget

    from tui_tutor.app import app as _  # noqa: F401  (installs the fixes)
    from tui_tutor.app import one_layout

    assert one_layout._as_read(), "Textual changed what app/one_layout.py replaces"
    assert Widget._size_updated is one_layout._size_updated_once
    assert Compositor.reflow_visible is one_layout._reflow_visible_since_layout
    assert Compositor._get_renders is one_layout._get_renders_of_changes
