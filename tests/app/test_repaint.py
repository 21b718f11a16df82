"""What a key repaints: the part of the screen that changed, not the whole screen.

Over SSH every repainted cell is bytes to the learner and CPU on the server, for
each key of each learner (``benchmarks/profile_keys.py`` measures it). A digit
typed into a field repaints that field, without laying the screen out again (270
widgets placed for one digit); Tab repaints the field left and the field entered
(and the footer, whose keys follow the field), not the whole screen.
"""

from __future__ import annotations

import pytest
from textual._compositor import Compositor
from textual.geometry import Region

from .driver import focused_id, new_app, next_until

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
