"""The one-line list of keys at the bottom of a screen, fitted to the terminal's width."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..i18n import t

KEEP = ("l", "?", "esc", "q")  # never dropped: the language, help, the way out, quit


def keys_line(items: list[tuple[str, str]], lang: str, width: int) -> Text:
    """``items``: (key, i18n label), most useful first. Roomy when it fits, then tighter
    (the key in reverse video still sets it apart, also without colour), then the least
    useful go (from the end), but never l, ?, esc or q."""
    items = list(items)
    while True:
        for spacing in ("roomy", "compact", "tight"):
            line = _line(items, lang, spacing)
            if line.cell_len <= width:
                return line
        droppable = [i for i, (key, _) in enumerate(items) if key not in KEEP]
        if not droppable:
            return line
        del items[droppable[-1]]


def _line(items: list[tuple[str, str]], lang: str, spacing: str) -> Text:
    text = Text()
    for key, label in items:
        words = t(label, lang) if label else ""
        if spacing == "roomy":
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {words} " if words else " ")
        elif spacing == "compact":
            text.append(f" {key} ", style="bold reverse")
            text.append(f"{words} " if words else " ")
        else:
            text.append(key, style="bold reverse")
            text.append(f"{words} " if words else " ")
    return text


def update_if_changed(widget: Static, text: Text) -> None:
    """Static.update repaints (and lays out) even for the same text: skip that."""
    if getattr(widget, "_shown_text", None) != text:
        widget._shown_text = text  # type: ignore[attr-defined]
        widget.update(text)
