"""A titled box: the one container of the help, the exam's notices and the dialogs."""

from __future__ import annotations

from typing import TypeVar

from textual.widget import Widget

W = TypeVar("W", bound=Widget)


def titled(box: W, title: str, subtitle: str = "") -> W:
    """``box`` with ``title`` on its top border and ``subtitle`` on its bottom one."""
    box.border_title = title
    if subtitle:
        box.border_subtitle = subtitle
    return box
