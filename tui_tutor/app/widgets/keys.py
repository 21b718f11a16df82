"""The one-line list of keys at the bottom of a screen, fitted to the terminal's width."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..i18n import t

KEEP = ("?", "esc", "q")  # never dropped: how to get help, get out and quit


def keys_line(items: list[tuple[str, str]], lang: str, width: int) -> Text:
    """``items``: (key, i18n label), most useful first. Roomy when it fits, compact when
    it does not, and then the least useful go (from the end), but never help, esc or q."""
    roomy = _line(items, lang, roomy=True)
    if roomy.cell_len <= width:
        return roomy
    items = list(items)
    while True:
        compact = _line(items, lang, roomy=False)
        droppable = [i for i, (key, _) in enumerate(items) if key not in KEEP]
        if compact.cell_len <= width or not droppable:
            return compact
        del items[droppable[-1]]


def _line(items: list[tuple[str, str]], lang: str, roomy: bool) -> Text:
    text = Text()
    for key, label in items:
        if roomy:
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {t(label, lang)} " if label else " ")
        else:
            text.append(f" {key} ", style="bold reverse")
            text.append(f"{t(label, lang)} " if label else " ")
    return text


def update_if_changed(widget: Static, text: Text) -> None:
    """Static.update repaints (and lays out) even for the same text: skip that."""
    if getattr(widget, "_shown_text", None) != text:
        widget._shown_text = text  # type: ignore[attr-defined]
        widget.update(text)
