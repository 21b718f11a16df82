"""The one-line list of keys at the bottom of a screen, fitted to the terminal's width."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static

from ..i18n import t

# kept unless named in drop_first: the language, help (which lists the rest), the way out, quit
KEEP = ("l", "?", "esc", "q")
SPACINGS = ("roomy", "compact", "narrow")


def keys_line(
    items: list[tuple[str, str]], lang: str, width: int, drop_first: tuple[str, ...] = ()
) -> Text:
    """``items``: (key, i18n label), in the order shown. Roomy when it fits, then with less
    space between items (never between a key and its words), then items go: those named in
    ``drop_first`` (in that order), then from the end, but never l, ?, esc or q."""
    items = list(items)
    while True:
        for spacing in SPACINGS:
            line = _line(items, lang, spacing)
            if line.cell_len <= width:
                return line
        keys = [key for key, _ in items]
        droppable = [key for key in drop_first if key in keys]
        droppable += [key for key in reversed(keys) if key not in KEEP and key not in droppable]
        if not droppable:
            return line
        del items[keys.index(droppable[0])]


def _line(items: list[tuple[str, str]], lang: str, spacing: str) -> Text:
    """roomy: `` key  words``; compact: ``key words  key words``; narrow: one space between
    items. The key is in reverse video, so that it stands out also without colour."""
    text = Text()
    for key, label in items:
        words = t(label, lang) if label else ""
        if spacing == "roomy":
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {words} " if words else " ")
        else:
            text.append(" " if spacing == "narrow" or not text else "  ")
            text.append(key, style="bold reverse")
            text.append(f" {words}" if words else "")
    return text


# what each Static was last given, so that the same text again costs nothing
_SHOWN: WeakKeyDictionary[Static, object] = WeakKeyDictionary()


def update_if_changed(widget: Static, text: VisualType) -> None:
    """Static.update repaints (and lays out) even for the same text: skip that. A line
    whose size the stylesheet fixes (a header, a keys line) is repainted in place: laying
    the whole screen out again for it cost every Tab and n a layout pass."""
    if _SHOWN.get(widget, _SHOWN) != text:
        _SHOWN[widget] = text
        widget.update(text, layout=widget.styles.auto_dimensions)
