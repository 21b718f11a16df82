"""Three fixes to how Textual updates a screen, so that a key costs one layout and repaints
only what changed (``benchmarks/profile_keys.py`` measures them).

One layout, not two: Textual's screen tells each widget its new size after a layout
(``Widget._size_updated``) by setting the ``virtual_size`` reactive, which is declared
``layout=True``: every widget whose size changed asks for a second layout of the whole
screen at once, and repaints itself again. That second pass places nothing anew (the sizes
came from the layout just done) and only repeats the work: n laid the lesson screen out
twice and painted the quiz twice. Here a widget takes its new virtual size quietly, as
Textual itself does after a scroll. Nothing watches ``virtual_size`` (in Textual or here);
a scrolling widget still updates its scrollbars at once (``_scroll_update``), and a
scrollbar that comes or goes asks for its own layout (the room inside changed). A
``ScrollView`` (the ladder) keeps a virtual size of its own and is not concerned.

A scroll repaints what moved, not the screen: after a scroll Textual places the visible
widgets again and repaints those whose place changed since the last placing of visible
widgets; a full layout forgets that placing, so the first scroll after one (the quiz
scrolled to its feedback after Enter, h or v) repainted the whole screen, 15 KB to the
learner. Here the last full layout is what the scroll is compared with.

A repaint draws the widgets under what changed, not every widget near it: Textual paints a
change by asking every widget whose container overlaps the box around all changes for all
its lines (cached, but each costs a pass over its lines and styles): a digit typed in a
field asked 17 widgets, the whole quiz panel and the screen, for some 100 lines to write
one. Here only the widgets that overlap a changed region are asked, and only for the rows
of that box; what is written is the same (the lines outside are not written at all).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

_size_updated = Widget._size_updated
_reflow_visible = Compositor.reflow_visible
_get_renders = Compositor._get_renders
_render_partial_update = Compositor.render_partial_update


def _size_updated_once(
    self: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
) -> bool:
    return _size_updated(self, size, virtual_size, container_size, layout=False)


def _reflow_visible_since_layout(self: Compositor, parent: Widget, size: Size) -> set[Widget]:
    if self._visible_map is None and not self._full_map_invalidated and self.size == size:
        self._visible_map = self._full_map  # where everything was put by the last layout
    return _reflow_visible(self, parent, size)


def _render_partial_update_of_changes(self: Compositor):  # type: ignore[no-untyped-def]
    self._changed_regions = list(self._dirty_regions)  # type: ignore[attr-defined]
    try:
        return _render_partial_update(self)
    finally:
        self._changed_regions = None  # type: ignore[attr-defined]


def _get_renders_of_changes(
    self: Compositor, crop: Region | None = None
) -> Iterable[tuple[Region, Region, list[Strip]]]:
    changed: list[Region] | None = getattr(self, "_changed_regions", None)
    if crop is None or not changed:  # a full update: everything, as Textual does
        yield from _get_renders(self, crop)
        return
    for widget, (region, clip) in self.visible_widgets.items():
        shown = region.intersection(clip).intersection(crop)
        if not shown or not any(shown.overlaps(r) for r in changed):
            continue
        rows = clip.intersection(Region(region.x, shown.y, region.width, shown.height))
        drawn = region.intersection(rows)
        lines = Region(drawn.x - region.x, drawn.y - region.y, drawn.width, drawn.height)
        yield region, rows, widget.render_lines(lines)


def _as_read() -> bool:
    """The private methods and fields the fixes rely on are still as read in Textual 8.2.

    Another release may have changed them; then Textual's own behaviour stays (correct, one
    layout more per key). Reading code objects costs nothing at start-up.
    """
    sized = Widget._size_updated.__code__.co_varnames[:5]
    reflow = Compositor.reflow_visible.__code__.co_varnames[:3]
    fields = set(Compositor.__init__.__code__.co_names)
    renders = _get_renders.__code__  # Textual's own, also once replaced
    partial = _render_partial_update.__code__
    chops = Compositor._render_chops.__code__
    return (
        sized == ("self", "size", "virtual_size", "container_size", "layout")
        and reflow == ("self", "parent", "size")
        and {"_visible_map", "_full_map", "_full_map_invalidated", "size"} <= fields
        # renders are (region, clip, the lines of region & clip), painted where they fall on
        # the lines of the spans changed; the partial update paints only _dirty_regions
        and renders.co_varnames[:2] == ("self", "crop")
        and {"visible_widgets", "render_lines"} <= set(renders.co_names)
        and {"_dirty_regions", "_render_chops", "_regions_to_spans"} <= set(partial.co_names)
        and {"_get_renders", "intersection", "line_range"} <= set(chops.co_names)
    )


def install() -> None:
    """Idempotent: the app package calls it once, at import."""
    if Widget._size_updated is _size_updated_once or not _as_read():
        return
    Widget._size_updated = _size_updated_once  # type: ignore[method-assign]
    Compositor.reflow_visible = _reflow_visible_since_layout  # type: ignore[method-assign]
    Compositor._get_renders = _get_renders_of_changes  # type: ignore[method-assign]
    Compositor.render_partial_update = _render_partial_update_of_changes  # type: ignore[method-assign]
