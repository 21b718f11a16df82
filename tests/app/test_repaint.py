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
from textual.screen import Screen

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


class Terminal:
    """The learner's terminal: the cells each screen update writes (full or partial), kept
    between updates, as a real terminal keeps what is not written again."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cells: list[list[tuple[str, object]]] = []
        self.written = 0
        partial = Compositor.render_partial_update
        full = Compositor.render_full_update

        def render_partial(compositor: Compositor):
            update = partial(compositor)
            if update is not None and self.cells:
                self.write(update)
            return update

        def render_full(compositor: Compositor, simplify: bool = False):
            update = full(compositor, simplify)
            width, height = compositor.size
            self.cells = [[(" ", None)] * width for _ in range(height)]
            self.write(update)
            return update

        monkeypatch.setattr(Compositor, "render_partial_update", render_partial)
        monkeypatch.setattr(Compositor, "render_full_update", render_full)

    def write(self, update) -> None:
        x = y = 0
        for segment in update.__rich_console__(None, None):  # what goes to the terminal
            if segment.control:
                for control in segment.control:
                    if control[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = control[1], control[2]
                continue
            if segment.text == "\n":
                continue
            for cell in _cells([segment]):
                self.cells[y][x] = cell
                self.written += 1
                x += 1

    def differences(self, screen: Screen) -> list[str]:
        """Where the terminal does not hold what the screen shows (a stale cell stays), the
        screen drawn afresh: a line a widget forgot to repaint is stale in Textual's caches
        too. (The next update then writes the whole screen again.)"""
        for widget in screen.walk_children(with_self=True):
            widget.refresh()
        out = []
        for y, strip in enumerate(screen._compositor.render_strips()):
            shown = _cells(list(strip))
            for x, cell in enumerate(shown):
                if self.cells[y][x] != cell:
                    line = "".join(c for c, _ in shown)
                    out.append(f"({x},{y}) holds {self.cells[y][x]}, shows {cell} in {line!r}")
                    break
        return out


@pytest.mark.parametrize(
    "lesson, size",
    [
        (LESSON, (80, 24)),
        (LESSON, (120, 36)),
        ("lost-last-ack", (80, 24)),  # more rows than the ladder shows
    ],
)
async def test_what_each_key_writes_is_what_the_screen_shows(tmp_path, monkeypatch, lesson, size):
    terminal = Terminal(monkeypatch)
    app = new_app(tmp_path, lesson)
    stale: list[str] = []
    scrolled = 0
    async with app.run_test(size=size) as pilot:

        async def then_look(*keys: str) -> None:
            await pilot.press(*keys)
            await pilot.pause(0.05)
            stale.extend(f"after {keys}: {d}" for d in terminal.differences(app.screen))

        wrong_once = True
        for step in range(40):
            if not isinstance(app.screen, LessonScreen):
                break  # the results
            if step == 3:
                await then_look("l")  # Chinese from here: wide characters
            kind = moment_kind(pilot)
            if kind == "PredictSegment":
                answer = right_answer(pilot, app.screen.moment.segment)
                if wrong_once:  # wrong, then revealed
                    await answer_segment(pilot, {**answer, "seq": "12345"})
                    await then_look("v")
                    wrong_once = False
                else:
                    await answer_segment(pilot, answer)
                await then_look()
            elif kind == "Choice":
                for key in ("1", "enter", "v"):
                    await then_look(key)
            for key in ("n", "b", "n", "shift+up", "pagedown"):
                await then_look(key)
            if isinstance(app.screen, LessonScreen):
                scrolled += app.screen.peers.ladder.body.scroll_offset.y > 0
    assert terminal.written > 10_000, "the keys wrote next to nothing"
    assert not stale, "the terminal kept cells the screen no longer shows:\n" + "\n".join(stale[:5])
    if lesson != LESSON:
        assert scrolled, "the ladder never scrolled: a longer lesson is needed here"


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
