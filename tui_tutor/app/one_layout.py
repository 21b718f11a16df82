"""One layout pass per change, not two: a widget resized by a layout does not ask for another.

Textual's screen tells each widget its new size after a layout (``Widget._size_updated``)
by setting the ``virtual_size`` reactive, which is declared ``layout=True``: every widget
whose size changed asks for a second layout of the whole screen at once, and repaints
itself again. For a widget that does not scroll that second pass places nothing anew (its
size came from the layout just done) and only repeats the work: on the lesson screen, n
laid the screen out twice and painted the quiz twice (``benchmarks/profile_keys.py``).

Here a widget takes its new virtual size quietly, as Textual itself does after a scroll.
The layout just done placed it at that size already; nothing watches ``virtual_size`` (in
Textual or here); a scrolling widget still updates its scrollbars at once
(``_scroll_update``), and a scrollbar that comes or goes asks for its own layout (the room
inside changed). A ``ScrollView`` (the ladder) keeps a virtual size of its own and is not
concerned.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget

_size_updated = Widget._size_updated


def _size_updated_once(
    self: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
) -> bool:
    return _size_updated(self, size, virtual_size, container_size, layout=False)


def install() -> None:
    """Idempotent: the app calls it once at import."""
    Widget._size_updated = _size_updated_once  # type: ignore[method-assign]
