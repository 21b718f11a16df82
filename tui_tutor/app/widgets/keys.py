"""The one-line list of keys at the bottom of a screen, fitted to the terminal's width."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..i18n import t


def keys_line(items: list[tuple[str, str]], lang: str, width: int) -> Text:
    """``items``: (key, i18n label). Roomy when it fits, compact when it does not."""
    roomy = Text()
    for key, label in items:
        roomy.append(f" {key} ", style="bold reverse")
        roomy.append(f" {t(label, lang)} " if label else " ")
    if roomy.cell_len <= width:
        return roomy
    compact = Text()
    for key, label in items:
        compact.append(key, style="bold reverse")
        compact.append(f"{t(label, lang)} " if label else " ")
    return compact


def update_if_changed(widget: Static, text: Text) -> None:
    """Static.update repaints (and lays out) even for the same text: skip that."""
    if getattr(widget, "_shown_text", None) != text:
        widget._shown_text = text  # type: ignore[attr-defined]
        widget.update(text)
