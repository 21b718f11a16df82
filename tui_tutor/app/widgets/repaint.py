"""Repaint only the rows of a widget whose line changed.

Textual repaints a whole widget on ``refresh()``; a step of a lesson changes a few lines
of a state pane or of the ladder, and each line repainted is sent to every learner.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest

from textual.geometry import Region
from textual.widget import Widget

_NONE = object()  # a row only one of the two has: changed


def refresh_changed_rows(
    widget: Widget, before: Sequence[object], after: Sequence[object], width: int
) -> None:
    """Repaint row ``y`` of ``widget`` wherever ``before[y]`` and ``after[y]`` differ."""
    for y, (old, new) in enumerate(zip_longest(before, after, fillvalue=_NONE)):
        if old != new:
            widget.refresh(Region(0, y, width, 1))
