"""NO_COLOR: Textual draws every colour as its grey. The terminal's red (244, 0, 95) turns
nearly as dark as the background, so a ✘ mark, "Not quite" and the ladder's ✗ would read
as switched off while ✔ stays bright. Under NO_COLOR the red of the ANSI palette is a
light one, whose grey is as clear as green's."""

from __future__ import annotations

from rich.color_triplet import ColorTriplet
from rich.terminal_theme import TerminalTheme
from textual._ansi_theme import MONOKAI
from textual.app import App

LIGHT_RED = ColorTriplet(255, 135, 135)
RED, BRIGHT_RED = 1, 9  # ANSI palette slots


def readable_without_colour(app: App) -> None:
    """Call after ``App.__init__``: with NO_COLOR set, red stays legible as grey."""
    if not app.no_color:
        return
    colours = [MONOKAI.ansi_colors[i] for i in range(16)]
    for slot in (RED, BRIGHT_RED):
        colours[slot] = LIGHT_RED
    app.ansi_theme_dark = TerminalTheme(
        _rgb(MONOKAI.background_color),
        _rgb(MONOKAI.foreground_color),
        [_rgb(c) for c in colours[:8]],
        [_rgb(c) for c in colours[8:]],
    )


def _rgb(colour: tuple[int, int, int] | ColorTriplet) -> tuple[int, int, int]:
    red, green, blue = colour
    return (red, green, blue)
