"""The one-line list of keys at the bottom of a screen, fitted to the terminal's width."""

from __future__ import annotations

from rich.text import Text

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
